// Copyright (c) HaCluster contributors. MIT License.
// Stable error ids of the KubeKey installer (tests and callers match on them).

namespace HaCluster.Engine.KubeKey;

/// <summary>The ErrorIds <see cref="KubeKeyInstaller"/> raises besides the SSH engine's and the config validator's codes.</summary>
public static class KubeKeyInstallErrorIds
{
    /// <summary>A Required preflight check failed on some host (the target is the list of failed results).</summary>
    public const string PreflightFailed = "PreflightFailed";

    /// <summary>The local kk binary given to upload does not exist.</summary>
    public const string KubeKeyFileNotFound = "KubeKeyFileNotFound";

    /// <summary>kk on the taskbox (or the version asked for) is not kk v3 (v4 reads another config; v1/v2 are too old).</summary>
    public const string KubeKeyVersionUnsupported = "KubeKeyVersionUnsupported";

    /// <summary>kk on the taskbox does not answer <c>kk version</c> in any known way.</summary>
    public const string KubeKeyVersionUnknown = "KubeKeyVersionUnknown";

    /// <summary>The download script ran but left no working kk.</summary>
    public const string KubeKeyDownloadFailed = "KubeKeyDownloadFailed";

    /// <summary>kk was uploaded to a taskbox without curl, which kk needs to download the Kubernetes binaries.</summary>
    public const string TaskBoxCurlMissing = "TaskBoxCurlMissing";

    /// <summary>An option value is wrong (zone, timeout, working directory).</summary>
    public const string InstallOptionInvalid = "InstallOptionInvalid";

    /// <summary>A kk run started earlier is still going in the working directory (resume it instead).</summary>
    public const string InstallAlreadyRunning = "InstallAlreadyRunning";

    /// <summary>Resume was asked for but the working directory holds no kk run.</summary>
    public const string InstallNotFound = "InstallNotFound";

    /// <summary>kk reported failure (or exited without its success line); the target is the install result.</summary>
    public const string InstallFailed = "KubeKeyInstallFailed";

    /// <summary>kk did not finish within the timeout and was stopped; the target is the install result.</summary>
    public const string InstallTimeout = "KubeKeyInstallTimeout";

    /// <summary>kk's process is gone without an exit code (killed, or the taskbox rebooted); the target is the install result.</summary>
    public const string InstallLost = "KubeKeyInstallLost";
}
