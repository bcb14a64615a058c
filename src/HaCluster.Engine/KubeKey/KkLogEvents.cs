// Copyright (c) HaCluster contributors. MIT License.
// What the kk log parser reports while a log streams in: module progress, task starts, per-node task results.

using System;

namespace HaCluster.Engine.KubeKey;

/// <summary>The shape of a kk log: which kk line produced it.</summary>
public enum KkLogFormat
{
    /// <summary>No timestamped kk line seen yet.</summary>
    Unknown,

    /// <summary>kk v2.2+ / v3 pipeline engine: <c>HH:MM:SS TZ [LEVEL] message</c>.</summary>
    Pipeline,

    /// <summary>kk v1.x logrus text: <c>INFO[HH:MM:SS TZ] message  node=…</c> or <c>time="…" level=info msg="…"</c>.</summary>
    Logrus,
}

/// <summary>Outcome kk printed for one node in one task.</summary>
public enum KkTaskStatus
{
    /// <summary><c>success: [node]</c>.</summary>
    Success,

    /// <summary><c>failed: [node]</c>: the task failed on that node (after its retries).</summary>
    Failed,

    /// <summary><c>skipped: [node]</c>: the task's precondition did not hold on that node.</summary>
    Skipped,

    /// <summary><c>retry: [node]</c>: an attempt failed and kk will try again.</summary>
    Retry,
}

/// <summary>Whether a module just started or just finished.</summary>
public enum KkModuleState
{
    /// <summary>The module's first task line appeared.</summary>
    Started,

    /// <summary>The next module (or the pipeline's success line) appeared after it.</summary>
    Completed,
}

/// <summary>Something the parser recognised in the log. Subclasses carry the details.</summary>
public abstract class KkLogEvent
{
    /// <summary>Creates the event.</summary>
    /// <param name="lineNumber">1-based number of the log line that produced the event.</param>
    /// <param name="time">Time of day kk stamped on that line, if it had one.</param>
    protected KkLogEvent(int lineNumber, TimeSpan? time)
    {
        LineNumber = lineNumber;
        Time = time;
    }

    /// <summary>1-based number of the log line that produced the event.</summary>
    public int LineNumber { get; }

    /// <summary>Time of day kk stamped on the line (kk prints no date), if any.</summary>
    public TimeSpan? Time { get; }
}

/// <summary>A module of the pipeline started or completed, with the pipeline's percentage (kubekey.md §4.4 order).</summary>
public sealed class KkModuleProgress : KkLogEvent
{
    /// <summary>Creates the event.</summary>
    /// <param name="lineNumber">Log line number.</param>
    /// <param name="time">Time stamp of the line.</param>
    /// <param name="module">Module name as kk prints it.</param>
    /// <param name="state">Started or completed.</param>
    /// <param name="percentComplete">Pipeline percentage at this point, or -1 when unknown.</param>
    public KkModuleProgress(int lineNumber, TimeSpan? time, string module, KkModuleState state, int percentComplete)
        : base(lineNumber, time)
    {
        Module = module;
        State = state;
        PercentComplete = percentComplete;
    }

    /// <summary>Module name as kk prints it, e.g. <c>InitKubernetesModule</c> or <c>CustomScriptsModule Phase:PreInstall</c>.</summary>
    public string Module { get; }

    /// <summary>Started or completed.</summary>
    public KkModuleState State { get; }

    /// <summary>Percentage of CreateClusterPipeline done at this point (0-100), or -1 when the module is not in the known order.</summary>
    public int PercentComplete { get; }
}

/// <summary>A task line: <c>[Module] task description</c>.</summary>
public sealed class KkTaskStarted : KkLogEvent
{
    /// <summary>Creates the event.</summary>
    /// <param name="lineNumber">Log line number.</param>
    /// <param name="time">Time stamp of the line.</param>
    /// <param name="module">Module name (null in kk v1.x logs, which have no modules).</param>
    /// <param name="task">Task description.</param>
    public KkTaskStarted(int lineNumber, TimeSpan? time, string? module, string task)
        : base(lineNumber, time)
    {
        Module = module;
        Task = task;
    }

    /// <summary>Module name, or null for kk v1.x.</summary>
    public string? Module { get; }

    /// <summary>Task description as kk prints it, e.g. <c>Init cluster using kubeadm</c>.</summary>
    public string Task { get; }
}

/// <summary>One node's result of one task: the object ConvertFrom-KkLog emits per task line result.</summary>
public sealed class KkTaskResult : KkLogEvent
{
    /// <summary>Creates the result.</summary>
    /// <param name="lineNumber">Log line number of the status line.</param>
    /// <param name="time">Time stamp of the status line.</param>
    /// <param name="module">Module name (null for kk v1.x).</param>
    /// <param name="task">Task description (null when a status line came before any task line).</param>
    /// <param name="node">Node name (<c>LocalHost</c> for tasks kk runs on the taskbox; null for a v1.x step).</param>
    /// <param name="status">What kk printed.</param>
    /// <param name="message">The node's last <c>message:</c> block in this task (kk's own text), if any.</param>
    public KkTaskResult(int lineNumber, TimeSpan? time, string? module, string? task, string? node, KkTaskStatus status, string? message)
        : base(lineNumber, time)
    {
        Module = module;
        Task = task;
        Node = node;
        Status = status;
        Message = message;
    }

    /// <summary>Module name, or null for kk v1.x.</summary>
    public string? Module { get; }

    /// <summary>Task description.</summary>
    public string? Task { get; }

    /// <summary>Node name, <c>LocalHost</c> for taskbox-local tasks, or null for a v1.x step.</summary>
    public string? Node { get; }

    /// <summary>Success, Failed, Skipped or Retry.</summary>
    public KkTaskStatus Status { get; }

    /// <summary>kk's message for this node in this task (for a failure: the error of the last attempt), if any.</summary>
    public string? Message { get; }
}

/// <summary>One failed node as kk's final <c>error:</c> block (or its <c>failed:</c> log line) names it.</summary>
public sealed class KkNodeFailure
{
    /// <summary>Creates the failure.</summary>
    /// <param name="node">Node name.</param>
    /// <param name="task">kk's internal task name from the error block (e.g. <c>KubeadmInit</c>), if it gave one.</param>
    /// <param name="retries">Attempts kk made, if the error block says.</param>
    /// <param name="message">kk's error text for the node.</param>
    public KkNodeFailure(string node, string? task, int? retries, string message)
    {
        Node = node;
        Task = task;
        Retries = retries;
        Message = message;
    }

    /// <summary>Node name.</summary>
    public string Node { get; }

    /// <summary>kk's internal task name from the error block, e.g. <c>KubeadmInit</c>, if present.</summary>
    public string? Task { get; }

    /// <summary>Number of attempts kk reports, if present.</summary>
    public int? Retries { get; }

    /// <summary>kk's error text for this node.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => Node + ": " + Message;
}
