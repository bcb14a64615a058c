// Copyright (c) HaCluster contributors. MIT License.
// Thread-safe, bounded in-memory log of API requests.

using System.Collections.Generic;
using System.Linq;

namespace HaCluster.Emulator.Api;

/// <summary>The request log behind <c>GET /_emulator/requests</c>; keeps the newest 100 000 entries.</summary>
internal sealed class RequestLog
{
    private const int Capacity = 100_000;
    private readonly object _gate = new();
    private readonly Queue<EmulatorRequest> _entries = new();
    private long _sequence;

    /// <summary>The next sequence number.</summary>
    /// <returns>1, 2, 3 …</returns>
    public long Next()
    {
        lock (_gate)
        {
            return ++_sequence;
        }
    }

    /// <summary>Appends an entry.</summary>
    /// <param name="entry">The request.</param>
    public void Add(EmulatorRequest entry)
    {
        lock (_gate)
        {
            _entries.Enqueue(entry);
            if (_entries.Count > Capacity)
            {
                _entries.Dequeue();
            }
        }
    }

    /// <summary>A copy of the entries in sequence order.</summary>
    /// <returns>The entries.</returns>
    public IReadOnlyList<EmulatorRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries.OrderBy(e => e.Sequence)];
        }
    }

    /// <summary>Forgets every entry and restarts numbering.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _sequence = 0;
        }
    }
}
