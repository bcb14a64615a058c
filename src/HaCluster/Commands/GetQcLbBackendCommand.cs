// Copyright (c) HaCluster contributors. MIT License.
// Get-QcLbBackend: lists backends with their health (up/down/abnormal).

using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Gets load-balancer backends (DescribeLoadBalancerBackends) of a listener, of a load balancer, or by id, with
/// Status up (the console's Active), down (Not available, also before changes are applied) or abnormal.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QcLbBackend")]
[OutputType(typeof(Backend))]
public sealed class GetQcLbBackendCommand : QcCmdlet
{
    /// <summary>Only the backends of this listener (id or object); binds by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ListenerId", "loadbalancer_listener_id")]
    [QcIdTransformation("ListenerId", "loadbalancer_listener_id")]
    [ValidateNotNullOrEmpty]
    public string? Listener { get; set; }

    /// <summary>Only the backends of this load balancer (id or object); binds by property name.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("LoadBalancerId", "loadbalancer_id")]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ArgumentCompleter(typeof(QcLoadBalancerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? LoadBalancer { get; set; }

    /// <summary>Only these backends (lbb-xxxxxxxx); binds by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("loadbalancer_backend_id")]
    [ValidateNotNullOrEmpty]
    public string[]? BackendId { get; set; }

    /// <summary>Only backends in these states: up, down or abnormal.</summary>
    [Parameter]
    [ValidateSet("up", "down", "abnormal")]
    public string[]? Status { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var backends = RunQc($"Describing the backends of {Listener ?? LoadBalancer ?? (BackendId is null ? "every load balancer" : string.Join(", ", BackendId))}", (client, token) => client.DescribeLoadBalancerBackendsAsync(BackendId, Listener, LoadBalancer, cancellationToken: token));
        if (BackendId is not null)
        {
            ReportMissingIds(BackendId, backends, b => b.BackendId, "QcBackendNotFound", "backend");
        }

        WriteObject(backends.Where(b => Status is null || Status.Contains(b.Status)), enumerateCollection: true);
    }
}
