// Copyright (c) HaCluster contributors. MIT License.
// The verdict and the facts a whole kk log (plus, when known, kk's exit code) establishes.

using System;
using System.Collections.Generic;
using System.Security;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The outcome of one kk run as read from its output. <see cref="Succeeded"/> is true only when kk printed
/// <c>Pipeline[…] execute successfully</c> (v1.x: its success line), printed no error, and — when the exit
/// code is known — exited 0: exit 0 alone proves nothing (kubekey.md §4.7).
/// </summary>
public sealed class KkLogSummary
{
    private static readonly string[] None = Array.Empty<string>();

    /// <summary>Where the log came from (a file path), when the caller said.</summary>
    public string? Source { get; set; }

    /// <summary>The log's shape (v2.2+/v3 pipeline or v1.x logrus).</summary>
    public KkLogFormat Format { get; internal set; }

    /// <summary>Pipeline name from kk's success or failure line, e.g. <c>CreateClusterPipeline</c>.</summary>
    public string? Pipeline { get; internal set; }

    /// <summary>True when kk reported success, nothing reported failure, and the exit code (if known) is 0.</summary>
    public bool Succeeded { get; internal set; }

    /// <summary>True when the log stops before kk said either way and no exit code is known (still running, or cut off).</summary>
    public bool Incomplete { get; internal set; }

    /// <summary>kk's exit code, when the caller knew it.</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>The module that failed, e.g. <c>GreetingsModule</c> (null for kk v1.x and for failures outside a module).</summary>
    public string? FailedModule { get; internal set; }

    /// <summary>The failing task's description as the log shows it, or kk's task name when only the error block names it.</summary>
    public string? FailedTask { get; internal set; }

    /// <summary>Nodes kk names as failed.</summary>
    public IReadOnlyList<string> FailedNodes { get; internal set; } = None;

    /// <summary>kk's own failure text (its <c>error:</c> block, [FATA]/[ERRO] line, or a note on the exit code).</summary>
    public string? FailureMessage { get; internal set; }

    /// <summary>Per-node failures with kk's text for each.</summary>
    public IReadOnlyList<KkNodeFailure> Failures { get; internal set; } = Array.Empty<KkNodeFailure>();

    /// <summary>The last module that started.</summary>
    public string? CurrentModule { get; internal set; }

    /// <summary>The last task that started.</summary>
    public string? CurrentTask { get; internal set; }

    /// <summary>Modules that finished, in order (a module kk runs twice appears twice).</summary>
    public IReadOnlyList<string> ModulesCompleted { get; internal set; } = None;

    /// <summary>Pipeline percentage reached (100 on success), or -1 when unknown.</summary>
    public int PercentComplete { get; internal set; } = -1;

    /// <summary>Number of task lines seen.</summary>
    public int TaskCount { get; internal set; }

    /// <summary>KubeSphere console URL from the welcome block.</summary>
    public string? ConsoleUrl { get; internal set; }

    /// <summary>KubeSphere account from the welcome block.</summary>
    public string? Account { get; internal set; }

    /// <summary>The password the welcome block shows (KubeSphere's initial admin password), only ever held encrypted.</summary>
    internal SecureString? Password { get; set; }

    /// <summary>True when the welcome block showed a password; <see cref="GetPassword"/> returns it.</summary>
    public bool HasPassword => Password is not null;

    /// <summary>The welcome block's password (a method, not a property, so serialising the summary never writes it).</summary>
    /// <returns>The password, or null.</returns>
    public SecureString? GetPassword() => Password?.Copy();

    /// <summary>Time of day of the first timestamped line.</summary>
    public TimeSpan? StartTime { get; internal set; }

    /// <summary>Time of day of the last timestamped line.</summary>
    public TimeSpan? EndTime { get; internal set; }

    /// <summary>Time between the first and last timestamped lines (midnight roll-overs counted), when the log has two.</summary>
    public TimeSpan? Duration { get; internal set; }

    /// <summary>[WARN] lines and kk's printed warnings.</summary>
    public IReadOnlyList<string> Warnings { get; internal set; } = None;

    /// <summary>Number of lines read.</summary>
    public int LineCount { get; internal set; }
}
