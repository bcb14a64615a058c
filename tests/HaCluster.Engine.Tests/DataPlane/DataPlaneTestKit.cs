// Copyright (c) HaCluster contributors. MIT License.
// Real servers and clients for the data-plane tests: raw TCP backends, Kestrel HTTP backends, pollers.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator.DataPlane;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HaCluster.Engine.Tests.DataPlane;

/// <summary>Addresses, specs and polling shared by the data-plane tests.</summary>
internal static class Kit
{
    /// <summary>Checks every 0.1 s, fall 2, rise 2 at the tests' time scale; a 3 s timeout so a busy machine never fails a check.</summary>
    public static readonly HealthCheckOption FastChecks = new(2, 60, 2, 2);

    public const double TimeScale = 0.05;

    // This helper's loopback range is 127.30.0.0/16; a random start keeps two test runs apart.
    private static int _next = Random.Shared.Next(0, 60_000);

    /// <summary>A loopback address in 127.30.0.0/16 no other test of this run uses.</summary>
    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref _next) % 65_000;
        return new IPAddress(new byte[] { 127, 30, (byte)(n / 250), (byte)((n % 250) + 1) });
    }

    /// <summary>A free port on a fresh address, for a listener to bind.</summary>
    public static IPEndPoint FreeEndpoint()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(NextAddress(), 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }

    public static BackendSpec Backend(string id, IPEndPoint endpoint, int weight = 1, string? instanceId = null) =>
        new(id, endpoint.Address.ToString(), endpoint.Port, weight, instanceId);

    /// <summary>The backend spec of a test server: id <c>lbb-NAME</c>, instance <c>i-NAME</c>.</summary>
    public static BackendSpec Backend(TcpBackend server, int weight = 1) => Backend($"lbb-{server.Name}", server.EndPoint, weight, $"i-{server.Name}");

    /// <inheritdoc cref="Backend(TcpBackend, int)"/>
    public static BackendSpec Backend(HttpBackend server) => Backend($"lbb-{server.Name}", server.EndPoint, 1, $"i-{server.Name}");

    public static ListenerSpec Listener(
        string id, IPEndPoint endpoint, string protocol, string mode, IReadOnlyList<BackendSpec> backends,
        string check = "tcp", bool forwardFor = false, HealthCheckOption? option = null) =>
        new(id, endpoint.Address.ToString(), endpoint.Port, protocol, mode, check, option ?? FastChecks, forwardFor, backends);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after 10 s.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var delay = 5;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }

    public static Task AllUp(LoopbackDataPlane plane, params string[] backendIds) =>
        Eventually(() => backendIds.All(id => plane.GetBackendStatus(id) == "up"), $"{string.Join(", ", backendIds)} are up");

    /// <summary>Connects through a listener (optionally from a given source address) and reads the backend's name line.</summary>
    public static async Task<HeldConnection> OpenAsync(IPEndPoint endpoint, IPAddress? source = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        await socket.ConnectAsync(endpoint);
        var connection = new HeldConnection(socket);
        connection.Name = await connection.ReadLineAsync();
        return connection;
    }

    /// <summary>One connection through a listener, closed at once; the name of the backend that answered, or null.</summary>
    public static async Task<string?> NameViaAsync(IPEndPoint endpoint, IPAddress? source = null)
    {
        using var connection = await OpenAsync(endpoint, source);
        return connection.Name;
    }

    public static async Task<Dictionary<string, int>> CountAsync(IPEndPoint endpoint, int connections)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < connections; i++)
        {
            var name = await NameViaAsync(endpoint) ?? "<closed>";
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        return counts;
    }

    /// <summary>An HttpClient whose connections come from <paramref name="source"/> and are counted.</summary>
    public static HttpClient Client(IPAddress source, StrongCounter connects) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 1,
        ConnectCallback = async (context, cancellationToken) =>
        {
            connects.Increment();
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>True once nothing listens on the endpoint any more (a listening socket can be bound there again).</summary>
    public static bool CanBind(IPEndPoint endpoint)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A thread-safe counter.</summary>
internal sealed class StrongCounter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);
}

/// <summary>A client connection through a listener that the test keeps open.</summary>
internal sealed class HeldConnection(Socket socket) : IDisposable
{
    private readonly List<byte> _pending = new();

    public Socket Socket { get; } = socket;

    public string? Name { get; set; }

    /// <summary>Reads one line; null when the connection closed first.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var buffer = new byte[256];
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_pending.GetRange(0, newline).ToArray());
                _pending.RemoveRange(0, newline + 1);
                return line;
            }

            int read;
            try
            {
                read = await Socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (SocketException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Sends a line and reads the echo.</summary>
    public async Task<string?> EchoAsync(string text)
    {
        await Socket.SendAsync(Encoding.ASCII.GetBytes(text + "\n"), SocketFlags.None);
        return await ReadLineAsync();
    }

    public void Dispose() => Socket.Dispose();
}

/// <summary>
/// A TCP backend: on each connection it writes its name and a newline, echoes until the client's
/// FIN, then writes "&lt;eof&gt;" and closes. Bound at creation but not listening until <see cref="Start"/>,
/// so health checks are refused before.
/// </summary>
internal sealed class TcpBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private Task _accept = Task.CompletedTask;

    private TcpBackend(string name)
    {
        Name = name;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(Kit.NextAddress(), 0));
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Reserves an address and port; nothing answers yet.</summary>
    public static TcpBackend Reserve(string name) => new(name);

    public void Start()
    {
        _listener.Listen();
        _accept = Task.Run(AcceptAsync);
    }

    /// <summary>Stops listening and resets every open connection: the service is gone.</summary>
    public async Task StopAsync()
    {
        _listener.Dispose();
        await _accept;
        foreach (var connection in _connections.Keys)
        {
            connection.LingerState = new LingerOption(true, 0);
            connection.Dispose();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections[connection] = 0;
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        try
        {
            await connection.SendAsync(Encoding.ASCII.GetBytes(Name + "\n"), SocketFlags.None);
            var buffer = new byte[4096];
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }

            await connection.SendAsync("<eof>"u8.ToArray(), SocketFlags.None);
            connection.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Health checks connect and leave at once; stopped backends reset their connections.
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }
}

/// <summary>Answers <c>/healthz</c>; after <see cref="Switch"/> the first answer is immediate and later ones wait for <see cref="Release"/>.</summary>
internal sealed class HealthGate
{
    private readonly object _lock = new();
    private bool _healthy = true;
    private bool _firstServed = true;
    private TaskCompletionSource _release = NewReleased();

    /// <summary>Changes the answer; the check after the first one of the new mode is held, so the in-between state lasts.</summary>
    public void Switch(bool healthy)
    {
        lock (_lock)
        {
            _healthy = healthy;
            _firstServed = false;
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _release.TrySetResult();
        }
    }

    public async Task<int> AnswerAsync()
    {
        bool healthy;
        Task wait;
        lock (_lock)
        {
            healthy = _healthy;
            wait = _firstServed ? _release.Task : Task.CompletedTask;
            _firstServed = true;
        }

        await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(10)));
        return healthy ? 200 : 500;
    }

    private static TaskCompletionSource NewReleased()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }
}

/// <summary>
/// A Kestrel backend. <c>/</c> answers "name|X-Forwarded-For", <c>/echo</c> echoes a body,
/// (saying how the request body was framed), <c>/chunked</c> streams three flushed pieces, <c>/healthz</c> follows <see cref="Health"/>,
/// <c>/ws</c> echoes one WebSocket message.
/// </summary>
internal sealed class HttpBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpBackend(string name, WebApplication app, IPEndPoint endpoint)
    {
        Name = name;
        _app = app;
        EndPoint = endpoint;
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public HealthGate Health { get; } = new();

    public static async Task<HttpBackend> StartAsync(string name)
    {
        var address = Kit.NextAddress();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(address, 0));
        var app = builder.Build();
        HttpBackend? self = null;
        app.UseWebSockets();
        app.MapMethods("/", ["GET", "HEAD"], (HttpContext context) =>
        {
            context.Response.Headers["X-Backend"] = name;
            return Results.Text($"{name}|{context.Request.Headers["X-Forwarded-For"]}");
        });
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            context.Response.Headers["X-Backend"] = name;
            context.Response.Headers["X-Request-Framing"] = context.Request.ContentLength is { } length ? $"length {length}" : $"{context.Request.Headers.TransferEncoding}";
            return Results.Bytes(body.ToArray(), "application/octet-stream");
        });
        app.MapGet("/chunked", async (HttpContext context) =>
        {
            foreach (var piece in new[] { "one,", "two,", "three" })
            {
                await context.Response.WriteAsync(piece);
                await context.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/healthz", async () => Results.StatusCode(await self!.Health.AnswerAsync()));
        app.Map("/ws", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            var reply = Encoding.UTF8.GetBytes(name + ":" + Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.SendAsync(reply, WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new HttpBackend(name, app, new IPEndPoint(address, new Uri(bound).Port));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        Health.Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
