// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: Instance (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A QingCloud instance (DescribeInstances item).</summary>
public sealed class Instance
{
    /// <summary>The instance id, <c>i-xxxxxxxx</c>.</summary>
    [JsonPropertyName("instance_id")]
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>The instance name.</summary>
    [JsonPropertyName("instance_name")]
    public string InstanceName { get; set; } = string.Empty;

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>The instance type, e.g. <c>c1m2</c>.</summary>
    [JsonPropertyName("instance_type")]
    public string? InstanceType { get; set; }

    /// <summary>Number of vCPUs.</summary>
    [JsonPropertyName("vcpus_current")]
    public int VcpusCurrent { get; set; }

    /// <summary>Memory in MB.</summary>
    [JsonPropertyName("memory_current")]
    public int MemoryCurrent { get; set; }

    /// <summary><c>pending</c>, <c>running</c>, <c>stopped</c>, <c>suspended</c>, <c>terminated</c> or <c>ceased</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = string.Empty;

    /// <summary>The change in progress (<c>starting</c>, <c>stopping</c>, …); empty when idle.</summary>
    [JsonPropertyName("transition_status")]
    public string? TransitionStatus { get; set; }

    /// <summary>The network interfaces.</summary>
    [JsonPropertyName("vxnets")]
    public IReadOnlyList<InstanceVxNet> VxNets { get; set; } = Array.Empty<InstanceVxNet>();

    /// <summary>The bound EIP, if any.</summary>
    [JsonPropertyName("eip")]
    public InstanceEip? Eip { get; set; }

    /// <summary>The tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<Tag> Tags { get; set; } = Array.Empty<Tag>();

    /// <summary>When the instance was created (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>When the status last changed (UTC).</summary>
    [JsonPropertyName("status_time")]
    public DateTime? StatusTime { get; set; }

    /// <summary>The private address of the primary interface (empty while it is being assigned).</summary>
    [JsonIgnore]
    public string? PrivateIp => VxNets.Count == 0 ? null : VxNets[0].PrivateIp;

    /// <summary>The VxNet of the primary interface.</summary>
    [JsonIgnore]
    public string? VxNetId => VxNets.Count == 0 ? null : VxNets[0].VxNetId;

    /// <summary>True when no change is in progress.</summary>
    [JsonIgnore]
    public bool IsIdle => string.IsNullOrEmpty(TransitionStatus);

    /// <summary>Returns the InstanceId.</summary>
    /// <returns>The InstanceId.</returns>
    public override string ToString() => InstanceId ?? string.Empty;
}
