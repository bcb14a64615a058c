// Copyright (c) HaCluster contributors. MIT License.
// The writer produces kk's v1alpha2 multi-document shape exactly.

using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class ClusterConfigYamlWriterTests
{
    [Fact]
    public void TutorialClusterIsWrittenInKkTemplateShape()
    {
        var yaml = ClusterConfigYaml.Write(KubeKeyFixtures.Tutorial());

        Assert.Equal(KubeKeyFixtures.Text("tutorial-v1alpha2.yaml"), yaml);
    }

    [Fact]
    public void KkGeneratedConfigIsWrittenBackByteForByte()
    {
        var text = KubeKeyFixtures.Text("kk-create-config.yaml");

        Assert.Equal(text, ClusterConfigYaml.Write(ClusterConfigYaml.Read(text)));
    }

    [Fact]
    public void NewConfigStartsFromKkTemplate()
    {
        var config = new ClusterConfig();
        config.Hosts.Add(new HaHost("node1", "172.16.0.2") { User = "ubuntu", Password = Secrets.Protect("Qcloud@123") });
        config.Hosts.Add(new HaHost("node2", "172.16.0.3") { User = "ubuntu", Password = Secrets.Protect("Qcloud@123") });
        config.RoleGroups.Etcd.Add("node1");
        config.RoleGroups.ControlPlane.Add("node1");
        config.RoleGroups.Worker.AddRange(new[] { "node1", "node2" });

        Assert.Equal(KubeKeyFixtures.Text("kk-create-config.yaml"), ClusterConfigYaml.Write(config));
    }

    [Fact]
    public void HostEntriesAreFlowLinesWithQuotedSecretsAndPaths()
    {
        var config = new ClusterConfig();
        config.Hosts.Add(new HaHost("w1", "10.0.0.5")
        {
            InternalAddress = "192.168.1.5",
            Port = 2222,
            User = "ops",
            Password = Secrets.Protect("p: #1"),
            PrivateKeyPath = "~/.ssh/id_ed25519",
            Arch = "arm64",
        });
        config.Hosts[0].Labels["gpu"] = "true";

        var line = ClusterConfigYaml.Write(config).Split('\n').Single(l => l.StartsWith("  - {", System.StringComparison.Ordinal));

        Assert.Equal(
            "  - {name: w1, address: 10.0.0.5, internalAddress: 192.168.1.5, port: 2222, user: ops, password: \"p: #1\", privateKeyPath: \"~/.ssh/id_ed25519\", arch: arm64, labels: {gpu: \"true\"}}",
            line);
    }

    [Fact]
    public void KubeSphereDocumentFollowsTheClusterDocument()
    {
        var options = KubeKeyFixtures.TutorialOptions();
        options.KubeSphereVersion = "3.4.1";
        options.EnabledComponents = new[] { "devops", "logging", "appstore", "edgeruntime" };

        var yaml = ClusterConfigYaml.Write(ClusterConfigBuilder.Build(options));
        var documents = yaml.Split(new[] { "\n---\n" }, System.StringSplitOptions.None);

        Assert.Equal(2, documents.Length);
        Assert.StartsWith("apiVersion: installer.kubesphere.io/v1alpha1\nkind: ClusterConfiguration\nmetadata:\n  name: ks-installer\n  namespace: kubesphere-system\n  labels:\n    version: v3.4.1\nspec:\n", documents[1]);
        Assert.Contains("  devops:\n    enabled: true\n", documents[1]);
        Assert.Contains("  logging:\n    enabled: true\n", documents[1]);
        Assert.Contains("  openpitrix:\n    store:\n      enabled: true\n", documents[1]);
        Assert.Contains("  edgeruntime:\n    enabled: true\n    kubeedge:\n      enabled: true\n", documents[1]);
        Assert.Contains("  alerting:\n    enabled: false\n", documents[1]);
        Assert.Contains("cloudhubNodePort: \"30000\"", documents[1]);
        Assert.Contains("        port: 30880\n", documents[1]);
    }

    [Fact]
    public void StringsThatLookLikeOtherTypesAreQuoted()
    {
        var config = new ClusterConfig { Name = "yes" };
        config.Kubernetes.ClusterName = "1.5";

        var yaml = ClusterConfigYaml.Write(config);

        Assert.Contains("  name: \"yes\"\n", yaml);
        Assert.Contains("    clusterName: \"1.5\"\n", yaml);
        Assert.Equal("yes", ClusterConfigYaml.Read(yaml).Name);
    }

    [Fact]
    public void EmptyRoleGroupsAreWrittenAsEmptyLists()
    {
        var yaml = ClusterConfigYaml.Write(new ClusterConfig());

        Assert.Contains("  hosts: []\n  roleGroups:\n    etcd: []\n    control-plane: []\n    worker: []\n", yaml);
    }

    [Theory]
    [InlineData("Testing123")]
    [InlineData("p\"a\\ss: #1")]
    [InlineData("0123")]
    [InlineData("yes")]
    [InlineData(" leading and trailing ")]
    [InlineData("Grüße-密码-🔑")]
    public void PasswordsSurviveAnyCharacters(string password)
    {
        var config = KubeKeyFixtures.Tutorial();
        config.Hosts[0].Password = Secrets.Protect(password);

        var again = ClusterConfigYaml.Read(ClusterConfigYaml.Write(config));

        Assert.Equal(password, Secrets.Reveal(again.Hosts[0].Password!));
    }

    [Fact]
    public void MissingAddressOrInternalAddressIsFilledFromTheOther()
    {
        var config = ClusterConfigYaml.Read("kind: Cluster\nspec:\n  hosts:\n  - {name: a, internalAddress: 10.0.0.1}\n  - {name: b, address: 10.0.0.2}\n");

        Assert.Equal(("10.0.0.1", "10.0.0.1"), (config.Hosts[0].Address, config.Hosts[0].InternalAddress));
        Assert.Equal(("10.0.0.2", "10.0.0.2"), (config.Hosts[1].Address, config.Hosts[1].InternalAddress));
        Assert.Equal(("root", 22, "amd64"), (config.Hosts[1].User, config.Hosts[1].Port, config.Hosts[1].Arch));
    }
}
