// Copyright (c) HaCluster contributors. MIT License.
// The install's inputs, checked before anything connects or is created: config findings, kk source, zone, limits.

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>Validated, normalised <see cref="KubeKeyInstallOptions"/>.</summary>
internal sealed class InstallPlan
{
    private InstallPlan()
    {
    }

    /// <summary>Working directory as the remote shell sees it (<c>~/</c> made relative to the home folder).</summary>
    public string Directory { get; private set; } = string.Empty;

    /// <summary>Full local path of the kk binary to upload, if any.</summary>
    public string? LocalKubeKey { get; private set; }

    /// <summary>kk v3 version to download, if one was named.</summary>
    public string? Version { get; private set; }

    /// <summary><c>cn</c> or null.</summary>
    public string? Zone { get; private set; }

    public TimeSpan Timeout { get; private set; }

    public TimeSpan ReconnectTimeout { get; private set; }

    public KubeKeyInstallMode Mode { get; private set; }

    public bool KeepConfig { get; private set; }

    public bool WithLocalStorage { get; private set; }

    public bool SkipPreflight { get; private set; }

    public InstallRecoveryHints Hints { get; private set; } = InstallRecoveryHints.InstallHaMaster;

    public int PreflightThrottleLimit { get; private set; }

    /// <summary>Connection options whose narration goes to the install's observer.</summary>
    public SshConnectOptions Connect { get; private set; } = new();

    /// <summary>Checks the config and the options; config warnings go to <paramref name="observer"/>.</summary>
    /// <param name="config">The cluster config.</param>
    /// <param name="options">The options.</param>
    /// <param name="observer">Receives warnings.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="HaClusterException">The first config error (its finding code as ErrorId), or a bad option.</exception>
    public static InstallPlan Create(ClusterConfig config, KubeKeyInstallOptions options, IOperationObserver observer)
    {
        // The exact Kubernetes check uses the kk asked for; a kk brought along or found on the taskbox is asked itself later.
        var findings = ClusterConfigValidator.Validate(config, options.KubeKeyVersion is { } asked ? KubeKeyVersions.Normalize(asked) : null);
        foreach (var warning in findings.Where(f => f.Severity == FindingSeverity.Warning))
        {
            observer.Warning($"{warning.Code}: {warning.Message}");
        }

        var errors = findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var more = errors.Count == 1 ? string.Empty : $" ({(errors.Count - 1).ToString(CultureInfo.InvariantCulture)} more: {string.Join(", ", errors.Skip(1).Select(e => e.Code))})";
            throw new HaClusterException(errors[0].Code, FailureKind.InvalidData, errors[0].Message + more, errors[0].Target);
        }

        var local = CheckOptions(options);
        return new InstallPlan
        {
            Directory = InstallWorkspace.ShellPath(options.WorkingDirectory!),
            LocalKubeKey = local,
            Version = options.KubeKeyVersion is null ? null : KubeKeyBinary.NormalizeVersion(options.KubeKeyVersion),
            Zone = KubeKeyBinary.NormalizeZone(options.KkZone),
            Timeout = options.Timeout,
            ReconnectTimeout = options.ReconnectTimeout > TimeSpan.Zero ? options.ReconnectTimeout : TimeSpan.Zero,
            Mode = options.Mode,
            KeepConfig = options.KeepConfig,
            WithLocalStorage = options.WithLocalStorage,
            SkipPreflight = options.SkipPreflight,
            Hints = options.Hints,
            PreflightThrottleLimit = Math.Max(1, options.PreflightThrottleLimit),
            Connect = Narrated(options.Connect ?? new SshConnectOptions(), observer),
        };
    }

    /// <summary>
    /// Checks the options that need no connection (kk source and version, working directory, timeout), so New-HaCluster
    /// can refuse them before it creates anything.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The full local path of the kk binary to upload, if any.</returns>
    /// <exception cref="HaClusterException"><c>InstallOptionInvalid</c>, <c>KubeKeyFileNotFound</c>, <c>KubeKeyVersionUnsupported</c>.</exception>
    public static string? CheckOptions(KubeKeyInstallOptions options)
    {
        if (options.KubeKeyPath is not null && options.KubeKeyVersion is not null)
        {
            throw Invalid("Give either a kk binary to upload or a kk version to download, not both.", options.KubeKeyVersion);
        }

        string? local = null;
        if (options.KubeKeyPath is not null)
        {
            local = Path.GetFullPath(options.KubeKeyPath);
            if (!File.Exists(local))
            {
                throw new HaClusterException(KubeKeyInstallErrorIds.KubeKeyFileNotFound, FailureKind.ObjectNotFound, $"The kk binary '{local}' does not exist.", options.KubeKeyPath);
            }
        }

        var directory = options.WorkingDirectory ?? string.Empty;
        if (directory.Trim().Length == 0 || directory.IndexOfAny(new[] { '\0', '\n', '\r' }) >= 0)
        {
            throw Invalid($"The working directory '{directory}' must be a non-empty path on one line.", directory);
        }

        if (options.Timeout < TimeSpan.FromSeconds(1))
        {
            throw Invalid($"The timeout {options.Timeout} is shorter than one second; give a TimeSpan such as 01:30:00.", options.Timeout);
        }

        if (options.KubeKeyVersion is not null)
        {
            KubeKeyBinary.NormalizeVersion(options.KubeKeyVersion);
        }

        KubeKeyBinary.NormalizeZone(options.KkZone);
        return local;
    }

    private static SshConnectOptions Narrated(SshConnectOptions connect, IOperationObserver observer) =>
        connect.Observer is NullOperationObserver ? connect.WithObserver(observer) : connect;

    private static HaClusterException Invalid(string message, object? target) =>
        new(KubeKeyInstallErrorIds.InstallOptionInvalid, FailureKind.InvalidArgument, message, target);
}
