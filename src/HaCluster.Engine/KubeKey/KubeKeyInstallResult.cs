// Copyright (c) HaCluster contributors. MIT License.
// The outcome of one kk run on a taskbox: verdict, timing, modules, failure details, console and where the log is.

using System;
using System.Collections.Generic;
using System.Security;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// What an install established. Returned when kk succeeded; when it failed, timed out or vanished the same object is the
/// <see cref="Common.HaClusterException.Target"/> of the error, so callers always get the facts.
/// </summary>
public sealed class KubeKeyInstallResult
{
    internal KubeKeyInstallResult(string clusterName, string taskBox, InstallWorkspace workspace, KkLogSummary summary)
    {
        ClusterName = clusterName;
        TaskBox = taskBox;
        WorkingDirectory = workspace.Directory;
        LogPath = workspace.LogPath;
        KubeKeyLogPath = workspace.KubeKeyLogPath;
        Succeeded = summary.Succeeded;
        ExitCode = summary.ExitCode;
        ModulesCompleted = summary.ModulesCompleted;
        CurrentModule = summary.CurrentModule;
        CurrentTask = summary.CurrentTask;
        FailedModule = summary.FailedModule;
        FailedTask = summary.FailedTask;
        FailedNodes = summary.FailedNodes;
        Failures = summary.Failures;
        FailureMessage = summary.FailureMessage;
        ConsoleUrl = summary.ConsoleUrl;
        Account = summary.Account;
        Password = summary.Password;
        Warnings = summary.Warnings;
    }

    /// <summary>Cluster name (<c>metadata.name</c> of the config).</summary>
    public string ClusterName { get; }

    /// <summary>The taskbox kk ran on, as <c>user@address:port</c>.</summary>
    public string TaskBox { get; }

    /// <summary>True when kk printed <c>Pipeline[CreateClusterPipeline] execute successfully</c>, no error, and exited 0.</summary>
    public bool Succeeded { get; internal set; }

    /// <summary>kk's exit code; null when it was stopped (timeout) or vanished before writing one.</summary>
    public int? ExitCode { get; }

    /// <summary>How long kk ran on the taskbox (its start to its exit, or to now when it did not finish).</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>When kk was started on the taskbox (taskbox clock), if known.</summary>
    public DateTimeOffset? StartedAt { get; internal set; }

    /// <summary>True when this call reattached to a run started earlier instead of starting kk.</summary>
    public bool Resumed { get; internal set; }

    /// <summary>kk version on the taskbox (<c>kk version -o short</c>), when this call checked it.</summary>
    public string? KubeKeyVersion { get; internal set; }

    /// <summary>Modules kk finished, in pipeline order.</summary>
    public IReadOnlyList<string> ModulesCompleted { get; }

    /// <summary>The last module kk started.</summary>
    public string? CurrentModule { get; }

    /// <summary>The last task kk started.</summary>
    public string? CurrentTask { get; }

    /// <summary>The module kk failed in, e.g. <c>InitKubernetesModule</c>.</summary>
    public string? FailedModule { get; internal set; }

    /// <summary>The failing task (as the log shows it, or kk's task name).</summary>
    public string? FailedTask { get; }

    /// <summary>Nodes kk names as failed.</summary>
    public IReadOnlyList<string> FailedNodes { get; }

    /// <summary>Per-node failures with kk's own text.</summary>
    public IReadOnlyList<KkNodeFailure> Failures { get; }

    /// <summary>kk's failure text, or why the run has no verdict (timeout, vanished).</summary>
    public string? FailureMessage { get; internal set; }

    /// <summary>KubeSphere console URL from kk's welcome block (null without KubeSphere).</summary>
    public string? ConsoleUrl { get; }

    /// <summary>KubeSphere account from the welcome block.</summary>
    public string? Account { get; }

    /// <summary>KubeSphere's initial admin password as the welcome block shows it, only ever held encrypted.</summary>
    internal SecureString? Password { get; }

    /// <summary>True when the welcome block showed a password; <see cref="GetPassword"/> returns it.</summary>
    public bool HasPassword => Password is not null;

    /// <summary>The welcome block's password (a method, not a property, so serialising the result never writes it).</summary>
    /// <returns>The password, or null.</returns>
    public SecureString? GetPassword() => Password?.Copy();

    /// <summary>kk's warnings.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Working directory on the taskbox.</summary>
    public string WorkingDirectory { get; }

    /// <summary>kk's merged stdout and stderr on the taskbox (exit code in <c>&lt;LogPath&gt;.exit</c>).</summary>
    public string LogPath { get; }

    /// <summary>kk's own log file on the taskbox (log lines only).</summary>
    public string KubeKeyLogPath { get; }

    /// <summary>Cluster name and verdict.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => ClusterName + ": " + (Succeeded ? "succeeded" : "failed" + (FailedModule is null ? string.Empty : " in " + FailedModule));
}
