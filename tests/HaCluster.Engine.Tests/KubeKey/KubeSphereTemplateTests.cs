// Copyright (c) HaCluster contributors. MIT License.
// The ClusterConfiguration per KubeSphere release against kk's own templates (tests/Fixtures/kk-kubesphere, see SOURCES.md).

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.KubeKey.Yaml;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class KubeSphereTemplateTests
{
    public static TheoryData<string> Releases() => new(ReleaseFiles());

    private static List<string> ReleaseFiles() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kk-kubesphere"), "v*.yaml")
            .Select(Path.GetFileNameWithoutExtension)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList()!;

    [Fact]
    public void EveryReleaseWithItsOwnTemplateHasKksTemplateToCompareWith()
    {
        Assert.Equal(KubeSphereTemplate.Versions, ReleaseFiles());
        Assert.Equal(new[] { "v3.1.0", "v3.1.1", "v3.2.0", "v3.2.1", "v3.3.0", "v3.3.1", "v3.3.2", "v3.4.0", "v3.4.1" }, KubeSphereTemplate.Versions);
    }

    // Same keys, same values, same strings-versus-plain scalars, same empty lists and maps: what ks-installer reads.
    [Theory]
    [MemberData(nameof(Releases))]
    public void GeneratedClusterConfiguration_HasKksTemplateForThatRelease(string version)
    {
        var kk = (YMap)YamlText.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kk-kubesphere", version + ".yaml")), version)[0];
        var ours = KubeSphereSettings.CreateDefault(version).Document;

        var expected = Flatten(kk);
        var actual = Flatten(ours);
        Assert.Equal(expected.Except(actual).ToList(), Array.Empty<string>());
        Assert.Equal(actual.Except(expected).ToList(), Array.Empty<string>());
    }

    [Fact]
    public void ConsolePort_IsWhereTheReleaseReadsIt()
    {
        var v31 = KubeSphereSettings.CreateDefault("v3.1.1");
        v31.ConsolePort = 30881;
        Assert.Equal("30881", ((YMap)v31.Document.Find("spec", "console")!).GetString("port"));
        Assert.Null(v31.Document.Find("spec", "common", "core"));
        Assert.Equal(30881, v31.ConsolePort);

        var v32 = KubeSphereSettings.CreateDefault("v3.2.0");
        v32.ConsolePort = 30882;
        Assert.Equal("30882", ((YMap)v32.Document.Find("spec", "common", "core", "console")!).GetString("port"));
        Assert.Null(v32.Document.Find("spec", "console"));
    }

    [Fact]
    public void EnablingAComponent_OnAnOlderRelease_WritesThatReleasesKey()
    {
        var v33 = KubeSphereSettings.CreateDefault("v3.3.2");
        v33.Enable("devops");
        Assert.Equal("true", ((YMap)v33.Document.Find("spec", "devops")!).GetString("enabled"));
        Assert.Equal("8Gi", ((YMap)v33.Document.Find("spec", "devops")!).GetString("jenkinsMemoryLim"));
        Assert.Null(v33.Document.Find("spec", "gatekeeper"));
        Assert.Equal(new[] { ("gatekeeper", "v3.4.0") }, Enabled(v33, "gatekeeper").ComponentsMissingIn("v3.3.2"));
    }

    private static KubeSphereSettings Enabled(KubeSphereSettings settings, string component)
    {
        settings.Enable(component);
        return settings;
    }

    private static List<string> Flatten(YNode node, string path = "")
    {
        switch (node)
        {
            case YMap map when map.Count == 0:
                return new List<string> { path + "={}" };
            case YMap map:
                return map.Entries.SelectMany(e => Flatten(e.Value, path + "/" + e.Key)).ToList();
            case YSeq seq when seq.Items.Count == 0:
                return new List<string> { path + "=[]" };
            case YSeq seq:
                return seq.Items.SelectMany((item, i) => Flatten(item, path + "[" + i + "]")).ToList();
            case YScalar scalar:
                return new List<string> { path + "=" + (scalar.Style == YStyle.Plain ? "plain:" : "string:") + scalar.Value };
            default:
                return new List<string> { path + "=?" };
        }
    }
}
