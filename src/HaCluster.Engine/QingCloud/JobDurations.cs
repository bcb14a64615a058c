// Copyright (c) HaCluster contributors. MIT License.
// How long this context's jobs of each action took, so a later wait polls near the expected end instead of from 250 ms.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// The job timings of one <see cref="QingCloudContext"/>. It lives on the context, not on a client: a client lives
/// for one cmdlet call, a context for a Connect-QingCloud session (or as long as the caller keeps it), so what
/// New-HaCluster's internal load balancer teaches helps the external one, and the next cmdlet too. The client records
/// every job id its calls return (action and submit time); each poll of such a job moves its lower bound (its age at
/// the last poll that saw it unfinished); its end fixes the upper bound and, if it succeeded, becomes its action's
/// record. An action not timed yet whose earlier job is still running expects that job's lower bound (New-HaCluster's
/// two load balancers overlap); one with nothing of its own gets a cautious prior from the other actions. Job ids this
/// context never submitted, and every job while nothing at all is known, are polled as before. AllocateEips starts no job
/// but its EIPs go <c>pending</c> → <c>available</c> the same way: they are recorded and timed under that action.
/// Bounded: at most <see cref="MaxJobs"/> submitted jobs (the oldest are forgotten) and <see cref="MaxActions"/> actions.
/// </summary>
internal sealed class JobDurations
{
    /// <summary>Most submitted jobs remembered.</summary>
    internal const int MaxJobs = 256;

    /// <summary>Most actions timed.</summary>
    internal const int MaxActions = 64;

    private static readonly double TicksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    private readonly Func<TimeSpan> _now;
    private readonly object _gate = new();
    private readonly LinkedList<Submission> _order = new();
    private readonly Dictionary<string, LinkedListNode<Submission>> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Duration> _actions = new(StringComparer.Ordinal);

    /// <summary>Creates an empty memory on the monotonic clock.</summary>
    public JobDurations()
        : this(() => TimeSpan.FromTicks((long)(Stopwatch.GetTimestamp() * TicksPerTimestamp)))
    {
    }

    /// <summary>Creates an empty memory on the given clock.</summary>
    /// <param name="now">A monotonic clock.</param>
    internal JobDurations(Func<TimeSpan> now) => _now = now;

    /// <summary>Jobs remembered as submitted and not yet seen finished.</summary>
    internal int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Count;
            }
        }
    }

    /// <summary>Records a job id a call of <paramref name="action"/> just returned.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="action">The action that started it.</param>
    public void Submitted(string jobId, string action)
    {
        lock (_gate)
        {
            if (_jobs.TryGetValue(jobId, out var known))
            {
                _order.Remove(known);
            }

            _jobs[jobId] = _order.AddLast(new Submission(jobId, action, _now()));
            while (_jobs.Count > MaxJobs)
            {
                _jobs.Remove(_order.First!.Value.JobId);
                _order.RemoveFirst();
            }
        }
    }

    /// <summary>What earlier jobs say about a wait for <paramref name="jobIds"/>, or null to poll as if nothing were known.</summary>
    /// <param name="jobIds">The jobs of the wait.</param>
    /// <param name="guess">False to go without the prior from other actions (EIPs: an allocation is far quicker than a job).</param>
    /// <returns>The expectation, or null when a job was not submitted here or nothing at all has been timed.</returns>
    public JobExpectation? Expect(IReadOnlyCollection<string> jobIds, bool guess = true)
    {
        lock (_gate)
        {
            if (jobIds.Count == 0 || !jobIds.All(_jobs.ContainsKey))
            {
                return null;
            }

            // An action never timed gets a cautious prior: half the shortest duration timed on this context.
            var timed = _actions.Values.Select(d => d.Expected).Where(e => e > TimeSpan.Zero).ToList();
            TimeSpan? prior = timed.Count == 0 || !guess ? null : TimeSpan.FromTicks(timed.Min().Ticks / 2);
            var jobs = jobIds.Select(id => _jobs[id].Value).ToList();
            var learned = true;
            var ends = new List<TimeSpan>();
            foreach (var job in jobs)
            {
                if (_actions.TryGetValue(job.Action, out var duration) && duration.Expected > TimeSpan.Zero)
                {
                    ends.Add(job.SubmittedAt + duration.Expected);
                    job.AwaitedEarly |= _now() - job.SubmittedAt < duration.Expected;
                }
                else if (RunningAtLeast(job.Action) is { } running)
                {
                    // Not timed yet, but a job of the same action is still running: the new one should take as long.
                    // Only a partial bound (possibly a tiny one), so after it the wait keeps today's fraction.
                    ends.Add(job.SubmittedAt + running);
                    learned = false;
                }
                else if (prior is { } guessed)
                {
                    ends.Add(job.SubmittedAt + guessed);
                    learned = false;
                }
                else
                {
                    return null;
                }
            }

            var youngest = jobs.Max(j => j.SubmittedAt);
            return new JobExpectation(_now() - youngest, ends.Min() - youngest, learned);
        }
    }

    // The longest any unfinished job of the action has been seen running, or null. Under the lock.
    private TimeSpan? RunningAtLeast(string action)
    {
        TimeSpan? longest = null;
        foreach (var job in _order)
        {
            if (job.Action == action && job.SeenUnfinishedAt is { } age && (longest is null || age > longest))
            {
                longest = age;
            }
        }

        return longest;
    }

    /// <summary>Takes in one poll's answer for a job: unfinished moves its lower bound; finished times its action.</summary>
    /// <param name="job">The job as just described.</param>
    public void Observe(Job job) => Observe(job.JobId, job.IsFinished, job.IsSuccessful);

    /// <summary>Takes in one poll's answer for anything recorded with <see cref="Submitted"/> (a job, an EIP being allocated).</summary>
    /// <param name="id">The job or resource id.</param>
    /// <param name="finished">True when it can no longer change.</param>
    /// <param name="successful">True when it ended well.</param>
    public void Observe(string id, bool finished, bool successful)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out var node))
            {
                return;
            }

            var submission = node.Value;
            var age = _now() - submission.SubmittedAt;
            if (!finished)
            {
                submission.SeenUnfinishedAt = age;
                return;
            }

            _jobs.Remove(id);
            _order.Remove(node);

            // Only a success times its action (a failure may end early). Without an unfinished sighting the job took
            // at most its age, which says something only when a wait begun before the expected end put the poll there
            // (the jobs got faster), not when someone waited for the job long after it ended.
            if (!successful || (submission.SeenUnfinishedAt is null && !submission.AwaitedEarly))
            {
                return;
            }

            if (_actions.ContainsKey(submission.Action) || _actions.Count < MaxActions)
            {
                _actions[submission.Action] = new Duration(submission.SeenUnfinishedAt ?? TimeSpan.Zero, age);
            }
        }
    }

    /// <summary>What the last successful job of <paramref name="action"/> took, or null when never timed.</summary>
    /// <param name="action">The action.</param>
    /// <returns>The bounds.</returns>
    internal Duration? Of(string action)
    {
        lock (_gate)
        {
            return _actions.TryGetValue(action, out var duration) ? duration : null;
        }
    }

    /// <summary>A job's duration between what the polls saw: unfinished at <see cref="Lower"/>, finished at <see cref="Upper"/>.</summary>
    internal sealed class Duration
    {
        /// <summary>Creates the bounds.</summary>
        /// <param name="lower">Age at the last poll that saw it unfinished (zero when none did).</param>
        /// <param name="upper">Age at the poll that saw it finished.</param>
        public Duration(TimeSpan lower, TimeSpan upper)
        {
            Lower = lower;
            Upper = upper;
        }

        /// <summary>The job ran at least this long.</summary>
        public TimeSpan Lower { get; }

        /// <summary>The job ended within this long.</summary>
        public TimeSpan Upper { get; }

        /// <summary>What the next job is expected to take: the lower bound, or half the upper when no poll saw it running.</summary>
        public TimeSpan Expected => Lower > TimeSpan.Zero ? Lower : TimeSpan.FromTicks(Upper.Ticks / 2);
    }

    private sealed class Submission
    {
        public Submission(string jobId, string action, TimeSpan submittedAt)
        {
            JobId = jobId;
            Action = action;
            SubmittedAt = submittedAt;
        }

        public string JobId { get; }

        public string Action { get; }

        public TimeSpan SubmittedAt { get; }

        public TimeSpan? SeenUnfinishedAt { get; set; }

        /// <summary>A wait with a learned expectation began before the expected end.</summary>
        public bool AwaitedEarly { get; set; }
    }
}
