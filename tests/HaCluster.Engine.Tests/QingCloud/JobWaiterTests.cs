// Copyright (c) HaCluster contributors. MIT License.
// Waiting for jobs against the emulator: one DescribeJobs per poll, failure with the job id, timeout, cancellation.

using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class JobWaiterTests
{
    [Fact]
    public async Task PollsAllJobsWithOneDescribeJobsPerPoll()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 400);
        var client = emulator.Client();
        var jobs = new[]
        {
            await client.StopInstancesAsync(new[] { "i-node0001" }),
            await client.StopInstancesAsync(new[] { "i-node0002" }),
            await client.StopInstancesAsync(new[] { "i-node0003" }),
        };

        var done = await client.WaitForJobsAsync(jobs);

        Assert.Equal(jobs, done.Select(j => j.JobId));
        Assert.All(done, j => Assert.Equal("successful", j.Status));
        var polls = emulator.Requests("DescribeJobs");
        Assert.NotEmpty(polls);
        Assert.Equal(jobs, polls[0].Parameters.Where(p => p.Key.StartsWith("jobs.", StringComparison.Ordinal)).OrderBy(p => p.Key).Select(p => p.Value));
        Assert.True(polls.Count < 20, $"{polls.Count} polls for a 400 ms job means the interval does not back off");
        Assert.Contains(emulator.Observer.ProgressRecords, p => p.Activity.Contains("3 QingCloud jobs") && !p.Completed);
        Assert.Contains(emulator.Observer.ProgressRecords, p => p.Completed);
    }

    [Fact]
    public async Task AFailedJobSurfacesWithItsJobId()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.Faults.FailedJobRate = 1.0);
        var client = emulator.Client();
        var jobId = await client.StopInstancesAsync(new[] { "i-node0001" });

        var ex = await Assert.ThrowsAsync<QingCloudJobFailedException>(() => client.WaitForJobsAsync(new[] { jobId }));

        Assert.Equal(jobId, ex.JobId);
        Assert.Equal("QingCloudJobFailed", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidResult, ex.Kind);
        Assert.Same(ex.Job, ex.Target);
        Assert.Contains(jobId, ex.Message);
        Assert.Contains("StopInstances", ex.Message);
    }

    [Fact]
    public async Task FailedJobsCanBeReturnedInsteadOfThrown()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.Faults.FailedJobRate = 1.0);
        var client = emulator.Client();
        var jobId = await client.StopInstancesAsync(new[] { "i-node0001" });

        var jobs = await client.WaitForJobsAsync(new[] { jobId }, new WaitOptions { ReturnFailedJobs = true });

        Assert.True(jobs.Single().IsFailed);
    }

    [Fact]
    public async Task TimesOutWithTheUnfinishedJobs()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 60_000);
        var client = emulator.Client();
        var jobId = await client.StopInstancesAsync(new[] { "i-node0001" });

        var ex = await Assert.ThrowsAsync<HaClusterException>(() => client.WaitForJobsAsync(new[] { jobId }, new WaitOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal("QingCloudJobTimeout", ex.ErrorId);
        Assert.Equal(FailureKind.OperationTimeout, ex.Kind);
        Assert.Equal(new[] { jobId }, (string[])ex.Target!);
    }

    [Fact]
    public async Task AHeldJobOutlastsAnyTimeoutAndFinishesOnceReleased()
    {
        // The emulator's hold (POST /_emulator/jobs/hold) makes "unfinished" certain, not a race against a 50 ms latency.
        await using var emulator = await EmulatorScope.StartAsync();
        using var http = new System.Net.Http.HttpClient();
        using (var held = await http.PostAsync(new Uri(emulator.Server.BaseAddress, "_emulator/jobs/hold"), null))
        {
            Assert.Contains("\"changed\":true", await held.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var client = emulator.Client();
        var jobId = await client.StopInstancesAsync(new[] { "i-node0002" });
        var ex = await Assert.ThrowsAsync<HaClusterException>(() => client.WaitForJobsAsync(new[] { jobId }, new WaitOptions { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal("QingCloudJobTimeout", ex.ErrorId);
        Assert.Equal("stopping", (await client.DescribeInstancesAsync(new[] { "i-node0002" })).Single().TransitionStatus);

        using (var released = await http.PostAsync(new Uri(emulator.Server.BaseAddress, "_emulator/jobs/release"), null))
        {
            Assert.Contains("\"changed\":true", await released.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("successful", (await client.WaitForJobsAsync(new[] { jobId })).Single().Status);
        Assert.Equal("stopped", (await client.DescribeInstancesAsync(new[] { "i-node0002" })).Single().Status);
    }

    [Fact]
    public async Task HonoursCancellation()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 60_000);
        var client = emulator.Client();
        var jobId = await client.StopInstancesAsync(new[] { "i-node0001" });
        using var cancel = new CancellationTokenSource();

        var wait = client.WaitForJobsAsync(new[] { jobId }, cancellationToken: cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task UnknownJobIsObjectNotFound()
    {
        await using var emulator = await EmulatorScope.StartAsync();

        var ex = await Assert.ThrowsAsync<HaClusterException>(() => emulator.Client().WaitForJobsAsync(new[] { "j-nothere0" }));

        Assert.Equal("QingCloudJobNotFound", ex.ErrorId);
        Assert.Equal("j-nothere0", ex.Target);
    }
}
