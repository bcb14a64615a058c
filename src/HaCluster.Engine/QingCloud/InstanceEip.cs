// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: InstanceEip (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>The EIP bound to an instance.</summary>
public sealed class InstanceEip
{
    /// <summary>The EIP id.</summary>
    [JsonPropertyName("eip_id")]
    public string EipId { get; set; } = string.Empty;

    /// <summary>The public address.</summary>
    [JsonPropertyName("eip_addr")]
    public string? EipAddr { get; set; }

    /// <summary>Bandwidth in Mbps.</summary>
    [JsonPropertyName("bandwidth")]
    public int Bandwidth { get; set; }

    /// <summary>Returns the EipAddr.</summary>
    /// <returns>The EipAddr.</returns>
    public override string ToString() => EipAddr ?? string.Empty;
}
