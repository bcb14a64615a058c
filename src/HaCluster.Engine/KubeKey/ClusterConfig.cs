// Copyright (c) HaCluster contributors. MIT License.
// The KubeKey cluster config: hosts, role groups, endpoint, Kubernetes/KubeSphere settings.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// A KubeKey (kk v3, <c>kubekey.kubesphere.io/v1alpha2</c>) cluster config. Hosts and role groups
/// are typed lists; the other sections are typed views over the document, which also keeps every
/// key this model does not know. <see cref="ClusterConfigYaml"/> reads and writes it.
/// </summary>
public sealed class ClusterConfig
{
    /// <summary>The config API kk v2/v3 reads, and the one this module writes.</summary>
    public const string ApiVersion = "kubekey.kubesphere.io/v1alpha2";

    /// <summary>The name kk gives a generated config.</summary>
    public const string DefaultName = "sample";

    /// <summary>Creates the config <c>kk create config</c> would write (kk v3.1 template), with no hosts.</summary>
    public ClusterConfig()
        : this(CreateTemplate(), ApiVersion)
    {
    }

    internal ClusterConfig(YMap document, string? sourceApiVersion)
    {
        Document = document;
        SourceApiVersion = sourceApiVersion;
        var spec = document.GetOrAddMap("spec");
        ControlPlaneEndpoint = new ControlPlaneEndpoint(spec);
        Kubernetes = new KubernetesSettings(spec);
        Etcd = new EtcdSettings(spec);
        Network = new NetworkSettings(spec);
        Registry = new RegistrySettings(spec);
    }

    /// <summary>Cluster name (<c>metadata.name</c>); kk stores the kubeconfig as configmap <c>&lt;name&gt;-kubeconfig</c>.</summary>
    public string Name
    {
        get => (Document["metadata"] as YMap)?.GetString("name") ?? string.Empty;
        set => Document.GetOrAddMap("metadata").Set("name", YScalar.String(value));
    }

    /// <summary>The machines (<c>spec.hosts</c>).</summary>
    public List<HaHost> Hosts { get; } = new();

    /// <summary>Which hosts run etcd, the control plane and workloads (<c>spec.roleGroups</c>).</summary>
    public RoleGroups RoleGroups { get; } = new();

    /// <summary>API server endpoint (<c>spec.controlPlaneEndpoint</c>): the load balancer VIP for HA.</summary>
    public ControlPlaneEndpoint ControlPlaneEndpoint { get; }

    /// <summary>Kubernetes version, cluster name and runtime (<c>spec.kubernetes</c>).</summary>
    public KubernetesSettings Kubernetes { get; }

    /// <summary>Where etcd runs (<c>spec.etcd</c>).</summary>
    public EtcdSettings Etcd { get; }

    /// <summary>CNI plugin and CIDRs (<c>spec.network</c>).</summary>
    public NetworkSettings Network { get; }

    /// <summary>Image registry settings (<c>spec.registry</c>).</summary>
    public RegistrySettings Registry { get; }

    /// <summary>Names of the add-ons (<c>spec.addons[].name</c>); the add-ons themselves round-trip unchanged.</summary>
    public IReadOnlyList<string> AddonNames =>
        (Document.Find("spec", "addons") as YSeq)?.Items.OfType<YMap>().Select(a => a.GetString("name") ?? string.Empty).ToList()
        ?? new List<string>();

    /// <summary>The KubeSphere ClusterConfiguration, or null to install Kubernetes only.</summary>
    public KubeSphereSettings? KubeSphere { get; set; }

    /// <summary>The apiVersion of the file this config was read from (v1alpha1 files are written back as v1alpha2).</summary>
    public string? SourceApiVersion { get; }

    /// <summary>True when the written file holds secrets (SSH passwords, inline keys, registry credentials) and must be private.</summary>
    public bool HoldsSecrets => Hosts.Any(h => h.HoldsSecret) || Registry.HoldsSecret;

    /// <summary>The Cluster document; typed properties read and write it.</summary>
    internal YMap Document { get; }

    /// <summary>Documents of other kinds found in the source file, written back after ours.</summary>
    internal List<YNode> OtherDocuments { get; } = new();

    /// <summary>The host with this name (ordinal), or null.</summary>
    /// <param name="name">Node name.</param>
    /// <returns>The host.</returns>
    public HaHost? FindHost(string name) => Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.Ordinal));

    /// <summary>The hosts of the named nodes that exist, in the order given.</summary>
    /// <param name="names">Node names, e.g. <c>RoleGroups.ControlPlane</c>.</param>
    /// <returns>The hosts.</returns>
    public IReadOnlyList<HaHost> GetHosts(IEnumerable<string> names) =>
        names.Select(FindHost).Where(h => h is not null).Select(h => h!).ToList();

    /// <summary>The name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private static YMap CreateTemplate()
    {
        var spec = new YMap()
            .Set("hosts", new YSeq())
            .Set("roleGroups", new YMap())
            .Set("controlPlaneEndpoint", new YMap()
                .Set("domain", YScalar.String(ControlPlaneEndpoint.DefaultDomain))
                .Set("address", YScalar.Quoted(string.Empty))
                .Set("port", YScalar.Int(ControlPlaneEndpoint.DefaultPort)))
            .Set("kubernetes", new YMap()
                .Set("version", YScalar.String(KubernetesSettings.DefaultVersion))
                .Set("clusterName", YScalar.String("cluster.local"))
                .Set("autoRenewCerts", YScalar.Bool(true))
                .Set("containerManager", YScalar.String(KubernetesSettings.DefaultContainerManagerFor(KubernetesSettings.DefaultVersion))))
            .Set("etcd", new YMap().Set("type", YScalar.String("kubekey")))
            .Set("network", new YMap()
                .Set("plugin", YScalar.String("calico"))
                .Set("kubePodsCIDR", YScalar.String(NetworkSettings.DefaultPodCidr))
                .Set("kubeServiceCIDR", YScalar.String(NetworkSettings.DefaultServiceCidr))
                .Set("multusCNI", new YMap().Set("enabled", YScalar.Bool(false))))
            .Set("registry", new YMap()
                .Set("privateRegistry", YScalar.Quoted(string.Empty))
                .Set("namespaceOverride", YScalar.Quoted(string.Empty))
                .Set("registryMirrors", new YSeq(flow: true))
                .Set("insecureRegistries", new YSeq(flow: true)))
            .Set("addons", new YSeq(flow: true));
        return new YMap()
            .Set("apiVersion", YScalar.String(ApiVersion))
            .Set("kind", YScalar.String("Cluster"))
            .Set("metadata", new YMap().Set("name", YScalar.String(DefaultName)))
            .Set("spec", spec);
    }
}

/// <summary>
/// <c>spec.roleGroups</c>. Names are kept expanded (<c>node[1:3]</c> in a file becomes node1, node2, node3).
/// The v1alpha1 key <c>master</c> is read into <see cref="ControlPlane"/> and written as <c>control-plane</c>.
/// </summary>
public sealed class RoleGroups
{
    /// <summary>Nodes running kk-managed etcd.</summary>
    public List<string> Etcd { get; } = new();

    /// <summary>Control-plane nodes.</summary>
    public List<string> ControlPlane { get; } = new();

    /// <summary>Worker nodes (a control-plane node listed here also runs workloads).</summary>
    public List<string> Worker { get; } = new();

    /// <summary>Other groups (for example <c>registry</c>), kept as read.</summary>
    internal YMap Extra { get; } = new();

    /// <summary>etcd / control-plane / worker counts.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"etcd: {string.Join(",", Etcd)}; control-plane: {string.Join(",", ControlPlane)}; worker: {string.Join(",", Worker)}";
}
