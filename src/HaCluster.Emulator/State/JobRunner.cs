// Copyright (c) HaCluster contributors. MIT License.
// Runs asynchronous jobs: pending → working → successful/failed after the configured latency.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.State;

/// <summary>
/// Creates jobs and completes them in the background. A job's effect runs after <c>job_latency_ms</c>;
/// <c>failed_job_rate</c> (a seeded draw per job) makes a job fail without effect. While jobs are held
/// (<see cref="Hold"/>) no job or delayed change takes effect until <see cref="Release"/>: tests that need a job to be
/// unfinished at some point hold it, instead of racing a short timeout against the latency.
/// </summary>
internal sealed class JobRunner
{
    private readonly CloudState _state;
    private readonly object _tasksGate = new();
    private readonly HashSet<Task> _tasks = [];
    private CancellationTokenSource _stopping = new();
    private Random _failures;
    private TaskCompletionSource? _held;

    /// <summary>Creates the runner.</summary>
    /// <param name="state">The state jobs live in.</param>
    public JobRunner(CloudState state)
    {
        _state = state;
        _failures = NewFailureRandom();
    }

    /// <summary>Creates a job and schedules it. Call under <see cref="CloudState.Gate"/>.</summary>
    /// <param name="action">The API action.</param>
    /// <param name="zone">Zone.</param>
    /// <param name="owner">Owner.</param>
    /// <param name="resourceIds">Resources it works on.</param>
    /// <param name="complete">The effect, run outside the lock; it takes the lock itself to commit. Throwing fails the job.</param>
    /// <param name="rollback">Run under the lock when the job fails (clears transition states).</param>
    /// <returns>The job.</returns>
    public Job Start(string action, string zone, string owner, IEnumerable<string> resourceIds, Func<CancellationToken, Task> complete, Action rollback)
    {
        var now = CloudState.Now();
        var job = new Job(_state.Identify(_state.NewId("j-"), zone, owner, now))
        {
            Status = "pending",
            JobAction = action,
            ResourceIds = [.. resourceIds],
        };
        _state.Jobs[job.Id] = job;
        var fail = _failures.NextDouble() < _state.Options.Faults.FailedJobRate;
        Track(RunAsync(job, fail, complete, rollback, _stopping.Token));
        return job;
    }

    /// <summary>Runs a state change after the job latency, without a job (e.g. an EIP becoming available). Call under the lock.</summary>
    /// <param name="mutation">Runs under the lock.</param>
    public void After(Action mutation)
    {
        var token = _stopping.Token;
        Track(Task.Run(
            async () =>
            {
                await Task.Delay(_state.Options.JobLatencyMs, token).ConfigureAwait(false);
                await WhileHeldAsync(token).ConfigureAwait(false);
                lock (_state.Gate)
                {
                    mutation();
                }
            },
            token));
    }

    /// <summary>Holds every job (running or new) before its effect, until <see cref="Release"/>.</summary>
    /// <returns>True when this call started the hold, false when jobs were held already.</returns>
    public bool Hold()
    {
        lock (_tasksGate)
        {
            if (_held is not null)
            {
                return false;
            }

            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    /// <summary>Lets held jobs go on: each takes effect once its latency has passed.</summary>
    /// <returns>True when jobs were held.</returns>
    public bool Release()
    {
        TaskCompletionSource? held;
        lock (_tasksGate)
        {
            held = _held;
            _held = null;
        }

        held?.SetResult();
        return held is not null;
    }

    /// <summary>Whether jobs are held.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_tasksGate)
            {
                return _held is not null;
            }
        }
    }

    /// <summary>Cancels every pending job and waits for them to stop; new jobs can start afterwards.</summary>
    /// <returns>A task.</returns>
    public async Task StopAllAsync()
    {
        Task[] pending;
        lock (_tasksGate)
        {
            _stopping.Cancel();
            pending = [.. _tasks];
        }

        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled jobs are abandoned on purpose.
        }

        lock (_tasksGate)
        {
            _stopping.Dispose();
            _stopping = new CancellationTokenSource();
            _failures = NewFailureRandom();
        }
    }

    private Task WhileHeldAsync(CancellationToken token)
    {
        TaskCompletionSource? held;
        lock (_tasksGate)
        {
            held = _held;
        }

        return held is null ? Task.CompletedTask : held.Task.WaitAsync(token);
    }

    private Random NewFailureRandom() => new(unchecked(_state.Options.Faults.Seed * 31 + 7));

    private void Track(Task task)
    {
        lock (_tasksGate)
        {
            _tasks.Add(task);
        }

        task.ContinueWith(
            t =>
            {
                lock (_tasksGate)
                {
                    _tasks.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunAsync(Job job, bool fail, Func<CancellationToken, Task> complete, Action rollback, CancellationToken token)
    {
        try
        {
            // Never run inline: the handler that started the job still holds the lock and has not answered yet.
            await Task.Yield();
            var latency = _state.Options.JobLatencyMs;
            await Task.Delay(latency / 3, token).ConfigureAwait(false);
            lock (_state.Gate)
            {
                job.Status = "working";
                job.StatusTime = CloudState.Now();
            }

            await Task.Delay(latency - (latency / 3), token).ConfigureAwait(false);
            await WhileHeldAsync(token).ConfigureAwait(false);
            if (fail)
            {
                throw new InvalidOperationException("failed_job_rate: injected job failure");
            }

            await complete(token).ConfigureAwait(false);
            lock (_state.Gate)
            {
                job.Settle("successful", CloudState.Now());
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Reset or shutdown: the job is abandoned together with the state it belonged to.
        }
#pragma warning disable CA1031 // Any failure of the effect (a data-plane bind error …) must end the job as failed, not crash the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_state.Gate)
            {
                rollback();
                job.ErrorCodes = "5000";
                job.Error = ex.Message;
                job.Settle("failed", CloudState.Now());
            }
        }
    }
}
