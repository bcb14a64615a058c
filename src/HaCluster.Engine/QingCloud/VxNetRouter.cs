// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: VxNetRouter (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>The router a VxNet is attached to, with its address range.</summary>
public sealed class VxNetRouter
{
    /// <summary>The router id.</summary>
    [JsonPropertyName("router_id")]
    public string RouterId { get; set; } = string.Empty;

    /// <summary>The router name.</summary>
    [JsonPropertyName("router_name")]
    public string? RouterName { get; set; }

    /// <summary>The router's address in the VxNet.</summary>
    [JsonPropertyName("manager_ip")]
    public string? ManagerIp { get; set; }

    /// <summary>The VxNet's CIDR, e.g. <c>192.168.0.0/24</c>.</summary>
    [JsonPropertyName("ip_network")]
    public string? IpNetwork { get; set; }

    /// <summary>First DHCP address.</summary>
    [JsonPropertyName("dyn_ip_start")]
    public string? DynIpStart { get; set; }

    /// <summary>Last DHCP address.</summary>
    [JsonPropertyName("dyn_ip_end")]
    public string? DynIpEnd { get; set; }

    /// <summary>Returns the RouterId.</summary>
    /// <returns>The RouterId.</returns>
    public override string ToString() => RouterId ?? string.Empty;
}
