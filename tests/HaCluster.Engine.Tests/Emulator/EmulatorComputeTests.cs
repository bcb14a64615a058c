// Copyright (c) HaCluster contributors. MIT License.
// DescribeInstances filters and paging, Stop/StartInstances lifecycle, DescribeVxnets, DescribeJobs.

using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorComputeTests
{
    private static string[] Names(JsonObject body, string set, string field) =>
        [.. body[set]!.AsArray().Select(i => (string)i![field]!)];

    [Fact]
    public async Task DescribeInstancesFiltersBySearchWordIdsAndStatus()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var masters = await h.OkAsync("DescribeInstances", ("search_word", "MASTER"));
        Assert.Equal(["master1", "master2", "master3"], Names(masters, "instance_set", "instance_name"));
        Assert.Equal(3, (int)masters["total_count"]!);
        var first = masters["instance_set"]![0]!;
        Assert.Equal(h.Subnet + ".2", (string?)first["vxnets"]![0]!["private_ip"]);
        Assert.Equal("vxnet-pn", (string?)first["vxnets"]![0]!["vxnet_id"]);
        Assert.Equal(string.Empty, (string?)first["transition_status"]);
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", (string?)first["create_time"]);

        var byIds = await h.OkAsync("DescribeInstances", ("instances.1", "i-node0002"), ("instances.2", "i-master03"), ("instances.3", "i-nothere"));
        Assert.Equal(["i-master03", "i-node0002"], Names(byIds, "instance_set", "instance_id"));
        Assert.Equal(6, (int)(await h.OkAsync("DescribeInstances", ("status.1", "running")))["total_count"]!);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeInstances", ("status.1", "stopped")))["total_count"]!);
        Assert.Contains("status", await h.FailsAsync(1100, "DescribeInstances", ("status.1", "sleeping")), StringComparison.Ordinal);
        Assert.True((await h.OkAsync("DescribeInstances", ("instances.1", "i-master01"), ("verbose", 1)))["instance_set"]![0]!.AsObject().ContainsKey("security_group"));
    }

    [Fact]
    public async Task DescribeInstancesPagesWithOffsetAndLimit()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var page = await h.OkAsync("DescribeInstances", ("offset", 4), ("limit", 4));
        Assert.Equal(["node2", "node3"], Names(page, "instance_set", "instance_name"));
        Assert.Equal(6, (int)page["total_count"]!);
        Assert.Equal(2, Names(await h.OkAsync("DescribeInstances", ("limit", 2)), "instance_set", "instance_id").Length);
        await h.FailsAsync(1100, "DescribeInstances", ("limit", "many"));
        await h.FailsAsync(1100, "DescribeInstances", ("offset", -1));
    }

    [Fact]
    public async Task StopAndStartGoThroughTransitionsAndJobs()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.JobLatencyMs = 60_000);
        var stop = await h.OkAsync("StopInstances", ("instances.1", "i-master02"), ("force", 1));
        var jobId = (string)stop["job_id"]!;
        Assert.Matches("^j-[a-z0-9]{8}$", jobId);
        var instance = await h.DescribeOneAsync("DescribeInstances", "instances", "instance_set", "i-master02");
        Assert.Equal(("running", "stopping"), ((string?)instance["status"], (string?)instance["transition_status"]));
        var job = await h.DescribeOneAsync("DescribeJobs", "jobs", "job_set", jobId);
        Assert.Equal("StopInstances", (string?)job["job_action"]);
        Assert.Equal("i-master02", (string?)job["resource_ids"]);
        Assert.Contains((string?)job["status"], new[] { "pending", "working" });
        await h.FailsAsync(1400, "StopInstances", ("instances.1", "i-master02"));
    }

    [Fact]
    public async Task StopThenStartCompletes()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.SucceedsAsync(await h.OkAsync("StopInstances", ("instances.1", "i-master01"), ("instances.2", "i-master02")));
        var stopped = await h.OkAsync("DescribeInstances", ("status.1", "stopped"));
        Assert.Equal(["i-master01", "i-master02"], Names(stopped, "instance_set", "instance_id"));
        Assert.All(stopped["instance_set"]!.AsArray(), i => Assert.Equal(string.Empty, (string?)i!["transition_status"]));

        var message = await h.FailsAsync(1400, "StopInstances", ("instances.1", "i-master01"));
        Assert.Contains("i-master01", message, StringComparison.Ordinal);
        await h.FailsAsync(1400, "StartInstances", ("instances.1", "i-node0001"));

        await h.SucceedsAsync(await h.OkAsync("StartInstances", ("instances.1", "i-master01")));
        Assert.Equal("running", (string?)(await h.DescribeOneAsync("DescribeInstances", "instances", "instance_set", "i-master01"))["status"]);
    }

    [Fact]
    public async Task PowerActionsValidateTheirParameters()
    {
        await using var h = await EmulatorHarness.StartAsync();
        Assert.Contains("instances.1", await h.FailsAsync(1100, "StopInstances"), StringComparison.Ordinal);
        Assert.Contains("i-missing1", await h.FailsAsync(2100, "StartInstances", ("instances.1", "i-missing1")), StringComparison.Ordinal);
        await h.FailsAsync(1100, "StopInstances", ("instances.1", "i-master01"), ("force", 2));
        Assert.Equal(0, (int)(await h.OkAsync("DescribeInstances", ("status.1", "stopped")))["total_count"]!);
    }

    [Fact]
    public async Task DescribeVxnetsReportsTheNetwork()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var body = await h.OkAsync("DescribeVxnets", ("vxnets.1", "vxnet-pn"), ("verbose", 1));
        var vxnet = body["vxnet_set"]![0]!;
        Assert.Equal("pn", (string?)vxnet["vxnet_name"]);
        Assert.Equal(h.Subnet + ".0/24", (string?)vxnet["router"]!["ip_network"]);
        Assert.Equal(6, vxnet["instance_ids"]!.AsArray().Count);
        Assert.Equal(254 - 6, (int)vxnet["available_ip_count"]!);
        Assert.Equal(1, (int)(await h.OkAsync("DescribeVxnets", ("search_word", "pn")))["total_count"]!);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeVxnets", ("vxnets.1", "vxnet-other")))["total_count"]!);
    }

    [Fact]
    public async Task DescribeJobsFiltersByStatusAndFailedJobsRollBack()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.Faults.FailedJobRate = 1.0);
        var stop = await h.OkAsync("StopInstances", ("instances.1", "i-node0003"));
        var job = await h.WaitJobAsync((string)stop["job_id"]!);
        Assert.Equal("failed", (string?)job["status"]);
        Assert.NotEqual(string.Empty, (string?)job["error_codes"]);
        var instance = await h.DescribeOneAsync("DescribeInstances", "instances", "instance_set", "i-node0003");
        Assert.Equal(("running", string.Empty), ((string?)instance["status"], (string?)instance["transition_status"]));
        Assert.Equal(1, (int)(await h.OkAsync("DescribeJobs", ("status.1", "failed")))["total_count"]!);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeJobs", ("status.1", "successful")))["total_count"]!);
        await h.FailsAsync(1100, "DescribeJobs", ("status.1", "finished"));
    }
}
