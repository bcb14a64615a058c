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
    /// The bound of one call end to end: every attempt, back-off and lease wait together. An endpoint that accepts
    /// connections but never answers fails the call with <c>QingCloudTimeout</c> after this long, never after
    /// <see cref="MaxRetryAttempts"/> times <see cref="RequestTimeout"/>. Default 90 s (the lease wait of a delete
    /// fits in it).
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Retries of a delete or release answered with 1400 "lease info not ready yet" (the lease window after
    /// creation). Default 40, spaced <see cref="LeaseRetryDelay"/> apart with jitter.
    /// </summary>
    public int LeaseRetryAttempts { get; set; } = 40;

    /// <summary>Delay between lease retries. Default 1 s.</summary>
    public TimeSpan LeaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The HTTP client to send requests with; null means one shared by all clients.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The clock that stamps <c>time_stamp</c>; replaceable so tests can send stale requests.</summary>
    internal Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;
}
