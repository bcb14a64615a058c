// Copyright (c) HaCluster contributors. MIT License.
// How long-running engine work reports what it does without knowing about PowerShell.

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

/// <summary>One progress update. <see cref="ActivityId"/> identifies the bar; <see cref="ParentActivityId"/> nests it.</summary>
public sealed class OperationProgress
{
    /// <summary>Creates a progress update.</summary>
    /// <param name="activityId">Identifier of the progress bar.</param>
    /// <param name="activity">Title of the bar.</param>
    /// <param name="status">Current status text.</param>
    public OperationProgress(int activityId, string activity, string status)
    {
        ActivityId = activityId;
        Activity = activity;
        Status = status;
    }

    /// <summary>Identifier of the progress bar.</summary>
    public int ActivityId { get; }

    /// <summary>Identifier of the parent bar, or -1.</summary>
    public int ParentActivityId { get; set; } = -1;

    /// <summary>Title of the bar.</summary>
    public string Activity { get; }

    /// <summary>Current status text.</summary>
    public string Status { get; }

    /// <summary>Current step, if any.</summary>
    public string? CurrentOperation { get; set; }

    /// <summary>Percent complete (0-100), or -1 when unknown.</summary>
    public int PercentComplete { get; set; } = -1;

    /// <summary>True when the bar is finished and should disappear.</summary>
    public bool Completed { get; set; }
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
