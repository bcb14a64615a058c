// Copyright (c) HaCluster contributors. MIT License.
// Base of Qc* cmdlets that change several resources at once: collect ids, confirm each, then one engine call.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Infrastructure;

/// <summary>
/// For cmdlets whose ids arrive through the pipeline but whose QingCloud call takes them all at once
/// (DeleteLoadBalancers, UpdateLoadBalancers, ReleaseEips, …): <see cref="ProcessRecord"/> only collects, and
/// <see cref="EndProcessing"/> asks ShouldProcess for each distinct id and hands the approved ones to <see cref="Change"/>.
/// </summary>
public abstract class QcChangeCmdlet : QcCmdlet
{
    private readonly List<string> _ids = new();

    /// <summary>The ids the current pipeline record carries.</summary>
    protected abstract IEnumerable<string> CurrentIds { get; }

    /// <summary>What ShouldProcess says is about to happen, e.g. <c>Delete load balancer</c>.</summary>
    protected abstract string ActionText { get; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _ids.AddRange(CurrentIds.Where(id => !string.IsNullOrEmpty(id)));

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var approved = _ids.Distinct(StringComparer.Ordinal).Where(id => ShouldProcess(id, ActionText)).ToList();
        if (approved.Count > 0)
        {
            Change(approved);
        }
    }

    /// <summary>Runs engine work that returns nothing with a client bound to this invocation (see QcCmdlet.RunQc).</summary>
    /// <param name="what">What the call does, for the Verbose stream.</param>
    /// <param name="work">The engine call.</param>
    protected void RunQcAction(string what, Func<QingCloudClient, CancellationToken, Task> work) =>
        RunQc(what, async (client, token) =>
        {
            await work(client, token).ConfigureAwait(false);
            return true;
        });

    /// <summary>Makes the change for the approved ids (one engine call).</summary>
    /// <param name="ids">The approved ids, in pipeline order, without duplicates.</param>
    protected abstract void Change(IReadOnlyList<string> ids);
}
