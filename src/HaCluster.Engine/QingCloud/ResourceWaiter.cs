// Copyright (c) HaCluster contributors. MIT License.
// Polls a Describe call until resources reach a state (e.g. transition_status empty), backing off between polls.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Waits for resources to settle, the way the official tooling does after a job (reference/qingcloud-api.md §7):
/// poll a Describe call with short-then-longer intervals until a condition holds.
/// </summary>
public static class ResourceWaiter
{
    /// <summary>Polls until <paramref name="pendingReason"/> returns null.</summary>
    /// <typeparam name="T">Resource type.</typeparam>
    /// <param name="observer">Receives progress.</param>
    /// <param name="activity">Progress title, e.g. <c>Waiting for load balancer lb-1 to become active</c>.</param>
    /// <param name="poll">Describes the resources.</param>
    /// <param name="pendingReason">Null when done; otherwise why not yet (shown as progress and in the timeout error).
    /// May throw to stop waiting (for example when a resource is gone).</param>
    /// <param name="options">Timeout and intervals; null means the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The resources as last described.</returns>
    /// <exception cref="HaClusterException"><c>QingCloudWaitTimeout</c> when the condition does not hold in time.</exception>
    public static Task<IReadOnlyList<T>> WaitUntilAsync<T>(
        IOperationObserver observer,
        string activity,
        Func<CancellationToken, Task<IReadOnlyList<T>>> poll,
        Func<IReadOnlyList<T>, string?> pendingReason,
        WaitOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WaitAsync(observer, activity, poll, pendingReason, options ?? new WaitOptions(), pollPaces: false, cancellationToken);

    /// <summary>
    /// Like <see cref="WaitUntilAsync{T}(IOperationObserver, string, Func{CancellationToken, Task{IReadOnlyList{T}}}, Func{IReadOnlyList{T}, string?}, WaitOptions?, CancellationToken)"/>,
    /// but <paramref name="poll"/> keeps the cadence itself (a <see cref="SharedPoller{T}"/> subscription answers at its next tick).
    /// </summary>
    /// <typeparam name="T">Resource type.</typeparam>
    /// <param name="observer">Receives progress.</param>
    /// <param name="activity">Progress title.</param>
    /// <param name="poll">The next answer, when it is due.</param>
    /// <param name="pendingReason">Null when done; otherwise why not yet.</param>
    /// <param name="options">Timeout and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The resources as last described.</returns>
    internal static Task<IReadOnlyList<T>> WaitPacedAsync<T>(
        IOperationObserver observer,
        string activity,
        Func<CancellationToken, Task<IReadOnlyList<T>>> poll,
        Func<IReadOnlyList<T>, string?> pendingReason,
        WaitOptions options,
        CancellationToken cancellationToken) =>
        WaitAsync(observer, activity, poll, pendingReason, options, pollPaces: true, cancellationToken);

    private static async Task<IReadOnlyList<T>> WaitAsync<T>(
        IOperationObserver observer,
        string activity,
        Func<CancellationToken, Task<IReadOnlyList<T>>> poll,
        Func<IReadOnlyList<T>, string?> pendingReason,
        WaitOptions options,
        bool pollPaces,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var interval = options.FirstInterval;
        try
        {
            while (true)
            {
                var items = await poll(cancellationToken).ConfigureAwait(false);
                var reason = pendingReason(items);
                if (reason is null)
                {
                    return items;
                }

                if (clock.Elapsed >= options.Timeout)
                {
                    throw new HaClusterException("QingCloudWaitTimeout", FailureKind.OperationTimeout, $"{activity}: still not done after {options.Timeout.TotalSeconds:0} s ({reason}).", reason);
                }

                observer.Progress(new OperationProgress(options.ActivityId, activity, reason)
                {
                    ParentActivityId = options.ParentActivityId,
                    CurrentOperation = string.Format(CultureInfo.InvariantCulture, "{0:0} s elapsed", clock.Elapsed.TotalSeconds),
                });
                if (!pollPaces)
                {
                    await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                    interval = options.NextInterval(clock.Elapsed);
                }
            }
        }
        finally
        {
            observer.Progress(new OperationProgress(options.ActivityId, activity, "Done") { ParentActivityId = options.ParentActivityId, Completed = true });
        }
    }
}
