// Copyright (c) HaCluster contributors. MIT License.
// What earlier jobs of the same action say about a wait: how old its jobs are and how long such jobs took.

using System;

namespace HaCluster.Engine.QingCloud;

/// <summary>A job wait's expectation, from <see cref="JobDurations"/>; <see cref="PollCadence"/> turns it into poll times.</summary>
internal sealed class JobExpectation
{
    /// <summary>Creates an expectation.</summary>
    /// <param name="age">Time since the youngest of the wait's jobs was submitted.</param>
    /// <param name="duration">Expected time from that submission to the first job's end.</param>
    /// <param name="learned">True when every job's action was timed itself; false when a cautious prior stands in.</param>
    public JobExpectation(TimeSpan age, TimeSpan duration, bool learned)
    {
        Age = age < TimeSpan.Zero ? TimeSpan.Zero : age;
        Duration = duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        Learned = learned;
    }

    /// <summary>Time since the youngest job was submitted.</summary>
    public TimeSpan Age { get; }

    /// <summary>Expected duration, counted from the youngest job's submission.</summary>
    public TimeSpan Duration { get; }

    /// <summary>True when learned from jobs of the same actions; false for the prior.</summary>
    public bool Learned { get; }
}
