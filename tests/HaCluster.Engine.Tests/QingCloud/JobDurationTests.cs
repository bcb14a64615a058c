// Copyright (c) HaCluster contributors. MIT License.
// Learned job durations: a later job of a timed action is first polled near its expected end. Counted from the emulator's
// request log (and, for the rule itself, on a clock the test sets); nothing asserts on elapsed time.

using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class JobDurationTests
{
    [Fact]
    public async Task ASecondJobOfTheSameActionIsPolledFromNearItsExpectedEndEvenFromAnotherClient()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 1000);
        var context = emulator.Context();

        // The first job is held through six polls, so it surely ran at least 1.5 s (six cold intervals of 250 ms or more).
        await LearnAsync(emulator, emulator.Client(context), "i-node0001", polls: 6);
        var timed = context.JobDurations.Of("StopInstances");
        Assert.NotNull(timed);
        Assert.InRange(timed!.Lower, TimeSpan.FromSeconds(1.5), timed.Upper);

        // A second client on the same context, as the next cmdlet of a session makes: its 1 s job is first polled at
        // 0.85 of 1.5 s or later, where cold polling (250 ms, 500 ms, …) would have asked four times before it ended.
        var second = emulator.Client(context);
        var mark = emulator.LastSequence;
        var job = await second.StopInstancesAsync(new[] { "i-node0002" });
        Assert.Equal("successful", (await second.WaitForJobsAsync(new[] { job })).Single().Status);
        var learnedPolls = emulator.Requests("DescribeJobs").Count(r => r.Sequence > mark);

        Assert.InRange(learnedPolls, 1, 2);
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains(job, StringComparison.Ordinal) && l.Contains("expected to finish", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJobThisContextDidNotSubmitIsPolledFromTheFirstIntervalBesideALearnedOne()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var context = emulator.Context();
        var learner = emulator.Client(context);
        await LearnAsync(emulator, learner, "i-node0001", polls: 8);

        // Held jobs never end by themselves: the learned wait's first poll comes 0.85 × 2.1 s or more after its
        // submission, the wait for a job submitted on another context polls every 250 ms from the start (a poller per client).
        await emulator.HoldJobsAsync();
        var mark = emulator.LastSequence;
        var learnedJob = await learner.StopInstancesAsync(new[] { "i-node0002" });
        var foreignJob = await emulator.Client(emulator.Context()).StopInstancesAsync(new[] { "i-node0003" });
        var learned = learner.WaitForJobsAsync(new[] { learnedJob });
        var foreign = emulator.Client(context).WaitForJobsAsync(new[] { foreignJob });
        var polls = await emulator.RequestsOnceAsync("DescribeJobs", log => log.Any(r => EmulatorScope.Named(r, "jobs").Contains(learnedJob)), mark);
        await emulator.ReleaseJobsAsync();
        await Task.WhenAll(learned, foreign);

        var foreignBefore = polls.TakeWhile(r => !EmulatorScope.Named(r, "jobs").Contains(learnedJob)).Count(r => EmulatorScope.Named(r, "jobs").Contains(foreignJob));
        Assert.True(foreignBefore >= 2, $"the job submitted elsewhere was polled {foreignBefore} times before the learned one's first poll");
    }

    [Fact]
    public async Task AnEipAllocatedAfterAnotherIsPolledFromNearWhenTheFirstBecameAvailable()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 1000);
        var client = emulator.Client();

        // The first EIP is held pending through six polls (one at once, five 250 ms or more apart): at least 1.25 s.
        await emulator.HoldJobsAsync();
        var mark = emulator.LastSequence;
        var wait = client.WaitForEipsAsync(await client.AllocateEipsAsync(new EipSpec { Name = "first" }), "available");
        await emulator.RequestsOnceAsync("DescribeEips", 6, mark);
        await emulator.ReleaseJobsAsync();
        await wait;

        // The second (pending for 1 s) is polled at once, then no sooner than 0.85 × 1.25 s: where cold polling asks
        // five or six times, this asks two or three.
        mark = emulator.LastSequence;
        var second = await client.AllocateEipsAsync(new EipSpec { Name = "second" });
        Assert.Equal("available", (await client.WaitForEipsAsync(second, "available")).Single().Status);
        Assert.InRange(emulator.Requests("DescribeEips").Count(r => r.Sequence > mark), 1, 3);
    }

    [Fact]
    public async Task AfterLearningFailuresTimeoutsAndCancellationBehaveAsBefore()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 400);
        var context = emulator.Context();
        var client = emulator.Client(context);
        await client.WaitForJobsAsync(new[] { await client.StopInstancesAsync(new[] { "i-node0001" }) });
        var timed = context.JobDurations.Of("StopInstances");
        Assert.NotNull(timed);

        emulator.Server.Options.Faults.FailedJobRate = 1.0;
        var failing = await client.StopInstancesAsync(new[] { "i-node0002" });
        var failed = await Assert.ThrowsAsync<QingCloudJobFailedException>(() => client.WaitForJobsAsync(new[] { failing }));
        Assert.Equal(failing, failed.JobId);
        Assert.Equal("QingCloudJobFailed", failed.ErrorId);
        Assert.Same(timed, context.JobDurations.Of("StopInstances"));
        emulator.Server.Options.Faults.FailedJobRate = 0;

        await emulator.HoldJobsAsync();
        var held = await client.StopInstancesAsync(new[] { "i-node0003" });
        var timeout = await Assert.ThrowsAsync<HaClusterException>(() => client.WaitForJobsAsync(new[] { held }, new WaitOptions { Timeout = TimeSpan.FromMilliseconds(100) }));
        Assert.Equal("QingCloudJobTimeout", timeout.ErrorId);
        Assert.Equal(new[] { held }, (string[])timeout.Target!);

        using var cancel = new CancellationTokenSource();
        var cancelled = client.WaitForJobsAsync(new[] { held }, cancellationToken: cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Contains(emulator.Observer.ProgressRecords, p => p.Completed && p.Activity.Contains(held, StringComparison.Ordinal));
        await emulator.ReleaseJobsAsync();
    }

    [Fact]
    public async Task ConcurrentWaitsOfDifferentLearnedActionsStillShareTicks()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 400);
        var client = emulator.Client();
        var group = await client.CreateSecurityGroupAsync("ticks");
        await Task.WhenAll(
            client.WaitForJobsAsync(new[] { await client.StopInstancesAsync(new[] { "i-node0001" }) }),
            client.WaitForJobsAsync(new[] { await client.ApplySecurityGroupAsync(group) }));

        await emulator.HoldJobsAsync();
        var mark = emulator.LastSequence;
        var jobs = new[] { await client.StopInstancesAsync(new[] { "i-node0002" }), await client.ApplySecurityGroupAsync(group) };
        var waits = jobs.Select(j => client.WaitForJobsAsync(new[] { j })).ToList();
        var whileHeld = await emulator.RequestsOnceAsync("DescribeJobs", 3, mark);
        await emulator.ReleaseJobsAsync();
        await Task.WhenAll(waits);

        Assert.All(whileHeld.Take(3), r => Assert.Equal(jobs.OrderBy(j => j), EmulatorScope.Named(r, "jobs").OrderBy(j => j)));
    }

    [Fact]
    public void TheMemoryLearnsFromJobsSeenRunningAndStaysBounded()
    {
        var now = TimeSpan.Zero;
        var memory = new JobDurations(() => now);
        memory.Submitted("j-1", "CreateLoadBalancer");
        Assert.Null(memory.Expect(new[] { "j-1" }));
        now = TimeSpan.FromSeconds(20);
        memory.Observe(Described("j-1", "working"));
        now = TimeSpan.FromSeconds(24);
        memory.Observe(Described("j-1", "successful"));
        Assert.Equal(TimeSpan.FromSeconds(20), memory.Of("CreateLoadBalancer")!.Lower);
        Assert.Equal(TimeSpan.FromSeconds(24), memory.Of("CreateLoadBalancer")!.Upper);

        // A later job of the action expects 20 s from its submission; an action never timed gets half the shortest.
        memory.Submitted("j-2", "CreateLoadBalancer");
        memory.Submitted("j-3", "UpdateLoadBalancers");
        now += TimeSpan.FromSeconds(1);
        var same = memory.Expect(new[] { "j-2" })!;
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20), true), (same.Age, same.Duration, same.Learned));
        var guess = memory.Expect(new[] { "j-3" })!;
        Assert.Equal((TimeSpan.FromSeconds(10), false), (guess.Duration, guess.Learned));
        Assert.Null(memory.Expect(new[] { "j-2", "j-unknown" }));

        // A failure teaches nothing; nor does a job first polled long after it ended.
        memory.Observe(Described("j-2", "failed"));
        memory.Submitted("j-4", "CreateLoadBalancer");
        now += TimeSpan.FromMinutes(5);
        memory.Observe(Described("j-4", "successful"));
        Assert.Equal(TimeSpan.FromSeconds(20), memory.Of("CreateLoadBalancer")!.Lower);

        // A job that ended before the poll its expectation placed (it got faster): the next expects half that age.
        memory.Submitted("j-5", "CreateLoadBalancer");
        Assert.NotNull(memory.Expect(new[] { "j-5" }));
        now += TimeSpan.FromSeconds(17);
        memory.Observe(Described("j-5", "successful"));
        Assert.Equal(TimeSpan.FromSeconds(8.5), memory.Of("CreateLoadBalancer")!.Expected);

        // An action not timed yet while an earlier job of it is still running expects at least that job's age so far
        // (a partial bound: the cadence after it is the usual fifth).
        memory.Observe(Described("j-3", "working"));
        memory.Submitted("j-6", "UpdateLoadBalancers");
        var running = memory.Expect(new[] { "j-6" })!;
        Assert.Equal((TimeSpan.FromSeconds(318), false), (running.Duration, running.Learned));

        for (var i = 0; i < JobDurations.MaxJobs + 50; i++)
        {
            memory.Submitted("j-many" + i, "StopInstances");
        }

        Assert.Equal(JobDurations.MaxJobs, memory.PendingCount);
        Assert.Null(memory.Expect(new[] { "j-many0" }));
        Assert.NotNull(memory.Expect(new[] { "j-many" + (JobDurations.MaxJobs + 49) }));
    }

    [Fact]
    public void TheCadenceWaitsForTheExpectedEndButNotPastTheTimeout()
    {
        var options = new WaitOptions();
        var cold = new PollCadence(options, TimeSpan.Zero, null);
        Assert.Equal(options.FirstInterval, cold.First(TimeSpan.Zero, pollNow: false));
        Assert.Equal(TimeSpan.FromSeconds(3.6), cold.After(TimeSpan.FromSeconds(3)));

        // Submitted 2 s before the wait, expected to take 20 s: first poll at 0.85 × 20 s after submission, then a tenth
        // of the job's age; a tick another wait asked for earlier does not pull the expected-end poll forward.
        var learned = new PollCadence(options, TimeSpan.FromSeconds(2), new JobExpectation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20), learned: true));
        Assert.Equal(TimeSpan.FromSeconds(17), learned.First(TimeSpan.FromSeconds(2), pollNow: false));
        Assert.Equal(TimeSpan.FromSeconds(17), learned.After(TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(18.7), learned.After(TimeSpan.FromSeconds(17)));

        var guessed = new PollCadence(options, TimeSpan.Zero, new JobExpectation(TimeSpan.Zero, TimeSpan.FromSeconds(20), learned: false));
        Assert.Equal(TimeSpan.FromSeconds(20.4), guessed.After(TimeSpan.FromSeconds(17)));

        var shortTimeout = new PollCadence(new WaitOptions { Timeout = TimeSpan.FromSeconds(5) }, TimeSpan.Zero, new JobExpectation(TimeSpan.Zero, TimeSpan.FromSeconds(20), learned: true));
        Assert.Equal(TimeSpan.FromSeconds(5), shortTimeout.First(TimeSpan.Zero, pollNow: false));
    }

    private static Job Described(string id, string status) => new() { JobId = id, Status = status };

    // Times one StopInstances job that is held through `polls` polls of a cold wait, then released.
    private static async Task LearnAsync(EmulatorScope emulator, QingCloudClient client, string instance, int polls)
    {
        await emulator.HoldJobsAsync();
        var mark = emulator.LastSequence;
        var wait = client.WaitForJobsAsync(new[] { await client.StopInstancesAsync(new[] { instance }) });
        await emulator.RequestsOnceAsync("DescribeJobs", polls, mark);
        await emulator.ReleaseJobsAsync();
        Assert.Equal("successful", (await wait).Single().Status);
    }
}
