// Copyright (c) HaCluster contributors. MIT License.
// Concurrent waits on one client share one poll per tick, counted from the emulator's request log (jobs held by the
// emulator, so "still pending" is certain and no assert depends on timing).

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class SharedPollerTests
{
    private static readonly string[] Nodes = { "i-node0001", "i-node0002", "i-node0003" };

    [Fact]
    public async Task ConcurrentJobWaitsMakeOneDescribeJobsPerTick()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();
        await emulator.HoldJobsAsync();
        var jobs = await StopEachAsync(client, Nodes);

        var waits = jobs.Select(j => client.WaitForJobsAsync(new[] { j })).ToList();
        var whileHeld = await emulator.RequestsOnceAsync("DescribeJobs", 3);
        await emulator.ReleaseJobsAsync();
        var done = await Task.WhenAll(waits);

        Assert.All(done, d => Assert.Equal("successful", d.Single().Status));
        Assert.All(whileHeld, r => Assert.Equal(jobs.OrderBy(j => j), EmulatorScope.Named(r, "jobs").OrderBy(j => j)));
    }

    [Fact]
    public async Task ConcurrentLoadBalancerWaitsMakeOneDescribeLoadBalancersPerTick()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();
        await emulator.HoldJobsAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "lb-a", "lb-b" })
        {
            ids.Add((await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = name, VxNetId = "vxnet-pn" })).LoadBalancerId);
        }

        var waits = ids.Select(id => client.WaitForLoadBalancersAsync(new[] { id }, "active")).ToList();
        var whileHeld = (await emulator.RequestsOnceAsync("DescribeLoadBalancers", 3)).Where(r => EmulatorScope.Named(r, "loadbalancers").Count > 0).ToList();
        await emulator.ReleaseJobsAsync();
        var done = await Task.WhenAll(waits);

        Assert.All(done, d => Assert.Equal("active", d.Single().Status));
        // The first tick may come before the second wait has subscribed (a resource wait polls at once); every later one serves both.
        Assert.NotEmpty(whileHeld.Skip(1));
        Assert.All(whileHeld.Skip(1), r => Assert.Equal(ids.OrderBy(i => i), EmulatorScope.Named(r, "loadbalancers").OrderBy(i => i)));
    }

    [Fact]
    public async Task AFailedJobFailsOnlyItsOwnWait()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();
        await emulator.HoldJobsAsync();
        emulator.Server.Options.Faults.FailedJobRate = 1.0;
        var failing = await client.StopInstancesAsync(new[] { Nodes[0] });
        emulator.Server.Options.Faults.FailedJobRate = 0;
        var fine = await StopEachAsync(client, Nodes.Skip(1));

        var failingWait = client.WaitForJobsAsync(new[] { failing });
        var fineWaits = fine.Select(j => client.WaitForJobsAsync(new[] { j })).ToList();
        var whileHeld = await emulator.RequestsOnceAsync("DescribeJobs", 1);
        await emulator.ReleaseJobsAsync();

        var ex = await Assert.ThrowsAsync<QingCloudJobFailedException>(() => failingWait);
        Assert.Equal(failing, ex.JobId);
        Assert.All(await Task.WhenAll(fineWaits), d => Assert.Equal("successful", d.Single().Status));
        Assert.Contains(failing, EmulatorScope.Named(whileHeld[0], "jobs"));
        Assert.Contains(fine[0], EmulatorScope.Named(whileHeld[0], "jobs"));
    }

    [Fact]
    public async Task CancellingOneWaitLeavesTheOthersPolling()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();
        await emulator.HoldJobsAsync();
        var jobs = await StopEachAsync(client, Nodes);
        using var cancel = new CancellationTokenSource();

        var cancelled = client.WaitForJobsAsync(new[] { jobs[0] }, cancellationToken: cancel.Token);
        var others = jobs.Skip(1).Select(j => client.WaitForJobsAsync(new[] { j })).ToList();
        await emulator.RequestsOnceAsync("DescribeJobs", 1);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        var mark = emulator.Server.GetRequests().Max(r => r.Sequence);
        var after = await emulator.RequestsOnceAsync("DescribeJobs", 1, mark);
        await emulator.ReleaseJobsAsync();

        Assert.All(await Task.WhenAll(others), d => Assert.Equal("successful", d.Single().Status));
        Assert.Equal(jobs.Skip(1).OrderBy(j => j), EmulatorScope.Named(after[0], "jobs").OrderBy(j => j));
    }

    [Fact]
    public async Task ManyJobsArePolledInCallsOfAtMostOneHundred()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();
        var group = await client.CreateSecurityGroupAsync("many-jobs");
        await emulator.HoldJobsAsync();
        var jobs = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            jobs.Add(await client.ApplySecurityGroupAsync(group));
        }

        var waits = jobs.Chunk(50).Select(chunk => client.WaitForJobsAsync(chunk)).ToList();
        var whileHeld = await emulator.RequestsOnceAsync("DescribeJobs", 4);
        await emulator.ReleaseJobsAsync();
        await Task.WhenAll(waits);

        // DescribeJobs takes at most 100 (reference §3.2): each tick is two calls, 100 ids and 50, together all 150.
        Assert.All(whileHeld, r => Assert.InRange(EmulatorScope.Named(r, "jobs").Count, 1, QingCloudClient.PageSize));
        Assert.All(whileHeld, r => Assert.InRange(int.Parse(r.Parameters["limit"], System.Globalization.CultureInfo.InvariantCulture), 1, QingCloudClient.PageSize));
        foreach (var tick in whileHeld.Take(4).Chunk(2))
        {
            Assert.Equal(jobs.OrderBy(j => j), tick.SelectMany(r => EmulatorScope.Named(r, "jobs")).OrderBy(j => j));
        }
    }

    private static async Task<List<string>> StopEachAsync(QingCloudClient client, IEnumerable<string> instances)
    {
        var jobs = new List<string>();
        foreach (var instance in instances)
        {
            jobs.Add(await client.StopInstancesAsync(new[] { instance }));
        }

        return jobs;
    }
}
