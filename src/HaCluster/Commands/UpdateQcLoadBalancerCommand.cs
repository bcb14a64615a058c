// Copyright (c) HaCluster contributors. MIT License.
// Update-QcLoadBalancer: the console's "Apply Changes"; optionally waits until every backend is up.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Applies pending listener and backend changes (tutorial steps 1.5 and 1.9): one UpdateLoadBalancers for every load
/// balancer with unapplied changes, then waits for the job and the transition. -WaitForBackend Up then waits, with
/// progress, until every backend passes its health check, and writes the backends with their final status.
/// </summary>
[Cmdlet(VerbsData.Update, "QcLoadBalancer", SupportsShouldProcess = true)]
[OutputType(typeof(LoadBalancer), typeof(Backend))]
public sealed class UpdateQcLoadBalancerCommand : QcChangeCmdlet
{
    /// <summary>Load balancers (ids or objects); binds by property name, so listeners and backends apply their load balancer.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("LoadBalancerId", "loadbalancer_id")]
    [QcIdTransformation("LoadBalancerId", "loadbalancer_id")]
    [ArgumentCompleter(typeof(QcLoadBalancerCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] LoadBalancer { get; set; } = Array.Empty<string>();

    /// <summary>Afterwards wait until every backend of the load balancers is Up (health check passing).</summary>
    [Parameter]
    [ValidateSet("Up")]
    public string? WaitForBackend { get; set; }

    /// <summary>Seconds -WaitForBackend waits before failing with QcBackendNotUp (default 300).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>Send UpdateLoadBalancers even when a load balancer reports no unapplied changes.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return right after UpdateLoadBalancers (no job, transition or backend wait).</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    // The backends as the wait left them (all up), written unless -PassThru asks for the load balancers.
    private IReadOnlyList<Backend>? _backends;

    /// <inheritdoc />
    protected override IEnumerable<string> CurrentIds => LoadBalancer;

    /// <inheritdoc />
    protected override string ActionText => "Apply changes (UpdateLoadBalancers)";

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        base.EndProcessing();

        // The wait's result is what the user waited for: each backend with its final status (the table shows Active).
        if (_backends is not null && !PassThru)
        {
            WriteObject(_backends, enumerateCollection: true);
        }
    }

    /// <inheritdoc />
    protected override IEnumerable Change(IReadOnlyList<string> ids)
    {
        var options = new ApplyOptions
        {
            Force = Force,
            NoWait = NoWait,
            WaitForBackendsUp = WaitForBackend is not null,
            BackendWait = new WaitOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec), ActivityId = 3110 },
        };
        return RunQc($"Applying changes to load balancer(s) {string.Join(", ", ids)}", async (client, token) =>
        {
            var applied = await new LoadBalancerService(client).ApplyAsync(ids, options, token).ConfigureAwait(false);
            if (options.WaitForBackendsUp && !NoWait)
            {
                var backends = new List<Backend>();
                foreach (var lb in applied)
                {
                    backends.AddRange(await client.DescribeLoadBalancerBackendsAsync(loadBalancerId: lb.LoadBalancerId, cancellationToken: token).ConfigureAwait(false));
                }

                _backends = backends;
            }

            return applied;
        });
    }
}
