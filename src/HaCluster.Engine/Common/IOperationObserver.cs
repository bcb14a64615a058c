// Copyright (c) HaCluster contributors. MIT License.
// How long-running engine work reports what it does without knowing about PowerShell.

using System;

namespace HaCluster.Engine.Common;

/// <summary>
/// Receives the engine's narration. Implementations must be thread-safe: engine work runs on
/// background threads and the cmdlet base marshals each call back onto the pipeline thread.
/// </summary>
public interface IOperationObserver
{
    /// <summary>What the operation is doing (the Verbose stream). Never contains secrets.</summary>
    /// <param name="message">The message.</param>
    void Verbose(string message);

    /// <summary>Detail for support engineers (the Debug stream). Never contains secrets.</summary>
    /// <param name="message">The message.</param>
    void Debug(string message);

    /// <summary>Something the user probably did not intend (the Warning stream).</summary>
    /// <param name="message">The message.</param>
    void Warning(string message);

    /// <summary>Progress of a wait or a multi-step operation.</summary>
    /// <param name="progress">The progress record.</param>
    void Progress(OperationProgress progress);
}

/// <summary>
/// One progress update. <see cref="ActivityId"/> identifies the bar; <see cref="ParentActivityId"/> nests it. The status
/// is at most <see cref="MaxStatusLength"/> characters, the width PowerShell draws a bar in: a longer one keeps its first
/// clause (up to a "; ") or is cut, and the rest goes ahead of the <see cref="CurrentOperation"/>, so nothing is lost.
/// </summary>
public sealed class OperationProgress
{
    /// <summary>The longest status PowerShell shows whole (<c>$PSStyle.Progress.MaxWidth</c> is 120 by default).</summary>
    public const int MaxStatusLength = 120;

    private readonly string? _overflow;
    private string? _currentOperation;

    /// <summary>Creates a progress update.</summary>
    /// <param name="activityId">Identifier of the progress bar.</param>
    /// <param name="activity">Title of the bar.</param>
    /// <param name="status">Current status text; detail beyond <see cref="MaxStatusLength"/> moves to the current operation.</param>
    public OperationProgress(int activityId, string activity, string status)
    {
        ActivityId = activityId;
        Activity = activity;
        (Status, _overflow) = Shorten(status ?? string.Empty);
    }

    /// <summary>Identifier of the progress bar.</summary>
    public int ActivityId { get; }

    /// <summary>Identifier of the parent bar, or -1.</summary>
    public int ParentActivityId { get; set; } = -1;

    /// <summary>Title of the bar.</summary>
    public string Activity { get; }

    /// <summary>Current status text, at most <see cref="MaxStatusLength"/> characters.</summary>
    public string Status { get; }

    /// <summary>Current step or detail, if any (with what did not fit in the status first).</summary>
    public string? CurrentOperation
    {
        get => _overflow is null ? _currentOperation : _currentOperation is null ? _overflow : _overflow + "; " + _currentOperation;
        set => _currentOperation = value;
    }

    /// <summary>Percent complete (0-100), or -1 when unknown.</summary>
    public int PercentComplete { get; set; } = -1;

    /// <summary>True when the bar is finished and should disappear.</summary>
    public bool Completed { get; set; }

    // "2 of 9 backends up; waiting for i-1:30880 (down), …" keeps "2 of 9 backends up"; text without a clause break is cut.
    private static (string Status, string? Overflow) Shorten(string status)
    {
        if (status.Length <= MaxStatusLength)
        {
            return (status, null);
        }

        var clause = status.Substring(0, MaxStatusLength).LastIndexOf("; ", StringComparison.Ordinal);
        return clause > 0
            ? (status.Substring(0, clause), status.Substring(clause + 2))
            : (status.Substring(0, MaxStatusLength - 1) + "\u2026", status);
    }
}

/// <summary>An observer that discards everything (engine callers outside PowerShell).</summary>
public sealed class NullOperationObserver : IOperationObserver
{
    /// <summary>The shared instance.</summary>
    public static readonly NullOperationObserver Instance = new();

    private NullOperationObserver()
    {
    }

    /// <inheritdoc />
    public void Verbose(string message)
    {
    }

    /// <inheritdoc />
    public void Debug(string message)
    {
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
    }

    /// <inheritdoc />
    public void Progress(OperationProgress progress)
    {
    }
}
