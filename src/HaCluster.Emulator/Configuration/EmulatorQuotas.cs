// Copyright (c) HaCluster contributors. MIT License.
// Per-zone resource quotas of the emulator's configuration.

namespace HaCluster.Emulator;

/// <summary>How many live resources of each kind a zone may hold (<c>quotas</c>); more answers 2500.</summary>
public sealed class EmulatorQuotas
{
    /// <summary>Load balancers not deleted (<c>loadbalancers</c>).</summary>
    public int LoadBalancers { get; set; } = 20;

    /// <summary>EIPs not released (<c>eips</c>).</summary>
    public int Eips { get; set; } = 20;

    /// <summary>Security groups (<c>security_groups</c>).</summary>
    public int SecurityGroups { get; set; } = 50;
}
