// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: InstanceVxNet (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>One network interface of an instance.</summary>
public sealed class InstanceVxNet
{
    /// <summary>The VxNet id.</summary>
    [JsonPropertyName("vxnet_id")]
    public string VxNetId { get; set; } = string.Empty;

    /// <summary>The VxNet name.</summary>
    [JsonPropertyName("vxnet_name")]
    public string? VxNetName { get; set; }

    /// <summary>1 managed, 0 self-managed.</summary>
    [JsonPropertyName("vxnet_type")]
    public int VxNetType { get; set; }

    /// <summary>The NIC id (its MAC address).</summary>
    [JsonPropertyName("nic_id")]
    public string? NicId { get; set; }

    /// <summary>The private address; empty while it is being assigned.</summary>
    [JsonPropertyName("private_ip")]
    public string? PrivateIp { get; set; }

    /// <summary>1 for the primary interface.</summary>
    [JsonPropertyName("role")]
    public int Role { get; set; }

    /// <summary>Returns the PrivateIp.</summary>
    /// <returns>The PrivateIp.</returns>
    public override string ToString() => PrivateIp ?? string.Empty;
}
