// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: VxNet (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A QingCloud private network (DescribeVxnets item).</summary>
public sealed class VxNet
{
    private string? _ipNetwork;

    /// <summary>The VxNet id, <c>vxnet-xxxxxxx</c>.</summary>
    [JsonPropertyName("vxnet_id")]
    public string VxNetId { get; set; } = string.Empty;

    /// <summary>The VxNet name.</summary>
    [JsonPropertyName("vxnet_name")]
    public string VxNetName { get; set; } = string.Empty;

    /// <summary>1 managed, 0 self-managed.</summary>
    [JsonPropertyName("vxnet_type")]
    public int VxNetType { get; set; }

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>The VxNet's CIDR: as reported on the VxNet itself, otherwise its router's.</summary>
    [JsonPropertyName("ip_network")]
    public string? IpNetwork
    {
        get => string.IsNullOrEmpty(_ipNetwork) ? Router?.IpNetwork : _ipNetwork;
        set => _ipNetwork = value;
    }

    /// <summary>The router and its address range (managed VxNets).</summary>
    [JsonPropertyName("router")]
    public VxNetRouter? Router { get; set; }

    /// <summary>Instances in the VxNet (verbose describe only).</summary>
    [JsonPropertyName("instance_ids")]
    public IReadOnlyList<string> InstanceIds { get; set; } = Array.Empty<string>();

    /// <summary>Free addresses.</summary>
    [JsonPropertyName("available_ip_count")]
    public int AvailableIpCount { get; set; }

    /// <summary>The owner.</summary>
    [JsonPropertyName("owner")]
    public string? Owner { get; set; }

    /// <summary>The zone.</summary>
    [JsonPropertyName("zone_id")]
    public string? ZoneId { get; set; }

    /// <summary>The tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<Tag> Tags { get; set; } = Array.Empty<Tag>();

    /// <summary>When the VxNet was created (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>Returns the VxNetId.</summary>
    /// <returns>The VxNetId.</returns>
    public override string ToString() => VxNetId ?? string.Empty;
}
