// Copyright (c) HaCluster contributors. MIT License.
// The emulator's data plane over real sockets: health transitions, balancing, HTTP proxying, port lifecycle.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator.DataPlane;
using Xunit;
using static HaCluster.Engine.Tests.DataPlane.Kit;

namespace HaCluster.Engine.Tests.DataPlane;

public sealed class LoopbackDataPlaneTests : IAsyncLifetime
{
    private readonly List<string> _log = new();
    private readonly List<IAsyncDisposable> _servers = new();
    private readonly LoopbackDataPlane _plane;

    public LoopbackDataPlaneTests()
    {
        _plane = new LoopbackDataPlane(TimeScale, line =>
        {
            lock (_log)
            {
                _log.Add(line);
            }
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _plane.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task TcpBackendsStayDownUntilTheirServiceListensThenRiseAndShareTraffic()
    {
        var servers = Reserve("a", "b", "c");
        var specs = servers.Select(s => Backend(s)).ToArray();
        var lb = await ApplyAsync("tcp", "roundrobin", specs, waitUp: false);

        // Enough refused checks to have risen twice over had they passed.
        await Eventually(() => specs.All(s => _plane.FindBackend(s.BackendId)!.CompletedChecks >= 4), "four checks ran on each backend");
        Assert.All(specs, s => Assert.Equal("down", _plane.GetBackendStatus(s.BackendId)));
        Assert.Null(await NameViaAsync(lb));

        foreach (var server in servers)
        {
            server.Start();
        }

        await AllUp(_plane, "lbb-a", "lbb-b", "lbb-c");
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 3, ["c"] = 3 }, await CountAsync(lb, 9));
    }

    [Fact]
    public async Task WeightedRoundRobinFollowsTheWeights()
    {
        var servers = Started("light", "heavy");
        var lb = await ApplyAsync("tcp", "roundrobin", [Backend(servers[0], weight: 1), Backend(servers[1], weight: 3)]);

        Assert.Equal(new Dictionary<string, int> { ["light"] = 10, ["heavy"] = 30 }, await CountAsync(lb, 40));
    }

    [Fact]
    public async Task LeastConnSendsNewConnectionsToTheLeastBusyBackend()
    {
        var lb = await ApplyAsync("tcp", "leastconn", Started("x", "y").Select(s => Backend(s)).ToArray());
        var held = new List<HeldConnection>();
        for (var i = 0; i < 4; i++)
        {
            held.Add(await OpenAsync(lb));
        }

        Assert.Equal(2, held.Count(c => c.Name == "x"));
        foreach (var connection in held.Where(c => c.Name == "x").ToList())
        {
            connection.Dispose();
            held.Remove(connection);
        }

        await Eventually(() => _plane.FindBackend("lbb-x")!.ActiveConnections == 0, "the proxy closed both connections to x");

        // y holds two connections, x none: round robin would alternate, leastconn fills x first.
        held.Add(await OpenAsync(lb));
        held.Add(await OpenAsync(lb));
        Assert.Equal(["x", "x"], held.Skip(2).Select(c => c.Name));
        held.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task SourceModeKeepsEachClientAddressOnOneBackend()
    {
        var lb = await ApplyAsync("tcp", "source", Started("s1", "s2", "s3").Select(s => Backend(s)).ToArray());

        var chosen = new HashSet<string>();
        for (var client = 0; client < 12; client++)
        {
            var source = NextAddress();
            var names = new List<string?>();
            for (var i = 0; i < 3; i++)
            {
                names.Add(await NameViaAsync(lb, source));
            }

            Assert.Single(names.Distinct());
            chosen.Add(names[0]!);
        }

        Assert.True(chosen.Count >= 2, $"12 client addresses all hashed to {string.Join(",", chosen)}");
    }

    [Fact]
    public async Task StoppedInstanceIsDownAtOnceGetsNoTrafficAndRisesAfterStart()
    {
        var lb = await ApplyAsync("tcp", "roundrobin", Started("m1", "m2", "m3").Select(s => Backend(s)).ToArray());
        var held = new List<HeldConnection> { await OpenAsync(lb), await OpenAsync(lb), await OpenAsync(lb) };

        _plane.SetInstanceRunning("i-m1", false);

        Assert.Equal("down", _plane.GetBackendStatus("lbb-m1"));
        Assert.Null(await held.Single(c => c.Name == "m1").ReadLineAsync());
        Assert.Equal(new Dictionary<string, int> { ["m2"] = 6, ["m3"] = 6 }, await CountAsync(lb, 12));
        Assert.Equal("hi", await held.Single(c => c.Name == "m2").EchoAsync("hi"));

        _plane.SetInstanceRunning("i-m1", true);

        await AllUp(_plane, "lbb-m1");
        Assert.Contains("m1", (await CountAsync(lb, 3)).Keys);
        held.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task BackendWhoseServiceStopsGoesDownAndGetsNoTraffic()
    {
        var servers = Started("alive", "dying");
        var lb = await ApplyAsync("tcp", "roundrobin", servers.Select(s => Backend(s)).ToArray());

        await servers[1].StopAsync();

        await Eventually(() => _plane.GetBackendStatus("lbb-dying") == "down", "the stopped service's backend is down");
        Assert.Equal("up", _plane.GetBackendStatus("lbb-alive"));
        Assert.Equal(new Dictionary<string, int> { ["alive"] = 6 }, await CountAsync(lb, 6));
        Assert.Contains(_log, line => line.StartsWith("backend lbb-dying ", StringComparison.Ordinal) && line.EndsWith("-> down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TcpRelayPassesHalfCloseInBothDirections()
    {
        var lb = await ApplyAsync("https", "roundrobin", [Backend(Started("echo")[0])]);
        using var connection = await OpenAsync(lb);

        await connection.Socket.SendAsync("payload"u8.ToArray(), SocketFlags.None);
        connection.Socket.Shutdown(SocketShutdown.Send);

        // The backend only answers "<eof>" after our FIN reached it; its own FIN then ends our read.
        var received = new List<byte>();
        var buffer = new byte[64];
        int read;
        while ((read = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10))) > 0)
        {
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        Assert.Equal("payload<eof>", Encoding.ASCII.GetString(received.ToArray()));
    }

    [Fact]
    public async Task HttpListenerBalancesEveryRequestOfAKeepAliveConnection()
    {
        var servers = await WebAsync("w1", "w2", "w3");
        var lb = await ApplyAsync("http", "roundrobin", servers.Select(Backend).ToArray(), check: "http|/healthz");
        var connects = new StrongCounter();
        using var client = Client(NextAddress(), connects);

        var names = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            names.Add((await client.GetStringAsync($"http://{lb}/")).Split('|')[0]);
        }

        Assert.Equal(1, connects.Value);
        Assert.Equal(["w1", "w2", "w3"], names.GroupBy(n => n).Where(g => g.Count() == 3).Select(g => g.Key).Order());
    }

    [Fact]
    public async Task HttpListenerAddsOrExtendsXForwardedForOnlyWhenAsked()
    {
        var backends = new[] { Backend((await WebAsync("xff"))[0]) };
        var lb = await ApplyAsync("http", "roundrobin", backends, forwardFor: true);
        var source = NextAddress();
        using var client = Client(source, new StrongCounter());

        Assert.Equal($"xff|{source}", await client.GetStringAsync($"http://{lb}/"));
        using var proxied = new HttpRequestMessage(HttpMethod.Get, $"http://{lb}/");
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal($"xff|203.0.113.7, {source}", await (await client.SendAsync(proxied)).Content.ReadAsStringAsync());

        await _plane.ApplyAsync("lb-test", [Listener("lbl-test", lb, "http", "roundrobin", backends, forwardFor: false)], CancellationToken.None);

        Assert.Equal("xff|", await client.GetStringAsync($"http://{lb}/"));
    }

    [Fact]
    public async Task HttpListenerStreamsBodiesOfEveryFraming()
    {
        var lb = await ApplyAsync("http", "leastconn", [Backend((await WebAsync("body"))[0])]);
        var connects = new StrongCounter();
        using var client = Client(NextAddress(), connects);
        var payload = new byte[1_500_000];
        Random.Shared.NextBytes(payload);

        var sized = await client.PostAsync($"http://{lb}/echo", new ByteArrayContent(payload));
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, $"http://{lb}/echo") { Content = new ByteArrayContent(payload) };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        var chunked = await client.SendAsync(chunkedRequest);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://{lb}/"));
        var streamed = await client.GetStringAsync($"http://{lb}/chunked");

        Assert.Equal(payload, await sized.Content.ReadAsByteArrayAsync());
        Assert.Equal($"length {payload.Length}", sized.Headers.GetValues("X-Request-Framing").Single());
        Assert.Equal("chunked", chunked.Headers.GetValues("X-Request-Framing").Single());
        Assert.Equal(payload, await chunked.Content.ReadAsByteArrayAsync());
        Assert.Equal("body", head.Headers.GetValues("X-Backend").Single());
        Assert.Equal("one,two,three", streamed);
        Assert.Equal(1, connects.Value);
    }

    [Fact]
    public async Task HttpListenerAnswers503WhileNoBackendIsUpAndKeepsTheConnection()
    {
        var lb = await ApplyAsync("http", "roundrobin", [Backend(Reserve("silent")[0])], waitUp: false);
        var connects = new StrongCounter();
        using var client = Client(NextAddress(), connects);

        var first = await client.GetAsync($"http://{lb}/");
        var second = await client.PostAsync($"http://{lb}/echo", new StringContent("dropped"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(1, connects.Value);
    }

    [Fact]
    public async Task HttpHealthCheckPassesThroughAbnormalOnTheWayDownAndUp()
    {
        var server = (await WebAsync("checked"))[0];
        var lb = await ApplyAsync("http", "roundrobin", [Backend(server)], check: "http|/healthz");
        using var client = Client(NextAddress(), new StrongCounter());

        // One failed check of two needed: abnormal, and no traffic; the next check is held until released.
        server.Health.Switch(healthy: false);
        await Eventually(() => _plane.GetBackendStatus("lbb-checked") == "abnormal", "one failed check makes the backend abnormal");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"http://{lb}/")).StatusCode);
        server.Health.Release();
        await Eventually(() => _plane.GetBackendStatus("lbb-checked") == "down", "the second failed check takes it down");

        server.Health.Switch(healthy: true);
        await Eventually(() => _plane.GetBackendStatus("lbb-checked") == "abnormal", "one passed check makes the backend abnormal");
        server.Health.Release();
        await AllUp(_plane, "lbb-checked");
        Assert.Equal("checked|", await client.GetStringAsync($"http://{lb}/"));
    }

    [Fact]
    public async Task HttpListenerTunnelsWebSocketUpgrades()
    {
        var lb = await ApplyAsync("http", "roundrobin", [Backend((await WebAsync("ws"))[0])], forwardFor: true);
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(new Uri($"ws://{lb}/ws"), timeout.Token);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);

        var closing = await socket.ReceiveAsync(buffer, timeout.Token);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);

        Assert.Equal("ws:ping", Encoding.UTF8.GetString(buffer, 0, received.Count));
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task ReapplyKeepsSocketsAndHealthMovesChangedPortsAndClosesRemovedListeners()
    {
        var servers = Started("k1", "k2");
        var (first, second, moved) = (FreeEndpoint(), FreeEndpoint(), FreeEndpoint());
        BackendSpec[] specs = [Backend(servers[0]), Backend(servers[1])];
        ListenerSpec[] both = [Listener("lbl-k1", first, "tcp", "roundrobin", specs), Listener("lbl-k2", second, "tcp", "roundrobin", [specs[1] with { BackendId = "lbb-k3" }])];
        await _plane.ApplyAsync("lb-keep", both, CancellationToken.None);
        await AllUp(_plane, "lbb-k1", "lbb-k2", "lbb-k3");
        using var held = await OpenAsync(first);

        await _plane.ApplyAsync("lb-keep", both, CancellationToken.None);

        Assert.All(new[] { "lbb-k1", "lbb-k2", "lbb-k3" }, id => Assert.Equal("up", _plane.GetBackendStatus(id)));
        Assert.Equal("still", await held.EchoAsync("still"));

        await _plane.ApplyAsync("lb-keep", [both[0] with { BindAddress = moved.Address.ToString(), Port = moved.Port }], CancellationToken.None);

        Assert.True(CanBind(first), "the old port is released");
        Assert.True(CanBind(second), "the removed listener's port is released");
        Assert.Equal("down", _plane.GetBackendStatus("lbb-k3"));
        Assert.Equal("up", _plane.GetBackendStatus("lbb-k1"));
        Assert.NotNull(await NameViaAsync(moved));
    }

    [Fact]
    public async Task BindConflictThrowsNamesTheEndpointAndBindsNothing()
    {
        var free = FreeEndpoint();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(NextAddress(), 0));
        squatter.Listen();
        var taken = (IPEndPoint)squatter.LocalEndPoint!;

        var error = await Assert.ThrowsAsync<DataPlaneBindException>(() => _plane.ApplyAsync("lb-conflict",
            [Listener("lbl-free", free, "tcp", "roundrobin", [Backend(Started("z")[0])]),
             Listener("lbl-taken", taken, "http", "roundrobin", [])], CancellationToken.None));

        Assert.Equal("lbl-taken", error.ListenerId);
        Assert.Equal(taken.ToString(), error.Endpoint);
        Assert.Contains(taken.ToString(), error.Message, StringComparison.Ordinal);
        Assert.True(CanBind(free), "the listener that did bind was released");
        Assert.Null(_plane.FindBackend("lbb-z"));
    }

    [Fact]
    public async Task RemoveAndDisposeReleaseEveryPortAndCutConnections()
    {
        var server = Started("r")[0];
        var removed = await ApplyAsync("tcp", "roundrobin", [Backend(server)]);
        var disposed = FreeEndpoint();
        await _plane.ApplyAsync("lb-other", [Listener("lbl-other", disposed, "http", "roundrobin", [Backend("lbb-other", server.EndPoint)])], CancellationToken.None);
        using var held = await OpenAsync(removed);

        await _plane.RemoveAsync("lb-test");

        Assert.True(CanBind(removed));
        Assert.Null(await held.ReadLineAsync());
        Assert.Equal("down", _plane.GetBackendStatus("lbb-r"));

        await _plane.DisposeAsync();

        Assert.True(CanBind(disposed));
    }

    [Fact]
    public async Task ApplyRefusesSpecsItCannotServeBeforeBindingAnything()
    {
        var lb = FreeEndpoint();

        await Assert.ThrowsAsync<ArgumentException>(() => _plane.ApplyAsync("lb-bad", [Listener("lbl-ext", new IPEndPoint(IPAddress.Parse("192.0.2.10"), 80), "tcp", "roundrobin", [])], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _plane.ApplyAsync("lb-bad", [Listener("lbl-mode", lb, "tcp", "random", [])], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _plane.ApplyAsync("lb-bad", [Listener("lbl-check", lb, "tcp", "roundrobin", [], check: "icmp")], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _plane.ApplyAsync("lb-bad", [Listener("lbl-proto", lb, "udp", "roundrobin", [])], CancellationToken.None));

        Assert.True(CanBind(lb));
    }

    /// <summary>Applies one listener <c>lbl-test</c> of <c>lb-test</c> on a free endpoint and (by default) waits until every backend is up.</summary>
    private async Task<IPEndPoint> ApplyAsync(string protocol, string mode, BackendSpec[] backends, string check = "tcp", bool forwardFor = false, bool waitUp = true)
    {
        var lb = FreeEndpoint();
        await _plane.ApplyAsync("lb-test", [Listener("lbl-test", lb, protocol, mode, backends, check, forwardFor)], CancellationToken.None);
        if (waitUp)
        {
            await AllUp(_plane, backends.Select(b => b.BackendId).ToArray());
        }

        return lb;
    }

    /// <summary>TCP servers that hold an address and port but do not listen yet; stopped after the test.</summary>
    private TcpBackend[] Reserve(params string[] names)
    {
        var servers = names.Select(TcpBackend.Reserve).ToArray();
        _servers.AddRange(servers);
        return servers;
    }

    private TcpBackend[] Started(params string[] names)
    {
        var servers = Reserve(names);
        Array.ForEach(servers, s => s.Start());
        return servers;
    }

    private async Task<HttpBackend[]> WebAsync(params string[] names)
    {
        var servers = await Task.WhenAll(names.Select(HttpBackend.StartAsync));
        _servers.AddRange(servers);
        return servers;
    }
}
