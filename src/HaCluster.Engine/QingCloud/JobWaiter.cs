// Copyright (c) HaCluster contributors. MIT License.
// Waits for QingCloud jobs on the client's shared DescribeJobs poll: short first interval backing off, or, for jobs of an
// action this context has timed, first near the expected end.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Waits until jobs finish. Every poll is the client's shared DescribeJobs tick (<see cref="SharedPoller{T}"/>): one
/// DescribeJobs naming the unfinished jobs of every concurrent wait on the client (in calls of at most 100 ids), so
/// six concurrent waits cost what one does. Jobs this context submitted, of an action it has timed before
/// (<see cref="JobDurations"/>), are first polled near their expected end (<see cref="PollCadence"/>); the timeout still
/// counts from the wait's start. A failed job fails only the wait that asked for it. <c>successful</c> ends a job well; <c>failed</c> and <c>done with failure</c> end it badly and raise
/// <see cref="QingCloudJobFailedException"/> (ErrorId <c>QingCloudJobFailed</c>, carrying the job id) unless
/// <see cref="WaitOptions.ReturnFailedJobs"/> is set. Progress goes to the client's observer.
/// </summary>
public sealed class JobWaiter
{
    private readonly QingCloudClient _client;

    /// <summary>Creates a waiter.</summary>
    /// <param name="client">The client to poll with.</param>
    public JobWaiter(QingCloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Waits for the jobs.</summary>
    /// <param name="jobIds">Job ids (duplicates and empty entries are ignored).</param>
    /// <param name="options">Timeout, intervals, progress ids; null means the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The finished jobs, in the order of <paramref name="jobIds"/>.</returns>
    /// <exception cref="QingCloudJobFailedException">A job failed.</exception>
    /// <exception cref="HaClusterException"><c>QingCloudJobTimeout</c>, or <c>QingCloudJobNotFound</c> for an unknown id.</exception>
    public async Task<IReadOnlyList<Job>> WaitAsync(IEnumerable<string> jobIds, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WaitOptions();
        var ids = jobIds.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        var finished = new Dictionary<string, Job>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return Array.Empty<Job>();
        }

        var activity = ids.Count == 1 ? $"Waiting for QingCloud job {ids[0]}" : $"Waiting for {ids.Count} QingCloud jobs";
        var clock = Stopwatch.StartNew();
        var durations = _client.Context.JobDurations;
        var expectation = durations.Expect(ids);
        using var subscription = _client.JobPoller.Subscribe(ids, options, pollNow: false, expectation);
        try
        {
            if (expectation is not null)
            {
                // The first poll may be far off: say so now rather than leave the progress bar empty until then.
                var remaining = expectation.Duration - expectation.Age;
                var status = string.Format(CultureInfo.InvariantCulture, "expected to finish in about {0:0} s, going by this session's jobs so far", Math.Max(0, remaining.TotalSeconds));
                _client.Observer.Verbose($"QingCloud {string.Join(", ", ids)}: {status}; first poll near that time.");
                _client.Observer.Progress(new OperationProgress(options.ActivityId, activity, status) { ParentActivityId = options.ParentActivityId, PercentComplete = 0 });
            }

            while (true)
            {
                var pending = subscription.Ids;
                var jobs = await subscription.NextAsync(cancellationToken).ConfigureAwait(false);
                foreach (var id in pending)
                {
                    if (!jobs.TryGetValue(id, out var job))
                    {
                        throw new HaClusterException("QingCloudJobNotFound", FailureKind.ObjectNotFound, $"QingCloud has no job {id}.", id);
                    }

                    durations.Observe(job);
                    if (job.IsFinished)
                    {
                        finished[id] = job;
                        _client.Observer.Verbose($"QingCloud job {id} ({job.JobAction}) is {job.Status} after {clock.Elapsed.TotalSeconds:0.0} s.");
                        if (job.IsFailed && !options.ReturnFailedJobs)
                        {
                            throw new QingCloudJobFailedException(job);
                        }
                    }
                }

                var unfinished = pending.Where(id => !finished.ContainsKey(id)).ToList();
                subscription.SetIds(unfinished);
                _client.Observer.Progress(new OperationProgress(options.ActivityId, activity, unfinished.Count == 0 ? "Done" : string.Join(", ", unfinished.Select(id => $"{id} {jobs[id].Status}")))
                {
                    ParentActivityId = options.ParentActivityId,
                    PercentComplete = finished.Count * 100 / ids.Count,
                    CurrentOperation = string.Format(CultureInfo.InvariantCulture, "{0} of {1} finished, {2:0} s elapsed", finished.Count, ids.Count, clock.Elapsed.TotalSeconds),
                });
                if (unfinished.Count == 0)
                {
                    return ids.Select(id => finished[id]).ToList();
                }

                if (clock.Elapsed >= options.Timeout)
                {
                    throw new HaClusterException(
                        "QingCloudJobTimeout",
                        FailureKind.OperationTimeout,
                        $"QingCloud jobs still unfinished after {options.Timeout.TotalSeconds:0} s: {string.Join(", ", unfinished.Select(id => $"{id} {jobs[id].Status}"))}.",
                        unfinished.ToArray());
                }
            }
        }
        finally
        {
            _client.Observer.Progress(new OperationProgress(options.ActivityId, activity, "Done") { ParentActivityId = options.ParentActivityId, Completed = true });
        }
    }
}
