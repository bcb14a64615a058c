// Copyright (c) HaCluster contributors. MIT License.
// How long and how often to poll while waiting for jobs or resource states, and where progress goes.

using System;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Polling settings: the first poll comes after <see cref="FirstInterval"/>; each further interval is
/// <see cref="PollFraction"/> of the time already waited (never shorter than <see cref="FirstInterval"/>, never longer
/// than <see cref="MaxInterval"/>), until <see cref="Timeout"/>. So a poll finds a finished job at most that fraction of
/// the wait late, and a long wait settles at one poll per <see cref="MaxInterval"/>, well inside QingCloud's quota of
/// 2000 requests per hour. A job wait whose action this context has timed before skips the polls that would find the
/// job unfinished: its first poll comes near the expected end, then <see cref="LearnedPollFraction"/> of the time since
/// the job was submitted (<see cref="PollCadence"/>).
/// </summary>
public sealed class WaitOptions
{
    /// <summary>Give up after this long (default 10 minutes).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before the first poll, and the shortest delay between polls (default 250 ms).</summary>
    public TimeSpan FirstInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between polls (default 5 s, the interval of the official tools).</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The next delay as a fraction of the time already waited (default 0.2): the most a poll can be late.</summary>
    public double PollFraction { get; set; } = 0.2;

    /// <summary>
    /// The fraction used instead of <see cref="PollFraction"/> once earlier jobs of the same action have been timed
    /// (default 0.1): the first poll then comes near the expected end, so a smaller fraction costs few polls and keeps
    /// the lateness after the job ends small.
    /// </summary>
    public double LearnedPollFraction { get; set; } = 0.1;

    /// <summary>Progress bar id (default 3100).</summary>
    public int ActivityId { get; set; } = 3100;

    /// <summary>Parent progress bar id, or -1.</summary>
    public int ParentActivityId { get; set; } = -1;

    /// <summary>For jobs: return failed jobs instead of throwing <see cref="QingCloudJobFailedException"/> (default false).</summary>
    public bool ReturnFailedJobs { get; set; }

    /// <summary>The delay before the next poll after waiting <paramref name="elapsed"/>.</summary>
    /// <param name="elapsed">Time waited so far.</param>
    /// <returns>The delay.</returns>
    internal TimeSpan NextInterval(TimeSpan elapsed) => NextInterval(elapsed, PollFraction);

    /// <summary>The delay before the next poll after waiting <paramref name="elapsed"/>, as <paramref name="fraction"/> of it.</summary>
    /// <param name="elapsed">Time waited so far.</param>
    /// <param name="fraction">The share of <paramref name="elapsed"/>.</param>
    /// <returns>The delay, between <see cref="FirstInterval"/> and <see cref="MaxInterval"/>.</returns>
    internal TimeSpan NextInterval(TimeSpan elapsed, double fraction)
    {
        var next = TimeSpan.FromTicks((long)(elapsed.Ticks * fraction));
        return next < FirstInterval ? FirstInterval : next > MaxInterval ? MaxInterval : next;
    }
}
