// Copyright (c) HaCluster contributors. MIT License.
// Security group (firewall) actions; rule changes need ApplySecurityGroup (reference §4.5).

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Actions;

/// <summary>Create/describe groups, add/describe/delete rules, apply.</summary>
internal static class SecurityGroupActions
{
    private static readonly string[] Protocols = ["tcp", "udp", "icmp", "gre", "esp", "ah", "ipip"];

    /// <summary>Registers the handlers.</summary>
    /// <param name="table">The action table.</param>
    public static void Register(ActionTable table)
    {
        table.Add("CreateSecurityGroup", Create);
        table.Add("DeleteSecurityGroups", Delete);
        table.Add("DescribeSecurityGroups", Describe);
        table.Add("AddSecurityGroupRules", AddRules);
        table.Add("DescribeSecurityGroupRules", DescribeRules);
        table.Add("DeleteSecurityGroupRules", DeleteRules);
        table.Add("ApplySecurityGroup", Apply);
    }

    /// <summary>Creates a group without rules (quota-checked).</summary>
    /// <param name="c">The call.</param>
    /// <param name="name">Group name.</param>
    /// <returns>The group.</returns>
    public static SecurityGroup CreateGroup(ActionContext c, string name)
    {
        // The quota counts the groups you create; the account's default group comes with the zone.
        if (c.State.SecurityGroups.Values.Count(g => g.Zone == c.Zone && !g.IsDefault) >= c.Options.Quotas.SecurityGroups)
        {
            throw ApiException.Quota($"security group quota ({c.Options.Quotas.SecurityGroups}) reached");
        }

        var sg = new SecurityGroup(c.NewIdentity("sg-"))
        {
            Name = name,
            Status = "active",
        };
        c.State.SecurityGroups[sg.Id] = sg;
        return sg;
    }

    private static JsonObject Create(ActionContext c)
    {
        var sg = CreateGroup(c, c.Params.Get("security_group_name") ?? string.Empty);
        return new JsonObject { ["security_group_id"] = sg.Id };
    }

    private static JsonObject Describe(ActionContext c)
    {
        var verbose = Render.Verbose(c);
        var items = Render.Filter(c.State.SecurityGroups.Values, c, "security_groups", statuses: null);
        return Render.Page(items, c, "security_group_set", sg =>
        {
            var json = new JsonObject
            {
                ["security_group_id"] = sg.Id,
                ["security_group_name"] = sg.Name,
                ["description"] = sg.Description,
                ["is_applied"] = sg.IsApplied ? 1 : 0,
                ["is_default"] = sg.IsDefault ? 1 : 0,
                ["create_time"] = Render.Time(sg.CreateTime),
                ["tags"] = Render.TagsOf(c.State, sg.Id),
            };
            if (verbose >= 1)
            {
                json["resources"] = Render.Array(Users(c.State, sg).Select(r => new JsonObject { ["resource_name"] = r.Name, ["resource_type"] = r.Type, ["resource_id"] = r.Id }));
            }

            return json;
        });
    }

    // What a group guards: instances and live load balancers bound to it.
    private static IEnumerable<(string Id, string Name, string Type)> Users(CloudState state, SecurityGroup sg) =>
        state.Instances.Values.Where(i => i.SecurityGroupId == sg.Id).OrderBy(i => i.Seq).Select(i => (i.Id, i.Name, "instance"))
            .Concat(state.LoadBalancers.Values.Where(l => l.SecurityGroupId == sg.Id && CloudState.IsLive(l)).OrderBy(l => l.Seq).Select(l => (l.Id, l.Name, "loadbalancer")));

    // Refused while a resource still uses the group, and for the default group, as the API does.
    private static JsonObject Delete(ActionContext c)
    {
        var groups = c.Params.RequiredList("security_groups").Distinct().Select(id => CloudState.Find(c.State.SecurityGroups, id, c.Zone)).ToList();
        foreach (var sg in groups)
        {
            if (sg.IsDefault)
            {
                throw ApiException.Denied($"security group [{sg.Id}] is the default security group and can not be deleted");
            }

            var users = Users(c.State, sg).Select(u => u.Id).ToList();
            if (users.Count > 0)
            {
                throw ApiException.Denied($"security group [{sg.Id}] is still in use by [{string.Join(", ", users)}]");
            }
        }

        foreach (var sg in groups)
        {
            foreach (var rule in c.State.SecurityGroupRules.Values.Where(r => r.SecurityGroupId == sg.Id).ToList())
            {
                c.State.SecurityGroupRules.Remove(rule.Id);
            }

            c.State.SecurityGroups.Remove(sg.Id);
            c.State.TagPairs.RemoveAll(p => p.ResourceId == sg.Id);
        }

        return new JsonObject { ["security_groups"] = Render.Strings(groups.Select(g => g.Id)) };
    }

    private static JsonObject AddRules(ActionContext c)
    {
        var sgId = c.Params.Required("security_group");
        var specs = c.Params.RequiredObjects("rules");
        var sg = CloudState.Find(c.State.SecurityGroups, sgId, c.Zone);
        var parsed = specs.Select(p =>
        {
            var protocol = p.Required("protocol");
            protocol = p.OneOf("protocol", protocol, Protocols);
            var priority = p.RequiredInt("priority", 0, 100);
            var action = p.OneOf("action", "accept", "accept", "drop");
            var direction = p.Int("direction", 0, 1, 0);
            var (val1, val2) = protocol switch
            {
                "tcp" or "udp" => Range(p, 1, 65535),
                "icmp" => Range(p, 0, 255),
                _ => (p.Get("val1") ?? string.Empty, p.Get("val2") ?? string.Empty),
            };
            var val3 = p.Get("val3") ?? string.Empty;
            if (val3.Length > 0 && !IPAddress.TryParse(val3, out _) && !IPNetwork.TryParse(val3, out _))
            {
                throw ApiException.Invalid("val3", val3, "expected an IP address or CIDR");
            }

            return (Name: p.Get("security_group_rule_name") ?? string.Empty, priority, protocol, action, direction, val1, val2, val3);
        }).ToList();

        var rules = parsed.Select(r => new SecurityGroupRule(c.NewIdentity("sgr-"))
        {
            Name = r.Name,
            SecurityGroupId = sg.Id,
            Priority = r.priority,
            Protocol = r.protocol,
            RuleAction = r.action,
            Direction = r.direction,
            Val1 = r.val1,
            Val2 = r.val2,
            Val3 = r.val3,
        }).ToList();
        rules.ForEach(r => c.State.SecurityGroupRules[r.Id] = r);
        Touch(sg);
        return new JsonObject { ["security_group_rules"] = Render.Strings(rules.Select(r => r.Id)) };
    }

    // tcp/udp ports or icmp type/code: val1 optional, val2 (end) not below val1.
    private static (string Val1, string Val2) Range(ApiParams p, int min, int max)
    {
        var start = p.Int("val1", min, max);
        var end = p.Int("val2", min, max);
        if (end is not null && (start is null || (end < start && max > 255)))
        {
            throw ApiException.Invalid("val2", end.Value.ToString(CultureInfo.InvariantCulture), "needs val1 and, for ports, must not be below it");
        }

        return (start?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, end?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
    }

    private static void Touch(SecurityGroup sg)
    {
        sg.IsApplied = false;
        sg.Version++;
    }

    private static JsonObject DescribeRules(ActionContext c)
    {
        var sgId = c.Params.Get("security_group");
        if (sgId is not null)
        {
            CloudState.Find(c.State.SecurityGroups, sgId, c.Zone);
        }

        // The docs: direction "默认为 0" — without it only inbound rules come back.
        var direction = c.Params.Int("direction", 0, 1, 0);
        var items = Render.Filter(c.State.SecurityGroupRules.Values, c, "security_group_rules", statuses: null)
            .Where(r => (sgId is null || r.SecurityGroupId == sgId) && r.Direction == direction);
        return Render.Page(items, c, "security_group_rule_set", r => new JsonObject
        {
            ["security_group_id"] = r.SecurityGroupId,
            ["security_group_rule_id"] = r.Id,
            ["security_group_rule_name"] = r.Name,
            ["priority"] = r.Priority,
            ["protocol"] = r.Protocol,
            ["action"] = r.RuleAction,
            ["direction"] = r.Direction,
            ["val1"] = r.Val1,
            ["val2"] = r.Val2,
            ["val3"] = r.Val3,
        });
    }

    private static JsonObject DeleteRules(ActionContext c)
    {
        var rules = c.Params.RequiredList("security_group_rules").Distinct().Select(id => CloudState.Find(c.State.SecurityGroupRules, id, c.Zone)).ToList();
        foreach (var r in rules)
        {
            c.State.SecurityGroupRules.Remove(r.Id);
            Touch(c.State.SecurityGroups[r.SecurityGroupId]);
        }

        return new JsonObject { ["security_group_rules"] = Render.Strings(rules.Select(r => r.Id)) };
    }

    private static JsonObject Apply(ActionContext c)
    {
        var sg = CloudState.Find(c.State.SecurityGroups, c.Params.Required("security_group"), c.Zone);
        var instances = c.Params.List("instances").Select(id => CloudState.Find(c.State.Instances, id, c.Zone)).ToList();
        var version = sg.Version;
        IReadOnlyList<string> ruleIds = [.. c.State.SecurityGroupRules.Values.Where(r => r.SecurityGroupId == sg.Id).OrderBy(r => r.Seq).Select(r => r.Id)];
        var job = c.Jobs.Start("ApplySecurityGroup", c.Zone, c.Owner, [sg.Id, .. instances.Select(i => i.Id)],
            _ =>
            {
                lock (c.State.Gate)
                {
                    // Applying a group to instances binds them to it (they leave the group they had).
                    instances.ForEach(i => i.SecurityGroupId = sg.Id);
                    sg.AppliedRuleIds = ruleIds;
                    sg.IsApplied = sg.Version == version;
                }

                return Task.CompletedTask;
            },
            () => { });
        return new JsonObject { ["job_id"] = job.Id };
    }
}
