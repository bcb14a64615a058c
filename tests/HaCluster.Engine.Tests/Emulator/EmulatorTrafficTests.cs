// Copyright (c) HaCluster contributors. MIT License.
// End to end through the API: applied listeners carry real traffic to healthy backends; stopped instances get none.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorTrafficTests
{
    [Fact]
    public async Task BackendsComeUpCarryTrafficAndStopWithTheirInstance()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.HealthCheckTimeScale = 0.1);
        await using var master1 = NamedServer.Start("master1", h.Subnet + ".2");
        await using var master2 = NamedServer.Start("master2", h.Subnet + ".3");
        var lb = await h.CreateInternalLbAsync();
        var listener = (string)(await h.OkAsync(
            "AddLoadBalancerListeners",
            ("loadbalancer", lb),
            ("listeners.1.listener_port", 6443), ("listeners.1.listener_protocol", "tcp"), ("listeners.1.backend_protocol", "tcp"),
            ("listeners.1.healthy_check_option", "2|5|2|2")))["loadbalancer_listeners"]![0]!;
        var ids = (await h.OkAsync(
            "AddLoadBalancerBackends",
            ("loadbalancer_listener", listener),
            ("backends.1.resource_id", "i-master01"), ("backends.1.port", master1.Port),
            ("backends.2.resource_id", "i-master02"), ("backends.2.port", master2.Port),
            ("backends.3.resource_id", "i-master03"), ("backends.3.port", master1.Port)))["loadbalancer_backends"]!.AsArray().Select(b => (string)b!).ToArray();

        await h.SucceedsAsync(await h.OkAsync("UpdateLoadBalancers", ("loadbalancers.1", lb)));
        await StatusesAsync(h, listener, ids, ["up", "up", "down"]);

        // Nothing listens on master3's address, so all traffic goes to masters 1 and 2.
        var vip = new IPEndPoint(IPAddress.Parse(h.Subnet + ".253"), 6443);
        var seen = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            seen.Add(await NameViaAsync(vip));
        }

        Assert.Equal(["master1", "master2"], seen.Order());

        await h.SucceedsAsync(await h.OkAsync("StopInstances", ("instances.1", "i-master01")));
        await StatusesAsync(h, listener, ids, ["down", "up", "down"]);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("master2", await NameViaAsync(vip));
        }

        // Deleting the LB releases its socket.
        await h.SucceedsAsync(await h.OkAsync("DeleteLoadBalancers", ("loadbalancers.1", lb)));
        await Assert.ThrowsAnyAsync<SocketException>(() => NameViaAsync(vip));
    }

    // Polls DescribeLoadBalancerBackends (short, then backing off) until the statuses match.
    private static async Task StatusesAsync(EmulatorHarness h, string listener, string[] ids, string[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var delay = 20;
        while (true)
        {
            var set = (await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer_listener", listener)))["loadbalancer_backend_set"]!.AsArray();
            var actual = ids.Select(id => (string)set.Single(b => (string?)b!["loadbalancer_backend_id"] == id)!["status"]!).ToArray();
            if (actual.SequenceEqual(expected))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"backend statuses stayed {string.Join(",", actual)}, expected {string.Join(",", expected)}");
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 200);
        }
    }

    private static async Task<string> NameViaAsync(IPEndPoint endpoint)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        using var reader = new StreamReader(client.GetStream());
        return await reader.ReadLineAsync() ?? "<closed>";
    }

    // A service on an instance's address that answers every connection with its name.
    private sealed class NamedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private NamedServer(string name, string address)
        {
            _listener = new TcpListener(IPAddress.Parse(address), 0);
            _listener.Start();
            _loop = ServeAsync(name);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static NamedServer Start(string name, string address) => new(name, address);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Stopped: the pending accept ends with cancellation or a closed socket.
            }

            _stop.Dispose();
        }

        private async Task ServeAsync(string name)
        {
            var line = System.Text.Encoding.ASCII.GetBytes(name + "\n");
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                try
                {
                    await client.GetStream().WriteAsync(line, _stop.Token);
                }
                catch (IOException)
                {
                    // Health checks hang up without reading.
                }
            }
        }
    }
}
