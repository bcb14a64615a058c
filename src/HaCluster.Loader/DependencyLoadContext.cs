// Copyright (c) HaCluster contributors. MIT License.
// Isolates the engine and its third-party dependencies from other modules on PowerShell 7.

using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace HaCluster.Loader;

/// <summary>
/// The AssemblyLoadContext that holds HaCluster.Engine and every assembly in the module's
/// dependencies folder (YamlDotNet, SSH.NET, Polly, ...), so that another module's copy of
/// those libraries in the default context never meets ours.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly object Gate = new();
    private static DependencyLoadContext? _instance;

    private readonly string _directory;
    private readonly HashSet<string> _frameworkAssemblies;

    private DependencyLoadContext(string directory)
        : base("HaCluster-dependencies", isCollectible: false)
    {
        _directory = directory;
        _frameworkAssemblies = ReadTrustedPlatformAssemblyNames();
    }

    /// <summary>
    /// Creates the context once and lets the default context hand requests for
    /// <paramref name="entryAssemblyName"/> to it. Called by the module initializer by reflection.
    /// </summary>
    /// <param name="directory">The module's dependencies folder.</param>
    /// <param name="entryAssemblyName">Simple name of the only assembly the cmdlets reference directly.</param>
    public static void Initialize(string directory, string entryAssemblyName)
    {
        lock (Gate)
        {
            if (_instance is not null)
            {
                return;
            }

            _instance = new DependencyLoadContext(directory);
            Default.Resolving += (_, name) =>
                string.Equals(name.Name, entryAssemblyName, StringComparison.OrdinalIgnoreCase)
                    ? _instance.LoadFromAssemblyName(name)
                    : null;
        }
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name ?? string.Empty;

        // BCL polyfills shipped for Windows PowerShell are part of the runtime here: share the runtime's.
        if (_frameworkAssemblies.Contains(name))
        {
            return null;
        }

        var path = Path.Combine(_directory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    private static HashSet<string> ReadTrustedPlatformAssemblyNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (var path in list.Split(Path.PathSeparator))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
