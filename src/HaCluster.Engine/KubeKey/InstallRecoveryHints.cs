// Copyright (c) HaCluster contributors. MIT License.
// What an install's errors tell the user to do next, in the words of the command the user ran.

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The recovery hints of an install, per command: Install-HaMaster reattaches with <c>-Resume</c> and can skip the
/// preflight with <c>-SkipPreflight</c>; New-HaCluster has neither and resumes by running the same command again.
/// A hint never names a parameter the command does not have.
/// </summary>
public sealed class InstallRecoveryHints
{
    /// <summary>Install-HaMaster's hints.</summary>
    public static readonly InstallRecoveryHints InstallHaMaster = new("reattach with -Resume", "or use -SkipPreflight when only the taskbox can reach the hosts");

    /// <summary>New-HaCluster's hints.</summary>
    public static readonly InstallRecoveryHints NewHaCluster = new("run the same New-HaCluster command again to reattach", null);

    /// <summary>Creates hints.</summary>
    /// <param name="reattach">How to reattach to a kk run that keeps running, e.g. <c>reattach with -Resume</c>.</param>
    /// <param name="skipPreflight">How to go on when the preflight fails although kk could work, or null when the command has no way.</param>
    public InstallRecoveryHints(string reattach, string? skipPreflight)
    {
        Reattach = reattach;
        SkipPreflight = skipPreflight;
    }

    /// <summary>How to reattach to a kk run that keeps running.</summary>
    public string Reattach { get; }

    /// <summary>How to skip the preflight, or null.</summary>
    public string? SkipPreflight { get; }
}
