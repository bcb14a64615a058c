// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: Eip (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A QingCloud elastic IP (DescribeEips item; also the EIPs of a load balancer).</summary>
public sealed class Eip
{
    /// <summary>The EIP id, <c>eip-xxxxxxxx</c>.</summary>
    [JsonPropertyName("eip_id")]
    public string EipId { get; set; } = string.Empty;

    /// <summary>The EIP name.</summary>
    [JsonPropertyName("eip_name")]
    public string? EipName { get; set; }

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>The public address.</summary>
    [JsonPropertyName("eip_addr")]
    public string? EipAddr { get; set; }

    /// <summary>Bandwidth in Mbps.</summary>
    [JsonPropertyName("bandwidth")]
    public int Bandwidth { get; set; }

    /// <summary><c>bandwidth</c> or <c>traffic</c>.</summary>
    [JsonPropertyName("billing_mode")]
    public string? BillingMode { get; set; }

    /// <summary><c>pending</c>, <c>available</c>, <c>associated</c>, <c>suspended</c>, <c>released</c> or <c>ceased</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>The change in progress (<c>associating</c>, …); empty when idle.</summary>
    [JsonPropertyName("transition_status")]
    public string? TransitionStatus { get; set; }

    /// <summary>0 external, 1 internal.</summary>
    [JsonPropertyName("associate_mode")]
    public int AssociateMode { get; set; }

    /// <summary>1 when an ICP record is required.</summary>
    [JsonPropertyName("need_icp")]
    public int NeedIcp { get; set; }

    /// <summary>The resource the EIP is bound to, if any.</summary>
    [JsonPropertyName("resource")]
    public ResourceReference? Resource { get; set; }

    /// <summary>The tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<Tag> Tags { get; set; } = Array.Empty<Tag>();

    /// <summary>When the EIP was allocated (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>When the status last changed (UTC).</summary>
    [JsonPropertyName("status_time")]
    public DateTime? StatusTime { get; set; }

    /// <summary>True when no change is in progress.</summary>
    [JsonIgnore]
    public bool IsIdle => string.IsNullOrEmpty(TransitionStatus);

    /// <summary>Returns the EipId.</summary>
    /// <returns>The EipId.</returns>
    public override string ToString() => EipId ?? string.Empty;
}
