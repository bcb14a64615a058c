// Copyright (c) HaCluster contributors. MIT License.
// Load balancers, listeners and backends as the API stores them, plus the configuration last applied.

using System.Collections.Generic;
using HaCluster.Emulator.DataPlane;

namespace HaCluster.Emulator.State;

/// <summary>A load balancer. Listener/backend changes bump <see cref="Version"/> and clear <see cref="IsApplied"/>.</summary>
internal sealed class LoadBalancer : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public LoadBalancer(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>0-5 (max connections class).</summary>
    public int LoadBalancerType { get; set; }

    /// <summary>VxNet of an internal LB; null for an external (basic network) one.</summary>
    public string? VxNetId { get; set; }

    /// <summary>The internal address (VIP) in the VxNet, null for an external LB.</summary>
    public string? Vip { get; set; }

    /// <summary>Associated EIP ids, in association order (the first one is the bind address).</summary>
    public List<string> EipIds { get; } = [];

    /// <summary>Firewall (security group) id.</summary>
    public required string SecurityGroupId { get; set; }

    /// <summary>Node count.</summary>
    public int NodeCount { get; set; }

    /// <summary>HTTP header size, KB.</summary>
    public int HttpHeaderSize { get; set; }

    /// <summary>Opaque mode flag.</summary>
    public int Mode { get; set; }

    /// <summary>Opaque cluster mode flag.</summary>
    public int ClusterMode { get; set; }

    /// <summary>True when nothing changed since the last UpdateLoadBalancers.</summary>
    public bool IsApplied { get; set; } = true;

    /// <summary>Change counter: an update only marks the LB applied if nothing changed while it ran.</summary>
    public int Version { get; set; }

    /// <summary>Listeners as last handed to the data plane (their BindAddress is recomputed on each apply); null before the first apply.</summary>
    public IReadOnlyList<ListenerSpec>? Applied { get; set; }
}

/// <summary>A listener of a load balancer.</summary>
internal sealed class Listener : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public Listener(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>Owning LB.</summary>
    public required string LoadBalancerId { get; init; }

    /// <summary>Listener port.</summary>
    public required int Port { get; init; }

    /// <summary>http, https or tcp.</summary>
    public required string Protocol { get; init; }

    /// <summary>Always equal to <see cref="Protocol"/>.</summary>
    public required string BackendProtocol { get; init; }

    /// <summary>roundrobin, leastconn or source.</summary>
    public required string BalanceMode { get; init; }

    /// <summary>Session stickiness spec, <c>""</c> for none.</summary>
    public string SessionSticky { get; init; } = string.Empty;

    /// <summary>Header bitmask.</summary>
    public int ForwardFor { get; init; }

    /// <summary><c>tcp</c> or <c>http|/path[|host]</c>.</summary>
    public required string HealthCheckMethod { get; init; }

    /// <summary><c>inter|timeout|fall|rise</c>.</summary>
    public required string HealthCheckOption { get; init; }

    /// <summary>Option bitmask.</summary>
    public int ListenerOption { get; init; }

    /// <summary>Certificates (https).</summary>
    public IReadOnlyList<string> ServerCertificateIds { get; init; } = [];

    /// <summary>Idle timeout, seconds.</summary>
    public int Timeout { get; init; }

    /// <summary>Tunnel timeout, seconds, when given.</summary>
    public int? TunnelTimeout { get; init; }

    /// <summary>Opaque scene value.</summary>
    public int Scene { get; init; }
}

/// <summary>A backend of a listener.</summary>
internal sealed class Backend : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public Backend(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>Owning listener.</summary>
    public required string ListenerId { get; init; }

    /// <summary>Owning LB.</summary>
    public required string LoadBalancerId { get; init; }

    /// <summary>Instance id.</summary>
    public required string ResourceId { get; init; }

    /// <summary>Backend port.</summary>
    public required int Port { get; init; }

    /// <summary>Weight 1-100.</summary>
    public required int Weight { get; init; }

    /// <summary>Forwarding policy id, <c>""</c> for none.</summary>
    public string PolicyId { get; init; } = string.Empty;
}
