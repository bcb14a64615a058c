// Copyright (c) HaCluster contributors. MIT License.
// How long and how often to poll while waiting for jobs or resource states, and where progress goes.

using System;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Polling settings: the first poll comes after <see cref="FirstInterval"/>, each further interval is
/// 1.5 times longer up to <see cref="MaxInterval"/>, until <see cref="Timeout"/>.
/// </summary>
public sealed class WaitOptions
{
    /// <summary>Give up after this long (default 10 minutes).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before the first poll (default 200 ms).</summary>
    public TimeSpan FirstInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between polls (default 3 s).</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Progress bar id (default 3100).</summary>
    public int ActivityId { get; set; } = 3100;

    /// <summary>Parent progress bar id, or -1.</summary>
    public int ParentActivityId { get; set; } = -1;

    /// <summary>For jobs: return failed jobs instead of throwing <see cref="QingCloudJobFailedException"/> (default false).</summary>
    public bool ReturnFailedJobs { get; set; }

    internal TimeSpan NextInterval(TimeSpan current)
    {
        var next = TimeSpan.FromTicks((long)(current.Ticks * 1.5));
        return next > MaxInterval ? MaxInterval : next;
    }
}
