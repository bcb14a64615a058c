// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: Backend (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A load-balancer backend (DescribeLoadBalancerBackends item, or an entry of a listener's <c>backends</c>).</summary>
public sealed class Backend
{
    /// <summary>The backend id, <c>lbb-xxxxxxxx</c>.</summary>
    [JsonPropertyName("loadbalancer_backend_id")]
    public string BackendId { get; set; } = string.Empty;

    /// <summary>The backend name.</summary>
    [JsonPropertyName("loadbalancer_backend_name")]
    public string? BackendName { get; set; }

    /// <summary>The listener the backend serves.</summary>
    [JsonPropertyName("loadbalancer_listener_id")]
    public string? ListenerId { get; set; }

    /// <summary>The load balancer.</summary>
    [JsonPropertyName("loadbalancer_id")]
    public string? LoadBalancerId { get; set; }

    /// <summary>The forwarding policy, if any.</summary>
    [JsonPropertyName("loadbalancer_policy_id")]
    public string? PolicyId { get; set; }

    /// <summary>The instance (<c>i-…</c>) or router behind the backend.</summary>
    [JsonPropertyName("resource_id")]
    public string ResourceId { get; set; } = string.Empty;

    /// <summary>The backend port.</summary>
    [JsonPropertyName("port")]
    public int Port { get; set; }

    /// <summary>The weight, 1-100.</summary>
    [JsonPropertyName("weight")]
    public int Weight { get; set; }

    /// <summary>True when the backend is disabled.</summary>
    [JsonPropertyName("disabled")]
    public bool Disabled { get; set; }

    /// <summary>Health: <c>up</c>, <c>down</c> (also before UpdateLoadBalancers) or <c>abnormal</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>When the backend was added (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>Returns the BackendId.</summary>
    /// <returns>The BackendId.</returns>
    public override string ToString() => BackendId ?? string.Empty;
}
