// Copyright (c) HaCluster contributors. MIT License.
// Turns the install's steps and kk's parsed output into progress (module, percentage) and verbose lines (redacted).

using System;
using System.Collections.Generic;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// One progress bar for the whole install: the steps before kk, then kk's current module in pipeline order with the
/// parser's percentage. Every non-blank kk line goes to Verbose, redacted; the KubeSphere spinner only once.
/// </summary>
internal sealed class InstallNarrator
{
    public const int ActivityId = 5201;

    private const string Spinner = "Please wait for the installation to complete";

    private readonly IOperationObserver _observer;
    private readonly string _activity;
    private readonly string _prefix;
    private string? _module;
    private int _percent;
    private bool _spinnerShown;

    public InstallNarrator(IOperationObserver observer, string activity, string prefix)
    {
        _observer = observer;
        _activity = activity;
        _prefix = prefix;
    }

    /// <summary>A step before kk runs (preflight, placing kk, uploading the config).</summary>
    /// <param name="status">What is being done.</param>
    public void Step(string status)
    {
        _observer.Verbose(status + ".");
        _observer.Progress(new OperationProgress(ActivityId, _activity, status) { PercentComplete = 0 });
    }

    /// <summary>One raw line of kk output, with what the parser made of it.</summary>
    /// <param name="raw">The line as kk wrote it.</param>
    /// <param name="events">The parser's events for the line.</param>
    public void Line(string raw, IReadOnlyList<KkLogEvent> events)
    {
        var clean = KkLogLine.Clean(raw);
        if (clean.Trim().Length > 0)
        {
            // The spinner is redrawn every 200 ms for as long as KubeSphere installs: once is enough.
            var spinner = clean.StartsWith(Spinner, StringComparison.Ordinal);
            if (!spinner || !_spinnerShown)
            {
                _observer.Verbose(_prefix + KkLogParser.RedactSecrets(clean));
            }

            _spinnerShown |= spinner;
        }

        foreach (var e in events)
        {
            switch (e)
            {
                case KkModuleProgress { State: KkModuleState.Started } started:
                    _module = started.Module;
                    _percent = Math.Max(_percent, started.PercentComplete);
                    Report(null);
                    break;
                case KkModuleProgress completed:
                    _percent = Math.Max(_percent, completed.PercentComplete);
                    break;
                case KkTaskStarted task:
                    Report(task.Task);
                    break;
            }
        }
    }

    /// <summary>Removes the bar.</summary>
    public void Complete() =>
        _observer.Progress(new OperationProgress(ActivityId, _activity, "Done") { Completed = true, PercentComplete = 100 });

    private void Report(string? task)
    {
        var progress = new OperationProgress(ActivityId, _activity, "kk: " + (_module ?? "starting"))
        {
            PercentComplete = Math.Max(0, _percent),
            CurrentOperation = task,
        };
        _observer.Progress(progress);
    }
}
