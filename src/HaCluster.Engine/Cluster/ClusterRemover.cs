// Copyright (c) HaCluster contributors. MIT License.
// Remove-HaCluster: finds what the module created (state file, else the cluster's tag) and removes it in reverse order.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>What Remove-HaCluster will remove; found by <see cref="ClusterRemover.FindAsync"/>, nothing changed yet.</summary>
public sealed class ClusterRemovalPlan
{
    internal ClusterRemovalPlan(string name, string statePath, bool stateFileExists)
    {
        Name = name;
        StatePath = statePath;
        StateFileExists = stateFileExists;
    }

    /// <summary>Cluster name.</summary>
    public string Name { get; }

    /// <summary>The state file.</summary>
    public string StatePath { get; }

    /// <summary>Whether the state file exists (otherwise the resources were found by the cluster's tag).</summary>
    public bool StateFileExists { get; }

    /// <summary>Firewall rules the module added, by security group.</summary>
    public IDictionary<string, List<string>> FirewallRules { get; } = new Dictionary<string, List<string>>(StringComparer.Ordinal);

    /// <summary>Load balancers the module created.</summary>
    public IList<LoadBalancer> LoadBalancers { get; } = new List<LoadBalancer>();

    /// <summary>The cluster's own security groups (deleted after the load balancers they guard); never a default group.</summary>
    public IList<SecurityGroup> SecurityGroups { get; } = new List<SecurityGroup>();

    /// <summary>The EIP the module allocated (a given EIP is never released), or null.</summary>
    public Eip? Eip { get; set; }

    /// <summary>The EIP that stays (given to New-HaCluster, or kept with <c>-KeepEip</c>), or null.</summary>
    public string? KeptEipId { get; set; }

    /// <summary>The cluster's tag on resources that stay (the kept EIP): detached, so nothing still says it belongs to the cluster.</summary>
    public IList<ResourceTagPair> TagPairsToDetach { get; } = new List<ResourceTagPair>();

    /// <summary>The cluster's tag, deleted last; null when the module did not create it or it still marks other resources.</summary>
    public Tag? Tag { get; set; }

    /// <summary>True when there is nothing to remove but (perhaps) the state file.</summary>
    public bool IsEmpty => FirewallRules.Count == 0 && LoadBalancers.Count == 0 && SecurityGroups.Count == 0 && Eip is null && TagPairsToDetach.Count == 0 && Tag is null;

    /// <summary>One line per resource, in removal order.</summary>
    /// <returns>The lines.</returns>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        lines.AddRange(FirewallRules.Select(g => $"firewall rule(s) {string.Join(", ", g.Value)} of security group {g.Key}"));
        lines.AddRange(LoadBalancers.Select(l => $"load balancer {l.LoadBalancerId} ({l.LoadBalancerName}) with its listeners and backends"));
        lines.AddRange(SecurityGroups.Select(g => $"security group {g.SecurityGroupId} ({g.SecurityGroupName}) with its rules"));
        if (Eip is not null)
        {
            lines.Add($"EIP {Eip.EipId} ({Eip.EipAddr})");
        }

        lines.AddRange(TagPairsToDetach.Select(p => $"tag {p.TagId} detached from {p.ResourceType} {p.ResourceId}, which stays"));
        if (Tag is not null)
        {
            lines.Add($"tag {Tag.TagId} ({Tag.TagName})");
        }

        if (StateFileExists)
        {
            lines.Add($"state file {StatePath}");
        }

        return lines;
    }
}

/// <summary>
/// Removes a cluster's QingCloud resources: the firewall rules it added, its load balancers (with their listeners and
/// backends), its EIP unless kept, and last the state file. Instances and anything the module did not create are never
/// touched. Idempotent: what is already gone is skipped, so a removal interrupted at any point can simply run again.
/// </summary>
public sealed class ClusterRemover
{
    private static readonly string[] LiveLoadBalancerStatuses = { "pending", "active", "stopped", "suspended" };
    private static readonly string[] LiveEipStatuses = { "pending", "available", "associated", "suspended" };

    private readonly QingCloudClient _client;

    /// <summary>Creates the remover.</summary>
    /// <param name="client">QingCloud.</param>
    public ClusterRemover(QingCloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Finds what to remove: the resources the state file records, or (without one) the resources with the cluster's names and tag.</summary>
    /// <param name="name">Cluster name.</param>
    /// <param name="statePath">The state file.</param>
    /// <param name="keepEip">Leave the EIP out.</param>
    /// <param name="cancellationToken">Cancels the look-ups.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="HaClusterException"><c>HaClusterStateInvalid</c>, <c>HaClusterStateMismatch</c> (the file names another cluster).</exception>
    public async Task<ClusterRemovalPlan> FindAsync(string name, string statePath, bool keepEip, CancellationToken cancellationToken = default)
    {
        var state = ClusterStateFile.TryLoad(statePath);
        if (state is not null && state.Name != name)
        {
            throw new HaClusterException(ClusterPlanner.StateMismatchErrorId, FailureKind.InvalidOperation, $"The state file '{statePath}' belongs to cluster '{state.Name}', not '{name}'.", statePath);
        }

        var plan = new ClusterRemovalPlan(name, statePath, state is not null);
        var tagId = state?.TagId ?? (await _client.FindTagsByNameAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.TagId;
        foreach (var (section, lbName) in new[] { (state?.Internal, ClusterNames.InternalLoadBalancer(name)), (state?.External, ClusterNames.ExternalLoadBalancer(name)) })
        {
            var lb = await FindLoadBalancerAsync(section?.LoadBalancerId, lbName, tagId, stateKnowsName: section is not null, cancellationToken).ConfigureAwait(false);
            if (lb is not null)
            {
                plan.LoadBalancers.Add(lb);
            }

            var external = lbName.EndsWith("-external", StringComparison.Ordinal);
            var port = external ? (section?.Port is int recorded and > 0 ? recorded : ClusterNames.ConsolePort) : ClusterNames.ApiPort;
            var own = await FindSecurityGroupAsync(section, ClusterNames.SecurityGroup(name, external), tagId, cancellationToken).ConfigureAwait(false);
            if (own is not null)
            {
                plan.SecurityGroups.Add(own);
            }

            // A cluster built before it had its own groups added a named rule to the load balancer's group instead.
            var groupId = lb?.SecurityGroupId ?? section?.SecurityGroupId;
            if (groupId is not null && groupId != own?.SecurityGroupId)
            {
                await AddRulesAsync(plan, groupId, section?.FirewallRuleId, ClusterNames.FirewallRule(name, port), cancellationToken).ConfigureAwait(false);
            }
        }

        if (state?.External is { EipId: { } given, EipCreated: false })
        {
            _client.Observer.Verbose($"EIP {given} was given to New-HaCluster, not allocated by it; keeping it.");
            plan.KeptEipId = given;
        }
        else
        {
            var eip = await FindEipAsync(state, name, tagId, cancellationToken).ConfigureAwait(false);
            if (keepEip)
            {
                plan.KeptEipId = eip?.EipId;
            }
            else
            {
                plan.Eip = eip;
            }
        }

        if (tagId is not null)
        {
            await PlanTagAsync(plan, tagId, mayDelete: state is null || state.TagCreated, cancellationToken).ConfigureAwait(false);
        }

        return plan;
    }

    /// <summary>Removes what <paramref name="plan"/> lists, in reverse order of creation, then deletes the state file.</summary>
    /// <param name="plan">From <see cref="FindAsync"/>.</param>
    /// <param name="cancellationToken">Ctrl+C; running the removal again finishes it.</param>
    /// <returns>A task.</returns>
    public async Task RemoveAsync(ClusterRemovalPlan plan, CancellationToken cancellationToken = default)
    {
        var wait = new WaitOptions { ActivityId = 6201 };
        foreach (var group in plan.FirewallRules)
        {
            await DeleteRulesAsync(group.Key, group.Value, wait, cancellationToken).ConfigureAwait(false);
        }

        if (plan.LoadBalancers.Count > 0)
        {
            await DeleteLoadBalancersAsync(plan.LoadBalancers.Select(l => l.LoadBalancerId).ToList(), wait, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in plan.SecurityGroups)
        {
            await DeleteSecurityGroupAsync(group, cancellationToken).ConfigureAwait(false);
        }

        if (plan.Eip is { } eip)
        {
            await ReleaseEipAsync(eip.EipId, wait, cancellationToken).ConfigureAwait(false);
        }

        if (plan.TagPairsToDetach.Count > 0)
        {
            _client.Observer.Verbose($"Detaching tag {plan.TagPairsToDetach[0].TagId} from {string.Join(", ", plan.TagPairsToDetach)}.");
            await _client.DetachTagsAsync(plan.TagPairsToDetach, cancellationToken).ConfigureAwait(false);
        }

        if (plan.Tag is { } tag)
        {
            await DeleteTagAsync(tag, cancellationToken).ConfigureAwait(false);
        }

        if (File.Exists(plan.StatePath))
        {
            _client.Observer.Verbose($"Deleting the state file {plan.StatePath}.");
            File.Delete(plan.StatePath);
        }
    }

    private async Task<LoadBalancer?> FindLoadBalancerAsync(string? recordedId, string name, string? tagId, bool stateKnowsName, CancellationToken cancellationToken)
    {
        if (recordedId is not null)
        {
            var byId = (await _client.DescribeLoadBalancersAsync(new[] { recordedId }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(l => LiveLoadBalancerStatuses.Contains(l.Status));
            if (byId is not null)
            {
                return byId;
            }
        }

        // Without a recorded id, a load balancer counts as ours when it carries the tag, or when the state file shows a
        // run was creating it (a crash between CreateLoadBalancer and the state write leaves it untagged and unrecorded).
        var named = await _client.FindLoadBalancersByNameAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return named.FirstOrDefault(l => tagId is not null && l.Tags.Any(t => t.TagId == tagId))
            ?? (stateKnowsName && recordedId is null && named.Count == 1 ? named[0] : null);
    }

    // The path's own group: recorded as created in the state file, else named after the load balancer and carrying the tag.
    private async Task<SecurityGroup?> FindSecurityGroupAsync(LoadBalancerState? section, string name, string? tagId, CancellationToken cancellationToken)
    {
        if (section is { SecurityGroupCreated: true, SecurityGroupId: { } recorded })
        {
            var byId = (await _client.DescribeSecurityGroupsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(g => g.SecurityGroupId == recorded && !g.IsDefault);
            if (byId is not null)
            {
                return byId;
            }
        }

        var named = await _client.FindSecurityGroupsByNameAsync(name, cancellationToken).ConfigureAwait(false);
        return named.FirstOrDefault(g => !g.IsDefault && tagId is not null && g.Tags.Any(t => t.TagId == tagId));
    }

    private async Task DeleteSecurityGroupAsync(SecurityGroup group, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Deleting security group {group.SecurityGroupId} ({group.SecurityGroupName}).");
        try
        {
            await _client.DeleteSecurityGroupsAsync(new[] { group.SecurityGroupId }, cancellationToken).ConfigureAwait(false);
        }
        catch (QingCloudApiException ex) when (ex.RetCode == 2100)
        {
            _client.Observer.Verbose($"Security group {group.SecurityGroupId} is already gone.");
        }
    }

    private async Task AddRulesAsync(ClusterRemovalPlan plan, string groupId, string? recordedRuleId, string ruleName, CancellationToken cancellationToken)
    {
        IReadOnlyList<SecurityGroupRule> rules;
        try
        {
            rules = await _client.DescribeSecurityGroupRulesAsync(groupId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (QingCloudApiException ex) when (ex.RetCode == 2100)
        {
            return;
        }

        var ours = rules.Where(r => r.SecurityGroupRuleId == recordedRuleId || r.SecurityGroupRuleName == ruleName).Select(r => r.SecurityGroupRuleId).ToList();
        if (ours.Count > 0)
        {
            if (!plan.FirewallRules.TryGetValue(groupId, out var list))
            {
                plan.FirewallRules[groupId] = list = new List<string>();
            }

            list.AddRange(ours.Where(id => !list.Contains(id)));
        }
    }

    // The tag goes only when the module made it (or, without a state file, cannot tell) and, once the removal is done,
    // it would mark nothing live: a tag the user also put on instances or other resources stays, and is said to stay.
    private async Task PlanTagAsync(ClusterRemovalPlan plan, string tagId, bool mayDelete, CancellationToken cancellationToken)
    {
        var tag = (await _client.DescribeTagsAsync(new[] { tagId }, verbose: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(t => t.TagId == tagId);
        if (tag is null)
        {
            return;
        }

        foreach (var pair in tag.ResourceTagPairs.Where(p => p.ResourceId == plan.KeptEipId))
        {
            plan.TagPairsToDetach.Add(pair);
        }

        var removed = new HashSet<string>(plan.LoadBalancers.Select(l => l.LoadBalancerId).Concat(plan.SecurityGroups.Select(g => g.SecurityGroupId)), StringComparer.Ordinal);
        if (plan.Eip is not null)
        {
            removed.Add(plan.Eip.EipId);
        }

        var candidates = tag.ResourceTagPairs.Where(p => !removed.Contains(p.ResourceId) && p.ResourceId != plan.KeptEipId).ToList();
        var stillMarked = await LivePairsAsync(tagId, candidates, cancellationToken).ConfigureAwait(false);
        if (!mayDelete)
        {
            _client.Observer.Verbose($"Keeping tag '{tag.TagName}' ({tag.TagId}): it existed before New-HaCluster used it.");
        }
        else if (stillMarked.Count > 0)
        {
            _client.Observer.Verbose($"Keeping tag '{tag.TagName}' ({tag.TagId}): it also marks {string.Join(", ", stillMarked.Select(p => $"{p.ResourceType} {p.ResourceId}"))}.");
        }
        else
        {
            plan.Tag = tag;
        }
    }

    // Pairs whose resource still exists: a deleted load balancer or released EIP may linger in a tag's pairs for a while.
    private async Task<IReadOnlyList<ResourceTagPair>> LivePairsAsync(string tagId, IReadOnlyList<ResourceTagPair> pairs, CancellationToken cancellationToken)
    {
        var live = pairs.Where(p => p.ResourceType is not ("loadbalancer" or "eip")).ToList();
        if (pairs.Any(p => p.ResourceType == "loadbalancer"))
        {
            var tagged = await _client.DescribeLoadBalancersAsync(status: LiveLoadBalancerStatuses, tagIds: new[] { tagId }, cancellationToken: cancellationToken).ConfigureAwait(false);
            live.AddRange(pairs.Where(p => p.ResourceType == "loadbalancer" && tagged.Any(l => l.LoadBalancerId == p.ResourceId)));
        }

        if (pairs.Any(p => p.ResourceType == "eip"))
        {
            var tagged = await _client.DescribeEipsAsync(status: LiveEipStatuses, tagIds: new[] { tagId }, cancellationToken: cancellationToken).ConfigureAwait(false);
            live.AddRange(pairs.Where(p => p.ResourceType == "eip" && tagged.Any(e => e.EipId == p.ResourceId)));
        }

        return live;
    }

    private async Task DeleteTagAsync(Tag tag, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Deleting tag '{tag.TagName}' ({tag.TagId}).");
        try
        {
            await _client.DeleteTagsAsync(new[] { tag.TagId }, cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex is QingCloudAmbiguousResultException || (ex is QingCloudApiException api && api.RetCode == 2100))
        {
            // Already gone, or deleted by an attempt whose answer was lost.
            var left = await _client.DescribeTagsAsync(new[] { tag.TagId }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (left.Any(t => t.TagId == tag.TagId))
            {
                throw;
            }
        }
    }

    private async Task<Eip?> FindEipAsync(ClusterState? state, string name, string? tagId, CancellationToken cancellationToken)
    {
        if (state is not null && state.External.EipId is { } recorded)
        {
            try
            {
                var byId = (await _client.DescribeEipsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false))
                    .FirstOrDefault(e => e.Status is not ("released" or "ceased"));
                if (byId is not null)
                {
                    return byId;
                }
            }
            catch (QingCloudApiException ex) when (ex.RetCode == 2100)
            {
            }
        }

        var named = await _client.FindEipsByNameAsync(ClusterNames.Eip(name), cancellationToken).ConfigureAwait(false);
        var stateWasAllocating = state is not null && state.External.EipId is null && state.IsCompleted(ClusterStepIds.Tag);
        return named.FirstOrDefault(e => tagId is not null && e.Tags.Any(t => t.TagId == tagId))
            ?? (stateWasAllocating && named.Count == 1 ? named[0] : null);
    }

    private async Task DeleteRulesAsync(string groupId, IReadOnlyList<string> ruleIds, WaitOptions wait, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Deleting firewall rule(s) {string.Join(", ", ruleIds)} of security group {groupId}.");
        try
        {
            await _client.DeleteSecurityGroupRulesAsync(ruleIds, cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex is QingCloudAmbiguousResultException || (ex is QingCloudApiException api && api.RetCode == 2100))
        {
            // Already gone, or deleted by an attempt whose answer was lost.
            var left = await _client.DescribeSecurityGroupRulesAsync(groupId, ruleIds, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (left.Count > 0)
            {
                throw;
            }
        }

        var job = await _client.ApplySecurityGroupAsync(groupId, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
        await _client.WaitForSecurityGroupAppliedAsync(groupId, wait, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteLoadBalancersAsync(IReadOnlyList<string> ids, WaitOptions wait, CancellationToken cancellationToken)
    {
        try
        {
            await new LoadBalancerService(_client).DeleteAsync(ids, wait: wait, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex is QingCloudAmbiguousResultException || ex.ErrorId is "QcLoadBalancerDeleted" or "QcLoadBalancerNotFound")
        {
            // A lost answer to DeleteLoadBalancers: the retry met "already deleting" or "not found". Wait for the outcome.
            _client.Observer.Verbose($"Load balancer deletion outcome unknown ({ex.Message}); waiting for {string.Join(", ", ids)} to be deleted.");
            await _client.WaitForLoadBalancersAsync(ids, "deleted", wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReleaseEipAsync(string eipId, WaitOptions wait, CancellationToken cancellationToken)
    {
        try
        {
            await new EipService(_client).ReleaseAsync(new[] { eipId }, force: true, wait: wait, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex is QingCloudAmbiguousResultException || ex.ErrorId == "QcEipNotFound")
        {
            _client.Observer.Verbose($"EIP release outcome unknown ({ex.Message}); checking {eipId}.");
            var left = await _client.DescribeEipsAsync(status: LiveEipStatuses, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (left.Any(e => e.EipId == eipId))
            {
                throw;
            }
        }
    }
}
