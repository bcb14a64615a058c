// Copyright (c) HaCluster contributors. MIT License.
// Instances and VxNets: the pre-existing machines and networks from the configuration.

using System.Net;

namespace HaCluster.Emulator.State;

/// <summary>A virtual machine (its status drives the data plane's view of backends).</summary>
internal sealed class Instance : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public Instance(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>VxNet id.</summary>
    public required string VxNetId { get; init; }

    /// <summary>Private IPv4 address.</summary>
    public required string PrivateIp { get; init; }

    /// <summary>Instance type.</summary>
    public required string InstanceType { get; init; }

    /// <summary>vCPUs.</summary>
    public int Vcpus { get; init; }

    /// <summary>Memory, MB.</summary>
    public int MemoryMb { get; init; }

    /// <summary>Its security group: the zone's default group, as for an instance launched without one.</summary>
    public string? SecurityGroupId { get; set; }
}

/// <summary>A private network; internal LB VIPs are allocated from its CIDR.</summary>
internal sealed class VxNet : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public VxNet(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>The CIDR.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public required IPNetwork Network { get; init; }

    /// <summary>The CIDR as configured.</summary>
    public required string IpNetwork { get; init; }

    /// <summary>The VPC router id reported with it.</summary>
    public required string RouterId { get; init; }
}
