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

    /// <summary>Resources the state file names (or with the cluster's names) that are not provably the cluster's: never touched.</summary>
    public IList<NotOwnedResource> NotOwned { get; } = new List<NotOwnedResource>();

    /// <summary>
    /// Whether the state file goes at the end: only when everything it names is gone, so not while a resource it names
    /// is left alone as not the cluster's.
    /// </summary>
    public bool DeletesStateFile => StateFileExists && NotOwned.Count == 0;

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

        if (DeletesStateFile)
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
        if (state is not null)
        {
            ClusterStateFile.CheckBelongs(state, statePath, name, _client.Context.Zone, _client.Context.Endpoint);

            // It is deleted last: a folder that will not let it go is found now, before anything else is.
            ClusterStateFile.EnsureWritable(statePath);
        }

        var plan = new ClusterRemovalPlan(name, statePath, state is not null);
        var tagId = await FindTagAsync(plan, state, cancellationToken).ConfigureAwait(false);
        foreach (var (section, lbName) in new[] { (state?.Internal, ClusterNames.InternalLoadBalancer(name)), (state?.External, ClusterNames.ExternalLoadBalancer(name)) })
        {
            var (lb, recordedIsOurs) = await FindLoadBalancerAsync(plan, section, lbName, tagId, cancellationToken).ConfigureAwait(false);
            if (lb is not null)
            {
                plan.LoadBalancers.Add(lb);
            }

            var external = lbName.EndsWith("-external", StringComparison.Ordinal);
            var port = external ? (section?.Port is int recorded and > 0 ? recorded : ClusterNames.ConsolePort) : ClusterNames.ApiPort;
            var own = await FindSecurityGroupAsync(plan, section, ClusterNames.SecurityGroup(name, external), tagId, cancellationToken).ConfigureAwait(false);
            if (own is not null)
            {
                plan.SecurityGroups.Add(own);
            }

            // A cluster built before it had its own groups added a named rule to the load balancer's group instead. The
            // group of a load balancer that is not ours is not searched; a gone one's recorded group still is.
            var groupId = lb?.SecurityGroupId ?? (recordedIsOurs ? section?.SecurityGroupId : null);
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
            var eip = await FindEipAsync(plan, state, name, tagId, cancellationToken).ConfigureAwait(false);
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

        if (!plan.DeletesStateFile)
        {
            if (plan.StateFileExists)
            {
                _client.Observer.Verbose($"Keeping the state file {plan.StatePath}: it names resources that were left alone.");
            }
        }
        else if (File.Exists(plan.StatePath))
        {
            _client.Observer.Verbose($"Deleting the state file {plan.StatePath}.");
            ClusterStateFile.Delete(plan.StatePath);
        }
    }

    // The cluster's tag: the one the state file records when it is named after the cluster, else the one with its name.
    private async Task<string?> FindTagAsync(ClusterRemovalPlan plan, ClusterState? state, CancellationToken cancellationToken)
    {
        if (state?.TagId is not { } recorded)
        {
            return (await _client.FindTagsByNameAsync(plan.Name, cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.TagId;
        }

        var tag = (await _client.DescribeTagsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false)).FirstOrDefault(t => t.TagId == recorded);
        if (tag is not null && ClusterOwnership.WhyNotOwned(tag.TagName, null, plan.Name, recorded) is { } why)
        {
            plan.NotOwned.Add(new NotOwnedResource("tag", tag.TagId, tag.TagName, why));
            return null;
        }

        return recorded;
    }

    // A recorded id counts only when the load balancer is provably ours. Without a state file, or when the state file
    // records no id (a run stopped between create and the state write), the one with the cluster's name and tag counts;
    // an untagged one with the name is reported, never deleted (New-HaCluster adopts and tags it).
    private async Task<(LoadBalancer? Lb, bool RecordedIsOurs)> FindLoadBalancerAsync(ClusterRemovalPlan plan, LoadBalancerState? section, string name, string? tagId, CancellationToken cancellationToken)
    {
        if (section?.LoadBalancerId is { } recordedId)
        {
            var byId = (await _client.DescribeLoadBalancersAsync(new[] { recordedId }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(l => LiveLoadBalancerStatuses.Contains(l.Status));
            if (byId is null)
            {
                return (null, true);
            }

            var why = section.LoadBalancerName is { } recordedName && recordedName != name
                ? $"the state file records the name '{recordedName}', not '{name}'"
                : ClusterOwnership.WhyNotOwned(byId.LoadBalancerName, byId.Tags, name, tagId);
            if (why is null)
            {
                return (byId, true);
            }

            plan.NotOwned.Add(new NotOwnedResource("loadbalancer", byId.LoadBalancerId, byId.LoadBalancerName, why));
            return (null, false);
        }

        var named = await _client.FindLoadBalancersByNameAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ours = named.FirstOrDefault(l => ClusterOwnership.WhyNotOwned(l.LoadBalancerName, l.Tags, name, tagId) is null);
        foreach (var other in named.Where(l => l != ours && l.Tags.Count == 0))
        {
            plan.NotOwned.Add(new NotOwnedResource("loadbalancer", other.LoadBalancerId, other.LoadBalancerName, "it carries no tag of the cluster (a run stopped between creating and tagging it leaves one: run New-HaCluster again to adopt it)"));
        }

        return (ours, true);
    }

    // The path's own group: recorded as created in the state file, else named after the load balancer and carrying the tag.
    private async Task<SecurityGroup?> FindSecurityGroupAsync(ClusterRemovalPlan plan, LoadBalancerState? section, string name, string? tagId, CancellationToken cancellationToken)
    {
        if (section is { SecurityGroupCreated: true, SecurityGroupId: { } recorded })
        {
            var byId = (await _client.DescribeSecurityGroupsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(g => g.SecurityGroupId == recorded);
            if (byId is not null)
            {
                // The same proof as every other kind: the cluster's tag and name (never the account's default group).
                var why = byId.IsDefault ? "it is the account's default group" : ClusterOwnership.WhyNotOwned(byId.SecurityGroupName, byId.Tags, name, tagId);
                if (why is null)
                {
                    return byId;
                }

                plan.NotOwned.Add(new NotOwnedResource("security_group", byId.SecurityGroupId, byId.SecurityGroupName, why));
                return null;
            }
        }

        var named = await _client.FindSecurityGroupsByNameAsync(name, cancellationToken).ConfigureAwait(false);
        return named.FirstOrDefault(g => !g.IsDefault && ClusterOwnership.WhyNotOwned(g.SecurityGroupName, g.Tags, name, tagId) is null);
    }

    private Task DeleteSecurityGroupAsync(SecurityGroup group, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Deleting security group {group.SecurityGroupId} ({group.SecurityGroupName}).");
        return DeleteVerifiedAsync(
            $"security group {group.SecurityGroupId}",
            ct => _client.DeleteSecurityGroupsAsync(new[] { group.SecurityGroupId }, ct),
            IsNotFound,
            async ct => (await _client.DescribeSecurityGroupsAsync(new[] { group.SecurityGroupId }, cancellationToken: ct).ConfigureAwait(false)).Any(g => g.SecurityGroupId == group.SecurityGroupId),
            cancellationToken);
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

        // A rule cannot carry a tag: its name is the proof. A recorded id of a rule with another name is not ours.
        if (recordedRuleId is not null && rules.FirstOrDefault(r => r.SecurityGroupRuleId == recordedRuleId) is { } recorded
            && ClusterOwnership.WhyNotOwned(recorded.SecurityGroupRuleName, null, ruleName, null) is { } why)
        {
            plan.NotOwned.Add(new NotOwnedResource("firewall rule", recorded.SecurityGroupRuleId, recorded.SecurityGroupRuleName, why));
        }

        var ours = rules.Where(r => r.SecurityGroupRuleName == ruleName).Select(r => r.SecurityGroupRuleId).ToList();
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

    private Task DeleteTagAsync(Tag tag, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Deleting tag '{tag.TagName}' ({tag.TagId}).");
        return DeleteVerifiedAsync(
            $"tag {tag.TagId}",
            ct => _client.DeleteTagsAsync(new[] { tag.TagId }, ct),
            IsNotFound,
            async ct => (await _client.DescribeTagsAsync(new[] { tag.TagId }, cancellationToken: ct).ConfigureAwait(false)).Any(t => t.TagId == tag.TagId),
            cancellationToken);
    }

    private async Task<Eip?> FindEipAsync(ClusterRemovalPlan plan, ClusterState? state, string name, string? tagId, CancellationToken cancellationToken)
    {
        var eipName = ClusterNames.Eip(name);
        if (state?.External.EipId is { } recorded)
        {
            Eip? byId = null;
            try
            {
                byId = (await _client.DescribeEipsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false))
                    .FirstOrDefault(e => e.Status is not ("released" or "ceased"));
            }
            catch (QingCloudApiException ex) when (ex.RetCode == 2100)
            {
            }

            if (byId is not null && ClusterOwnership.WhyNotOwned(byId.EipName, byId.Tags, eipName, tagId) is { } why)
            {
                plan.NotOwned.Add(new NotOwnedResource("eip", byId.EipId, byId.EipName, why));
                return null;
            }

            return byId;
        }

        var named = await _client.FindEipsByNameAsync(eipName, cancellationToken).ConfigureAwait(false);
        return named.FirstOrDefault(e => ClusterOwnership.WhyNotOwned(e.EipName, e.Tags, eipName, tagId) is null);
    }

    private async Task DeleteRulesAsync(string groupId, IReadOnlyList<string> ruleIds, WaitOptions wait, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Deleting firewall rule(s) {string.Join(", ", ruleIds)} of security group {groupId}.");
        await DeleteVerifiedAsync(
            $"firewall rule(s) {string.Join(", ", ruleIds)}",
            ct => _client.DeleteSecurityGroupRulesAsync(ruleIds, ct),
            IsNotFound,
            async ct => (await _client.DescribeSecurityGroupRulesAsync(groupId, ruleIds, cancellationToken: ct).ConfigureAwait(false)).Count > 0,
            cancellationToken).ConfigureAwait(false);

        var job = await _client.ApplySecurityGroupAsync(groupId, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
        await _client.WaitForSecurityGroupAppliedAsync(groupId, wait, cancellationToken).ConfigureAwait(false);
    }

    // A lost answer to DeleteLoadBalancers: the retry meets "already deleting" or "not found". Waiting for the outcome
    // is the check: it ends when they are deleted, or fails.
    private Task DeleteLoadBalancersAsync(IReadOnlyList<string> ids, WaitOptions wait, CancellationToken cancellationToken) =>
        DeleteVerifiedAsync(
            $"load balancer(s) {string.Join(", ", ids)}",
            ct => new LoadBalancerService(_client).DeleteAsync(ids, wait: wait, cancellationToken: ct),
            ex => ex.ErrorId is "QcLoadBalancerDeleted" or "QcLoadBalancerNotFound",
            async ct =>
            {
                await _client.WaitForLoadBalancersAsync(ids, "deleted", wait, ct).ConfigureAwait(false);
                return false;
            },
            cancellationToken);

    private Task ReleaseEipAsync(string eipId, WaitOptions wait, CancellationToken cancellationToken) =>
        DeleteVerifiedAsync(
            $"EIP {eipId}",
            ct => new EipService(_client).ReleaseAsync(new[] { eipId }, force: true, wait: wait, cancellationToken: ct),
            ex => ex.ErrorId == "QcEipNotFound",
            async ct =>
            {
                var left = (await _client.DescribeEipsAsync(status: LiveEipStatuses, cancellationToken: ct).ConfigureAwait(false)).FirstOrDefault(e => e.EipId == eipId);
                if (left is { IsIdle: false })
                {
                    // The lost attempt took effect and the EIP is on its way out ("is [releasing]" to the retry).
                    try
                    {
                        await _client.WaitForEipsAsync(new[] { eipId }, "released", wait, ct).ConfigureAwait(false);
                    }
                    catch (QingCloudApiException api) when (api.RetCode == 2100)
                    {
                        // Gone altogether.
                    }

                    return false;
                }

                return left is not null;
            },
            cancellationToken);

    // ret_code 2100: the resource does not exist (any more).
    private static bool IsNotFound(HaClusterException ex) => ex is QingCloudApiException { RetCode: 2100 };

    /// <summary>
    /// The one home of "delete, and when the outcome is unknown, look": a delete whose reply was lost (ambiguous), or
    /// whose retry met the resource already gone or going (<paramref name="outcomeUnknown"/>), is checked with
    /// <paramref name="stillThere"/> instead of failing the removal; it fails only when the resource is still there.
    /// </summary>
    /// <param name="what">The resource(s), for the Verbose stream.</param>
    /// <param name="delete">The delete call.</param>
    /// <param name="outcomeUnknown">Which failures (besides an ambiguous result) may mean the delete took effect.</param>
    /// <param name="stillThere">Describes again (or waits for the deletion to end); true when the resource is still there.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    private async Task DeleteVerifiedAsync(string what, Func<CancellationToken, Task> delete, Func<HaClusterException, bool> outcomeUnknown, Func<CancellationToken, Task<bool>> stillThere, CancellationToken cancellationToken)
    {
        try
        {
            await delete(cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex is QingCloudAmbiguousResultException || outcomeUnknown(ex))
        {
            _client.Observer.Verbose($"Deletion of {what}: outcome unknown ({ex.Message}); checking it is gone.");
            if (await stillThere(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            _client.Observer.Verbose($"{what} is gone.");
        }
    }
}
