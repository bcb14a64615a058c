// Copyright (c) HaCluster contributors. MIT License.
// Per-call retry semantics: whether a request may be repeated and whether "lease not ready" is waited out.

namespace HaCluster.Engine.QingCloud;

/// <summary>How one call may be retried. Use the predefined instances.</summary>
public sealed class QingCloudCallOptions
{
    private QingCloudCallOptions(bool isIdempotent, bool retryLeaseNotReady)
    {
        IsIdempotent = isIdempotent;
        RetryLeaseNotReady = retryLeaseNotReady;
    }

    /// <summary>Reads and state changes that can safely be repeated (describe, update, start, stop, associate).</summary>
    public static QingCloudCallOptions Default { get; } = new(isIdempotent: true, retryLeaseNotReady: false);

    /// <summary>
    /// Creates, allocations and adds: repeating one could make a second resource, so a failure that
    /// leaves the outcome unknown raises <see cref="QingCloudAmbiguousResultException"/> instead of a retry.
    /// </summary>
    public static QingCloudCallOptions NonIdempotent { get; } = new(isIdempotent: false, retryLeaseNotReady: false);

    /// <summary>Deletes and releases: also retried while QingCloud answers 1400 "lease info not ready yet".</summary>
    public static QingCloudCallOptions DeleteOrRelease { get; } = new(isIdempotent: true, retryLeaseNotReady: true);

    /// <summary>Whether the request can be sent again after a failure that may have reached the server.</summary>
    public bool IsIdempotent { get; }

    /// <summary>Whether 1400 "lease not ready" replies are retried.</summary>
    public bool RetryLeaseNotReady { get; }
}
