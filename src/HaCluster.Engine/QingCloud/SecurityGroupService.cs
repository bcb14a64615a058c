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

    /// <summary>Whether an inbound rule lets anyone reach <paramref name="port"/> over <paramref name="protocol"/>.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="protocol"><c>tcp</c> or <c>udp</c>.</param>
    /// <param name="port">The port.</param>
    /// <returns>True when the rule matches every source on that port (whether it accepts or drops).</returns>
    public static bool Matches(SecurityGroupRule rule, string protocol, int port)
    {
        if (rule is null || rule.Direction != 0 || !string.Equals(rule.Protocol, protocol, StringComparison.OrdinalIgnoreCase)
            || !(string.IsNullOrEmpty(rule.Val3) || rule.Val3 == "0.0.0.0/0"))
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
        var id = group.SecurityGroupId;
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

        _client.Observer.Verbose($"Applying security group {id}.");
        var job = await _client.ApplySecurityGroupAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!noWait)
        {
            await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
            await _client.WaitForSecurityGroupAppliedAsync(id, wait, cancellationToken).ConfigureAwait(false);
        }

        var all = await _client.DescribeSecurityGroupRulesAsync(id, ruleIds, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ruleIds.Select(r => all.First(x => x.SecurityGroupRuleId == r)).ToList();
    }

    /// <summary>
    /// Makes the group admit inbound <paramref name="protocol"/> traffic to <paramref name="port"/> from anywhere. When the
    /// best-priority rule matching the port already accepts, nothing changes; otherwise an accepting rule is added (ahead
    /// of a matching drop rule when possible) and the group is applied.
    /// </summary>
    /// <param name="securityGroupId">The group.</param>
    /// <param name="port">The port.</param>
    /// <param name="protocol"><c>tcp</c> (default) or <c>udp</c>.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new rule, or null when the port was already open.</returns>
    public async Task<SecurityGroupRule?> OpenPortAsync(string securityGroupId, int port, string protocol = "tcp", WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var rules = await _client.DescribeSecurityGroupRulesAsync(securityGroupId, direction: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
        var best = rules.Where(r => Matches(r, protocol, port)).OrderBy(r => r.Priority).FirstOrDefault();
        if (best?.Action == "accept")
        {
            _client.Observer.Verbose($"Security group {securityGroupId} already admits {protocol} port {port} (rule {best.SecurityGroupRuleId}).");
            return null;
        }

        var spec = new SecurityGroupRuleSpec
        {
            Protocol = protocol,
            Priority = best is null ? 1 : Math.Max(0, Math.Min(1, best.Priority - 1)),
            Action = "accept",
            Val1 = port.ToString(CultureInfo.InvariantCulture),
            Name = $"{protocol}-{port.ToString(CultureInfo.InvariantCulture)}",
        };
        return (await AddRulesAsync(securityGroupId, new[] { spec }, wait: wait, cancellationToken: cancellationToken).ConfigureAwait(false))[0];
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
