// Copyright (c) HaCluster contributors. MIT License.
// The image preflight's reading of real registry replies, and which image it checks first.

using System;
using System.Collections;
using System.IO;
using System.Linq;
using HaCluster.Engine.KubeSphere;
using Xunit;

namespace HaCluster.Engine.Tests.KubeSphere;

public sealed class ImagePreflightTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "helm", name)).Replace("\r\n", "\n");

    [Fact]
    public void TheBearerChallengeOfDockerHubGivesTheRealmServiceAndScope()
    {
        var challenge = Fixture("registry-challenge-dockerhub.txt").Trim();
        var header = Fixture("registry-401-dockerhub.txt").Split('\n').Single(l => l.StartsWith("Www-Authenticate:", StringComparison.Ordinal));

        var parameters = ImagePreflight.ChallengeParameters(challenge.Substring("Bearer ".Length));
        var fromHeaders = ImagePreflight.ChallengeParameters(header.Substring("Www-Authenticate: Bearer ".Length));

        Assert.Equal("https://auth.docker.io/token", parameters["realm"]);
        Assert.Equal("registry.docker.io", parameters["service"]);
        Assert.Equal("repository:alpine:pull", parameters["scope"]);
        Assert.Equal("repository:library/nginx:pull", fromHeaders["scope"]);
    }

    [Fact]
    public void DockerHubsRefusalIsReportedWithItsCodeAndWhatItMeans()
    {
        var error = ImagePreflight.RegistryError(Fixture("registry-unauthorized-dockerhub.json"));

        Assert.Equal("UNAUTHORIZED: authentication required (the repository does not exist, or needs a login the nodes do not have)", error);
        Assert.Equal("MANIFEST_UNKNOWN: manifest unknown", ImagePreflight.RegistryError("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"latest"}}]}"""));
        Assert.Equal("(no registry error document)", ImagePreflight.RegistryError("<html>gateway</html>"));
    }

    [Fact]
    public void TheFirstImageIsKsApiserverFromTheChartsRegistryOrTheOverrideAtTheAppVersion()
    {
        var chartDefault = ImagePreflight.FirstImage(new KubeSphereInstallOptions { Chart = "oci://hub.kubesphere.com.cn/kse/ks-core", ChartVersion = "1.2.4" }, "v4.2.1")!;
        var preset = ImagePreflight.FirstImage(new KubeSphereInstallOptions { Preset = KubeSpherePreset.CommunityEdition }, "v4.2.1")!;
        var mirror = ImagePreflight.FirstImage(new KubeSphereInstallOptions { Preset = KubeSpherePreset.CommunityEdition, ImageRegistry = "mirror.example:5000/kse", Values = new Hashtable { ["global"] = new Hashtable { ["tag"] = "v4.2.0" } } }, "v4.2.1")!;

        Assert.Equal("docker.io/kubesphere/ks-apiserver:v4.2.1", chartDefault.ToString());
        Assert.Equal("registry-1.docker.io", chartDefault.ApiHost);
        Assert.Equal("kubesphere/ks-apiserver", chartDefault.Name);
        Assert.Equal("hub.kubesphere.com.cn/kubesphere/ks-apiserver:v4.2.1", preset.ToString());
        Assert.Equal("mirror.example:5000", mirror.ApiHost);
        Assert.Equal("kse/kubesphere/ks-apiserver", mirror.Name);
        Assert.Equal("v4.2.0", mirror.Tag);
        Assert.Null(ImagePreflight.FirstImage(new KubeSphereInstallOptions { Preset = KubeSpherePreset.CommunityEdition }, null));
    }
}
