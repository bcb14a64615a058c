// Copyright (c) HaCluster contributors. MIT License.
// Listener and backend validation and limits.

using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorListenerTests
{
    [Theory]
    [InlineData(25)]
    [InlineData(80)]
    [InlineData(443)]
    [InlineData(1024)]
    [InlineData(65535)]
    public async Task DocumentedListenerPortsAreAccepted(int port)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var listener = await h.AddListenerAsync(lb, port);
        var described = await h.DescribeOneAsync("DescribeLoadBalancerListeners", "loadbalancer_listeners", "loadbalancer_listener_set", listener);
        Assert.Equal((port, lb, "roundrobin", "tcp", "10|5|2|5", 50), ((int)described["listener_port"]!, (string?)described["loadbalancer_id"], (string?)described["balance_mode"], (string?)described["healthy_check_method"], (string?)described["healthy_check_option"], (int)described["timeout"]!));
    }

    [Theory]
    [InlineData("listeners.1.listener_port", "22")]
    [InlineData("listeners.1.listener_port", "1023")]
    [InlineData("listeners.1.listener_port", "65536")]
    [InlineData("listeners.1.listener_port", "")]
    [InlineData("listeners.1.listener_protocol", "udp")]
    [InlineData("listeners.1.backend_protocol", "http")]
    [InlineData("listeners.1.backend_protocol", "")]
    [InlineData("listeners.1.balance_mode", "poll")]
    [InlineData("listeners.1.healthy_check_method", "http|healthz")]
    [InlineData("listeners.1.healthy_check_option", "1|5|2|5")]
    [InlineData("listeners.1.healthy_check_option", "10|5|2")]
    [InlineData("listeners.1.timeout", "5")]
    [InlineData("listeners.1.forwardfor", "8")]
    public async Task InvalidListenerFieldsAnswer1100(string field, string value)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var p = EmulatorHarness.Common("AddLoadBalancerListeners");
        p["loadbalancer"] = lb;
        p["listeners.1.listener_port"] = "6443";
        p["listeners.1.listener_protocol"] = "tcp";
        p["listeners.1.backend_protocol"] = "tcp";
        p[field] = value;
        var body = await h.SendAsync(p);
        Assert.Equal(1100, (int)body["ret_code"]!);
        Assert.Contains(field.Split('.').Last(), (string?)body["message"], StringComparison.Ordinal);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancerListeners", ("loadbalancer", lb)))["total_count"]!);
    }

    [Fact]
    public async Task HttpsNeedsACertificate()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        await h.FailsAsync(1100, "AddLoadBalancerListeners", ("loadbalancer", lb), ("listeners.1.listener_port", 443), ("listeners.1.listener_protocol", "https"), ("listeners.1.backend_protocol", "https"));
        var ok = await h.OkAsync("AddLoadBalancerListeners", ("loadbalancer", lb), ("listeners.1.listener_port", 443), ("listeners.1.listener_protocol", "https"), ("listeners.1.backend_protocol", "https"), ("listeners.1.server_certificate_id", "sc-aaaaaaaa,sc-bbbbbbbb"));
        var listener = await h.DescribeOneAsync("DescribeLoadBalancerListeners", "loadbalancer_listeners", "loadbalancer_listener_set", (string)ok["loadbalancer_listeners"]![0]!);
        Assert.Equal("sc-aaaaaaaa,sc-bbbbbbbb", (string?)listener["server_certificate_id"]);
    }

    [Fact]
    public async Task APortIsUsedOnceAndFiftyListenersIsTheLimit()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        await h.AddListenerAsync(lb, 6443);
        Assert.Contains("6443", await h.FailsAsync(1400, "AddLoadBalancerListeners", ("loadbalancer", lb), ("listeners.1.listener_port", 6443), ("listeners.1.listener_protocol", "tcp"), ("listeners.1.backend_protocol", "tcp")), StringComparison.Ordinal);

        (string, object)[] Listeners(int count, int firstPort) =>
            [("loadbalancer", lb), .. Enumerable.Range(1, count).SelectMany(i => new (string, object)[]
            {
                ($"listeners.{i}.listener_port", firstPort + i),
                ($"listeners.{i}.listener_protocol", "tcp"),
                ($"listeners.{i}.backend_protocol", "tcp"),
                ($"listeners.{i}.loadbalancer_listener_name", $"listener-number-{i}"),
                ($"listeners.{i}.balance_mode", "leastconn"),
                ($"listeners.{i}.healthy_check_method", "tcp"),
                ($"listeners.{i}.healthy_check_option", "10|5|2|5"),
            })];
        // 50 fully specified listeners make a GET line well over 8 KB; it must still be served.
        await h.FailsAsync(2500, "AddLoadBalancerListeners", Listeners(50, 10000));
        var added = await h.OkAsync("AddLoadBalancerListeners", Listeners(49, 10000));
        Assert.Equal(49, added["loadbalancer_listeners"]!.AsArray().Count);
        await h.FailsAsync(2500, "AddLoadBalancerListeners", Listeners(1, 20000));
        var all = await h.OkAsync("DescribeLoadBalancerListeners", ("loadbalancer", lb), ("limit", 100));
        Assert.Equal(50, (int)all["total_count"]!);
        Assert.Equal(50, all["loadbalancer_listener_set"]!.AsArray().Count);
    }

    [Fact]
    public async Task BackendsAreValidatedAndLimitedToAHundredPerListener()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var listener = await h.AddListenerAsync(lb);
        await h.FailsAsync(1100, "AddLoadBalancerBackends", ("loadbalancer_listener", listener));
        await h.FailsAsync(2100, "AddLoadBalancerBackends", ("loadbalancer_listener", "lbl-nothere1"), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443));
        Assert.Contains("i-ghost001", await h.FailsAsync(2100, "AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-ghost001"), ("backends.1.port", 6443)), StringComparison.Ordinal);
        Assert.Contains("port", await h.FailsAsync(1100, "AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01")), StringComparison.Ordinal);
        await h.FailsAsync(1100, "AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 70000));
        await h.FailsAsync(1100, "AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443), ("backends.1.weight", 101));
        await h.FailsAsync(1400, "AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443), ("backends.2.resource_id", "i-master01"), ("backends.2.port", 6443));

        (string, object)[] Backends(int count, int firstPort) =>
            [("loadbalancer_listener", listener), .. Enumerable.Range(1, count).SelectMany(i => new (string, object)[]
            {
                ($"backends.{i}.resource_id", "i-node0001"),
                ($"backends.{i}.port", firstPort + i),
            })];
        await h.FailsAsync(2500, "AddLoadBalancerBackends", Backends(101, 1000));
        Assert.Equal(100, (await h.OkAsync("AddLoadBalancerBackends", Backends(100, 1000)))["loadbalancer_backends"]!.AsArray().Count);
        await h.FailsAsync(2500, "AddLoadBalancerBackends", Backends(1, 5000));

        var page = await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer", lb), ("offset", 90), ("limit", 50));
        Assert.Equal((100, 10), ((int)page["total_count"]!, page["loadbalancer_backend_set"]!.AsArray().Count));
        Assert.Equal(20, (await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer_listener", listener)))["loadbalancer_backend_set"]!.AsArray().Count);
        Assert.Equal(100, (await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer_listener", listener), ("limit", 1000)))["loadbalancer_backend_set"]!.AsArray().Count);
    }

    [Fact]
    public async Task DeletingListenersRemovesTheirBackends()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var listener = await h.AddListenerAsync(lb);
        var backend = (string)(await h.OkAsync("AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443), ("backends.1.loadbalancer_backend_name", "m1")))["loadbalancer_backends"]![0]!;
        var described = await h.DescribeOneAsync("DescribeLoadBalancerBackends", "loadbalancer_backends", "loadbalancer_backend_set", backend);
        Assert.Equal(("m1", listener, lb, "i-master01", 6443), ((string?)described["loadbalancer_backend_name"], (string?)described["loadbalancer_listener_id"], (string?)described["loadbalancer_id"], (string?)described["resource_id"], (int)described["port"]!));

        var deleted = await h.OkAsync("DeleteLoadBalancerListeners", ("loadbalancer_listeners.1", listener));
        Assert.Equal(listener, (string?)deleted["loadbalancer_listeners"]![0]);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer_backends.1", backend)))["total_count"]!);
        await h.FailsAsync(2100, "DeleteLoadBalancerListeners", ("loadbalancer_listeners.1", listener));
        await h.FailsAsync(2100, "DeleteLoadBalancerBackends", ("loadbalancer_backends.1", backend));
        await h.FailsAsync(1100, "DeleteLoadBalancerBackends");
        await h.FailsAsync(1100, "DeleteLoadBalancerListeners");
    }
}
