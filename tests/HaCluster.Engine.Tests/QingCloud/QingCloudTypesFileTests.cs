// Copyright (c) HaCluster contributors. MIT License.
// The module's types file gives every wire field name of every resource as an alias property.

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Xml.Linq;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudTypesFileTests
{
    [Fact]
    public void EveryWireNameIsAnAliasOfItsProperty()
    {
        var types = XDocument.Load(Path.Combine(RepositoryRoot(), "src/HaCluster/Types/QingCloud.Types.ps1xml")).Root!.Elements("Type")
            .ToDictionary(
                t => t.Element("Name")!.Value,
                t => t.Descendants("AliasProperty").ToDictionary(a => a.Element("Name")!.Value, a => a.Element("ReferencedMemberName")!.Value, StringComparer.OrdinalIgnoreCase));
        var resources = typeof(QingCloudClient).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Namespace == "HaCluster.Engine.QingCloud" && t.GetProperties().Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null))
            .ToList();

        Assert.Contains(typeof(Instance), resources);
        foreach (var type in resources)
        {
            Assert.True(types.TryGetValue(type.FullName!, out var aliases), $"{type.FullName} is missing from the types file");
            foreach (var property in type.GetProperties())
            {
                var wire = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (wire is null || string.Equals(wire, property.Name, StringComparison.OrdinalIgnoreCase))
                {
                    continue; // "status" and Status are one name to PowerShell.
                }

                Assert.True(aliases!.TryGetValue(wire, out var target), $"{type.Name}.{property.Name} has no alias '{wire}'");
                Assert.Equal(property.Name, target);
            }

            foreach (var alias in aliases!)
            {
                Assert.NotNull(type.GetProperty(alias.Value));
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HaCluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("HaCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
