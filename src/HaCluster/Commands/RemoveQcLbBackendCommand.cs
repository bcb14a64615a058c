// Copyright (c) HaCluster contributors. MIT License.
// Remove-QcLbBackend: deletes backends (applied by Update-QcLoadBalancer).

using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Deletes backends in one DeleteLoadBalancerBackends call; the load balancer keeps using them until the change is
/// applied with Update-QcLoadBalancer. -PassThru writes the backends as described just before the deletion.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "QcLbBackend", SupportsShouldProcess = true)]
[OutputType(typeof(Backend))]
public sealed class RemoveQcLbBackendCommand : QcChangeCmdlet
{
    /// <summary>Backend ids (lbb-xxxxxxxx) or backend objects; bind by property name (BackendId, loadbalancer_backend_id).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("loadbalancer_backend_id")]
    [QcIdTransformation("BackendId", "loadbalancer_backend_id")]
    [ValidateNotNullOrEmpty]
    public string[] BackendId { get; set; } = System.Array.Empty<string>();

    /// <inheritdoc />
    protected override IEnumerable<string> CurrentIds => BackendId;

    /// <inheritdoc />
    protected override string ActionText => "Delete backend";

    /// <inheritdoc />
    protected override IEnumerable Change(IReadOnlyList<string> ids)
    {
        var backends = RunQc($"Deleting backend(s) {string.Join(", ", ids)}", (client, token) => new LoadBalancerService(client).RemoveBackendsAsync(ids, token));
        WriteVerbose($"Run Update-QcLoadBalancer {string.Join(",", backends.Select(b => b.LoadBalancerId).Distinct())} to apply the change.");
        return backends;
    }
}
