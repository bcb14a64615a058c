// Copyright (c) HaCluster contributors. MIT License.
// Waits for QingCloud jobs: one DescribeJobs per poll for all of them, short first interval, backing off.

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
/// Waits until jobs finish. Every poll is a single DescribeJobs naming all unfinished jobs (in pages of
/// 100). <c>successful</c> ends a job well; <c>failed</c> and <c>done with failure</c> end it badly and raise
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
        var interval = options.FirstInterval;
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                interval = options.NextInterval(clock.Elapsed);
                var pending = ids.Where(id => !finished.ContainsKey(id)).ToList();
                var jobs = await DescribeAsync(pending, cancellationToken).ConfigureAwait(false);
                foreach (var id in pending)
                {
                    if (!jobs.TryGetValue(id, out var job))
                    {
                        throw new HaClusterException("QingCloudJobNotFound", FailureKind.ObjectNotFound, $"QingCloud has no job {id}.", id);
                    }

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

                var unfinished = pending.Where(id => !finished.ContainsKey(id)).Select(id => $"{id} {jobs[id].Status}").ToList();
                _client.Observer.Progress(new OperationProgress(options.ActivityId, activity, unfinished.Count == 0 ? "Done" : string.Join(", ", unfinished))
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
                        $"QingCloud jobs still unfinished after {options.Timeout.TotalSeconds:0} s: {string.Join(", ", unfinished)}.",
                        pending.Where(id => !finished.ContainsKey(id)).ToArray());
                }
            }
        }
        finally
        {
            _client.Observer.Progress(new OperationProgress(options.ActivityId, activity, "Done") { ParentActivityId = options.ParentActivityId, Completed = true });
        }
    }

    private async Task<Dictionary<string, Job>> DescribeAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Job>(StringComparer.Ordinal);
        for (var start = 0; start < ids.Count; start += QingCloudClient.PageSize)
        {
            var page = ids.Skip(start).Take(QingCloudClient.PageSize);
            foreach (var job in await _client.DescribeJobsAsync(page, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                result[job.JobId] = job;
            }
        }

        return result;
    }
}
