// Copyright (c) HaCluster contributors. MIT License.
// When one wait polls: today's "fraction of the time waited", or, for jobs of an action timed before, first near the
// expected end and then a smaller fraction of the time since submission. The one home of the cadence rule.

using System;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// One wait's poll times on a poller's clock. Without an expectation: the first poll after
/// <see cref="WaitOptions.FirstInterval"/>, then <see cref="WaitOptions.NextInterval(TimeSpan)"/> of the time since the
/// wait began. With a <see cref="JobExpectation"/>: no poll before <see cref="ExpectedEndShare"/> of the expected
/// duration (counted from the job's submission; never later than the wait's timeout, so a timeout is noticed as
/// before), then the fraction of the time since submission. A poll can still find the job finished at most that
/// fraction late; only a job that got faster than its predecessors waits for the expected end.
/// </summary>
internal sealed class PollCadence
{
    /// <summary>The share of the expected duration at which the first poll comes: a little early, since durations vary.</summary>
    internal const double ExpectedEndShare = 0.85;

    private readonly WaitOptions _options;
    private readonly TimeSpan _origin;
    private readonly TimeSpan? _expectedEndPoll;
    private readonly double _fraction;

    /// <summary>Plans a wait that starts at <paramref name="start"/>.</summary>
    /// <param name="options">Intervals and timeout.</param>
    /// <param name="start">The wait's start on the poller's clock.</param>
    /// <param name="expectation">What earlier jobs say, or null to poll as if nothing were known.</param>
    public PollCadence(WaitOptions options, TimeSpan start, JobExpectation? expectation)
    {
        _options = options;
        _origin = start;
        _fraction = options.PollFraction;
        if (expectation is not null)
        {
            _origin = start - expectation.Age;
            var expectedEnd = _origin + TimeSpan.FromTicks((long)(expectation.Duration.Ticks * ExpectedEndShare));
            var deadline = start + options.Timeout;
            _expectedEndPoll = expectedEnd < deadline ? expectedEnd : deadline;
            _fraction = expectation.Learned ? options.LearnedPollFraction : options.PollFraction;
        }
    }

    /// <summary>The first poll.</summary>
    /// <param name="now">The wait's start.</param>
    /// <param name="pollNow">True to poll at once (a resource wait without a reply in hand).</param>
    /// <returns>When to poll.</returns>
    public TimeSpan First(TimeSpan now, bool pollNow) => pollNow ? now : NotBeforeExpectedEnd(now + _options.FirstInterval);

    /// <summary>The poll after one at <paramref name="now"/> (including a tick another wait asked for).</summary>
    /// <param name="now">When the last poll answered.</param>
    /// <returns>When to poll next.</returns>
    public TimeSpan After(TimeSpan now) => NotBeforeExpectedEnd(now + _options.NextInterval(now - _origin, _fraction));

    private TimeSpan NotBeforeExpectedEnd(TimeSpan due) => _expectedEndPoll is { } end && end > due ? end : due;
}
