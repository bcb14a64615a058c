// Copyright (c) HaCluster contributors. MIT License.
// The install's files in the taskbox's working directory, and the one-round-trip probe that tells what run is there.

using System;
using System.Collections.Generic;
using System.Globalization;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>What the working directory says about a kk run.</summary>
internal enum InstallRunState
{
    /// <summary>The working directory does not exist.</summary>
    NoDirectory,

    /// <summary>No run was ever started there.</summary>
    None,

    /// <summary>kk (its wrapper shell) is still running.</summary>
    Running,

    /// <summary>kk finished and its exit code is recorded.</summary>
    Exited,

    /// <summary>A log exists but the process is gone without an exit code (killed, or the machine rebooted).</summary>
    Lost,
}

/// <summary>The answer of <see cref="InstallWorkspace.ProbeScript"/>.</summary>
internal sealed class InstallState
{
    public InstallRunState RunState { get; set; }

    /// <summary>Absolute path of the working directory (null when it does not exist).</summary>
    public string? Directory { get; set; }

    public int? Pid { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>Unix time the run started (the pid file's mtime), taskbox clock.</summary>
    public long? Started { get; set; }

    /// <summary>Unix time the run ended (the exit file's mtime), taskbox clock.</summary>
    public long? Ended { get; set; }

    /// <summary>The taskbox's clock at the probe.</summary>
    public long? Now { get; set; }

    public bool ConfigPresent { get; set; }

    /// <summary>True when there is a run to reattach to.</summary>
    public bool HasRun => RunState is InstallRunState.Running or InstallRunState.Exited;
}

/// <summary>
/// Fixed file names in the working directory, so a later call (<c>-Resume</c>) finds a run by the directory alone:
/// <c>kk</c>, <c>hacluster-config.yaml</c> (0600, only while kk runs), <c>hacluster-install.log</c> with its
/// <c>.pid</c> and <c>.exit</c> files (<see cref="SshDetachedProcess"/>), and kk's own <c>kubekey/</c> folder.
/// </summary>
internal sealed class InstallWorkspace
{
    public const string KkFileName = "kk";
    public const string ConfigFileName = "hacluster-config.yaml";
    public const string LogFileName = "hacluster-install.log";

    /// <summary>Prefix of the SSH key copies kk reads (<c>privateKeyPath</c> is read on the taskbox).</summary>
    public const string KeyFilePrefix = "kk-ssh-key-";

    public InstallWorkspace(string directory)
    {
        Directory = directory.Length > 1 ? directory.TrimEnd('/') : directory;
    }

    /// <summary>Absolute path on the taskbox.</summary>
    public string Directory { get; }

    public string KkPath => Combine(KkFileName);

    public string ConfigPath => Combine(ConfigFileName);

    public string LogPath => Combine(LogFileName);

    /// <summary>Where the n-th distinct private key of the config is copied for kk (mode 0600).</summary>
    /// <param name="index">1-based.</param>
    /// <returns>The path.</returns>
    public string KeyPath(int index) => Combine(KeyFilePrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>kk v3 writes its log next to the binary as invoked: <c>&lt;kk dir&gt;/kubekey/logs/kubekey.log</c>.</summary>
    public string KubeKeyLogPath => Combine("kubekey/logs/kubekey.log");

    /// <summary>
    /// A path as the remote shell must see it. SSH commands start in the user's home, so <c>~/x</c> becomes the relative
    /// <c>x</c> (a quoted <c>~</c> would not expand).
    /// </summary>
    /// <param name="path">The path the caller gave.</param>
    /// <returns>A path to single-quote into a command.</returns>
    public static string ShellPath(string path)
    {
        var trimmed = path.Trim();
        if (trimmed == "~")
        {
            return ".";
        }

        return trimmed.StartsWith("~/", StringComparison.Ordinal) ? "./" + trimmed.Substring(2).TrimStart('/') : trimmed;
    }

    /// <summary>A script that reports, without changing anything, what run the directory holds (parse with <see cref="ParseProbe"/>).</summary>
    /// <param name="directory">The working directory (see <see cref="ShellPath"/>).</param>
    /// <returns>The script.</returns>
    public static string ProbeScript(string directory)
    {
        // The pid is only trusted when that process still carries our log path on its command line (pids get reused).
        return "cd -- " + ShellQuote.Quote(directory) + " 2>/dev/null || { echo state=nodir; exit 0; }; "
            + "d=$(pwd); l=\"$d/" + LogFileName + "\"; echo \"dir=$d\"; "
            + "if [ -f \"$l.exit\" ]; then echo state=exited; echo \"exit=$(cat \"$l.exit\")\"; "
            + "elif [ -f \"$l.pid\" ] && p=$(cat \"$l.pid\") && [ -n \"$p\" ] && [ -r \"/proc/$p/cmdline\" ] && tr '\\000' '\\n' <\"/proc/$p/cmdline\" | grep -qF -- \"$l\"; then echo state=running; echo \"pid=$p\"; "
            + "elif [ -f \"$l\" ]; then echo state=lost; else echo state=none; fi; "
            + "[ -f \"$l.pid\" ] && echo \"started=$(stat -c %Y \"$l.pid\")\"; "
            + "[ -f \"$l.exit\" ] && echo \"ended=$(stat -c %Y \"$l.exit\")\"; "
            + "[ -f \"$d/" + ConfigFileName + "\" ] && echo config=present; "
            + "echo \"now=$(date +%s)\"";
    }

    /// <summary>
    /// A script that deletes the key copies in <paramref name="directory"/> and prints <c>removed=&lt;name&gt;</c> for each: only
    /// regular files whose name starts with <see cref="KeyFilePrefix"/>, directly in that directory (no link, folder or
    /// anything below is touched). Prints <c>state=nodir</c> when the directory does not exist.
    /// </summary>
    /// <param name="directory">The working directory (see <see cref="ShellPath"/>).</param>
    /// <returns>The script.</returns>
    public static string RemoveKeyCopiesScript(string directory) =>
        "cd -- " + ShellQuote.Quote(directory) + " 2>/dev/null || { echo state=nodir; exit 0; }; "
        + "for f in ./" + KeyFilePrefix + "*; do if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then rm -f -- \"$f\" && echo \"removed=${f#./}\"; fi; done";

    /// <summary>Reads the output of <see cref="ProbeScript"/>.</summary>
    /// <param name="output">The script's stdout.</param>
    /// <returns>The state.</returns>
    public static InstallState ParseProbe(string output)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var equals = line.IndexOf('=');
            if (equals > 0)
            {
                values[line.Substring(0, equals).Trim()] = line.Substring(equals + 1).TrimEnd('\r');
            }
        }

        var state = new InstallState
        {
            RunState = (values.TryGetValue("state", out var s) ? s.Trim() : string.Empty) switch
            {
                "nodir" => InstallRunState.NoDirectory,
                "running" => InstallRunState.Running,
                "exited" => InstallRunState.Exited,
                "lost" => InstallRunState.Lost,
                _ => InstallRunState.None,
            },
            Directory = values.TryGetValue("dir", out var dir) && dir.Length > 0 ? dir : null,
            Pid = (int?)Number(values, "pid"),
            ExitCode = (int?)Number(values, "exit"),
            Started = Number(values, "started"),
            Ended = Number(values, "ended"),
            Now = Number(values, "now"),
            ConfigPresent = values.ContainsKey("config"),
        };

        // An exit file that cannot be read as a number is no verdict.
        if (state.RunState == InstallRunState.Exited && state.ExitCode is null)
        {
            state.RunState = InstallRunState.Lost;
        }

        return state;
    }

    private static long? Number(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private string Combine(string name) => (Directory == "/" ? string.Empty : Directory) + "/" + name;
}
