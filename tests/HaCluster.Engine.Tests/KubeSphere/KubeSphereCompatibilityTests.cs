// Copyright (c) HaCluster contributors. MIT License.
// The Kubernetes range of each KubeSphere 4 chart line (kubesphere-4-2026-12.md §4).

using System;
using System.IO;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeSphere;
using Xunit;

namespace HaCluster.Engine.Tests.KubeSphere;

public sealed class KubeSphereCompatibilityTests
{
    [Theory]
    [InlineData("1.2.4", "v1.23.17")]
    [InlineData("1.2.3-20251118", "v1.33.4")]
    [InlineData("1.2.4", "v1.34.1+k3s1")]
    [InlineData("1.1.5", "v1.21.14")]
    [InlineData("1.1.5", "1.30.14")]
    [InlineData("0.9.0", "v1.40.0")]
    [InlineData("1.2.4", "not-a-version")]
    public void VersionsInsideTheRangeOrUnknownPass(string chart, string kubernetes) => KubeSphereCompatibility.Check(chart, kubernetes);

    // Real kubectl version -o json replies (tests/Fixtures/kubectl/SOURCES.md): the server's gitVersion, whatever the
    // client is and however minor reads; none when the apiserver did not answer.
    [Theory]
    [InlineData("version-server-1.9-alpha.json", "v1.9.0-alpha.1.487+550c3cab4fe267")]
    [InlineData("version-server-1.14-client-1.15.json", "v1.14.3")]
    [InlineData("version-client-1.25-server-refused.txt", null)]
    public void TheClustersVersionIsReadFromRealKubectlOutput(string fixture, string? expected)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubectl", fixture)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var stdout = text[..(text.LastIndexOf("\n}", StringComparison.Ordinal) + 2)];

        Assert.Equal(expected, KubeSphereInstaller.ServerVersionOf(stdout));
        Assert.Equal(expected, KubeSphereInstaller.ServerVersionOf(text));
    }

    [Theory]
    [InlineData("1.2.4", "v1.22.17", "The ks-core chart 1.2.4 installs KubeSphere 4.2, which supports Kubernetes v1.23 to v1.34, not Kubernetes v1.22.17.")]
    [InlineData("1.1.5", "v1.31.2", "The ks-core chart 1.1.5 installs KubeSphere 4.1, which supports Kubernetes v1.21 to v1.30, not Kubernetes v1.31.2.")]
    public void VersionsOutsideTheRangeAreRefusedNamingBoth(string chart, string kubernetes, string message)
    {
        var error = Assert.Throws<HaClusterException>(() => KubeSphereCompatibility.Check(chart, kubernetes));

        Assert.Equal(KubeSphereErrorIds.KubernetesUnsupported, error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Equal(kubernetes, error.Target);
        Assert.StartsWith(message, error.Message);
    }
}
