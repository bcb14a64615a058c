// Copyright (c) HaCluster contributors. MIT License.
// The Kubernetes range of each KubeSphere 4 chart line (kubesphere-4-2026-12.md §4).

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
