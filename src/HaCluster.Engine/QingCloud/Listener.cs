// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: Listener (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A load-balancer listener (DescribeLoadBalancerListeners item, or an entry of a load balancer's <c>listeners</c>).</summary>
public sealed class Listener
{
    /// <summary>The listener id, <c>lbl-xxxxxxxx</c>.</summary>
    [JsonPropertyName("loadbalancer_listener_id")]
    public string ListenerId { get; set; } = string.Empty;

    /// <summary>The listener name.</summary>
    [JsonPropertyName("loadbalancer_listener_name")]
    public string? ListenerName { get; set; }

    /// <summary>The load balancer.</summary>
    [JsonPropertyName("loadbalancer_id")]
    public string? LoadBalancerId { get; set; }

    /// <summary>The port clients connect to.</summary>
    [JsonPropertyName("listener_port")]
    public int ListenerPort { get; set; }

    /// <summary><c>tcp</c>, <c>http</c> or <c>https</c>.</summary>
    [JsonPropertyName("listener_protocol")]
    public string? ListenerProtocol { get; set; }

    /// <summary>The protocol towards the backends.</summary>
    [JsonPropertyName("backend_protocol")]
    public string? BackendProtocol { get; set; }

    /// <summary><c>roundrobin</c>, <c>leastconn</c> or <c>source</c>.</summary>
    [JsonPropertyName("balance_mode")]
    public string? BalanceMode { get; set; }

    /// <summary>The sticky-session setting; empty when off.</summary>
    [JsonPropertyName("session_sticky")]
    public string? SessionSticky { get; set; }

    /// <summary>Header bitmask: 1 X-Forwarded-For, 2 QC-LBID, 4 QC-LBIP.</summary>
    [JsonPropertyName("forwardfor")]
    public int ForwardFor { get; set; }

    /// <summary><c>tcp</c> or <c>http|/path</c>.</summary>
    [JsonPropertyName("healthy_check_method")]
    public string? HealthyCheckMethod { get; set; }

    /// <summary><c>inter|timeout|fall|rise</c>, e.g. <c>10|5|2|5</c>.</summary>
    [JsonPropertyName("healthy_check_option")]
    public string? HealthyCheckOption { get; set; }

    /// <summary>Option bitmask.</summary>
    [JsonPropertyName("listener_option")]
    public int ListenerOption { get; set; }

    /// <summary>Certificates of an https listener.</summary>
    [JsonPropertyName("server_certificate_id")]
    public IReadOnlyList<string> ServerCertificateIds { get; set; } = Array.Empty<string>();

    /// <summary>Idle timeout in seconds.</summary>
    [JsonPropertyName("timeout")]
    public int Timeout { get; set; }

    /// <summary>The backends (verbose describe only).</summary>
    [JsonPropertyName("backends")]
    public IReadOnlyList<Backend> Backends { get; set; } = Array.Empty<Backend>();

    /// <summary>When the listener was added (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>Returns the ListenerId.</summary>
    /// <returns>The ListenerId.</returns>
    public override string ToString() => ListenerId ?? string.Empty;
}
