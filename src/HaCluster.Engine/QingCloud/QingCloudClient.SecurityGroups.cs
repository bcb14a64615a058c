// Copyright (c) HaCluster contributors. MIT License.
// Typed security-group actions.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <content>Security groups and their rules.</content>
public sealed partial class QingCloudClient
{
    /// <summary>CreateSecurityGroup (a new group has no rules). Not repeated after an ambiguous failure: look up with <see cref="FindSecurityGroupsByNameAsync"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new group's id.</returns>
    public async Task<string> CreateSecurityGroupAsync(string name, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("CreateSecurityGroup", new QingCloudParameters().Add("security_group_name", name), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "security_group_id", "CreateSecurityGroup");
    }

    /// <summary>DescribeSecurityGroups, all pages.</summary>
    /// <param name="securityGroupIds">Only these groups.</param>
    /// <param name="searchWord">Matches the id or name.</param>
    /// <param name="tagIds">Only groups with these tags.</param>
    /// <param name="verbose">Include the resources using each group.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The groups.</returns>
    public Task<IReadOnlyList<SecurityGroup>> DescribeSecurityGroupsAsync(IEnumerable<string>? securityGroupIds = null, string? searchWord = null, IEnumerable<string>? tagIds = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<SecurityGroup>(
            "DescribeSecurityGroups",
            new QingCloudParameters().AddList("security_groups", securityGroupIds).Add("search_word", searchWord).AddList("tags", tagIds).Add("verbose", verbose ? 1 : null),
            "security_group_set",
            cancellationToken);

    /// <summary>Security groups whose name is exactly <paramref name="name"/>: the look-up before a create.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matches.</returns>
    public async Task<IReadOnlyList<SecurityGroup>> FindSecurityGroupsByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await FindSecurityGroupsByNamesAsync(new[] { name }, name, cancellationToken).ConfigureAwait(false))[name];

    /// <summary>
    /// <see cref="FindSecurityGroupsByNameAsync"/> for several names in one DescribeSecurityGroups (<c>search_word</c> is a
    /// text every name contains), split by exact name.
    /// </summary>
    /// <param name="names">The names.</param>
    /// <param name="sharedWord">A text every name contains.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>For each name, its groups (possibly none).</returns>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SecurityGroup>>> FindSecurityGroupsByNamesAsync(IReadOnlyCollection<string> names, string sharedWord, CancellationToken cancellationToken = default)
    {
        RequireShared(names, sharedWord);
        var found = await DescribeSecurityGroupsAsync(searchWord: sharedWord, cancellationToken: cancellationToken).ConfigureAwait(false);
        return names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => (IReadOnlyList<SecurityGroup>)found.Where(g => g.SecurityGroupName == n).ToList(), StringComparer.Ordinal);
    }

    /// <summary>AddSecurityGroupRules (then ApplySecurityGroup). Not repeated after an ambiguous failure.</summary>
    /// <param name="securityGroupId">The group.</param>
    /// <param name="rules">The rules.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new rule ids.</returns>
    /// <exception cref="HaClusterException">A rule is invalid (nothing is sent).</exception>
    public async Task<IReadOnlyList<string>> AddSecurityGroupRulesAsync(string securityGroupId, IEnumerable<SecurityGroupRuleSpec> rules, CancellationToken cancellationToken = default)
    {
        var list = rules.ToList();
        QingCloudValidation.Count("QingCloudTooManyRules", "Rules per call", list.Count, 1, 100);
        var reply = await InvokeAsync("AddSecurityGroupRules", new QingCloudParameters().Add("security_group", securityGroupId).AddObjects("rules", list), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        return ReadStringList(reply, "security_group_rules", "AddSecurityGroupRules");
    }

    /// <summary>DescribeSecurityGroupRules, all pages.</summary>
    /// <param name="securityGroupId">Only the rules of this group.</param>
    /// <param name="ruleIds">Only these rules.</param>
    /// <param name="direction">Only this direction (0 inbound, 1 outbound).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rules.</returns>
    /// <remarks>
    /// <c>direction</c> is always sent: the API documents 0 (inbound) as its default, so a call without it may leave
    /// outbound rules out. With <paramref name="direction"/> null both directions are asked for, one call each.
    /// </remarks>
    public async Task<IReadOnlyList<SecurityGroupRule>> DescribeSecurityGroupRulesAsync(string? securityGroupId = null, IEnumerable<string>? ruleIds = null, int? direction = null, CancellationToken cancellationToken = default)
    {
        var ids = ruleIds?.ToList();
        var rules = new List<SecurityGroupRule>();
        foreach (var d in direction is { } only ? new[] { only } : new[] { 0, 1 })
        {
            rules.AddRange(await DescribeAllAsync<SecurityGroupRule>(
                "DescribeSecurityGroupRules",
                new QingCloudParameters().Add("security_group", securityGroupId).AddList("security_group_rules", ids).Add("direction", d),
                "security_group_rule_set",
                cancellationToken).ConfigureAwait(false));
        }

        return rules;
    }

    /// <summary>DeleteSecurityGroups: refused while a group still guards an instance or a load balancer, and for the default group.</summary>
    /// <param name="securityGroupIds">The groups.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task DeleteSecurityGroupsAsync(IEnumerable<string> securityGroupIds, CancellationToken cancellationToken = default) =>
        InvokeAsync("DeleteSecurityGroups", new QingCloudParameters().AddList("security_groups", securityGroupIds), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>DeleteSecurityGroupRules (then ApplySecurityGroup).</summary>
    /// <param name="ruleIds">The rules.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task DeleteSecurityGroupRulesAsync(IEnumerable<string> ruleIds, CancellationToken cancellationToken = default) =>
        InvokeAsync("DeleteSecurityGroupRules", new QingCloudParameters().AddList("security_group_rules", ruleIds), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>ApplySecurityGroup: pushes the rules to the resources using the group (or to the given instances).</summary>
    /// <param name="securityGroupId">The group.</param>
    /// <param name="instanceIds">Apply to these instances; null means every resource already using the group.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> ApplySecurityGroupAsync(string securityGroupId, IEnumerable<string>? instanceIds = null, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("ApplySecurityGroup", new QingCloudParameters().Add("security_group", securityGroupId).AddList("instances", instanceIds), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "ApplySecurityGroup");
    }
}
