// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: SecurityGroupRule (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>One rule of a security group (DescribeSecurityGroupRules item).</summary>
public sealed class SecurityGroupRule
{
    /// <summary>The rule id, <c>sgr-xxxxxxxx</c>.</summary>
    [JsonPropertyName("security_group_rule_id")]
    public string SecurityGroupRuleId { get; set; } = string.Empty;

    /// <summary>The name.</summary>
    [JsonPropertyName("security_group_rule_name")]
    public string? SecurityGroupRuleName { get; set; }

    /// <summary>The group.</summary>
    [JsonPropertyName("security_group_id")]
    public string? SecurityGroupId { get; set; }

    /// <summary>0-100; a lower number wins.</summary>
    [JsonPropertyName("priority")]
    public int Priority { get; set; }

    /// <summary><c>tcp</c>, <c>udp</c>, <c>icmp</c>, …</summary>
    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    /// <summary><c>accept</c> or <c>drop</c>.</summary>
    [JsonPropertyName("action")]
    public string? Action { get; set; }

    /// <summary>0 inbound, 1 outbound.</summary>
    [JsonPropertyName("direction")]
    public int Direction { get; set; }

    /// <summary>tcp/udp: first port; icmp: type.</summary>
    [JsonPropertyName("val1")]
    public string? Val1 { get; set; }

    /// <summary>tcp/udp: last port; icmp: code.</summary>
    [JsonPropertyName("val2")]
    public string? Val2 { get; set; }

    /// <summary>The source (inbound) or destination address or CIDR.</summary>
    [JsonPropertyName("val3")]
    public string? Val3 { get; set; }

    /// <summary>Returns the SecurityGroupRuleId.</summary>
    /// <returns>The SecurityGroupRuleId.</returns>
    public override string ToString() => SecurityGroupRuleId ?? string.Empty;
}
