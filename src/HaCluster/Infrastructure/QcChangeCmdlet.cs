// Copyright (c) HaCluster contributors. MIT License.
// Base of Qc* cmdlets that change several resources at once: collect ids, confirm each, then one engine call.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace HaCluster.Infrastructure;

/// <summary>
/// For cmdlets whose ids arrive through the pipeline but whose QingCloud call takes them all at once
/// (DeleteLoadBalancers, UpdateLoadBalancers, ReleaseEips, …): <see cref="ProcessRecord"/> only collects, and
/// <see cref="EndProcessing"/> asks ShouldProcess for each distinct id and hands the approved ones to <see cref="Change"/>;
/// -PassThru writes what <see cref="Change"/> returns.
/// </summary>
public abstract class QcChangeCmdlet : QcCmdlet
{
    private readonly List<string> _ids = new();

    /// <summary>Write the resources afterwards (removed ones as described just before their removal).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

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
        if (approved.Count == 0)
        {
            return;
        }

        var resources = Change(approved);
        if (PassThru)
        {
            WriteObject(resources, enumerateCollection: true);
        }
    }

    /// <summary>Makes the change for the approved ids (one engine call).</summary>
    /// <param name="ids">The approved ids, in pipeline order, without duplicates.</param>
    /// <returns>The resources -PassThru writes.</returns>
    protected abstract IEnumerable Change(IReadOnlyList<string> ids);
}
