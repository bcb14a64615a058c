// Copyright (c) HaCluster contributors. MIT License.
// One parent progress bar for New-HaCluster and one child bar per path (internal, external, install).

using System;
using System.Globalization;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>The bars of one New-HaCluster run. Thread-safe: both load balancer paths report at once.</summary>
internal sealed class ClusterProgress
{
    public const int ParentId = 6100;

    private readonly object _gate = new();
    private readonly IOperationObserver _observer;
    private readonly string _activity;
    private readonly int _total;
    private int _done;

    public ClusterProgress(IOperationObserver observer, string cluster, int totalSteps, int alreadyDone)
    {
        _observer = observer;
        _activity = $"New-HaCluster '{cluster}'";
        _total = Math.Max(1, totalSteps);
        _done = alreadyDone;
    }

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
    public static WaitOptions WaitUnder(Bar parent, TimeSpan timeout) => new() { ActivityId = parent.Id + 10, ParentActivityId = parent.Id, Timeout = timeout };

    /// <summary>Removes the parent bar.</summary>
    public void Complete() => _observer.Progress(new OperationProgress(ParentId, _activity, "Done") { Completed = true, PercentComplete = 100 });

    private void StepDone(string what)
    {
        int done;
        lock (_gate)
        {
            done = ++_done;
        }

        _observer.Progress(new OperationProgress(ParentId, _activity, $"{Math.Min(done, _total).ToString(CultureInfo.InvariantCulture)} of {_total.ToString(CultureInfo.InvariantCulture)} steps done; last: {what}")
        {
            PercentComplete = Math.Min(100, done * 100 / _total),
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
        /// <param name="description">What it does.</param>
        public void Starting(string description) =>
            _owner._observer.Progress(new OperationProgress(Id, _title, $"Step {Math.Min(_step + 1, _steps).ToString(CultureInfo.InvariantCulture)} of {_steps.ToString(CultureInfo.InvariantCulture)}: {description}")
            {
                ParentActivityId = ParentId,
                PercentComplete = _step * 100 / _steps,
            });

        /// <summary>Counts a step as done, here and on the parent.</summary>
        /// <param name="description">What it did.</param>
        public void Done(string description)
        {
            _step++;
            _owner.StepDone(description);
        }

        /// <summary>Removes the bar.</summary>
        public void Complete() => _owner._observer.Progress(new OperationProgress(Id, _title, "Done") { ParentActivityId = ParentId, Completed = true, PercentComplete = 100 });
    }
}
