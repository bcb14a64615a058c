// Copyright (c) HaCluster contributors. MIT License.
// Backend selection for roundrobin (smooth weighted), leastconn and source (address hash).

using System.Collections.Generic;
using System.Net;

namespace HaCluster.Emulator.DataPlane;

/// <summary>The API's <c>balance_mode</c>.</summary>
internal enum BalanceMode
{
    /// <summary><c>roundrobin</c>: weighted rotation (the console's "Poll").</summary>
    RoundRobin,

    /// <summary><c>leastconn</c>: fewest open connections relative to weight.</summary>
    LeastConn,

    /// <summary><c>source</c>: a hash of the client address picks the backend, so one client sticks to one backend.</summary>
    Source,
}

/// <summary>Picks an up backend for a new connection or request; one instance per listener.</summary>
internal sealed class Balancer
{
    private readonly object _lock = new();
    private int _cursor;

    /// <summary>
    /// Picks among the up backends not in <paramref name="exclude"/> and counts the connection on it
    /// (inside the lock, so concurrent leastconn picks see each other). Null when none is up.
    /// </summary>
    public BackendRuntime? Pick(BalanceMode mode, IReadOnlyList<BackendRuntime> backends, IPAddress client, ICollection<BackendRuntime> exclude)
    {
        lock (_lock)
        {
            var up = new List<BackendRuntime>(backends.Count);
            foreach (var backend in backends)
            {
                if (!exclude.Contains(backend) && backend.IsUp)
                {
                    up.Add(backend);
                }
            }

            if (up.Count == 0)
            {
                return null;
            }

            var chosen = mode switch
            {
                BalanceMode.LeastConn => LeastConn(up),
                BalanceMode.Source => BySource(up, client),
                _ => SmoothRoundRobin(up),
            };
            chosen.BeginConnection();
            return chosen;
        }
    }

    // nginx-style smooth weighted round robin: exact proportions, interleaved rather than bursty.
    private static BackendRuntime SmoothRoundRobin(List<BackendRuntime> up)
    {
        long total = 0;
        BackendRuntime? best = null;
        foreach (var backend in up)
        {
            backend.SmoothWeight += backend.Weight;
            total += backend.Weight;
            if (best is null || backend.SmoothWeight > best.SmoothWeight)
            {
                best = backend;
            }
        }

        best!.SmoothWeight -= total;
        return best;
    }

    // Fewest connections per unit of weight; ties rotate so equal backends share the load.
    private BackendRuntime LeastConn(List<BackendRuntime> up)
    {
        var start = (int)((uint)_cursor++ % (uint)up.Count);
        BackendRuntime? best = null;
        for (var i = 0; i < up.Count; i++)
        {
            var candidate = up[(start + i) % up.Count];
            if (best is null || (long)candidate.ActiveConnections * best.Weight < (long)best.ActiveConnections * candidate.Weight)
            {
                best = candidate;
            }
        }

        return best!;
    }

    // FNV-1a of the address bytes over the weight-expanded list: stable across runs and processes.
    private static BackendRuntime BySource(List<BackendRuntime> up, IPAddress client)
    {
        var hash = 2166136261u;
        foreach (var b in client.GetAddressBytes())
        {
            hash = (hash ^ b) * 16777619u;
        }

        long total = 0;
        foreach (var backend in up)
        {
            total += backend.Weight;
        }

        var slot = hash % total;
        foreach (var backend in up)
        {
            slot -= backend.Weight;
            if (slot < 0)
            {
                return backend;
            }
        }

        return up[^1];
    }
}
