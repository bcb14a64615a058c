// Copyright (c) HaCluster contributors. MIT License.
// New-HaClusterConfig: the KubeKey cluster config from hosts, roles, the LB VIP and versions.

using System.Collections.Generic;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Builds a KubeKey cluster config (hosts, role groups, control-plane endpoint, versions).</para>
/// <para type="description">Replaces steps 2-3 of the tutorial (editing config-sample.yaml). Returns a
/// ClusterConfig that starts from kk's template; refuses configs with validation errors unless -Force.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "HaClusterConfig")]
[OutputType(typeof(ClusterConfig))]
public sealed class NewHaClusterConfigCommand : ClusterConfigCmdlet
{
    #region Members

    private readonly List<HaHost> _hosts = new();

    #endregion

    #region Parameters

    /// <summary>The machines (from New-HaHost), by parameter or pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Alias("Host")]
    public HaHost[] HaHost { get; set; } = System.Array.Empty<HaHost>();

    /// <summary>Control-plane nodes: names or host objects.</summary>
    [Parameter]
    [HostNameTransformation]
    public string[]? ControlPlane { get; set; }

    /// <summary>etcd nodes: names or host objects; default: the control-plane nodes.</summary>
    [Parameter]
    [HostNameTransformation]
    public string[]? Etcd { get; set; }

    /// <summary>Worker nodes: names or host objects; default: every host that is neither control plane nor etcd.</summary>
    [Parameter]
    [HostNameTransformation]
    public string[]? Worker { get; set; }

    /// <summary>The internal load balancer's VIP (controlPlaneEndpoint.address).</summary>
    [Parameter]
    [Alias("Vip", "LoadBalancerAddress")]
    public string? ControlPlaneEndpoint { get; set; }

    /// <summary>Endpoint domain (default lb.kubesphere.local).</summary>
    [Parameter]
    public string Domain { get; set; } = Engine.KubeKey.ControlPlaneEndpoint.DefaultDomain;

    /// <summary>Endpoint (load balancer frontend) port (default 6443).</summary>
    [Parameter]
    public int Port { get; set; } = Engine.KubeKey.ControlPlaneEndpoint.DefaultPort;

    /// <summary>Use kk's built-in load balancer (haproxy or kube-vip) instead of an external one.</summary>
    [Parameter]
    [ValidateSet("haproxy", "kube-vip")]
    public string? InternalLoadBalancer { get; set; }

    /// <summary>Kubernetes version (default v1.23.17).</summary>
    [Parameter]
    public string? KubernetesVersion { get; set; }

    /// <summary>Container runtime (default containerd from v1.24, docker before).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ContainerManagerCompleter))]
    public string? ContainerManager { get; set; }

    /// <summary>CNI plugin (default calico).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NetworkPluginCompleter))]
    public string? NetworkPlugin { get; set; }

    /// <summary>Pod network CIDR (default 10.233.64.0/18).</summary>
    [Parameter]
    public string? PodCidr { get; set; }

    /// <summary>Service network CIDR (default 10.233.0.0/18).</summary>
    [Parameter]
    public string? ServiceCidr { get; set; }

    /// <summary>KubeSphere version to install (e.g. v3.4.1); omit for Kubernetes only.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(KubeSphereVersionCompleter))]
    public string? KubeSphereVersion { get; set; }

    /// <summary>KubeSphere components to switch on (devops, logging, ...).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(KubeSphereComponentCompleter))]
    public string[] EnableComponent { get; set; } = System.Array.Empty<string>();

    /// <summary>Cluster name (metadata.name, default sample).</summary>
    [Parameter]
    public string Name { get; set; } = ClusterConfig.DefaultName;

    /// <summary>Return the config even when it has validation errors (they become warnings).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    #endregion

    #region Method overrides

    /// <summary>Collects hosts from the pipeline.</summary>
    protected override void ProcessRecord() => _hosts.AddRange(HaHost);

    /// <summary>Builds, validates and returns the config.</summary>
    protected override void EndProcessing()
    {
        var options = new ClusterConfigOptions
        {
            Name = Name,
            Hosts = _hosts,
            ControlPlane = ControlPlane,
            Etcd = Etcd,
            Worker = Worker,
            EndpointAddress = ControlPlaneEndpoint,
            Domain = Domain,
            Port = Port,
            InternalLoadBalancer = InternalLoadBalancer,
            KubernetesVersion = KubernetesVersion,
            ContainerManager = ContainerManager,
            NetworkPlugin = NetworkPlugin,
            PodCidr = PodCidr,
            ServiceCidr = ServiceCidr,
            KubeSphereVersion = KubeSphereVersion,
            EnabledComponents = EnableComponent,
        };

        ClusterConfig config;
        try
        {
            config = ClusterConfigBuilder.Build(options);
        }
        catch (HaClusterException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            return;
        }

        WriteVerbose($"Cluster '{config.Name}': {config.Hosts.Count} hosts; {config.RoleGroups}; endpoint {config.ControlPlaneEndpoint}; Kubernetes {config.Kubernetes}; KubeSphere {config.KubeSphere?.ToString() ?? "none"}.");
        RefuseInvalid(config, Force, FailureKind.InvalidArgument);
        WriteObject(config);
    }

    #endregion
}
