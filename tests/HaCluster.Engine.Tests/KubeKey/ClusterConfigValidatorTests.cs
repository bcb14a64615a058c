// Copyright (c) HaCluster contributors. MIT License.
// Every validation rule, each asserted by its code, severity and target.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class ClusterConfigValidatorTests
{
    // Each entry breaks the tutorial's (valid) cluster in exactly one way.
    private static readonly Dictionary<string, (Action<ClusterConfig> Break, FindingSeverity Severity, string Target)> Cases = new()
    {
        ["ClusterNameInvalid"] = (c => c.Name = "Prod_1", FindingSeverity.Error, "Prod_1"),
        ["HostNameMissing"] = (c => c.Hosts[5].Name = string.Empty, FindingSeverity.Error, "192.168.0.7"),
        ["HostNameInvalid"] = (c => Rename(c, "node3", "Node3"), FindingSeverity.Error, "Node3"),
        ["HostNameDuplicate"] = (c => Rename(c, "node3", "node2"), FindingSeverity.Error, "node2"),
        ["HostAddressInvalid"] = (c => c.Hosts[3].Address = "192.168.0", FindingSeverity.Error, "192.168.0"),
        ["HostAddressDuplicate"] = (c => c.Hosts[4].Address = "192.168.0.5", FindingSeverity.Error, "192.168.0.5"),
        ["PortOutOfRange"] = (c => c.Hosts[0].Port = 70000, FindingSeverity.Error, "70000"),
        ["HostArchUnknown"] = (c => c.Hosts[0].Arch = "x86_64", FindingSeverity.Error, "x86_64"),
        ["HostCredentialMissing"] = (c => c.Hosts[3].Password = null, FindingSeverity.Warning, "node1"),
        ["HostWithoutRole"] = (c => c.RoleGroups.Worker.Remove("node3"), FindingSeverity.Warning, "node3"),
        ["ControlPlaneMissing"] = (c => c.RoleGroups.ControlPlane.Clear(), FindingSeverity.Error, "control-plane"),
        ["EtcdMissing"] = (c => c.RoleGroups.Etcd.Clear(), FindingSeverity.Error, "etcd"),
        ["EtcdCountEven"] = (c => c.RoleGroups.Etcd.Remove("master3"), FindingSeverity.Error, "2"),
        ["EtcdCountLarge"] = (c => AddEtcdMembers(c, 9), FindingSeverity.Warning, "9"),
        ["EtcdOnWorker"] = (c => c.RoleGroups.Etcd.Add("node1"), FindingSeverity.Warning, "node1"),
        ["EtcdTypeUnknown"] = (c => c.Etcd.Type = "stacked", FindingSeverity.Error, "stacked"),
        ["RoleMemberNotInHosts"] = (c => c.RoleGroups.Worker.Add("node4"), FindingSeverity.Error, "node4"),
        ["WorkerMissing"] = (c => c.RoleGroups.Worker.Clear(), FindingSeverity.Warning, "worker"),
        ["EndpointAddressMissing"] = (c => c.ControlPlaneEndpoint.Address = string.Empty, FindingSeverity.Error, "lb.kubesphere.local"),
        ["EndpointAddressInvalid"] = (c => c.ControlPlaneEndpoint.Address = "vip.example", FindingSeverity.Error, "vip.example"),
        ["EndpointAddressIsNode"] = (c => c.ControlPlaneEndpoint.Address = "192.168.0.2", FindingSeverity.Error, "192.168.0.2"),
        ["EndpointDomainInvalid"] = (c => c.ControlPlaneEndpoint.Domain = "lb_kubesphere", FindingSeverity.Error, "lb_kubesphere"),
        ["InternalLoadBalancerUnknown"] = (c => c.ControlPlaneEndpoint.InternalLoadBalancer = "nginx", FindingSeverity.Error, "nginx"),
        ["InternalLoadBalancerConflict"] = (c => c.ControlPlaneEndpoint.InternalLoadBalancer = "haproxy", FindingSeverity.Error, "192.168.0.253"),
        ["KubeVipAddressMissing"] = (c => { c.ControlPlaneEndpoint.InternalLoadBalancer = "kube-vip"; c.ControlPlaneEndpoint.Address = string.Empty; }, FindingSeverity.Error, "kube-vip"),
        ["CidrInvalid"] = (c => c.Network.PodCidr = "10.233.64.0/33", FindingSeverity.Error, "10.233.64.0/33"),
        ["CidrOverlap"] = (c => c.Network.ServiceCidr = "10.233.0.0/16", FindingSeverity.Error, "10.233.0.0/16"),
        ["CidrContainsAddress"] = (c => c.Network.PodCidr = "192.168.0.0/24", FindingSeverity.Error, "192.168.0.0/24"),
        ["KubernetesVersionInvalid"] = (c => c.Kubernetes.Version = "1.23", FindingSeverity.Error, "1.23"),
        ["KubernetesVersionUnsupported"] = (c => c.Kubernetes.Version = "v1.17.9", FindingSeverity.Error, "v1.17.9"),
        ["KubernetesVersionIncompatible"] = (c => { c.KubeSphere = KubeSphereSettings.CreateDefault("v3.4.1"); c.Kubernetes.Version = "v1.28.15"; }, FindingSeverity.Error, "v1.28.15"),
        ["ContainerManagerUnknown"] = (c => c.Kubernetes.ContainerManager = "podman", FindingSeverity.Error, "podman"),
        ["NetworkPluginUnknown"] = (c => c.Network.Plugin = "weave", FindingSeverity.Error, "weave"),
        ["KubeSphereVersionUnsupported"] = (c => c.KubeSphere = KubeSphereSettings.CreateDefault("v4.1.2"), FindingSeverity.Error, "v4.1.2"),
        ["KubeSphereVersionUnpinned"] = (c => c.KubeSphere = KubeSphereSettings.CreateDefault("nightly-20240101"), FindingSeverity.Warning, "nightly-20240101"),
        ["KubeSphereComponentUnsupported"] = (c => { c.KubeSphere = KubeSphereSettings.CreateDefault("v3.3.2"); c.Kubernetes.Version = "v1.23.17"; c.KubeSphere.Enable("gatekeeper"); }, FindingSeverity.Error, "gatekeeper"),
        ["ConfigMapDocumentStray"] = (c => c.OtherDocuments.Add(HaCluster.Engine.KubeKey.Yaml.YamlText.Parse("kind: ConfigMap\nmetadata:\n  name: extra\n", "test")[0]), FindingSeverity.Error, "extra"),
    };

    public static IEnumerable<object[]> Codes => Cases.Keys.Select(k => new object[] { k });

    [Fact]
    public void TutorialClusterHasNoFindings()
    {
        Assert.Empty(ClusterConfigValidator.Validate(KubeKeyFixtures.Tutorial()));
    }

    [Fact]
    public void TutorialClusterWithKubeSphereHasNoFindings()
    {
        var options = KubeKeyFixtures.TutorialOptions();
        options.KubeSphereVersion = "v3.4.1";

        Assert.Empty(ClusterConfigValidator.Validate(ClusterConfigBuilder.Build(options)));
    }

    [Fact]
    public void EveryPublishedCodeHasACase()
    {
        var published = typeof(ConfigFindingCode).GetFields().Select(f => (string)f.GetValue(null)!);

        Assert.Equal(published.OrderBy(c => c), Cases.Keys.OrderBy(c => c));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void RuleReportsItsCode(string code)
    {
        var config = KubeKeyFixtures.Tutorial();
        var (breakIt, severity, target) = Cases[code];
        breakIt(config);

        var findings = ClusterConfigValidator.Validate(config).Where(f => f.Code == code).ToList();

        var finding = Assert.Single(findings);
        Assert.Equal(severity, finding.Severity);
        Assert.Equal(target, finding.Target);
        Assert.False(string.IsNullOrWhiteSpace(finding.Message));
        Assert.DoesNotContain(KubeKeyFixtures.TutorialPassword, finding.Message);
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(3, null)]
    [InlineData(5, null)]
    [InlineData(7, null)]
    [InlineData(2, "EtcdCountEven")]
    [InlineData(4, "EtcdCountEven")]
    [InlineData(6, "EtcdCountEven")]
    public void EtcdMustBeOdd(int members, string? code)
    {
        var config = KubeKeyFixtures.Tutorial();
        AddEtcdMembers(config, members);

        var codes = ClusterConfigValidator.Validate(config).Select(f => f.Code).Where(c => c.StartsWith("EtcdCount", StringComparison.Ordinal));

        Assert.Equal(code is null ? Array.Empty<string>() : new[] { code }, codes);
    }

    [Fact]
    public void KubeadmEtcdCountsControlPlanes()
    {
        var config = KubeKeyFixtures.Tutorial();
        config.Etcd.Type = "kubeadm";
        config.RoleGroups.Etcd.Clear();
        config.RoleGroups.ControlPlane.Remove("master3");

        Assert.Equal(new[] { "EtcdCountEven" }, ClusterConfigValidator.Validate(config).Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Code));
    }

    [Fact]
    public void SingleControlPlaneNeedsNoEndpointAddress()
    {
        var config = KubeKeyFixtures.Tutorial();
        config.RoleGroups.ControlPlane.RemoveAll(n => n != "master1");
        config.RoleGroups.Etcd.RemoveAll(n => n != "master1");
        config.ControlPlaneEndpoint.Address = string.Empty;
        config.Hosts.RemoveAll(h => h.Name is "master2" or "master3");

        Assert.Empty(ClusterConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("haproxy")]
    [InlineData("kube-vip")]
    public void InternalLoadBalancerMakesSeveralControlPlanesHa(string kind)
    {
        var config = KubeKeyFixtures.Tutorial();
        config.ControlPlaneEndpoint.InternalLoadBalancer = kind;
        if (kind == "haproxy")
        {
            config.ControlPlaneEndpoint.Address = string.Empty;
        }

        Assert.Empty(ClusterConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("v3.4.1", "v1.20.15", true)]
    [InlineData("v3.4.1", "v1.26.15", true)]
    [InlineData("v3.4.1", "v1.27.16", false)]
    [InlineData("v3.3.2", "v1.24.17", true)]
    [InlineData("v3.3.1", "v1.24.17", false)]
    [InlineData("v3.2.1", "v1.19.16", true)]
    [InlineData("v3.1.1", "v1.21.14", false)]
    public void KubeSphereSupportMatrix(string kubeSphere, string kubernetes, bool supported)
    {
        var options = KubeKeyFixtures.TutorialOptions();
        options.KubeSphereVersion = kubeSphere;
        options.KubernetesVersion = kubernetes;

        var codes = ClusterConfigValidator.Validate(ClusterConfigBuilder.Build(options)).Select(f => f.Code);

        Assert.Equal(!supported, codes.Contains("KubernetesVersionIncompatible"));
    }

    [Theory]
    [InlineData(null, "v1.26.15", true)]
    [InlineData(null, "v1.26.16", false)]
    [InlineData("v3.1.12", "v1.33.4", true)]
    [InlineData("v3.1.12", "v1.33.5", false)]
    [InlineData("v3.1.12", "v1.20.0", false)]
    [InlineData("v3.1.12", "v1.29.13", false)]
    [InlineData("v3.0.7", "v1.23.17", false)]
    [InlineData("v3.0.7", "v1.23.15", true)]
    [InlineData("v3.0.13", "v1.26.15", false)]
    public void KubernetesVersion_IsCheckedExactlyAgainstTheKkRelease(string? kubeKey, string kubernetes, bool supported)
    {
        var config = KubeKeyFixtures.Tutorial();
        config.Kubernetes.Version = kubernetes;

        var finding = ClusterConfigValidator.Validate(config, kubeKey).SingleOrDefault(f => f.Code == "KubernetesVersionUnsupported");

        Assert.Equal(supported, finding is null);
        if (finding is not null)
        {
            Assert.Equal(kubernetes, finding.Target);
            Assert.Contains("kk " + (kubeKey ?? "v3.1.12") + " does not install Kubernetes " + kubernetes, finding.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KubernetesVersion_NotInTheList_NamesTheNewestPatchOfItsMinor()
    {
        var config = KubeKeyFixtures.Tutorial();
        config.Kubernetes.Version = "v1.26.16";

        var finding = Assert.Single(ClusterConfigValidator.Validate(config), f => f.Code == "KubernetesVersionUnsupported");

        Assert.Contains("the newest patch of that minor it installs is v1.26.15", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultKubernetesVersion_IsOneTheDefaultKkInstalls()
    {
        Assert.Contains(KubernetesSettings.DefaultVersion, KubeKeyReleases.Supported(KubeKeyBinary.DefaultVersion)!);
        Assert.Equal(KubernetesSettings.DefaultVersion, KubeKeyReleases.DefaultKubernetes(KubeKeyBinary.DefaultVersion));
    }

    [Theory]
    [InlineData("v3.4.1", "gatekeeper", null)]
    [InlineData("v3.3.2", "gatekeeper", "v3.4.0")]
    [InlineData("v3.3.2", "edgeruntime", null)]
    [InlineData("v3.2.1", "edgeruntime", "v3.3.0")]
    [InlineData("v3.1.1", "devops", null)]
    public void KubeSphereComponent_TheVersionLacks_IsRefusedNamingTheVersion(string version, string component, string? since)
    {
        var config = KubeKeyFixtures.Tutorial();
        config.Kubernetes.Version = version == "v3.1.1" ? "v1.20.10" : "v1.22.17";
        config.KubeSphere = KubeSphereSettings.CreateDefault(version);
        config.KubeSphere.Enable(component);

        var finding = ClusterConfigValidator.Validate(config).SingleOrDefault(f => f.Code == "KubeSphereComponentUnsupported");

        Assert.Equal(since is null, finding is null);
        if (finding is not null)
        {
            Assert.Equal(component, finding.Target);
            Assert.StartsWith("KubeSphere " + version + " has no " + component, finding.Message, StringComparison.Ordinal);
            Assert.Contains(since!, finding.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KubeSphereLabelWithoutV_IsAcceptedAsKkAcceptsIt()
    {
        var config = KubeKeyFixtures.Tutorial();
        config.KubeSphere = KubeSphereSettings.CreateDefault("3.4.1");

        Assert.DoesNotContain(ClusterConfigValidator.Validate(config), f => f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void DualStackAddressesAndCidrsAreUnderstood()
    {
        var config = KubeKeyFixtures.Tutorial();
        config.Hosts[0].InternalAddress = "192.168.0.2,fd00::2";
        config.Network.PodCidr = "10.233.64.0/18,fd85:ee78:d8a6:8607::1:0000/112";
        config.Network.ServiceCidr = "10.233.0.0/18,fd85:ee78:d8a6:8607::1000/116";

        Assert.Empty(ClusterConfigValidator.Validate(config));
    }

    [Fact]
    public void ImportedTutorialFileIsReportedAsKkV1Era()
    {
        // The tutorial's own file asks for Kubernetes v1.17.9, which kk v3 no longer installs.
        var codes = ClusterConfigValidator.Validate(KubeKeyFixtures.Read("tutorial-config-sample.yaml")).Select(f => f.Code);

        Assert.Equal(new[] { "KubernetesVersionUnsupported" }, codes);
    }

    private static void Rename(ClusterConfig config, string from, string to)
    {
        config.FindHost(from)!.Name = to;
        foreach (var group in new[] { config.RoleGroups.Etcd, config.RoleGroups.ControlPlane, config.RoleGroups.Worker })
        {
            group.RemoveAll(n => n == from);
        }

        if (!config.RoleGroups.Worker.Contains(to))
        {
            config.RoleGroups.Worker.Add(to);
        }
    }

    // Replaces the etcd group with the masters plus extra dedicated etcd hosts.
    private static void AddEtcdMembers(ClusterConfig config, int count)
    {
        config.RoleGroups.Etcd.Clear();
        for (var i = 1; i <= count; i++)
        {
            var name = i <= 3 ? $"master{i}" : $"etcd{i}";
            if (config.FindHost(name) is null)
            {
                config.Hosts.Add(new HaHost(name, $"192.168.1.{i}") { Password = config.Hosts[0].Password, User = "ubuntu" });
            }

            config.RoleGroups.Etcd.Add(name);
        }

        if (count < 3)
        {
            config.RoleGroups.ControlPlane.RemoveAll(n => !config.RoleGroups.Etcd.Contains(n));
        }
    }
}
