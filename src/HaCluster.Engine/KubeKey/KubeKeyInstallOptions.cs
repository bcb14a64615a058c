// Copyright (c) HaCluster contributors. MIT License.
// What an install with kk on a taskbox needs besides the config: where kk comes from, where it runs, limits, resume.

using System;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>Whether an install starts kk or reattaches to a kk run already started in the working directory.</summary>
public enum KubeKeyInstallMode
{
    /// <summary>Preflight, place kk and the config, start <c>kk create cluster</c>. Refused while a run is still going.</summary>
    Start,

    /// <summary>Reattach to the run recorded in the working directory (running or finished); an error when there is none.</summary>
    Resume,

    /// <summary>Reattach when the working directory holds a running or finished run, otherwise start (for resumable orchestration).</summary>
    ResumeOrStart,
}

/// <summary>Options of <see cref="KubeKeyInstaller.InstallAsync"/>.</summary>
public sealed class KubeKeyInstallOptions
{
    /// <summary>Working directory on the taskbox when none is given (relative to the SSH user's home).</summary>
    public const string DefaultWorkingDirectory = "~/hacluster";

    /// <summary>Time kk may run before it is stopped: 2 hours (kk's own per-task limit is 300 minutes).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(2);

    /// <summary>Local kk binary uploaded to the taskbox (mode 0755). Excludes <see cref="KubeKeyVersion"/>.</summary>
    public string? KubeKeyPath { get; set; }

    /// <summary>
    /// kk v3 release fetched on the taskbox with the official download script, e.g. <c>v3.1.12</c>. When neither this nor
    /// <see cref="KubeKeyPath"/> is set, a kk already in the working directory or on the taskbox's PATH is used, and
    /// <see cref="KubeKeyBinary.DefaultVersion"/> is downloaded only when there is none.
    /// </summary>
    public string? KubeKeyVersion { get; set; }

    /// <summary><c>cn</c> to download kk and let kk fetch binaries and images from the mirrors in China (<c>KKZONE=cn</c>); null otherwise.</summary>
    public string? KkZone { get; set; }

    /// <summary>Folder on the taskbox holding kk, the config while kk runs, the run's log and kk's own <c>kubekey/</c> work folder.</summary>
    public string WorkingDirectory { get; set; } = DefaultWorkingDirectory;

    /// <summary>How long kk may run (counted from its start or from the reattach); then it is stopped and the install fails.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Start, resume, or resume when possible.</summary>
    public KubeKeyInstallMode Mode { get; set; } = KubeKeyInstallMode.Start;

    /// <summary>Leave the uploaded config (it holds the SSH passwords, mode 0600) on the taskbox after kk has finished.</summary>
    public bool KeepConfig { get; set; }

    /// <summary>Ask kk for OpenEBS local storage as the default StorageClass (<c>--with-local-storage</c>): kk v3 adds it by itself only with a ClusterConfiguration, and KubeSphere 4 installed with Helm needs one.</summary>
    public bool WithLocalStorage { get; set; }

    /// <summary>Do not check the cluster's hosts before starting (for hosts this machine cannot reach but the taskbox can).</summary>
    public bool SkipPreflight { get; set; }

    /// <summary>The recovery hints errors give, in the words of the command that runs the install (default Install-HaMaster's).</summary>
    public InstallRecoveryHints Hints { get; set; } = InstallRecoveryHints.InstallHaMaster;

    /// <summary>How the taskbox and (for the preflight) the cluster's hosts are connected to: host-key policy, timeouts.</summary>
    public SshConnectOptions Connect { get; set; } = new();

    /// <summary>How many hosts the preflight checks at once.</summary>
    public int PreflightThrottleLimit { get; set; } = SshFanOutOptions.DefaultDegree;

    /// <summary>How long following kk's log may spend reconnecting after the connection to the taskbox drops. Default 2 minutes.</summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
