// Copyright (c) HaCluster contributors. MIT License.
// Thread-safe set of live sockets that can be aborted together (listener close, instance stop).

using System.Collections.Concurrent;
using System.Net.Sockets;

namespace HaCluster.Emulator.DataPlane;

/// <summary>Live sockets of a listener or backend, so shutdown and instance stops can cut them.</summary>
internal sealed class SocketSet
{
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private volatile bool _closed;

    /// <summary>Tracks a socket; aborts it at once when the set is already closed (a session that raced shutdown).</summary>
    public void Add(Socket socket)
    {
        _sockets[socket] = 0;
        if (_closed)
        {
            Abort(socket);
        }
    }

    public void Remove(Socket socket) => _sockets.TryRemove(socket, out _);

    /// <summary>Resets every tracked socket; the set stays usable (an instance that stops can start again).</summary>
    public void AbortAll()
    {
        foreach (var socket in _sockets.Keys)
        {
            Abort(socket);
        }
    }

    /// <summary>Resets every tracked socket and every socket added later.</summary>
    public void Close()
    {
        _closed = true;
        AbortAll();
    }

    /// <summary>Closes with RST: the peer sees the connection cut, and no TIME_WAIT is left on our side.</summary>
    public static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already closed by the peer or never connected: disposing is all that is left.
        }
        catch (System.ObjectDisposedException)
        {
            return;
        }

        socket.Dispose();
    }
}
