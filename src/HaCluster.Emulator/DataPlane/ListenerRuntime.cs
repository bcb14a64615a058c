// Copyright (c) HaCluster contributors. MIT License.
// One bound listener: accept loop, per-connection sessions, backend selection and connection bookkeeping.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// A listening socket on a loopback endpoint. TCP (and https) sessions relay bytes to one backend;
/// HTTP sessions are proxied request by request (<see cref="HttpProxySession"/>). Configuration
/// (balance mode, backends, forwardfor) can change while the socket stays bound.
/// </summary>
internal sealed class ListenerRuntime : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _closing = new();
    private readonly SocketSet _sockets = new();
    private readonly ConcurrentDictionary<long, Task> _sessions = new();
    private readonly Balancer _balancer = new();
    private readonly Action<string> _log;
    private readonly Task _acceptLoop;
    private volatile Config _config;
    private long _sessionIds;
    private int _disposed;

    /// <summary>Starts accepting on a socket bound by <see cref="Bind"/>.</summary>
    public ListenerRuntime(ListenerPlan plan, Socket boundSocket, IReadOnlyList<BackendRuntime> backends, Action<string> log)
    {
        _socket = boundSocket;
        _config = new Config(plan, backends);
        _log = log;
        _log($"listener {plan.Spec.ListenerId}: bound {plan.Endpoint} ({(plan.Http ? "http" : "tcp")}, {plan.Mode})");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string Id => _config.Plan.Spec.ListenerId;

    public ListenerPlan Plan => _config.Plan;

    /// <summary>Whether HTTP requests get X-Forwarded-For (read per request, so a re-apply takes effect at once).</summary>
    public bool ForwardFor => _config.Plan.Spec.ForwardFor;

    /// <summary>Binds and listens; the exception names the listener and endpoint.</summary>
    /// <exception cref="DataPlaneBindException">The endpoint cannot be bound.</exception>
    public static Socket Bind(ListenerPlan plan)
    {
        var socket = new Socket(plan.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(plan.Endpoint);
            socket.Listen(512);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            var reason = ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address and port are already in use",
                SocketError.AddressNotAvailable => "the address is not available on this machine",
                SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
                _ => ex.Message,
            };
            throw new DataPlaneBindException(plan.Spec.ListenerId, plan.Endpoint.ToString(), reason, ex);
        }
    }

    /// <summary>True when <paramref name="plan"/> can be served by this socket (same endpoint and forwarding mode).</summary>
    public bool CanKeep(ListenerPlan plan) => plan.Endpoint.Equals(Plan.Endpoint) && plan.Http == Plan.Http;

    /// <summary>Swaps in new settings and backends; open connections continue where they are.</summary>
    public void Update(ListenerPlan plan, IReadOnlyList<BackendRuntime> backends) => _config = new Config(plan, backends);

    /// <summary>
    /// Picks an up backend and connects to it; a backend that refuses is skipped for this connection
    /// and the next one is tried. Null when no backend is up or none accepts.
    /// </summary>
    public async Task<BackendLease?> ConnectBackendAsync(IPAddress client, CancellationToken cancellationToken)
    {
        var config = _config;
        var failed = new List<BackendRuntime>();
        while (true)
        {
            var backend = _balancer.Pick(config.Plan.Mode, config.Backends, client, failed);
            if (backend is null)
            {
                return null;
            }

            var lease = new BackendLease(backend, _sockets);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(config.Plan.Health.Timeout);
                await lease.Socket.ConnectAsync(backend.Target!, timeout.Token).ConfigureAwait(false);
                lease.Socket.NoDelay = true;
                return lease;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                lease.Dispose();
                failed.Add(backend);
                _log($"listener {Id}: backend {backend.Id} ({backend.Target}) refused a connection: {ex.Message}");
            }
        }
    }

    /// <summary>Closes the port first, then cuts every open connection and waits for the sessions to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _sockets.Close();
        await Task.WhenAll(_sessions.Values).ConfigureAwait(false);
        _closing.Dispose();
        _log($"listener {Id}: closed {Plan.Endpoint}");
    }

    private async Task AcceptLoopAsync()
    {
        var cancellationToken = _closing.Token;
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException
                || (ex is SocketException && cancellationToken.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException ex)
            {
                // A client that reset before we accepted it; keep serving the others.
                _log($"listener {Id}: accept failed: {ex.Message}");
                continue;
            }

            StartSession(client, cancellationToken);
        }
    }

    private void StartSession(Socket client, CancellationToken cancellationToken)
    {
        _sockets.Add(client);
        var id = Interlocked.Increment(ref _sessionIds);
        var session = Task.Run(() => RunSessionAsync(client, cancellationToken), CancellationToken.None);
        _sessions.TryAdd(id, session);

        // Registered after TryAdd, so the entry is removed even when the session already finished.
        session.ContinueWith(_ => _sessions.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunSessionAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            client.NoDelay = true;
            var peer = ((IPEndPoint)client.RemoteEndPoint!).Address;
            if (peer.IsIPv4MappedToIPv6)
            {
                peer = peer.MapToIPv4();
            }

            if (_config.Plan.Http)
            {
                await HttpProxySession.RunAsync(this, client, peer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RelayTcpAsync(client, peer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away, a backend's instance stopped, or the listener is closing.
        }
        catch (Exception ex)
        {
            _log($"listener {Id}: session failed: {ex}");
        }
        finally
        {
            _sockets.Remove(client);
            client.Dispose();
        }
    }

    private async Task RelayTcpAsync(Socket client, IPAddress peer, CancellationToken cancellationToken)
    {
        using var lease = await ConnectBackendAsync(peer, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            // No backend is up: the client sees its connection closed, as with a real LB.
            _log($"listener {Id}: no backend up; closing connection from {peer}");
            return;
        }

        await TcpRelay.RunAsync(client, lease.Socket, cancellationToken).ConfigureAwait(false);
    }

    private sealed record Config(ListenerPlan Plan, IReadOnlyList<BackendRuntime> Backends);
}

/// <summary>
/// A connection to a backend: counted on the backend (leastconn) from the pick until disposal,
/// and tracked so closing the listener or stopping the instance cuts it.
/// </summary>
internal sealed class BackendLease : IDisposable
{
    private readonly SocketSet _listenerSockets;
    private int _disposed;

    /// <summary>Takes over the connection count <see cref="Balancer.Pick"/> added to <paramref name="backend"/>.</summary>
    public BackendLease(BackendRuntime backend, SocketSet listenerSockets)
    {
        Backend = backend;
        Socket = new Socket(backend.Target!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listenerSockets = listenerSockets;
        listenerSockets.Add(Socket);
        backend.Connections.Add(Socket);
    }

    public BackendRuntime Backend { get; }

    public Socket Socket { get; }

    /// <summary>Cuts the connection with a reset (the request is being abandoned).</summary>
    public void Abort()
    {
        SocketSet.Abort(Socket);
        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _listenerSockets.Remove(Socket);
        Backend.Connections.Remove(Socket);
        Socket.Dispose();
        Backend.EndConnection();
    }
}
