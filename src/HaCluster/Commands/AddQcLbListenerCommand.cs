// Copyright (c) HaCluster contributors. MIT License.
// Add-QcLbListener: adds a TCP/HTTP/HTTPS listener to a load balancer, optionally opening its port in the firewall.

using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Adds a listener to each load balancer given or piped in (AddLoadBalancerListeners; tutorial steps 1.3 and 1.7).
/// -OpenFirewall also makes the load balancer's security group admit the port when no rule does yet. Like the
/// console, the listener takes effect once Update-QcLoadBalancer applies the changes.
/// </summary>
[Cmdlet(VerbsCommon.Add, "QcLbListener", SupportsShouldProcess = true)]
[OutputType(typeof(Listener))]
public sealed class AddQcLbListenerCommand : QcCmdlet
{
    /// <summary>The load balancer: an id, or a load balancer (or any object with a LoadBalancerId) from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("LoadBalancerId", "loadbalancer_id")]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ArgumentCompleter(typeof(QcLoadBalancerCompleter))]
    [ValidateNotNullOrEmpty]
    public string LoadBalancer { get; set; } = string.Empty;

    /// <summary>The port clients connect to: 25, 80, 443 or 1024-65535.</summary>
    [Parameter(Mandatory = true)]
    [Alias("listener_port")]
    public int Port { get; set; }

    /// <summary>Tcp (default), Http or Https (Https needs -ServerCertificateId).</summary>
    [Parameter]
    [ValidateSet("Tcp", "Http", "Https")]
    public string Protocol { get; set; } = "Tcp";

    /// <summary>RoundRobin (default; the console's "Poll"), LeastConn or Source (source-address hash).</summary>
    [Parameter]
    [ValidateSet("RoundRobin", "LeastConn", "Source")]
    public string BalanceMode { get; set; } = "RoundRobin";

    /// <summary>The health check: tcp (default), http|/path or http|/path|host.</summary>
    [Parameter]
    [ValidatePattern(@"^(tcp|http\|/[^|\s]*(\|[^|\s]+)?)$")]
    public string? HealthCheck { get; set; }

    /// <summary>Health-check timing inter|timeout|fall|rise in seconds and counts (default 10|5|2|5).</summary>
    [Parameter]
    [ValidatePattern(@"^\d+\|\d+\|\d+\|\d+$")]
    public string? HealthCheckOption { get; set; }

    /// <summary>Idle timeout in seconds, 10-86400 (default 50).</summary>
    [Parameter]
    [ValidateRange(10, 86400)]
    public int Timeout { get; set; } = 50;

    /// <summary>The listener's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Server certificate ids of an Https listener.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ServerCertificateId { get; set; } = System.Array.Empty<string>();

    /// <summary>Also add a rule admitting the port to the load balancer's security group, unless a rule already admits it.</summary>
    [Parameter]
    public SwitchParameter OpenFirewall { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var spec = new ListenerSpec
        {
            Port = Port,
            Protocol = Protocol.ToLowerInvariant(),
            BalanceMode = BalanceMode.ToLowerInvariant(),
            HealthyCheckMethod = HealthCheck,
            HealthyCheckOption = HealthCheckOption,
            Timeout = Timeout,
            Name = Name,
            ServerCertificateIds = ServerCertificateId,
        };
        var firewall = OpenFirewall ? " and open it in the firewall" : string.Empty;
        if (ShouldProcess(LoadBalancer, $"Add {spec.Protocol} listener on port {Port} ({spec.BalanceMode}){firewall}"))
        {
            WriteObject(RunQc($"Adding a listener on port {Port} to load balancer {LoadBalancer}", (client, token) => new LoadBalancerService(client).AddListenerAsync(LoadBalancer, spec, OpenFirewall, null, token)));
        }
    }
}
