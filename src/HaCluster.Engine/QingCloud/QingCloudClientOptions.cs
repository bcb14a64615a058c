// Copyright (c) HaCluster contributors. MIT License.
// Tunables of the QingCloud client: retry budget, back-off, per-attempt timeout, transport.

using System;
using System.Net.Http;

namespace HaCluster.Engine.QingCloud;

/// <summary>Retry and transport settings of a <see cref="QingCloudClient"/>. The defaults suit the public cloud.</summary>
public sealed class QingCloudClientOptions
{
    /// <summary>
    /// Retries after a transient failure (connection error, timeout, HTTP 5xx, ret_code 5000/5100/5300).
    /// Default 10, so a call survives a long run of busy replies.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 10;

    /// <summary>First back-off delay; it doubles per retry with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest back-off delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one HTTP attempt may take before it counts as a (retryable) timeout. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The bound of one call end to end: every attempt and back-off together. An endpoint that accepts connections but
    /// never answers fails the call with <c>QingCloudTimeout</c> after this long, never after
    /// <see cref="MaxRetryAttempts"/> times <see cref="RequestTimeout"/>. Default 90 s. A delete or release that meets
    /// 1400 "lease info not ready yet" may in addition wait out <see cref="LeaseRetryWindow"/>.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Retries of a delete or release answered with 1400 "lease info not ready yet" (the lease window after
    /// creation). Default 40: the delays grow from <see cref="LeaseRetryDelay"/> by that much per attempt up to
    /// <see cref="LeaseRetryMaxDelay"/>, so the defaults wait out about 190 s, beyond the 180 s the cloud controller
    /// manager allows, while a short lease still clears within a second or two.
    /// </summary>
    public int LeaseRetryAttempts { get; set; } = 40;

    /// <summary>First delay between lease retries, and the step each further delay grows by. Default 1 s.</summary>
    public TimeSpan LeaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between lease retries. Default 5 s (the cloud controller manager's interval).</summary>
    public TimeSpan LeaseRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole time the lease retries wait before giving up.</summary>
    public TimeSpan LeaseRetryWindow
    {
        get
        {
            var total = TimeSpan.Zero;
            for (var attempt = 0; attempt < LeaseRetryAttempts; attempt++)
            {
                total += LeaseDelay(attempt);
            }

            return total;
        }
    }

    /// <summary>The bound of one call made with <paramref name="callOptions"/>: <see cref="CallTimeout"/>, plus the lease window for deletes and releases.</summary>
    /// <param name="callOptions">The call's retry semantics.</param>
    /// <returns>The bound.</returns>
    internal TimeSpan CallBound(QingCloudCallOptions callOptions) =>
        callOptions.RetryLeaseNotReady && LeaseRetryAttempts > 0 ? CallTimeout + LeaseRetryWindow : CallTimeout;

    /// <summary>The delay before lease retry <paramref name="attempt"/> (0-based).</summary>
    /// <param name="attempt">The attempt.</param>
    /// <returns>The delay.</returns>
    internal TimeSpan LeaseDelay(int attempt)
    {
        var delay = TimeSpan.FromTicks(LeaseRetryDelay.Ticks * (attempt + 1));
        return delay > LeaseRetryMaxDelay ? (LeaseRetryMaxDelay > LeaseRetryDelay ? LeaseRetryMaxDelay : LeaseRetryDelay) : delay;
    }

    /// <summary>The HTTP client to send requests with; null means one shared by all clients.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock that stamps <c>time_stamp</c>; replaceable so tests can send stale requests.</summary>
    internal Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;
}
