// Copyright (c) HaCluster contributors. MIT License.
// Tab completion of load balancers, VxNets, EIPs, instances and zones from the current QingCloud context.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Infrastructure;

/// <summary>
/// Base of the resource completers: asks QingCloud (with the command's <c>-Context</c> if already typed, otherwise the
/// session's Connect-QingCloud context) for candidates and offers those whose id or name starts with what was typed.
/// Completion never fails: no context, a slow or failing API (5 s limit) simply yields no candidates.
/// </summary>
public abstract class QcCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var context = (fakeBoundParameters?["Context"] is { } given ? PSObject.AsPSObject(given).BaseObject as QingCloudContext : null) ?? QingCloudSession.Current;
        IReadOnlyList<Candidate> candidates;
        using (var limit = new CancellationTokenSource(Limit))
        {
            try
            {
                candidates = ListAsync(context, limit.Token).GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // Completion must not throw, whatever the API or network does.
            catch (Exception)
#pragma warning restore CA1031
            {
                candidates = Array.Empty<Candidate>();
            }
        }

        return candidates
            .Where(c => c.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || (c.Name ?? string.Empty).StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(c => new CompletionResult(c.Value, string.IsNullOrEmpty(c.Name) ? c.Value : $"{c.Value} ({c.Name})", CompletionResultType.ParameterValue, c.ToolTip))
            .ToList();
    }

    /// <summary>Lists the candidates.</summary>
    /// <param name="context">The context to query; null when not connected.</param>
    /// <param name="cancellationToken">Trips after the completion time limit.</param>
    /// <returns>The candidates.</returns>
    protected abstract Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken);

    /// <summary>One completion candidate.</summary>
    protected sealed class Candidate
    {
        /// <summary>Creates a candidate.</summary>
        /// <param name="value">What is inserted (an id).</param>
        /// <param name="name">Its name, shown next to the id and matched too.</param>
        /// <param name="toolTip">Details.</param>
        public Candidate(string value, string? name, string toolTip)
        {
            Value = value;
            Name = name;
            ToolTip = string.IsNullOrEmpty(toolTip) ? value : toolTip;
        }

        /// <summary>What is inserted.</summary>
        public string Value { get; }

        /// <summary>The name.</summary>
        public string? Name { get; }

        /// <summary>Details.</summary>
        public string ToolTip { get; }
    }
}

/// <summary>Completes <c>-LoadBalancer</c> with the live load balancers of the current zone.</summary>
public sealed class QcLoadBalancerCompleter : QcCompleter
{
    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        context is null
            ? Array.Empty<Candidate>()
            : (await new QingCloudClient(context).DescribeLoadBalancersAsync(status: new[] { "pending", "active", "stopped" }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(lb => new Candidate(lb.LoadBalancerId, lb.LoadBalancerName, $"{lb.LoadBalancerName} {lb.Status} {lb.Address}")).ToList();
}

/// <summary>Completes <c>-VxNet</c> with the VxNets of the current zone.</summary>
public sealed class QcVxNetCompleter : QcCompleter
{
    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        context is null
            ? Array.Empty<Candidate>()
            : (await new QingCloudClient(context).DescribeVxNetsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(v => new Candidate(v.VxNetId, v.VxNetName, $"{v.VxNetName} {v.IpNetwork}")).ToList();
}

/// <summary>Completes <c>-Eip</c> with the EIPs of the current zone that are free to bind.</summary>
public sealed class QcEipCompleter : QcCompleter
{
    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        context is null
            ? Array.Empty<Candidate>()
            : (await new QingCloudClient(context).DescribeEipsAsync(status: new[] { "available" }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(e => new Candidate(e.EipId, e.EipName, $"{e.EipAddr} {e.Bandwidth} Mbps")).ToList();
}

/// <summary>Completes EIP ids with every EIP that still exists (available, associated, …), matching by id or name; for commands that read any EIP.</summary>
public sealed class QcLiveEipCompleter : QcCompleter
{
    private static readonly string[] LiveStatuses = { "pending", "available", "associated", "suspended" };

    /// <summary>The EIPs a completion offers: those that still exist.</summary>
    /// <param name="context">The context, or null (nothing to offer).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The EIPs.</returns>
    internal static async Task<IReadOnlyList<Eip>> LiveEipsAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        context is null
            ? Array.Empty<Eip>()
            : await new QingCloudClient(context).DescribeEipsAsync(status: LiveStatuses, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        (await LiveEipsAsync(context, cancellationToken).ConfigureAwait(false))
            .Select(e => new Candidate(e.EipId, e.EipName, $"{e.EipAddr} {e.Status}")).ToList();
}

/// <summary>Completes EIP names (what Get-QcEip -Name matches), listing each with its id.</summary>
public sealed class QcEipNameCompleter : QcCompleter
{
    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        (await QcLiveEipCompleter.LiveEipsAsync(context, cancellationToken).ConfigureAwait(false))
            .Where(e => !string.IsNullOrEmpty(e.EipName))
            .Select(e => new Candidate(e.EipName!, e.EipId, $"{e.EipId} {e.EipAddr} {e.Status}")).ToList();
}

/// <summary>Completes <c>-Zone</c>: the current context's zone first, then the public QingCloud zones.</summary>
public sealed class QcZoneCompleter : QcCompleter
{
    private static readonly string[] KnownZones = { "pek3", "pek3a", "pek3b", "pek3c", "pek3d", "sh1", "sh1a", "sh1b", "gd2", "gd2a", "gd2b", "ap2a", "ap3" };

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken)
    {
        var zones = new List<string>();
        if (context is not null)
        {
            zones.Add(context.Zone);
        }

        zones.AddRange(KnownZones.Where(z => !zones.Contains(z)));
        return Task.FromResult<IReadOnlyList<Candidate>>(zones.Select(z => new Candidate(z, null, z == context?.Zone ? $"{z} (current context)" : z)).ToList());
    }
}

/// <summary>Completes instance ids (i-xxxxxxxx), matching by id or name; ceased and terminated ones are left out.</summary>
public sealed class QcInstanceCompleter : QcCompleter
{
    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        (await QcInstanceNameCompleter.LiveInstancesAsync(context, cancellationToken).ConfigureAwait(false))
            .Select(i => new Candidate(i.InstanceId, i.InstanceName, $"{i.InstanceName} {i.Status} {i.PrivateIp}")).ToList();
}

/// <summary>Completes instance names (what -Name matches), listing each with its id.</summary>
public sealed class QcInstanceNameCompleter : QcCompleter
{
    /// <summary>The instances a completion offers: those that still exist.</summary>
    /// <param name="context">The context, or null (nothing to offer).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instances.</returns>
    internal static async Task<IReadOnlyList<Instance>> LiveInstancesAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        context is null
            ? Array.Empty<Instance>()
            : await new QingCloudClient(context).DescribeInstancesAsync(status: new[] { "pending", "running", "stopped", "suspended" }, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> ListAsync(QingCloudContext? context, CancellationToken cancellationToken) =>
        (await LiveInstancesAsync(context, cancellationToken).ConfigureAwait(false))
            .Where(i => !string.IsNullOrEmpty(i.InstanceName))
            .Select(i => new Candidate(i.InstanceName, i.InstanceId, $"{i.InstanceId} {i.Status} {i.PrivateIp}")).ToList();
}
