// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: LoadBalancer (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A QingCloud load balancer (DescribeLoadBalancers item).</summary>
public sealed class LoadBalancer
{
    /// <summary>The load balancer id, <c>lb-xxxxxxxx</c>.</summary>
    [JsonPropertyName("loadbalancer_id")]
    public string LoadBalancerId { get; set; } = string.Empty;

    /// <summary>The name.</summary>
    [JsonPropertyName("loadbalancer_name")]
    public string? LoadBalancerName { get; set; }

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>Capacity: 0 = 5k connections … 5 = 500k.</summary>
    [JsonPropertyName("loadbalancer_type")]
    public int LoadBalancerType { get; set; }

    /// <summary><c>pending</c>, <c>active</c>, <c>stopped</c>, <c>suspended</c>, <c>deleted</c> or <c>ceased</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = string.Empty;

    /// <summary>The change in progress (<c>creating</c>, <c>updating</c>, …); empty when idle.</summary>
    [JsonPropertyName("transition_status")]
    public string? TransitionStatus { get; set; }

    /// <summary>False while listener or backend changes wait for UpdateLoadBalancers.</summary>
    [JsonPropertyName("is_applied")]
    public bool IsApplied { get; set; }

    /// <summary>The VxNet of an internal load balancer.</summary>
    [JsonPropertyName("vxnet_id")]
    public string? VxNetId { get; set; }

    /// <summary>Private addresses; the VIP first, then <c>198.19.*</c> node addresses.</summary>
    [JsonPropertyName("private_ips")]
    public IReadOnlyList<string> PrivateIps { get; set; } = Array.Empty<string>();

    /// <summary>
    /// The <c>eips</c> field as sent. A public (<c>vxnet-0</c>) load balancer sends <c>[]</c> here and lists its EIPs in
    /// <see cref="Cluster"/>; read <see cref="PublicEips"/> instead.
    /// </summary>
    [JsonPropertyName("eips")]
    public IReadOnlyList<Eip> Eips { get; set; } = Array.Empty<Eip>();

    /// <summary>The <c>cluster</c> field as sent: where a public (<c>vxnet-0</c>) load balancer lists its EIPs.</summary>
    [JsonPropertyName("cluster")]
    public IReadOnlyList<Eip> Cluster { get; set; } = Array.Empty<Eip>();

    /// <summary>The listeners (verbose describe only).</summary>
    [JsonPropertyName("listeners")]
    public IReadOnlyList<Listener> Listeners { get; set; } = Array.Empty<Listener>();

    /// <summary>The security group guarding the load balancer.</summary>
    [JsonPropertyName("security_group_id")]
    public string? SecurityGroupId { get; set; }

    /// <summary>Number of load-balancer nodes.</summary>
    [JsonPropertyName("node_count")]
    public int NodeCount { get; set; }

    /// <summary>The tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<Tag> Tags { get; set; } = Array.Empty<Tag>();

    /// <summary>When the load balancer was created (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>When the status last changed (UTC).</summary>
    [JsonPropertyName("status_time")]
    public DateTime? StatusTime { get; set; }

    /// <summary>
    /// The virtual IP of an internal load balancer: the first private address outside <c>198.19.0.0/16</c>
    /// (those are the load-balancer nodes' own addresses, as the cloud controller manager reads them).
    /// </summary>
    [JsonIgnore]
    public string? Vip
    {
        get
        {
            foreach (var ip in PrivateIps)
            {
                if (!ip.StartsWith("198.19.", StringComparison.Ordinal))
                {
                    return ip;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// The EIPs the load balancer is bound to: those in <c>cluster</c> (where QingCloud reports a public load balancer's
    /// EIPs, as the cloud controller manager and Terraform read them), else those in <c>eips</c>.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<Eip> PublicEips
    {
        get
        {
            var inCluster = Cluster.Where(e => !string.IsNullOrEmpty(e.EipId) || !string.IsNullOrEmpty(e.EipAddr)).ToList();
            return inCluster.Count > 0 ? inCluster : Eips;
        }
    }

    /// <summary>The first EIP of an external load balancer (null for an internal one).</summary>
    [JsonIgnore]
    public Eip? Eip => PublicEips.Count > 0 ? PublicEips[0] : null;

    /// <summary>The address of <see cref="Eip"/>: where clients of an external load balancer connect.</summary>
    [JsonIgnore]
    public string? EipAddress => string.IsNullOrEmpty(Eip?.EipAddr) ? null : Eip!.EipAddr;

    /// <summary>Where clients connect: the first EIP's address for an external load balancer, otherwise the VIP.</summary>
    [JsonIgnore]
    public string? Address => EipAddress ?? Vip;

    /// <summary>True when no change is in progress.</summary>
    [JsonIgnore]
    public bool IsIdle => string.IsNullOrEmpty(TransitionStatus);

    /// <summary>Returns the LoadBalancerId.</summary>
    /// <returns>The LoadBalancerId.</returns>
    public override string ToString() => LoadBalancerId ?? string.Empty;
}
