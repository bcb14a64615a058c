// Copyright (c) HaCluster contributors. MIT License.
// Runs one piece of work on many hosts at once with a bounded degree; each host's outcome stands alone.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>The outcome of fan-out work on one host: a value or an error, never both.</summary>
/// <typeparam name="T">Value type.</typeparam>
public sealed class SshHostResult<T>
{
    internal SshHostResult(SshEndpoint endpoint, T? value, HaClusterException? error, TimeSpan duration)
    {
        Endpoint = endpoint;
        Value = value;
        Error = error;
        Duration = duration;
    }

    /// <summary>The host.</summary>
    public SshEndpoint Endpoint { get; }

    /// <summary>The work's value when it succeeded.</summary>
    public T? Value { get; }

    /// <summary>Why the work failed on this host.</summary>
    public HaClusterException? Error { get; }

    /// <summary>Time spent on this host (from when its turn came).</summary>
    public TimeSpan Duration { get; }

    /// <summary>True when there is no error.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Options of a fan-out.</summary>
public sealed class SshFanOutOptions
{
    /// <summary>The default number of hosts worked on at once.</summary>
    public const int DefaultDegree = 16;

    /// <summary>How many hosts are worked on at once. Default 16.</summary>
    public int MaxDegreeOfParallelism { get; set; } = DefaultDegree;

    /// <summary>Time limit per host (from its start); null for none. A host over it fails alone.</summary>
    public TimeSpan? PerHostTimeout { get; set; }
}

/// <summary>Concurrent work over many hosts.</summary>
public static class SshFanOut
{
    /// <summary>
    /// Runs <paramref name="work"/> for every host, at most <see cref="SshFanOutOptions.MaxDegreeOfParallelism"/>
    /// at a time. A slow or failing host occupies one slot only; the others go on. Results come back in input order;
    /// <paramref name="onCompleted"/> sees each as it finishes (one call at a time).
    /// </summary>
    /// <typeparam name="T">Value type.</typeparam>
    /// <param name="hosts">The hosts.</param>
    /// <param name="work">The work for one host; exceptions become that host's error.</param>
    /// <param name="options">Degree and per-host timeout; null for defaults.</param>
    /// <param name="onCompleted">Called as each host finishes.</param>
    /// <param name="cancellationToken">Cancels all remaining work.</param>
    /// <returns>One result per host, in input order.</returns>
    public static async Task<IReadOnlyList<SshHostResult<T>>> RunAsync<T>(
        IReadOnlyList<SshEndpoint> hosts,
        Func<SshEndpoint, CancellationToken, Task<T>> work,
        SshFanOutOptions? options = null,
        Action<SshHostResult<T>>? onCompleted = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new SshFanOutOptions();
        if (options.MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDegreeOfParallelism, "The degree of parallelism must be at least 1.");
        }

        using var slots = new SemaphoreSlim(options.MaxDegreeOfParallelism);
        var report = new object();
        async Task<SshHostResult<T>> One(SshEndpoint host)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await Guarded(host, work, options.PerHostTimeout, cancellationToken).ConfigureAwait(false);
                if (onCompleted is not null)
                {
                    lock (report)
                    {
                        onCompleted(result);
                    }
                }

                return result;
            }
            finally
            {
                slots.Release();
            }
        }

        return await Task.WhenAll(hosts.Select(h => Task.Run(() => One(h), cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Connects to every host and runs one command there (see <see cref="RunAsync{T}"/>).</summary>
    /// <param name="hosts">The hosts.</param>
    /// <param name="command">The command line.</param>
    /// <param name="connect">Connection options (host-key policy, timeouts); null for defaults.</param>
    /// <param name="options">Degree and per-host timeout.</param>
    /// <param name="run">Options of the command run; null for defaults.</param>
    /// <param name="cancellationToken">Cancels everything.</param>
    /// <returns>One result per host, in input order.</returns>
    public static Task<IReadOnlyList<SshHostResult<SshCommandResult>>> RunCommandAsync(
        IReadOnlyList<SshEndpoint> hosts,
        string command,
        SshConnectOptions? connect = null,
        SshFanOutOptions? options = null,
        SshRunOptions? run = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(
            hosts,
            async (host, token) =>
            {
                using var session = await SshSession.ConnectAsync(host, connect, token).ConfigureAwait(false);
                return await session.RunAsync(command, run, token).ConfigureAwait(false);
            },
            options,
            null,
            cancellationToken);

    private static async Task<SshHostResult<T>> Guarded<T>(
        SshEndpoint host,
        Func<SshEndpoint, CancellationToken, Task<T>> work,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is TimeSpan t)
        {
            limit.CancelAfter(t);
        }

        try
        {
            var value = await work(host, limit.Token).ConfigureAwait(false);
            return new SshHostResult<T>(host, value, null, stopwatch.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (limit.IsCancellationRequested)
        {
            var error = new HaClusterException(
                SshErrorIds.HostTimeout,
                FailureKind.OperationTimeout,
                $"{host}: no result within {timeout?.TotalSeconds:0.###} s.",
                host.ToString(),
                ex);
            return new SshHostResult<T>(host, default, error, stopwatch.Elapsed);
        }
        catch (HaClusterException ex)
        {
            return new SshHostResult<T>(host, default, ex, stopwatch.Elapsed);
        }
        catch (Exception ex)
        {
            var error = new HaClusterException(SshErrorIds.HostFailed, FailureKind.NotSpecified, $"{host}: {ex.Message}", host.ToString(), ex);
            return new SshHostResult<T>(host, default, error, stopwatch.Elapsed);
        }
    }
}
