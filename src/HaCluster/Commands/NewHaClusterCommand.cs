// Copyright (c) HaCluster contributors. MIT License.
// New-HaCluster: from bare instances to a verified HA cluster in one resumable command.

using System;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Builds the tutorial's whole HA cluster: the internal load balancer (TCP 6443 to the control plane) and the external one
/// on an EIP (HTTP 30880 to every node) concurrently, the KubeKey config with the VIP as controlPlaneEndpoint, the install
/// with kk from the taskbox, and the HA checks (with the failover drill on request). Writes a state file after every step;
/// running the same command again after a failure, a crash or Ctrl+C resumes and never duplicates a resource.
/// Returns the cluster object.
/// </summary>
[Cmdlet(VerbsCommon.New, "HaCluster", SupportsShouldProcess = true, DefaultParameterSetName = DownloadSet)]
[OutputType(typeof(HaClusterInfo))]
public sealed class NewHaClusterCommand : HaClusterCmdlet
{
    private const string DownloadSet = "Download";
    private const string UploadSet = "Upload";

    /// <summary>Cluster name (1-14 lowercase letters, digits, '-'): prefix of every resource name and the QingCloud tag.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Control-plane (and etcd) instances: objects from Get-QcInstance, ids or instance names. Use an odd number (3).</summary>
    [Parameter(Mandatory = true)]
    [QcIdTransformation("InstanceId", "instance_id")]
    [ValidateNotNullOrEmpty]
    public string[] ControlPlane { get; set; } = Array.Empty<string>();

    /// <summary>Worker instances: objects from Get-QcInstance, ids or instance names. Without workers the control plane runs workloads.</summary>
    [Parameter]
    [Alias("Workers")]
    [QcIdTransformation("InstanceId", "instance_id")]
    public string[] Worker { get; set; } = Array.Empty<string>();

    /// <summary>The VxNet of the instances (id, name or object); the internal load balancer is created there.</summary>
    [Parameter(Mandatory = true)]
    [QcIdTransformation("VxNetId", "vxnet_id")]
    [ArgumentCompleter(typeof(QcVxNetCompleter))]
    [ValidateNotNullOrEmpty]
    public string VxNet { get; set; } = string.Empty;

    /// <summary>SSH and sudo user and password of every node (kk logs in with them too). Required unless -SkipInstall; with -PrivateKeyPath the password may be empty.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Private key for SSH to the nodes, at the same path on this machine and on the taskbox (kk's privateKeyPath).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrivateKeyPath { get; set; }

    /// <summary>The node kk runs on (name, address, instance id or object); default the first control-plane node.</summary>
    [Parameter]
    [QcIdTransformation("InstanceId", "instance_id", "Name")]
    [ValidateNotNullOrEmpty]
    public string? TaskBox { get; set; }

    /// <summary>An existing, available EIP for the external load balancer (id or object); default: allocate &lt;Name&gt;-eip.</summary>
    [Parameter]
    [QcIdTransformation("EipId", "eip_id")]
    [ArgumentCompleter(typeof(QcEipCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Eip { get; set; }

    /// <summary>KubeSphere v3.x to install through kk's ClusterConfiguration. v3.4 is end of life and its public images were withdrawn: needs -ImageRegistry (or -Force). For KubeSphere 4 use -KubeSphereChartVersion.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(KubeSphereVersionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? KubeSphereVersion { get; set; }

    /// <summary>Install KubeSphere 4.x with Helm after kk builds Kubernetes: the ks-core chart version to pin (e.g. 1.2.4, KubeSphere 4.2.1).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeSphereChartVersion { get; set; }

    /// <summary>The ks-core chart for -KubeSphereChartVersion; default the Community Edition's oci://hub.kubesphere.com.cn/kse/ks-core (images from hub.kubesphere.com.cn), which needs a per-cluster license the module does not obtain.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubeSphereChart { get; set; }

    /// <summary>Registry of KubeSphere's images: the chart's global/extension.imageRegistry (4.x), kk's privateRegistry (v3.x).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ImageRegistry { get; set; }

    /// <summary>The console's NodePort (30000-32767, default 30880): the external listener, its backends and firewall rule follow it.</summary>
    [Parameter]
    public int ConsoleNodePort { get; set; } = ClusterNames.ConsolePort;

    /// <summary>KubeSphere 4 with three replicas and Redis HA (ha.enabled, redisHA.enabled); default on with three or more control-plane nodes, so the console survives the failover drill.</summary>
    [Parameter]
    public SwitchParameter KubeSphereHighAvailability { get; set; }

    /// <summary>The initial password of KubeSphere 4's admin account; never shown.</summary>
    [Parameter]
    [Credential]
    public PSCredential? KubeSphereAdminCredential { get; set; }

    /// <summary>Install KubeSphere v3.x (end of life) even without -ImageRegistry.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Kubernetes version (e.g. v1.23.17); default kk's default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KubernetesVersion { get; set; }

    /// <summary>A local kk binary to upload to the taskbox.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UploadSet)]
    [ValidateNotNullOrEmpty]
    public string? KubeKeyPath { get; set; }

    /// <summary>The kk v3 release to download on the taskbox (e.g. v3.1.12); default: a kk already there, else the latest v3.</summary>
    [Parameter(ParameterSetName = DownloadSet)]
    [ValidateNotNullOrEmpty]
    public string? KubeKeyVersion { get; set; }

    /// <summary>KubeSphere components to enable (needs -KubeSphereVersion).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(KubeSphereComponentCompleter))]
    public string[] EnableComponent { get; set; } = Array.Empty<string>();

    /// <summary>The state file; default &lt;Name&gt;.hacluster.json in the current directory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary>Create the load balancers only; no install, no verification.</summary>
    [Parameter]
    public SwitchParameter SkipInstall { get; set; }

    /// <summary>Verify with the failover drill: stop a master, check API and console still answer, start it again.</summary>
    [Parameter]
    public SwitchParameter Failover { get; set; }

    /// <summary>
    /// CIDRs or addresses the internal load balancer's security group admits the Kubernetes API (TCP 6443) from;
    /// default the VxNet's CIDR.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ApiSource { get; set; } = Array.Empty<string>();

    /// <summary>CIDRs or addresses the external load balancer's security group admits the console from; default 0.0.0.0/0 (anyone).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ConsoleSource { get; set; } = Array.Empty<string>();

    /// <summary>known_hosts file for SSH host keys; default ~/.ssh/known_hosts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust and record host keys not yet known (a changed key is always refused).</summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Credential is null && PrivateKeyPath is null && !SkipInstall)
        {
            ThrowTerminatingError(NewError("HaClusterCredentialMissing", FailureKind.InvalidArgument, "Give -Credential (the SSH and sudo login of the nodes, which kk uses too) or -PrivateKeyPath, or -SkipInstall to create the load balancers only.", Name));
        }

        var request = new ClusterRequest
        {
            Name = Name,
            ControlPlane = ControlPlane.ToList(),
            Workers = Worker.ToList(),
            VxNet = VxNet,
            TaskBox = TaskBox,
            EipId = Eip,
            User = Credential?.UserName.TrimStart('\\') ?? "root",
            Password = Credential is { Password.Length: > 0 } ? Credential.Password : null,
            PrivateKeyPath = ResolvePath(PrivateKeyPath),
            KubeSphereVersion = KubeSphereVersion,
            KubeSphereChartVersion = KubeSphereChartVersion,
            KubeSphereChart = KubeSphereChart,
            ImageRegistry = ImageRegistry,
            ConsoleNodePort = ConsoleNodePort,
            KubeSphereHighAvailability = IsBound(nameof(KubeSphereHighAvailability)) ? KubeSphereHighAvailability.IsPresent : null,
            KubeSphereAdminPassword = KubeSphereAdminCredential?.Password,
            Force = Force,
            KubernetesVersion = KubernetesVersion,
            EnabledComponents = EnableComponent.ToList(),
            KubeKeyPath = ResolvePath(KubeKeyPath),
            KubeKeyVersion = KubeKeyVersion,
            StatePath = ResolveStatePath(Name, StatePath),
            SkipInstall = SkipInstall,
            Failover = Failover,
            KnownHostsPath = ResolvePath(KnownHostsPath),
            AcceptNewHostKey = AcceptNewHostKey,
            ApiSources = ApiSource.ToList(),
            ConsoleSources = ConsoleSource.ToList(),
        };
        var plan = RunQc($"Planning cluster '{Name}'", (client, token) => ClusterPlanner.PlanAsync(request, client, token));
        var steps = string.Join(Environment.NewLine, plan.Steps.Select(s => "  " + s));
        var description = $"Build HA cluster '{Name}' in {plan.Steps.Count} steps (Internal and External run concurrently; state file {request.StatePath}):{Environment.NewLine}{steps}";
        if (!ShouldProcess(description, $"Build HA cluster '{Name}' ({plan.Steps.Count(s => !s.Completed)} steps to do)?", "New-HaCluster"))
        {
            return;
        }

        var cluster = RunQc($"Building cluster '{Name}'", (client, token) => new ClusterBuilder(client).BuildAsync(plan, token));
        if (cluster.Health == ClusterHealth.Degraded)
        {
            WriteError(NewError("HaClusterVerificationFailed", FailureKind.InvalidResult, $"Cluster '{Name}' is built but not every HA check passed; see its Checks property or run Test-HaCluster.", cluster));
        }

        WriteObject(cluster);
    }
}
