// Copyright (c) HaCluster contributors. MIT License.
// The reader accepts kk v1alpha2, the tutorial's v1alpha1 file and snippet, ranges, and keeps unknown keys.

using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class ClusterConfigYamlReaderTests
{
    [Fact]
    public void TutorialV1Alpha1FileReadsMasterAsControlPlaneAndQuotedPortAsNumber()
    {
        var config = KubeKeyFixtures.Read("tutorial-config-sample.yaml");

        Assert.Equal("kubekey.kubesphere.io/v1alpha1", config.SourceApiVersion);
        Assert.Equal(new[] { "master1", "master2", "master3" }, config.RoleGroups.ControlPlane);
        Assert.Equal(new[] { "master1", "master2", "master3" }, config.RoleGroups.Etcd);
        Assert.Equal(new[] { "node1", "node2", "node3" }, config.RoleGroups.Worker);
        Assert.Equal("192.168.0.253", config.ControlPlaneEndpoint.Address);
        Assert.Equal(6443, config.ControlPlaneEndpoint.Port);
        Assert.Equal("lb.kubesphere.local", config.ControlPlaneEndpoint.Domain);
        Assert.Equal(6, config.Hosts.Count);
        var master1 = config.Hosts[0];
        Assert.Equal(("master1", "192.168.0.2", "192.168.0.2", "ubuntu", 22), (master1.Name, master1.Address, master1.InternalAddress, master1.User, master1.Port));
        Assert.Equal(KubeKeyFixtures.TutorialPassword, Secrets.Reveal(master1.Password!));
        Assert.Equal("v1.17.9", config.Kubernetes.Version);
        Assert.Null(config.Kubernetes.ContainerManager);
    }

    [Fact]
    public void TutorialFileIsWrittenAsV1Alpha2WithEverythingKept()
    {
        var yaml = ClusterConfigYaml.Write(KubeKeyFixtures.Read("tutorial-config-sample.yaml"));

        Assert.StartsWith("apiVersion: kubekey.kubesphere.io/v1alpha2\nkind: Cluster\n", yaml);
        Assert.Contains("    control-plane:\n    - master1\n    - master2\n    - master3\n", yaml);
        Assert.DoesNotContain("master:", yaml);
        Assert.Contains("  controlPlaneEndpoint:\n    domain: lb.kubesphere.local\n    address: \"192.168.0.253\"\n    port: 6443\n", yaml);
        Assert.Contains("    imageRepo: kubesphere\n", yaml);
        Assert.Contains("  - {name: node3, address: 192.168.0.7, internalAddress: 192.168.0.7, user: ubuntu, password: \"Testing123\"}\n", yaml);

        // Nothing kk v1 left out is invented: no autoRenewCerts, no etcd section.
        Assert.DoesNotContain("autoRenewCerts", yaml);
        Assert.DoesNotContain("\n  etcd:\n", yaml);
    }

    [Fact]
    public void TutorialSnippetWithoutApiVersionOrKindIsACluster()
    {
        var config = KubeKeyFixtures.Read("tutorial-snippet.yaml");

        Assert.Equal(new[] { "master1", "master2", "master3", "node1", "node2", "node3" }, config.Hosts.Select(h => h.Name));
        Assert.Equal(new[] { "master1", "master2", "master3" }, config.RoleGroups.ControlPlane);
        Assert.Equal(string.Empty, config.ControlPlaneEndpoint.Address);
    }

    [Fact]
    public void RangesAreExpandedLikeKk()
    {
        var config = KubeKeyFixtures.Read("kk-ha-kubesphere.yaml");

        Assert.Equal(new[] { "master1", "master2", "master3" }, config.RoleGroups.Etcd);
        Assert.Equal(new[] { "master1", "master2", "master3" }, config.RoleGroups.ControlPlane);
        Assert.Equal(new[] { "worker1", "worker2", "worker3" }, config.RoleGroups.Worker);
        Assert.Equal(new[] { "node1", "node2" }, ClusterConfigYaml.ExpandRange("node[01:02]"));
        Assert.Equal(new[] { "a2b", "a3b" }, ClusterConfigYaml.ExpandRange("a[2:3]b"));
        Assert.Equal(new[] { "plain" }, ClusterConfigYaml.ExpandRange("plain"));
    }

    [Fact]
    public void BackwardsRangeIsRejected()
    {
        var yaml = KubeKeyFixtures.Text("kk-create-config.yaml").Replace("    worker:\n    - node1\n    - node2\n", "    worker:\n    - node[3:1]\n");

        var error = Assert.Throws<HaClusterException>(() => ClusterConfigYaml.Read(yaml));

        Assert.Equal("RoleGroupRangeInvalid", error.ErrorId);
        Assert.Equal("node[3:1]", error.Target);
    }

    [Fact]
    public void UnknownKeysAndDocumentsSurviveARoundTrip()
    {
        var config = KubeKeyFixtures.Read("kk-ha-kubesphere.yaml");
        var yaml = ClusterConfigYaml.Write(config);

        Assert.Contains("  - {name: worker1, address: 203.0.113.21, internalAddress: 10.0.1.21, port: 2222, user: kkadmin, privateKeyPath: \"~/.ssh/id_ed25519\", labels: {disk: ssd, gpu: \"true\"}, timeout: 60}\n", yaml);
        Assert.Contains("  - {name: worker2, address: 10.0.1.22, internalAddress: 10.0.1.22, user: kkadmin, privateKeyPath: \"~/.ssh/id_ed25519\", arch: arm64}\n", yaml);
        Assert.Contains("  - name: worker3\n    address: 10.0.1.23\n    internalAddress: 10.0.1.23\n    user: kkadmin\n    privateKey: |\n      -----BEGIN OPENSSH PRIVATE KEY-----\n", yaml);
        Assert.Contains("    registry:\n    - worker1\n", yaml);
        Assert.Contains("  system:\n    ntpServers: [ntp1.example.com]\n    timezone: \"UTC\"\n", yaml);
        Assert.Contains("    apiserverCertExtraSans:\n    - api.prod.example.com\n    maxPods: 150\n", yaml);
        Assert.Contains("    backupDir: /var/backups/kube_etcd\n", yaml);
        Assert.Contains("    calico:\n      ipipMode: Always\n", yaml);
        Assert.Contains("        valuesFile: /home/ubuntu/nfs-client.yaml\n", yaml);
        Assert.Contains("    redis: {enabled: false, enableHA: false, volumeSize: 2Gi}\n", yaml);
        Assert.Contains("          cloudhubNodePort: \"30000\"\n", yaml);
        Assert.EndsWith("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  note: kept as written\n", yaml);
        Assert.Equal(new[] { "nfs-client" }, config.AddonNames);
        Assert.Equal("v3.4.1", config.KubeSphere!.Version);
        Assert.Equal(new[] { "devops" }, config.KubeSphere.EnabledComponents);
        Assert.Equal("PrivateKey", config.Hosts[5].AuthenticationMethod);
        Assert.True(config.HoldsSecrets);
    }

    [Theory]
    [InlineData("tutorial-config-sample.yaml")]
    [InlineData("tutorial-snippet.yaml")]
    [InlineData("kk-create-config.yaml")]
    [InlineData("kk-ha-kubesphere.yaml")]
    [InlineData("tutorial-v1alpha2.yaml")]
    public void SecondRoundTripIsStable(string fixture)
    {
        var first = ClusterConfigYaml.Write(KubeKeyFixtures.Read(fixture));
        var second = ClusterConfigYaml.Write(ClusterConfigYaml.Read(first));

        Assert.Equal(first, second);
    }

    [Fact]
    public void ModelEditsLandInTheDocument()
    {
        var config = KubeKeyFixtures.Read("kk-ha-kubesphere.yaml");
        config.ControlPlaneEndpoint.Port = 8443;
        config.Kubernetes.Version = "v1.25.16";
        config.KubeSphere!.Enable("logging");
        config.KubeSphere.Disable("devops");
        config.Registry.RegistryMirrors = new[] { "https://mirror.example.com" };

        var again = ClusterConfigYaml.Read(ClusterConfigYaml.Write(config));

        Assert.Equal(8443, again.ControlPlaneEndpoint.Port);
        Assert.Equal("v1.25.16", again.Kubernetes.Version);
        Assert.Equal(new[] { "logging" }, again.KubeSphere!.EnabledComponents);
        Assert.Equal(new[] { "https://mirror.example.com" }, again.Registry.RegistryMirrors);
        Assert.Equal(150.ToString(System.Globalization.CultureInfo.InvariantCulture), ClusterConfigYaml.Write(again).Split('\n').Single(l => l.Contains("maxPods")).Split(':')[1].Trim());
    }

    [Theory]
    [InlineData("spec:\n  hosts:\n  - {name: a, address: 10.0.0.1\n", "ConfigYamlInvalid")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n", "ConfigClusterDocumentMissing")]
    [InlineData("kind: Cluster\nspec:\n  hosts: []\n---\nkind: Cluster\nspec:\n  hosts: []\n", "ConfigClusterDocumentDuplicate")]
    [InlineData("kind: Cluster\nspec:\n  hosts:\n  - {name: a, address: 10.0.0.1, port: ssh}\n", "ConfigValueInvalid")]
    [InlineData("kind: Cluster\nspec:\n  controlPlaneEndpoint:\n    port: \"64x\"\n", "ConfigValueInvalid")]
    [InlineData("kind: Cluster\nspec:\n  hosts: node1\n", "ConfigValueInvalid")]
    [InlineData("kind: Cluster\nspec:\n  roleGroups:\n    worker: {a: b}\n", "ConfigValueInvalid")]
    [InlineData("kind: Cluster\nspec:\n  hosts:\n  - {name: a, name: b}\n", "ConfigYamlInvalid")]
    public void MalformedInputGetsASpecificError(string yaml, string errorId)
    {
        var error = Assert.Throws<HaClusterException>(() => ClusterConfigYaml.Read(yaml, "bad.yaml"));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(FailureKind.InvalidData, error.Kind);
    }

    [Fact]
    public void ErrorsNeverQuoteThePassword()
    {
        var yaml = "kind: Cluster\nspec:\n  hosts:\n  - {name: a, address: 10.0.0.1, password: \"S3cretPass\", port: x}\n";

        var error = Assert.Throws<HaClusterException>(() => ClusterConfigYaml.Read(yaml));

        Assert.DoesNotContain("S3cretPass", error.Message);
        Assert.Equal("spec.hosts[0].port", error.Target);
    }
}
