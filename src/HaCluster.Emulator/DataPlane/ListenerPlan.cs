// Copyright (c) HaCluster contributors. MIT License.
// A listener spec validated and parsed once, before ApplyAsync touches any socket.

using System;
using System.Net;

namespace HaCluster.Emulator.DataPlane;

/// <summary>A validated <see cref="ListenerSpec"/>: endpoint, forwarding mode, balance mode and check settings.</summary>
/// <param name="Spec">The spec as applied.</param>
/// <param name="Endpoint">Loopback address and port to bind.</param>
/// <param name="Http">True for an HTTP proxy, false for a byte-level TCP relay (tcp and https).</param>
/// <param name="Mode">Balance mode.</param>
/// <param name="Health">Health-check settings, time-scaled.</param>
internal sealed record ListenerPlan(ListenerSpec Spec, IPEndPoint Endpoint, bool Http, BalanceMode Mode, HealthSettings Health)
{
    /// <summary>Validates a spec.</summary>
    /// <exception cref="ArgumentException">The spec names something the data plane cannot serve.</exception>
    public static ListenerPlan Parse(ListenerSpec spec, double timeScale)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrEmpty(spec.ListenerId))
        {
            throw new ArgumentException("A listener spec has no ListenerId.", nameof(spec));
        }

        // The emulator must never open a socket facing a real network.
        if (!IPAddress.TryParse(spec.BindAddress, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"Listener {spec.ListenerId}: bind address '{spec.BindAddress}' is not a loopback IP address.", nameof(spec));
        }

        if (spec.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"Listener {spec.ListenerId}: port {spec.Port} is outside 1-65535.", nameof(spec));
        }

        var http = (spec.Protocol ?? string.Empty).ToLowerInvariant() switch
        {
            "http" => true,
            "tcp" or "https" => false,
            _ => throw new ArgumentException($"Listener {spec.ListenerId}: protocol '{spec.Protocol}' is not supported (tcp, http, https).", nameof(spec)),
        };

        var mode = (spec.BalanceMode ?? string.Empty).ToLowerInvariant() switch
        {
            "" or "roundrobin" => BalanceMode.RoundRobin,
            "leastconn" => BalanceMode.LeastConn,
            "source" => BalanceMode.Source,
            _ => throw new ArgumentException($"Listener {spec.ListenerId}: balance mode '{spec.BalanceMode}' is not supported (roundrobin, leastconn, source).", nameof(spec)),
        };

        var health = HealthSettings.Parse(spec.ListenerId, spec.HealthCheckMethod, spec.HealthCheck, timeScale);
        return new ListenerPlan(spec, new IPEndPoint(address, spec.Port), http, mode, health);
    }
}
