// Copyright (c) HaCluster contributors. MIT License.
// Remove-QcLbListener: deletes listeners and their backends (applied by Update-QcLoadBalancer).

using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Deletes listeners, with their backends, in one DeleteLoadBalancerListeners call. As in the console the load
/// balancer keeps serving them until the change is applied with Update-QcLoadBalancer. -PassThru writes the listeners,
/// with their backends, as described just before the deletion.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "QcLbListener", SupportsShouldProcess = true)]
[OutputType(typeof(Listener))]
public sealed class RemoveQcLbListenerCommand : QcChangeCmdlet
{
    /// <summary>Listener ids (lbl-xxxxxxxx) or listener objects; bind by property name (ListenerId, loadbalancer_listener_id).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("loadbalancer_listener_id")]
    [QcIdTransformation("ListenerId", "loadbalancer_listener_id")]
    [ValidateNotNullOrEmpty]
    public string[] ListenerId { get; set; } = System.Array.Empty<string>();

    /// <inheritdoc />
    protected override IEnumerable<string> CurrentIds => ListenerId;

    /// <inheritdoc />
    protected override string ActionText => "Delete listener and its backends";

    /// <inheritdoc />
    protected override IEnumerable Change(IReadOnlyList<string> ids)
    {
        var listeners = RunQc($"Deleting listener(s) {string.Join(", ", ids)}", (client, token) => new LoadBalancerService(client).RemoveListenersAsync(ids, token));
        WriteVerbose($"Run Update-QcLoadBalancer {string.Join(",", listeners.Select(l => l.LoadBalancerId).Distinct())} to apply the change.");
        return listeners;
    }
}
