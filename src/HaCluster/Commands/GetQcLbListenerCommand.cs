// Copyright (c) HaCluster contributors. MIT License.
// Get-QcLbListener: lists the listeners of load balancers, with their backends.

using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Gets load-balancer listeners (DescribeLoadBalancerListeners with their backends): of the load balancers piped in,
/// by listener id, or all of them; optionally only those with given names (wildcards) or ports.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QcLbListener")]
[OutputType(typeof(Listener))]
public sealed class GetQcLbListenerCommand : QcCmdlet
{
    /// <summary>Only the listeners of this load balancer (id or object); binds by property name.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("LoadBalancerId", "loadbalancer_id")]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ArgumentCompleter(typeof(QcLoadBalancerCompleter))]
    [ValidateNotNullOrEmpty]
    public string? LoadBalancer { get; set; }

    /// <summary>Only these listeners (lbl-xxxxxxxx); binds by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("loadbalancer_listener_id")]
    [ValidateNotNullOrEmpty]
    public string[]? ListenerId { get; set; }

    /// <summary>Only listeners with these names; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only listeners on these ports.</summary>
    [Parameter]
    public int[]? Port { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var listeners = RunQc($"Describing the listeners of {LoadBalancer ?? (ListenerId is null ? "every load balancer" : string.Join(", ", ListenerId))}", (client, token) => client.DescribeLoadBalancerListenersAsync(ListenerId, LoadBalancer, verbose: true, cancellationToken: token));
        if (ListenerId is not null)
        {
            ReportMissingIds(ListenerId, listeners, l => l.ListenerId, "QcListenerNotFound", "listener");
        }

        var matching = FilterByName(listeners, Name, l => l.ListenerName, "QcListenerNotFound", "listener");
        WriteObject(matching.Where(l => Port is null || Port.Contains(l.ListenerPort)), enumerateCollection: true);
    }
}
