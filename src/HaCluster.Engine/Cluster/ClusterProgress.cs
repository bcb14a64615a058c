// Copyright (c) HaCluster contributors. MIT License.
// One parent progress bar for New-HaCluster and one child bar per path (internal, external, cluster steps).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// The bars of one New-HaCluster run. The parent is shown before any child, so no child is ever drawn without it; a
/// child shows while its steps run and is completed when they end; <see cref="Complete"/> completes whatever is still
/// shown (after a failure too). Statuses are short ("Step 2 of 5: listener on 6443"); detail goes to the current
/// operation. Thread-safe: both load balancer paths report at once.
/// </summary>
internal sealed class ClusterProgress
{
    public const int ParentId = 6100;

    // A child's waits (ResourceWaiter, JobWaiter) draw under it with this offset (see WaitUnder).
    private const int WaitOffset = 10;

    private readonly object _gate = new();
    private readonly IOperationObserver _observer;
    private readonly string _activity;
    private readonly int _total;
    private readonly HashSet<Bar> _shown = new();
    private int _done;
    private bool _completed;

    public ClusterProgress(IOperationObserver observer, string cluster, int totalSteps, int alreadyDone)
    {
        _observer = observer;
        _activity = $"New-HaCluster '{cluster}'";
        _total = Math.Max(1, totalSteps);
        _done = alreadyDone;
    }

    /// <summary>Shows the parent bar; call it before any child reports.</summary>
    public void Start() => Report(null);

    /// <summary>A child bar.</summary>
    /// <param name="id">Its id (6101 internal, 6102 external, 6103 cluster steps).</param>
    /// <param name="title">Its title.</param>
    /// <param name="steps">How many steps it has.</param>
    /// <returns>The bar.</returns>
    public Bar Child(int id, string title, int steps) => new(this, id, title, steps);

    /// <summary>Wait options whose progress nests under <paramref name="parent"/>.</summary>
    /// <param name="parent">The child bar.</param>
    /// <param name="timeout">The timeout.</param>
    /// <returns>The options.</returns>
    public static WaitOptions WaitUnder(Bar parent, TimeSpan timeout) => new() { ActivityId = parent.Id + WaitOffset, ParentActivityId = parent.Id, Timeout = timeout };

    /// <summary>Completes every child still shown (and its wait bar), then the parent. Safe to call more than once.</summary>
    public void Complete()
    {
        Bar[] shown;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            shown = _shown.ToArray();
        }

        foreach (var bar in shown)
        {
            bar.Complete();
        }

        _observer.Progress(new OperationProgress(ParentId, _activity, "Done") { Completed = true, PercentComplete = 100 });
    }

    private void StepDone(string what)
    {
        lock (_gate)
        {
            _done++;
        }

        Report(what);
    }

    private void Report(string? last)
    {
        int done;
        lock (_gate)
        {
            done = Math.Min(_done, _total);
        }

        _observer.Progress(new OperationProgress(ParentId, _activity, $"{done.ToString(CultureInfo.InvariantCulture)} of {_total.ToString(CultureInfo.InvariantCulture)} steps done")
        {
            CurrentOperation = last is null ? null : "Last: " + last,
            PercentComplete = done * 100 / _total,
        });
    }

    /// <summary>A child bar: one path's steps.</summary>
    internal sealed class Bar
    {
        private readonly ClusterProgress _owner;
        private readonly string _title;
        private readonly int _steps;
        private int _step;

        public Bar(ClusterProgress owner, int id, string title, int steps)
        {
            _owner = owner;
            Id = id;
            _title = title;
            _steps = Math.Max(1, steps);
        }

        public int Id { get; }

        /// <summary>Shows the step now running.</summary>
        /// <param name="step">What it does, in a few words (the status).</param>
        /// <param name="detail">The particulars (the current operation), if any.</param>
        public void Starting(string step, string? detail = null)
        {
            lock (_owner._gate)
            {
                _owner._shown.Add(this);
            }

            _owner._observer.Progress(new OperationProgress(Id, _title, $"Step {Math.Min(_step + 1, _steps).ToString(CultureInfo.InvariantCulture)} of {_steps.ToString(CultureInfo.InvariantCulture)}: {step}")
            {
                ParentActivityId = ParentId,
                CurrentOperation = detail,
                PercentComplete = _step * 100 / _steps,
            });
        }

        /// <summary>Counts a step as done, here and on the parent.</summary>
        /// <param name="description">What it did.</param>
        public void Done(string description)
        {
            _step++;
            _owner.StepDone(description);
        }

        /// <summary>Removes the bar (and its wait bar) until its next step starts.</summary>
        public void Complete()
        {
            lock (_owner._gate)
            {
                if (!_owner._shown.Remove(this))
                {
                    return;
                }
            }

            _owner._observer.Progress(new OperationProgress(Id + WaitOffset, _title, "Done") { ParentActivityId = Id, Completed = true });
            _owner._observer.Progress(new OperationProgress(Id, _title, "Done") { ParentActivityId = ParentId, Completed = true, PercentComplete = 100 });
        }
    }
}
