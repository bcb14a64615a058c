// Copyright (c) HaCluster contributors. MIT License.
// Remove-QcLoadBalancer: deletes load balancers and waits until they are gone.

using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Deletes load balancers (one DeleteLoadBalancers for all, retried while QingCloud answers 1400 "lease info not
/// ready yet") and waits until they are deleted. Their listeners stop answering; their EIPs become available again.
/// -PassThru writes the load balancers as described just before DeleteLoadBalancers, with their status once deleted.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "QcLoadBalancer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(LoadBalancer))]
public sealed class RemoveQcLoadBalancerCommand : QcChangeCmdlet
{
    /// <summary>Load balancer ids (lb-xxxxxxxx) or load balancer objects; bind by property name (LoadBalancerId, loadbalancer_id).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("loadbalancer_id")]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ArgumentCompleter(typeof(QcLoadBalancerCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] LoadBalancerId { get; set; } = System.Array.Empty<string>();

    /// <summary>Return right after DeleteLoadBalancers instead of waiting for the deletion.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<string> CurrentIds => LoadBalancerId;

    /// <inheritdoc />
    protected override string ActionText => "Delete load balancer";

    /// <inheritdoc />
    protected override IEnumerable Change(IReadOnlyList<string> ids) =>
        RunQc($"Deleting load balancer(s) {string.Join(", ", ids)}", (client, token) => new LoadBalancerService(client).DeleteAsync(ids, NoWait, null, token));
}
