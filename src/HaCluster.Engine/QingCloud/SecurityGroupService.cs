// Copyright (c) HaCluster contributors. MIT License.
// Security-group rules: add, apply and wait; open a listener port only when no rule admits it yet.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Firewall changes as the official tooling makes them: AddSecurityGroupRules, then ApplySecurityGroup, then wait for
/// the job and for <c>is_applied</c> (reference §7.1). This is what the tutorial's "check the firewall rules" note asks for.
/// </summary>
public sealed class SecurityGroupService
{
    private readonly QingCloudClient _client;
    private readonly ResourceLookup _lookup;

    /// <summary>Creates the service.</summary>
    /// <param name="client">The client to call QingCloud with.</param>
    public SecurityGroupService(QingCloudClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _lookup = new ResourceLookup(client);
    }

    /// <summary>ErrorId when a change would widen the account's default security group, which instances share.</summary>
    public const string DefaultGroupErrorId = "QcDefaultSecurityGroupShared";

    /// <summary>The source meaning "anyone".</summary>
    public const string Anywhere = "0.0.0.0/0";

    /// <summary>
    /// Whether an inbound rule covers <paramref name="port"/> over <paramref name="protocol"/> for traffic from
    /// <paramref name="source"/> (null: from any source the rule names).
    /// </summary>
    /// <param name="rule">The rule.</param>
    /// <param name="protocol"><c>tcp</c> or <c>udp</c>.</param>
    /// <param name="port">The port.</param>
    /// <param name="source">A CIDR or address; <see cref="Anywhere"/> is matched only by unrestricted rules; null matches any source.</param>
    /// <returns>True when the rule decides that traffic (whether it accepts or drops it).</returns>
    public static bool Matches(SecurityGroupRule rule, string protocol, int port, string? source = Anywhere)
    {
        if (rule is null || rule.Direction != 0 || !string.Equals(rule.Protocol, protocol, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var unrestricted = string.IsNullOrEmpty(rule.Val3) || rule.Val3 == Anywhere;
        if (source is not null && !unrestricted && rule.Val3 != source)
        {
            return false;
        }

        if (!int.TryParse(rule.Val1, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
        {
            return string.IsNullOrEmpty(rule.Val1); // no port given: every port
        }

        var last = int.TryParse(rule.Val2, NumberStyles.None, CultureInfo.InvariantCulture, out var end) ? end : first;
        return port >= first && port <= last;
    }

    /// <summary>
    /// The rule that decides inbound <paramref name="protocol"/>/<paramref name="port"/> traffic from
    /// <paramref name="source"/>: the matching rule with the best (lowest) priority, or null when none matches.
    /// </summary>
    /// <param name="rules">The group's rules.</param>
    /// <param name="protocol"><c>tcp</c> or <c>udp</c>.</param>
    /// <param name="port">The port.</param>
    /// <param name="source">As for <see cref="Matches"/>.</param>
    /// <returns>The deciding rule.</returns>
    public static SecurityGroupRule? Deciding(IEnumerable<SecurityGroupRule> rules, string protocol, int port, string? source = Anywhere) =>
        rules.Where(r => Matches(r, protocol, port, source)).OrderBy(r => r.Priority).FirstOrDefault();

    /// <summary>
    /// The rules to add so that a group with <paramref name="rules"/> admits <paramref name="protocol"/>/<paramref name="port"/>
    /// from every source: none for a source whose deciding rule already accepts; otherwise an accepting rule one priority
    /// ahead of the rule that drops it (priority 1 when nothing matches). The one place firewall rules are shaped.
    /// </summary>
    /// <param name="rules">The group's inbound rules.</param>
    /// <param name="protocol"><c>tcp</c> or <c>udp</c>.</param>
    /// <param name="port">The port.</param>
    /// <param name="sources">CIDRs or addresses (<see cref="Anywhere"/> for everyone).</param>
    /// <param name="name">The rules' name (so the module can tell them from rules it did not add).</param>
    /// <returns>The missing rules.</returns>
    public static IReadOnlyList<SecurityGroupRuleSpec> MissingRules(IEnumerable<SecurityGroupRule> rules, string protocol, int port, IEnumerable<string> sources, string name)
    {
        var present = rules.ToList();
        var missing = new List<SecurityGroupRuleSpec>();
        foreach (var source in sources.Distinct(StringComparer.Ordinal))
        {
            var deciding = Deciding(present, protocol, port, source);
            if (deciding?.Action == "accept")
            {
                continue;
            }

            missing.Add(new SecurityGroupRuleSpec
            {
                Name = name,
                Protocol = protocol,
                Action = "accept",
                Priority = deciding is null ? 1 : Math.Max(0, deciding.Priority - 1),
                Val1 = port.ToString(CultureInfo.InvariantCulture),
                Val3 = source == Anywhere ? null : source,
            });
        }

        return missing;
    }

    /// <summary>
    /// Refuses to change the account's default security group (<c>is_default=1</c>): instances share it, so a rule added
    /// there opens the port on every one of them. The error names those instances and the way out.
    /// </summary>
    /// <param name="group">The group, described with <c>verbose=1</c> so its resources are known.</param>
    /// <param name="port">The port that was to be opened.</param>
    /// <exception cref="HaClusterException"><see cref="DefaultGroupErrorId"/>.</exception>
    public static void RefuseDefaultGroup(SecurityGroup group, int port)
    {
        if (group is not { IsDefault: true })
        {
            return;
        }

        var instances = group.Resources.Where(r => r.ResourceType == "instance").Select(r => string.IsNullOrEmpty(r.ResourceName) ? r.ResourceId : $"{r.ResourceId} ({r.ResourceName})").ToList();
        var sharing = instances.Count == 0 ? "the instances that use it" : "instances " + string.Join(", ", instances);
        throw new HaClusterException(
            DefaultGroupErrorId,
            FailureKind.InvalidOperation,
            $"Security group {group.SecurityGroupId} ('{group.SecurityGroupName}') is the account's default security group, shared with {sharing}; opening port {port.ToString(CultureInfo.InvariantCulture)} there would open it on all of them. Create a group for the load balancer (New-QcSecurityGroup) and create the load balancer in it (New-QcLoadBalancer -SecurityGroup).",
            group.SecurityGroupId);
    }

    /// <summary>
    /// Makes a group admit inbound <paramref name="protocol"/> traffic to <paramref name="port"/> from every source in
    /// <paramref name="sources"/> (see <see cref="MissingRules"/>), applies it and waits; applies a group left unapplied
    /// even when no rule is missing. Never changes the account's default group.
    /// </summary>
    /// <param name="securityGroupId">The group.</param>
    /// <param name="port">The port.</param>
    /// <param name="sources">CIDRs or addresses (<see cref="Anywhere"/> for everyone).</param>
    /// <param name="ruleName">The name of the rules added.</param>
    /// <param name="protocol"><c>tcp</c> (default) or <c>udp</c>.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The rules that admit the port now (added or already there).</returns>
    /// <exception cref="HaClusterException"><see cref="DefaultGroupErrorId"/>, <c>QcInvalidRuleSource</c>, …</exception>
    public async Task<IReadOnlyList<SecurityGroupRule>> AdmitAsync(string securityGroupId, int port, IEnumerable<string> sources, string ruleName, string protocol = "tcp", WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var from = sources.ToList();
        var group = (await _client.DescribeSecurityGroupsAsync(new[] { securityGroupId }, verbose: true, cancellationToken: cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new HaClusterException("QcSecurityGroupNotFound", FailureKind.ObjectNotFound, $"Security group '{securityGroupId}' does not exist.", securityGroupId);
        RefuseDefaultGroup(group, port);
        var rules = await _client.DescribeSecurityGroupRulesAsync(securityGroupId, direction: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        var missing = MissingRules(rules, protocol, port, from, ruleName);
        if (missing.Count > 0)
        {
            // The rules described above plus the ones just added (and read back): the group's inbound rules now.
            rules = rules.Concat(await AddRulesAsync(group.SecurityGroupId, missing.ToList(), noWait: false, wait, readBack: true, cancellationToken).ConfigureAwait(false)).ToList();
        }
        else if (!group.IsApplied)
        {
            // A run stopped between AddSecurityGroupRules and ApplySecurityGroup left the rules unapplied.
            await ApplyAsync(securityGroupId, wait, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _client.Observer.Verbose($"Security group {securityGroupId} already admits {protocol} port {port} from {string.Join(", ", from)}.");
        }

        return from.Select(source => Deciding(rules, protocol, port, source)).OfType<SecurityGroupRule>().Distinct().ToList();
    }

    /// <summary>
    /// <see cref="AdmitAsync"/> for a group the caller created a moment ago (New-HaCluster's path): CreateSecurityGroup
    /// makes a group that is not the default one and has no rules (reference §4), so neither is described first, and
    /// the added rules are returned as sent rather than read back.
    /// </summary>
    /// <param name="securityGroupId">The new group.</param>
    /// <param name="port">The port.</param>
    /// <param name="sources">CIDRs or addresses (<see cref="Anywhere"/> for everyone).</param>
    /// <param name="ruleName">The name of the rules added.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The rules that admit the port.</returns>
    internal async Task<IReadOnlyList<SecurityGroupRule>> AdmitInNewGroupAsync(string securityGroupId, int port, IEnumerable<string> sources, string ruleName, WaitOptions? wait, CancellationToken cancellationToken)
    {
        var missing = MissingRules(Array.Empty<SecurityGroupRule>(), "tcp", port, sources, ruleName).ToList();
        return await AddRulesAsync(securityGroupId, missing, noWait: false, wait, readBack: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the group admit inbound <paramref name="protocol"/> traffic to <paramref name="port"/> from anywhere
    /// (<see cref="AdmitAsync"/>); refuses the account's default group.
    /// </summary>
    /// <param name="securityGroupId">The group.</param>
    /// <param name="port">The port.</param>
    /// <param name="protocol"><c>tcp</c> (default) or <c>udp</c>.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The rule that admits the port.</returns>
    public async Task<SecurityGroupRule?> OpenPortAsync(string securityGroupId, int port, string protocol = "tcp", WaitOptions? wait = null, CancellationToken cancellationToken = default) =>
        (await AdmitAsync(securityGroupId, port, new[] { Anywhere }, $"{protocol}-{port.ToString(CultureInfo.InvariantCulture)}", protocol, wait, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// Creates an empty security group (CreateSecurityGroup; nothing is admitted until rules are added). A name a group
    /// already has is refused, so a group is never made twice; an unknown outcome is settled by looking the name up.
    /// </summary>
    /// <param name="name">The group's name.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new group.</returns>
    /// <exception cref="HaClusterException"><c>QcSecurityGroupExists</c>.</exception>
    public async Task<SecurityGroup> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A security group needs a name.", nameof(name));
        }

        if ((await _client.FindSecurityGroupsByNameAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault() is { } taken)
        {
            throw new HaClusterException("QcSecurityGroupExists", FailureKind.ResourceExists, $"Security group '{name}' already exists ({taken.SecurityGroupId}).", name);
        }

        _client.Observer.Verbose($"Creating security group '{name}'.");
        var id = await _client.CreateOnceAsync(
            $"security group '{name}'",
            ct => _client.CreateSecurityGroupAsync(name, ct),
            async ct => (await _client.FindSecurityGroupsByNameAsync(name, ct).ConfigureAwait(false)).FirstOrDefault()?.SecurityGroupId,
            cancellationToken).ConfigureAwait(false);
        return (await _client.DescribeSecurityGroupsAsync(new[] { id }, cancellationToken: cancellationToken).ConfigureAwait(false)).First(g => g.SecurityGroupId == id);
    }

    /// <summary>
    /// Deletes security groups (DeleteSecurityGroups, one call). Refused before anything is deleted for the account's
    /// default group (<c>QcSecurityGroupIsDefault</c>) and for a group that still guards instances or load balancers
    /// (<c>QcSecurityGroupInUse</c>, naming them).
    /// </summary>
    /// <param name="securityGroups">Ids or names.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The groups as described just before the deletion.</returns>
    public async Task<IReadOnlyList<SecurityGroup>> DeleteAsync(IEnumerable<string> securityGroups, CancellationToken cancellationToken = default)
    {
        var wanted = securityGroups.ToList();
        var all = await _client.DescribeSecurityGroupsAsync(verbose: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var groups = new List<SecurityGroup>();
        foreach (var idOrName in wanted)
        {
            var matches = all.Where(g => g.SecurityGroupId == idOrName || g.SecurityGroupName == idOrName).ToList();
            if (matches.Count != 1)
            {
                throw new HaClusterException(matches.Count == 0 ? "QcSecurityGroupNotFound" : "QcSecurityGroupAmbiguous", matches.Count == 0 ? FailureKind.ObjectNotFound : FailureKind.InvalidArgument, matches.Count == 0 ? $"Security group '{idOrName}' does not exist." : $"{matches.Count} security groups are named '{idOrName}'; give the id.", idOrName);
            }

            var group = matches[0];
            if (group.IsDefault)
            {
                throw new HaClusterException("QcSecurityGroupIsDefault", FailureKind.InvalidOperation, $"Security group {group.SecurityGroupId} is the account's default security group; it cannot be deleted.", group.SecurityGroupId);
            }

            if (group.Resources.Count > 0)
            {
                throw new HaClusterException("QcSecurityGroupInUse", FailureKind.InvalidOperation, $"Security group {group.SecurityGroupId} ('{group.SecurityGroupName}') still guards {string.Join(", ", group.Resources.Select(r => $"{r.ResourceType} {r.ResourceId}"))}; remove those first.", group.SecurityGroupId);
            }

            groups.Add(group);
        }

        _client.Observer.Verbose($"Deleting security group(s) {string.Join(", ", groups.Select(g => g.SecurityGroupId))}.");
        await _client.DeleteSecurityGroupsAsync(groups.Select(g => g.SecurityGroupId).Distinct(), cancellationToken).ConfigureAwait(false);
        return groups;
    }

    /// <summary>Adds rules to a group, applies the group and (unless <paramref name="noWait"/>) waits until it is applied.</summary>
    /// <param name="securityGroup">The group's id or name.</param>
    /// <param name="rules">The rules.</param>
    /// <param name="noWait">Return right after ApplySecurityGroup.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new rules.</returns>
    /// <exception cref="HaClusterException">
    /// Nothing is added when: a rule is invalid (<c>QingCloudInvalidRuleProtocol</c>, <c>QingCloudInvalidRulePriority</c>,
    /// <c>QcInvalidRulePort</c>, <c>QcInvalidRuleSource</c>, …) or <c>QcSecurityGroupNotFound</c>.
    /// </exception>
    public async Task<IReadOnlyList<SecurityGroupRule>> AddRulesAsync(string securityGroup, IEnumerable<SecurityGroupRuleSpec> rules, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var list = (rules ?? throw new ArgumentNullException(nameof(rules))).ToList();
        list.ForEach(Validate);
        var group = await _lookup.SecurityGroupAsync(securityGroup, cancellationToken).ConfigureAwait(false);
        return await AddRulesAsync(group.SecurityGroupId, list, noWait, wait, readBack: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies a group (ApplySecurityGroup), then waits for the job and for <c>is_applied</c>.</summary>
    /// <param name="securityGroupId">The group.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task.</returns>
    public async Task ApplyAsync(string securityGroupId, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        _client.Observer.Verbose($"Applying security group {securityGroupId}.");
        var job = await _client.ApplySecurityGroupAsync(securityGroupId, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
        await _client.WaitForSecurityGroupAppliedAsync(securityGroupId, wait, cancellationToken).ConfigureAwait(false);
    }

    // readBack: describe the added rules (as QingCloud stored them); false returns them as sent, with their new ids.
    private async Task<IReadOnlyList<SecurityGroupRule>> AddRulesAsync(string id, List<SecurityGroupRuleSpec> list, bool noWait, WaitOptions? wait, bool readBack, CancellationToken cancellationToken)
    {
        list.ForEach(Validate);
        _client.Observer.Verbose($"Adding {list.Count} rule(s) to security group {id}: {string.Join(", ", list.Select(Describe))}.");
        var ruleIds = await _client.CreateOnceAsync<IReadOnlyList<string>>(
            $"{list.Count} rule(s) of security group {id}",
            ct => _client.AddSecurityGroupRulesAsync(id, list, ct),
            async ct =>
            {
                var present = await _client.DescribeSecurityGroupRulesAsync(id, cancellationToken: ct).ConfigureAwait(false);
                var found = list.Select(s => present.FirstOrDefault(r => SameRule(r, s))?.SecurityGroupRuleId).ToList();
                return found.All(f => f is not null) ? found.Select(f => f!).ToList() : null;
            },
            cancellationToken).ConfigureAwait(false);

        if (noWait)
        {
            _client.Observer.Verbose($"Applying security group {id}.");
            await _client.ApplySecurityGroupAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ApplyAsync(id, wait, cancellationToken).ConfigureAwait(false);
        }

        if (!readBack)
        {
            return ruleIds.Select((ruleId, i) => new SecurityGroupRule
            {
                SecurityGroupRuleId = ruleId,
                SecurityGroupRuleName = list[i].Name,
                SecurityGroupId = id,
                Priority = list[i].Priority,
                Protocol = list[i].Protocol,
                Action = list[i].Action,
                Direction = list[i].Direction,
                Val1 = list[i].Val1,
                Val2 = list[i].Val2,
                Val3 = list[i].Val3,
            }).ToList();
        }

        var directions = list.Select(r => r.Direction).Distinct().ToList();
        var all = await _client.DescribeSecurityGroupRulesAsync(id, ruleIds, directions.Count == 1 ? directions[0] : null, cancellationToken).ConfigureAwait(false);
        return ruleIds.Select(r => all.First(x => x.SecurityGroupRuleId == r)).ToList();
    }

    private static string Describe(SecurityGroupRuleSpec r) =>
        $"{r.Action} {r.Protocol} {r.Val1}{(string.IsNullOrEmpty(r.Val2) ? string.Empty : "-" + r.Val2)} from {(string.IsNullOrEmpty(r.Val3) ? "anywhere" : r.Val3)} (priority {r.Priority})";

    private static bool SameRule(SecurityGroupRule r, SecurityGroupRuleSpec s) =>
        r.Protocol == s.Protocol && r.Priority == s.Priority && r.Action == s.Action && r.Direction == s.Direction
        && (r.Val1 ?? string.Empty) == (s.Val1 ?? string.Empty) && (r.Val2 ?? string.Empty) == (s.Val2 ?? string.Empty) && (r.Val3 ?? string.Empty) == (s.Val3 ?? string.Empty);

    private static void Validate(SecurityGroupRuleSpec rule)
    {
        rule.WriteTo(new QingCloudParameters());
        if (rule.Protocol is "tcp" or "udp" && !string.IsNullOrEmpty(rule.Val1))
        {
            var ok = int.TryParse(rule.Val1, NumberStyles.None, CultureInfo.InvariantCulture, out var first) && first is >= 1 and <= 65535;
            var last = first;
            ok &= string.IsNullOrEmpty(rule.Val2) || (int.TryParse(rule.Val2, NumberStyles.None, CultureInfo.InvariantCulture, out last) && last >= first && last <= 65535);
            if (!ok)
            {
                var range = string.IsNullOrEmpty(rule.Val2) ? rule.Val1 : rule.Val1 + "-" + rule.Val2;
                throw new HaClusterException("QcInvalidRulePort", FailureKind.InvalidArgument, $"Port range '{range}' is not within 1-65535 with the first port not above the last.", range);
            }
        }

        if (!string.IsNullOrEmpty(rule.Val3) && !Cidr.TryParse(rule.Val3, out _, out _))
        {
            throw new HaClusterException("QcInvalidRuleSource", FailureKind.InvalidArgument, $"Source '{rule.Val3}' is not an IP address or CIDR.", rule.Val3);
        }
    }
}
