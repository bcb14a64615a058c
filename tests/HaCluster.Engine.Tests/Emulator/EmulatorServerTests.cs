// Copyright (c) HaCluster contributors. MIT License.
// Faults (repeatable by seed), the request log, reset, admin routes and shutdown.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using HaCluster.Emulator;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorServerTests
{
    // The outcome of each of 40 identical calls: a ret_code, or "drop" when the connection was aborted.
    private static async Task<List<string>> OutcomesAsync(int seed)
    {
        await using var h = await EmulatorHarness.StartAsync(o =>
        {
            o.Faults.RetCode5100Rate = 0.3;
            o.Faults.RetCode5000Rate = 0.1;
            o.Faults.DropConnectionRate = 0.1;
            o.Faults.Seed = seed;
        });
        var outcomes = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            try
            {
                outcomes.Add(((int)(await h.CallAsync("DescribeVxnets"))["ret_code"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (HttpRequestException)
            {
                outcomes.Add("drop");
            }
        }

        var logged = h.Server.GetRequests();
        Assert.Equal(40, logged.Count);
        Assert.Equal(outcomes.Count(o => o == "drop"), logged.Count(r => r.Fault == "drop_connection"));
        Assert.Equal(outcomes.Count(o => o == "5100"), logged.Count(r => r.Fault == "ret_code_5100" && r.RetCode == 5100));
        return outcomes;
    }

    [Fact]
    public async Task FaultsRepeatWithTheSameSeed()
    {
        var first = await OutcomesAsync(seed: 7);
        var second = await OutcomesAsync(seed: 7);
        Assert.Equal(first, second);
        Assert.Contains("5100", first);
        Assert.Contains("5000", first);
        Assert.Contains("drop", first);
        Assert.Contains("0", first);
        Assert.NotEqual(first, await OutcomesAsync(seed: 8));
    }

    [Fact]
    public async Task BusyFaultsDoNotTakeEffectButDroppedCallsDo()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.Faults.RetCode5100Rate = 1.0);
        var message = await h.FailsAsync(5100, "CreateSecurityGroup", ("security_group_name", "busy"));
        Assert.Contains("busy", message, StringComparison.OrdinalIgnoreCase);

        h.Server.Options.Faults.RetCode5100Rate = 0;
        h.Server.Options.Faults.DropConnectionRate = 1.0;
        await Assert.ThrowsAsync<HttpRequestException>(() => h.CallAsync("CreateSecurityGroup", ("security_group_name", "dropped")));

        h.Server.Options.Faults.DropConnectionRate = 0;
        var groups = await h.OkAsync("DescribeSecurityGroups");
        Assert.Equal(["default security group", "dropped"], groups["security_group_set"]!.AsArray().Select(g => (string)g!["security_group_name"]!));
        var log = h.Server.GetRequests();
        Assert.Equal(("ret_code_5100", 5100), (log[0].Fault, log[0].RetCode));
        Assert.Equal(("drop_connection", 0), (log[1].Fault, log[1].RetCode));
    }

    // The outcome of each of 200 identical calls under 5300 and gateway faults: a ret_code, or "http 502"/"http 503".
    private static async Task<List<string>> UpdatingAndGatewayOutcomesAsync(int seed)
    {
        await using var h = await EmulatorHarness.StartAsync(o =>
        {
            o.Faults.RetCode5300Rate = 0.2;
            o.Faults.Http5xxRate = 0.3;
            o.Faults.Seed = seed;
        });
        var outcomes = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var (status, mediaType, body) = await h.SendRawAsync(EmulatorHarness.Common("DescribeVxnets"));
            if (status == HttpStatusCode.OK)
            {
                outcomes.Add(((int)JsonNode.Parse(body)!["ret_code"]!).ToString(CultureInfo.InvariantCulture));
                continue;
            }

            // What a gateway in front of the API sends: an HTML page, no envelope.
            Assert.True(status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"unexpected HTTP {status}");
            Assert.Equal("text/html", mediaType);
            Assert.Contains(((int)status).ToString(CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
            outcomes.Add("http " + ((int)status).ToString(CultureInfo.InvariantCulture));
        }

        var logged = h.Server.GetRequests();
        Assert.Equal(200, logged.Count);
        Assert.Equal(outcomes.Count(o => o == "5300"), logged.Count(r => r.Fault == "ret_code_5300" && r.RetCode == 5300));
        Assert.Equal(outcomes.Where(o => o.StartsWith("http ", StringComparison.Ordinal)), logged.Where(r => r.Fault == "http_5xx").Select(r => "http " + r.RetCode.ToString(CultureInfo.InvariantCulture)));
        return outcomes;
    }

    [Fact]
    public async Task ServiceUpdatingAndGatewayFaultsComeAtTheirRatesAndRepeatWithTheSeed()
    {
        var first = await UpdatingAndGatewayOutcomesAsync(seed: 5);
        Assert.Equal(first, await UpdatingAndGatewayOutcomesAsync(seed: 5));

        // 200 seeded draws at 20 % and 30 %: the counts are fixed by the seed; the bounds say they match the rates.
        Assert.InRange(first.Count(o => o == "5300"), 25, 55);
        Assert.InRange(first.Count(o => o.StartsWith("http ", StringComparison.Ordinal)), 45, 75);
        Assert.InRange(first.Count(o => o == "0"), 80, 120);
        Assert.Contains("http 502", first);
        Assert.Contains("http 503", first);
        Assert.NotEqual(first, await UpdatingAndGatewayOutcomesAsync(seed: 6));
    }

    [Fact]
    public async Task ServiceUpdatingAndGatewayFaultsDoNotTakeEffect()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.Faults.RetCode5300Rate = 1.0);
        var message = await h.FailsAsync(5300, "CreateSecurityGroup", ("security_group_name", "updating"));
        Assert.Contains("updating", message, StringComparison.OrdinalIgnoreCase);

        h.Server.Options.Faults.RetCode5300Rate = 0;
        h.Server.Options.Faults.Http5xxRate = 1.0;
        var create = EmulatorHarness.Common("CreateSecurityGroup");
        create["security_group_name"] = "gateway";
        var (status, mediaType, body) = await h.SendRawAsync(create);
        Assert.True(status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"unexpected HTTP {status}");
        Assert.Equal("text/html", mediaType);
        Assert.DoesNotContain("ret_code", body, StringComparison.Ordinal);

        h.Server.Options.Faults.Http5xxRate = 0;
        var groups = await h.OkAsync("DescribeSecurityGroups");
        Assert.Equal(["default security group"], groups["security_group_set"]!.AsArray().Select(g => (string)g!["security_group_name"]!));
        var log = h.Server.GetRequests();
        Assert.Equal(("ret_code_5300", 5300), (log[0].Fault, log[0].RetCode));
        Assert.Equal(("http_5xx", (int)status), (log[1].Fault, log[1].RetCode));
        Assert.Equal("gateway", log[1].Parameters["security_group_name"]);
        Assert.False(log[1].Parameters.ContainsKey("signature"));

        using var http = new HttpClient();
        var entries = JsonNode.Parse(await http.GetStringAsync(new Uri(h.Server.BaseAddress, "_emulator/requests")))!["requests"]!.AsArray();
        Assert.Equal(["ret_code_5300", "http_5xx", null], entries.Select(e => (string?)e!["fault"]));
    }

    [Fact]
    public async Task TheRequestLogHasActionsParametersAndCodesButNoSignature()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.OkAsync("DescribeInstances", ("search_word", "node"));
        await h.FailsAsync(2100, "StopInstances", ("instances.1", "i-gone0001"));

        var log = h.Server.GetRequests();
        Assert.Equal(["DescribeInstances", "StopInstances"], log.Select(r => r.Action));
        Assert.Equal([0, 2100], log.Select(r => r.RetCode));
        Assert.Equal([1L, 2L], log.Select(r => r.Sequence));
        Assert.Equal("node", log[0].Parameters["search_word"]);
        Assert.Equal(EmulatorOptions.DefaultAccessKeyId, log[0].Parameters["access_key_id"]);
        Assert.All(log, r => Assert.False(r.Parameters.ContainsKey("signature")));
        Assert.Contains("i-gone0001", log[1].Message, StringComparison.Ordinal);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(h.Server.BaseAddress, "_emulator/requests"));
        Assert.DoesNotContain("signature\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(EmulatorOptions.DefaultSecretAccessKey, text, StringComparison.Ordinal);
        var json = JsonNode.Parse(text)!;
        Assert.Equal(2, (int)json["total_count"]!);
        Assert.Equal("StopInstances", (string?)json["requests"]![1]!["action"]);
        Assert.Equal(2100, (int)json["requests"]![1]!["ret_code"]!);
        Assert.Equal("i-gone0001", (string?)json["requests"]![1]!["params"]!["instances.1"]);
        Assert.NotNull((string?)json["requests"]![0]!["time"]);

        var filtered = JsonNode.Parse(await http.GetStringAsync(new Uri(h.Server.BaseAddress, "_emulator/requests?action=StopInstances")))!;
        Assert.Equal(1, (int)filtered["total_count"]!);
        var since = JsonNode.Parse(await http.GetStringAsync(new Uri(h.Server.BaseAddress, "_emulator/requests?since=1")))!;
        Assert.Equal(2, (int)since["requests"]![0]!["sequence"]!);

        using var cleared = await http.DeleteAsync(new Uri(h.Server.BaseAddress, "_emulator/requests"));
        Assert.Empty(h.Server.GetRequests());
    }

    [Fact]
    public async Task ResetReturnsToTheConfiguredState()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var firstLb = await h.CreateInternalLbAsync();
        await h.AllocateAvailableEipAsync();
        await h.SucceedsAsync(await h.OkAsync("StopInstances", ("instances.1", "i-master01")));

        using var http = new HttpClient();
        using var reset = await http.PostAsync(new Uri(h.Server.BaseAddress, "_emulator/reset"), null);
        Assert.Equal(System.Net.HttpStatusCode.OK, reset.StatusCode);
        Assert.Empty(h.Server.GetRequests());
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancers"))["total_count"]!);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeEips"))["total_count"]!);
        Assert.Equal(6, (int)(await h.OkAsync("DescribeInstances", ("status.1", "running")))["total_count"]!);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeJobs"))["total_count"]!);

        // Ids restart from the seed, so a rerun after reset sees the same ids.
        Assert.Equal(firstLb, await h.CreateInternalLbAsync());

        var state = JsonNode.Parse(await http.GetStringAsync(new Uri(h.Server.BaseAddress, "_emulator/state")))!;
        Assert.Equal(6, state["instances"]!.AsArray().Count);
        Assert.Single(state["loadbalancers"]!.AsArray());
    }

    [Fact]
    public async Task ServersOnPortZeroGetTheirOwnPortsAndReleaseThemOnDispose()
    {
        var a = await EmulatorServer.StartAsync(EmulatorHarness.Options());
        Uri api;
        IPEndPoint vip;
        await using (var b = await EmulatorHarness.StartAsync())
        {
            Assert.NotEqual(a.BaseAddress.Port, b.Server.BaseAddress.Port);
            Assert.Equal("/iaas/", b.Server.Endpoint.AbsolutePath);
            Assert.Contains("UpdateLoadBalancers", b.Server.SupportedActions);
            Assert.Equal(34, b.Server.SupportedActions.Count());
            api = b.Server.BaseAddress;

            // An applied listener holds a socket on the VIP until the server is disposed.
            var lb = await b.CreateInternalLbAsync();
            await b.AddListenerAsync(lb, 16443);
            await b.SucceedsAsync(await b.OkAsync("UpdateLoadBalancers", ("loadbalancers.1", lb)));
            vip = new IPEndPoint(IPAddress.Parse(b.Subnet + ".253"), 16443);
            using var probe = new TcpClient();
            await probe.ConnectAsync(vip);
        }

        await a.DisposeAsync();
        await a.DisposeAsync();
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(api, "_emulator/requests")));
        using var after = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => after.ConnectAsync(vip));
    }

    [Fact]
    public async Task AnInvalidConfigurationDoesNotStart()
    {
        var options = EmulatorHarness.Options(o => o.Zones.Clear());
        await Assert.ThrowsAsync<EmulatorConfigException>(() => EmulatorServer.StartAsync(options));
    }
}
