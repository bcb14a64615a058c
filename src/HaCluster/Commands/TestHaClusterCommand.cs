// Copyright (c) HaCluster contributors. MIT License.
// Test-HaCluster: the tutorial's step 4 as objects; load balancers, firewall, API, console, nodes, etcd, failover drill.

using System;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Proves that a cluster is highly available: load balancers, backends, firewall, API, console, nodes, etcd, and a failover drill.</para>
/// <para type="description">Emits one HaCheckResult per check as it finishes (or, with -Quiet, one Boolean). Only -Failover changes
/// anything: it stops a master and starts it again, so it asks for confirmation.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HaCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ClusterSet)]
[OutputType(typeof(HaCheckResult))]
[OutputType(typeof(bool))]
public sealed class TestHaClusterCommand : QcCmdlet
{
    private const string ClusterSet = "Cluster";
    private const string ExplicitSet = "Explicit";

    /// <summary>A cluster object (New-HaCluster, Get-HaCluster) with InternalLoadBalancer, ExternalLoadBalancer, ControlPlane and Workers properties.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ClusterSet)]
    [Alias("InputObject")]
    [ValidateNotNull]
    public PSObject? Cluster { get; set; }

    /// <summary>The internal load balancer (API server VIP): an id or a load balancer object.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExplicitSet, ValueFromPipelineByPropertyName = true)]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ValidateNotNullOrEmpty]
    public string InternalLoadBalancer { get; set; } = string.Empty;

    /// <summary>The external load balancer (EIP, KubeSphere console): an id or a load balancer object.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExplicitSet, ValueFromPipelineByPropertyName = true)]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ValidateNotNullOrEmpty]
    public string ExternalLoadBalancer { get; set; } = string.Empty;

    /// <summary>Control-plane hosts: New-HaHost objects, instances from Get-QcInstance, or objects with Name and Address.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExplicitSet, ValueFromPipelineByPropertyName = true)]
    [HaHostTransformation]
    [ValidateNotNullOrEmpty]
    public HaHost[] ControlPlane { get; set; } = Array.Empty<HaHost>();

    /// <summary>Worker hosts, given like -ControlPlane.</summary>
    [Parameter(ParameterSetName = ExplicitSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Workers")]
    [HaHostTransformation]
    public HaHost[] Worker { get; set; } = Array.Empty<HaHost>();

    /// <summary>Names (or host objects) of the etcd members; default: the control-plane hosts.</summary>
    [Parameter(ParameterSetName = ExplicitSet, ValueFromPipelineByPropertyName = true)]
    [HostNameTransformation]
    public string[]? Etcd { get; set; }

    /// <summary>
    /// KubeSphere 4 is installed with Helm (Install-HaKubeSphere): check that ks-apiserver, ks-console and
    /// ks-controller-manager rolled out. -KubeSphereHighAvailability runs three replicas (the cluster object's
    /// KubeSphereHighAvailability is true); -KubeSphereHighAvailability:$false is a single replica, so the failover drill
    /// explains a console lost with its replica on the stopped master. Without it, KubeSphere is not checked.
    /// </summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    public SwitchParameter KubeSphereHighAvailability { get; set; }

    /// <summary>
    /// The console's NodePort, where the external listener forwards (30000-32767, default 30880; New-HaCluster
    /// -ConsoleNodePort). A cluster object carries it in its ConsoleUrl.
    /// </summary>
    [Parameter(ParameterSetName = ExplicitSet)]
    public int ConsoleNodePort { get; set; } = ClusterNames.ConsolePort;

    /// <summary>SSH user and password for every host, instead of each host's own login.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Private key file for every host, instead of each host's own login.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PrivateKeyPath { get; set; }

    /// <summary>known_hosts file to verify host keys with. Default: ~/.ssh/known_hosts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust hosts whose key is not yet known and record their keys (a changed key is still refused).</summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary>CA certificate file (PEM or DER) the apiserver's certificate must chain to; without it certificates are not verified.</summary>
    [Parameter]
    [Alias("CaCertificatePath")]
    [ValidateNotNullOrEmpty]
    public string? CaCertificate { get; set; }

    /// <summary>Run the failover drill: stop a master, check the API and the console, start it again.</summary>
    [Parameter]
    public SwitchParameter Failover { get; set; }

    /// <summary>Name of the control-plane host the drill stops. Default: the first.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Master { get; set; }

    /// <summary>Seconds each wait of the drill may take (also caps each probe at 30 s or less).</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = (int)ClusterVerificationRequest.DefaultTimeout.TotalSeconds;

    /// <summary>Return one Boolean: true when every check passed.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Checks one cluster.</summary>
    protected override void ProcessRecord()
    {
        ClusterVerificationRequest request = null!;
        try
        {
            if (ParameterSetName == ClusterSet)
            {
                CheckSameCloud(Cluster!);
            }

            request = ParameterSetName == ClusterSet ? ClusterInput.ToRequest(Cluster!) : new ClusterVerificationRequest
            {
                InternalLoadBalancerId = InternalLoadBalancer,
                ExternalLoadBalancerId = ExternalLoadBalancer,
                ControlPlane = ControlPlane,
                Workers = Worker,
                Etcd = Etcd,
                KubeSphereHighAvailability = IsBound(nameof(KubeSphereHighAvailability)) ? KubeSphereHighAvailability.IsPresent : null,
                ConsolePort = ConsoleNodePort,
            };
            Configure(request);
            request.Validate();
        }
        catch (HaClusterException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
        }

        if (request.Failover)
        {
            var master = request.ResolveFailoverMaster();
            request.Failover = ShouldProcess($"{master.Name} ({master.InternalAddress})", "Stop the instance, check the API and the console without it, then start it again (failover drill)");
        }

        var results = RunQc("Checking the cluster", (client, token) => new ClusterVerifier(client).VerifyAsync(request, Quiet ? null : QueueWriteObject, client.Observer, token));
        var failed = results.Count(r => !r.Passed);
        WriteVerbose($"{results.Count - failed} of {results.Count} check(s) passed.");
        if (Quiet)
        {
            WriteObject(failed == 0);
        }
    }

    // A cluster object from Get-HaCluster says where its state file put it; checking it in another zone or cloud would
    // describe ids that mean nothing there (or someone else's).
    private void CheckSameCloud(PSObject cluster)
    {
        var zone = cluster.Properties["Zone"]?.Value as string;
        var endpoint = cluster.Properties["Endpoint"]?.Value as string;
        if (zone is null && endpoint is null)
        {
            return;
        }

        var context = ResolveContext();
        var recorded = new ClusterState { Name = cluster.Properties["Name"]?.Value as string ?? string.Empty, Zone = zone, Endpoint = endpoint };
        ClusterStateFile.CheckBelongs(recorded, cluster.Properties["StatePath"]?.Value as string ?? "(the cluster object)", null, context.Zone, context.Endpoint);
    }

    private void Configure(ClusterVerificationRequest request)
    {
        request.User = Credential?.UserName.TrimStart('\\');
        request.Password = Credential is { Password.Length: > 0 } ? Credential.Password : null;
        request.PrivateKeyPath = Resolve(PrivateKeyPath);
        request.KnownHostsPath = Resolve(KnownHostsPath);
        request.AcceptNewHostKey = AcceptNewHostKey;
        request.CaCertificatePath = Resolve(CaCertificate);
        request.Failover = Failover;
        request.FailoverMaster = Master;
        request.Timeout = TimeSpan.FromSeconds(Timeout);
    }

    private string? Resolve(string? path) => path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
