// Copyright (c) HaCluster contributors. MIT License.
// Runs one check at a time or many at once, times it, turns its failure into a result, and streams each result.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Cluster;

/// <summary>What a check saw; <see cref="Target"/> replaces the check's target when it is only known afterwards.</summary>
internal readonly struct CheckOutcome
{
    public CheckOutcome(bool passed, string detail, string? target = null)
    {
        Passed = passed;
        Detail = detail;
        Target = target;
    }

    public bool Passed { get; }

    public string Detail { get; }

    public string? Target { get; }
}

/// <summary>
/// Collects results in the order they finish and hands each to the caller's callback as soon as it exists (callbacks
/// never overlap). A check that throws becomes a failed result with the error as detail; only cancellation propagates.
/// </summary>
internal sealed class CheckRecorder
{
    private const int ProgressId = 3600;
    private const string Activity = "Testing the HA cluster";

    private readonly object _gate = new();
    private readonly List<HaCheckResult> _results = new();
    private readonly Action<HaCheckResult>? _onResult;
    private readonly IOperationObserver _observer;
    private int _failed;

    public CheckRecorder(Action<HaCheckResult>? onResult, IOperationObserver observer)
    {
        _onResult = onResult;
        _observer = observer;
    }

    /// <summary>The progress bar under which waits of the checks show.</summary>
    public static int ActivityId => ProgressId;

    /// <summary>The results so far, in the order they finished.</summary>
    public IReadOnlyList<HaCheckResult> Results
    {
        get
        {
            lock (_gate)
            {
                return _results.ToArray();
            }
        }
    }

    /// <summary>How many results so far failed.</summary>
    public int FailedCount
    {
        get
        {
            lock (_gate)
            {
                return _failed;
            }
        }
    }

    /// <summary>Runs a check and records its result.</summary>
    public async Task<HaCheckResult> RunAsync(string name, string target, Func<CancellationToken, Task<CheckOutcome>> check, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        CheckOutcome outcome;
        try
        {
            outcome = await check(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HaClusterException ex)
        {
            outcome = new CheckOutcome(false, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A verifier reports what it could not check instead of stopping at the first surprise.
            outcome = new CheckOutcome(false, $"{ex.GetType().Name}: {ex.Message}");
        }

        return Record(new HaCheckResult(name, outcome.Target ?? target, outcome.Passed, outcome.Detail, clock.Elapsed));
    }

    /// <summary>Records a result that needed no work of its own (for example derived from data already fetched).</summary>
    public HaCheckResult Record(HaCheckResult result)
    {
        lock (_gate)
        {
            _results.Add(result);
            if (!result.Passed)
            {
                _failed++;
            }

            _observer.Verbose(result.ToString());
            _observer.Progress(new OperationProgress(ProgressId, Activity, $"{_results.Count} check(s) done, {_failed} failed") { CurrentOperation = result.Name + " " + result.Target });
            _onResult?.Invoke(result);
        }

        return result;
    }

    /// <summary>Removes the progress bar.</summary>
    public void Complete() =>
        _observer.Progress(new OperationProgress(ProgressId, Activity, "Done") { Completed = true });
}
