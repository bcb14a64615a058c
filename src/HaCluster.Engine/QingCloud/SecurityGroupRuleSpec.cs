// Copyright (c) HaCluster contributors. MIT License.
// One rule for AddSecurityGroupRules (reference/qingcloud-api.md §4.5).

namespace HaCluster.Engine.QingCloud;

/// <summary>A security-group rule to add: sent as <c>rules.N.&lt;field&gt;</c>.</summary>
public sealed class SecurityGroupRuleSpec : IQingCloudParameterObject
{
    /// <summary><c>tcp</c> (default), <c>udp</c>, <c>icmp</c>, <c>gre</c>, <c>esp</c>, <c>ah</c> or <c>ipip</c>.</summary>
    public string Protocol { get; set; } = "tcp";

    /// <summary>0-100; a lower number wins (default 1).</summary>
    public int Priority { get; set; } = 1;

    /// <summary><c>accept</c> (default) or <c>drop</c>.</summary>
    public string Action { get; set; } = "accept";

    /// <summary>0 inbound (default), 1 outbound.</summary>
    public int Direction { get; set; }

    /// <summary>tcp/udp: first port; icmp: type.</summary>
    public string? Val1 { get; set; }

    /// <summary>tcp/udp: last port (empty for one port); icmp: code.</summary>
    public string? Val2 { get; set; }

    /// <summary>The source (inbound) or destination address or CIDR.</summary>
    public string? Val3 { get; set; }

    /// <summary>The name.</summary>
    public string? Name { get; set; }

    /// <inheritdoc />
    /// <exception cref="Common.HaClusterException">A value is out of range.</exception>
    public void WriteTo(QingCloudParameters target)
    {
        QingCloudValidation.OneOf("QingCloudInvalidRuleProtocol", "Rule protocol", Protocol, "tcp", "udp", "icmp", "gre", "esp", "ah", "ipip");
        QingCloudValidation.Range("QingCloudInvalidRulePriority", "Rule priority", Priority, 0, 100);
        QingCloudValidation.OneOf("QingCloudInvalidRuleAction", "Rule action", Action, "accept", "drop");
        QingCloudValidation.Range("QingCloudInvalidRuleDirection", "Rule direction", Direction, 0, 1);
        target.Add("protocol", Protocol)
            .Add("priority", Priority)
            .Add("action", Action)
            .Add("direction", Direction)
            .Add("val1", Val1)
            .Add("val2", Val2)
            .Add("val3", Val3)
            .Add("security_group_rule_name", Name);
    }
}
