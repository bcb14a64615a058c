// Copyright (c) HaCluster contributors. MIT License.
// One poll loop per client and resource kind: concurrent waits register their ids and each tick is one Describe
// call (in pages of 100 ids) that answers all of them.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Serves every concurrent wait on one client for one kind of resource (jobs, load balancers, EIPs, …) from a single
/// poll loop. A wait subscribes its ids; a tick describes the ids of every subscriber at once (at most
/// <see cref="QingCloudClient.PageSize"/> ids per call, so DescribeJobs' <c>jobs.N</c> and <c>limit</c> stay inside the
/// documented maximum of 100) and hands each subscriber the items it asked for. The next tick comes when the most
/// impatient subscriber wants it: each keeps its own cadence (<see cref="PollCadence"/>, a fraction of the time it has
/// waited, for jobs timed before from near their expected end), and a tick serves the others early for free. Cancelling one wait only unsubscribes it;
/// the call in flight is cancelled only when its last subscriber has gone.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
internal sealed class SharedPoller<T>
{
    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<T>>> _describe;
    private readonly Func<T, string> _idOf;
    private readonly int _idsPerCall;
    private readonly object _gate = new();
    private readonly List<Subscription> _subscriptions = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TaskCompletionSource<bool> _wake = NewSignal();
    private CancellationTokenSource? _inFlight;
    private bool _running;

    /// <summary>Creates a poller.</summary>
    /// <param name="describe">One Describe call for up to <paramref name="idsPerCall"/> ids.</param>
    /// <param name="idOf">The id of a described item.</param>
    /// <param name="idsPerCall">Most ids one call names (the API's page limit).</param>
    public SharedPoller(Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<T>>> describe, Func<T, string> idOf, int idsPerCall = QingCloudClient.PageSize)
    {
        _describe = describe;
        _idOf = idOf;
        _idsPerCall = idsPerCall;
    }

    /// <summary>Registers a wait. Dispose the subscription when the wait ends (in any way).</summary>
    /// <param name="ids">The ids to describe for it.</param>
    /// <param name="options">Its cadence.</param>
    /// <param name="pollNow">True to be served by the next tick at once; false to wait <see cref="WaitOptions.FirstInterval"/> first.</param>
    /// <param name="expectation">For jobs timed before: when they should end (see <see cref="PollCadence"/>); null polls as if nothing were known.</param>
    /// <returns>The subscription.</returns>
    public Subscription Subscribe(IEnumerable<string> ids, WaitOptions options, bool pollNow, JobExpectation? expectation = null)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed;
            var cadence = new PollCadence(options, now, expectation);
            var subscription = new Subscription(this, ids, cadence, cadence.First(now, pollNow));
            _subscriptions.Add(subscription);
            _wake.TrySetResult(true);
            if (!_running)
            {
                _running = true;
                _ = Task.Run(RunAsync);
            }

            return subscription;
        }
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            if (_subscriptions.Remove(subscription) && _subscriptions.Count == 0)
            {
                _inFlight?.Cancel();
            }

            _wake.TrySetResult(true);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                Task wake;
                TimeSpan delay;
                lock (_gate)
                {
                    if (_subscriptions.Count == 0)
                    {
                        _running = false;
                        return;
                    }

                    delay = _subscriptions.Min(s => s.Due) - _clock.Elapsed;
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }

                    wake = _wake.Task;
                }

                if (delay > TimeSpan.Zero)
                {
                    // A new subscriber (or one leaving) wakes the loop to recompute the next tick.
                    using var sleep = new CancellationTokenSource();
                    await Task.WhenAny(Task.Delay(delay, sleep.Token), wake).ConfigureAwait(false);
                    sleep.Cancel();
                    continue;
                }

                await TickAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Not expected (TickAsync hands call failures to the subscribers); never leave a wait hanging.
            List<Subscription> orphans;
            lock (_gate)
            {
                orphans = _subscriptions.ToList();
                _running = false;
            }

            orphans.ForEach(s => s.Fail(ex));
        }
    }

    private async Task TickAsync()
    {
        List<Subscription> batch;
        CancellationTokenSource inFlight;
        lock (_gate)
        {
            batch = _subscriptions.ToList();
            inFlight = _inFlight = new CancellationTokenSource();
        }

        try
        {
            var found = await DescribeAsync(batch.SelectMany(s => s.Ids), inFlight.Token).ConfigureAwait(false);
            batch.ForEach(s => s.Deliver(found));
        }
        catch (OperationCanceledException) when (inFlight.IsCancellationRequested)
        {
            // Every subscriber left while the call was in flight.
        }
        catch (QingCloudApiException) when (batch.Count > 1)
        {
            // One wait's id can make the whole call fail (DescribeEips answers an error for an unknown id): ask for
            // each wait's ids alone, so the error reaches only the wait that asked for it.
            foreach (var subscription in batch)
            {
                try
                {
                    subscription.Deliver(await DescribeAsync(subscription.Ids, inFlight.Token).ConfigureAwait(false));
                }
                catch (Exception ex) when (!inFlight.IsCancellationRequested)
                {
                    subscription.Fail(ex);
                }
            }
        }
        catch (Exception ex)
        {
            batch.ForEach(s => s.Fail(ex));
        }
        finally
        {
            lock (_gate)
            {
                _inFlight = null;
                var now = _clock.Elapsed;
                batch.ForEach(s => s.ScheduleAfterTick(now));
            }

            inFlight.Dispose();
        }
    }

    private async Task<Dictionary<string, T>> DescribeAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        for (var start = 0; start < distinct.Count; start += _idsPerCall)
        {
            foreach (var item in await _describe(distinct.Skip(start).Take(_idsPerCall).ToList(), cancellationToken).ConfigureAwait(false))
            {
                found[_idOf(item)] = item;
            }
        }

        return found;
    }

    /// <summary>One wait's registration: its ids, its cadence and the latest answer not yet taken.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly SharedPoller<T> _owner;
        private readonly PollCadence _cadence;
        private readonly object _gate = new();
        private IReadOnlyList<string> _ids;
        private IReadOnlyDictionary<string, T>? _latest;
        private Exception? _failure;
        private TaskCompletionSource<bool> _signal = NewSignal();

        internal Subscription(SharedPoller<T> owner, IEnumerable<string> ids, PollCadence cadence, TimeSpan due)
        {
            _owner = owner;
            _cadence = cadence;
            _ids = ids.Distinct(StringComparer.Ordinal).ToList();
            Due = due;
        }

        /// <summary>The ids the next tick describes for this wait.</summary>
        public IReadOnlyList<string> Ids
        {
            get
            {
                lock (_gate)
                {
                    return _ids;
                }
            }
        }

        /// <summary>When this wait wants its next tick (on the poller's clock). Read and written under the poller's lock.</summary>
        internal TimeSpan Due { get; private set; }

        /// <summary>Narrows the ids (e.g. to the jobs still unfinished).</summary>
        /// <param name="ids">The ids.</param>
        public void SetIds(IEnumerable<string> ids)
        {
            var list = ids.Distinct(StringComparer.Ordinal).ToList();
            lock (_gate)
            {
                _ids = list;
            }
        }

        /// <summary>The next tick's answer: the described items among this wait's ids, by id (missing ids are absent).</summary>
        /// <param name="cancellationToken">Cancels this wait only.</param>
        /// <returns>The items.</returns>
        public async Task<IReadOnlyDictionary<string, T>> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Task signal;
                lock (_gate)
                {
                    if (_failure is { } failure)
                    {
                        _failure = null;
                        _signal = NewSignal();
                        ExceptionDispatchInfo.Capture(failure).Throw();
                    }

                    if (_latest is { } latest)
                    {
                        _latest = null;
                        _signal = NewSignal();
                        return latest;
                    }

                    signal = _signal.Task;
                }

                if (!signal.IsCompleted)
                {
                    var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
                    {
                        await Task.WhenAny(signal, cancelled.Task).ConfigureAwait(false);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        /// <summary>Unsubscribes.</summary>
        public void Dispose() => _owner.Unsubscribe(this);

        internal void Deliver(IReadOnlyDictionary<string, T> found)
        {
            lock (_gate)
            {
                var mine = new Dictionary<string, T>(StringComparer.Ordinal);
                foreach (var id in _ids)
                {
                    if (found.TryGetValue(id, out var item))
                    {
                        mine[id] = item;
                    }
                }

                _latest = mine;
                _failure = null;
                _signal.TrySetResult(true);
            }
        }

        internal void Fail(Exception ex)
        {
            lock (_gate)
            {
                _failure = ex;
                _latest = null;
                _signal.TrySetResult(true);
            }
        }

        internal void ScheduleAfterTick(TimeSpan now) => Due = _cadence.After(now);
    }
}
