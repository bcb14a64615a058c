// Copyright (c) HaCluster contributors. MIT License.
// Which known_hosts file host keys are checked against, and whether unknown hosts are trusted on first use.

using System;
using System.IO;

namespace HaCluster.Engine.Ssh;

/// <summary>
/// How server host keys are verified. A known key must match; a changed key is always refused;
/// an unknown host is refused unless <see cref="AcceptNewHostKey"/> is set (trust on first use),
/// in which case its key is appended to <see cref="KnownHostsPath"/>.
/// </summary>
public sealed class HostKeyPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="knownHostsPath">The known_hosts file; null means <see cref="DefaultKnownHostsPath"/>.</param>
    /// <param name="acceptNewHostKey">Trust unknown hosts on first use and record their keys.</param>
    public HostKeyPolicy(string? knownHostsPath = null, bool acceptNewHostKey = false)
    {
        KnownHostsPath = string.IsNullOrEmpty(knownHostsPath) ? DefaultKnownHostsPath : ExpandHome(knownHostsPath!);
        AcceptNewHostKey = acceptNewHostKey;
    }

    /// <summary>OpenSSH's per-user file: <c>~/.ssh/known_hosts</c>.</summary>
    public static string DefaultKnownHostsPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");

    /// <summary>Replaces a leading <c>~/</c> with the user's home folder, as ssh does.</summary>
    /// <param name="path">A path.</param>
    /// <returns>The expanded path.</returns>
    public static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Substring(Math.Min(2, path.Length)))
            : path;

    /// <summary>The known_hosts file used for lookups and for recording new keys.</summary>
    public string KnownHostsPath { get; }

    /// <summary>Whether unknown hosts are trusted on first use.</summary>
    public bool AcceptNewHostKey { get; }
}
