// Copyright (c) HaCluster contributors. MIT License.
// EIPs, security groups and their rules.

using System.Collections.Generic;

namespace HaCluster.Emulator.State;

/// <summary>An elastic IP from the configured pool.</summary>
internal sealed class Eip : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public Eip(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>The address.</summary>
    public required string Address { get; init; }

    /// <summary>Mbps.</summary>
    public int Bandwidth { get; set; }

    /// <summary>bandwidth or traffic.</summary>
    public string BillingMode { get; set; } = "bandwidth";

    /// <summary>0 external, 1 internal.</summary>
    public int AssociateMode { get; set; }

    /// <summary>0/1.</summary>
    public int NeedIcp { get; set; }

    /// <summary>The LB it is associated with (or being associated with), null when free.</summary>
    public string? ResourceId { get; set; }
}

/// <summary>A security group (firewall).</summary>
internal sealed class SecurityGroup : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public SecurityGroup(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>1 when rules were applied since the last change.</summary>
    public bool IsApplied { get; set; } = true;

    /// <summary>Whether it is a default group.</summary>
    public bool IsDefault { get; init; }

    /// <summary>Change counter, as for load balancers.</summary>
    public int Version { get; set; }

    /// <summary>Rule ids in force after the last ApplySecurityGroup.</summary>
    public IReadOnlyList<string> AppliedRuleIds { get; set; } = [];
}

/// <summary>A security group rule.</summary>
internal sealed class SecurityGroupRule : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public SecurityGroupRule(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>Owning group.</summary>
    public required string SecurityGroupId { get; init; }

    /// <summary>0-100, lower wins.</summary>
    public required int Priority { get; init; }

    /// <summary>tcp, udp, icmp, gre, esp, ah or ipip.</summary>
    public required string Protocol { get; init; }

    /// <summary>accept or drop.</summary>
    public required string RuleAction { get; init; }

    /// <summary>0 inbound, 1 outbound.</summary>
    public required int Direction { get; init; }

    /// <summary>Start port / ICMP type.</summary>
    public string Val1 { get; init; } = string.Empty;

    /// <summary>End port / ICMP code.</summary>
    public string Val2 { get; init; } = string.Empty;

    /// <summary>Source address or CIDR.</summary>
    public string Val3 { get; init; } = string.Empty;
}
