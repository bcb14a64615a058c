// Copyright (c) HaCluster contributors. MIT License.
// One pre-existing VxNet of the emulator's configuration.

namespace HaCluster.Emulator;

/// <summary>A VxNet that exists from the start (<c>vxnets[]</c>).</summary>
public sealed class EmulatorVxNet
{
    /// <summary>Id (<c>vxnet_id</c>), e.g. <c>vxnet-pn</c>.</summary>
    public string VxNetId { get; set; } = string.Empty;

    /// <summary>Name (<c>vxnet_name</c>).</summary>
    public string VxNetName { get; set; } = string.Empty;

    /// <summary>Zone (<c>zone</c>); defaults to the first configured zone.</summary>
    public string? Zone { get; set; }

    /// <summary>CIDR (<c>ip_network</c>) on loopback, e.g. <c>127.0.0.0/24</c>; internal LB VIPs come from it.</summary>
    public string IpNetwork { get; set; } = string.Empty;
}
