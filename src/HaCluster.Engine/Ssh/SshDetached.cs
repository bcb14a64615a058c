// Copyright (c) HaCluster contributors. MIT License.
// Types for long-running remote commands that survive a dropped connection, and for following their logs.

using System;

namespace HaCluster.Engine.Ssh;

/// <summary>How a detached command is started.</summary>
public sealed class SshDetachedOptions
{
    /// <summary>Creates options.</summary>
    /// <param name="logPath">Remote file receiving the command's stdout and stderr (truncated at start).</param>
    public SshDetachedOptions(string logPath)
    {
        if (string.IsNullOrWhiteSpace(logPath))
        {
            throw new ArgumentException("The log path must not be empty.", nameof(logPath));
        }

        LogPath = logPath;
    }

    /// <summary>Remote file receiving stdout and stderr.</summary>
    public string LogPath { get; }

    /// <summary>Remote folder the command starts in (relative paths resolve against the home folder).</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Run through sudo (password from the endpoint, fed on stdin).</summary>
    public bool Sudo { get; set; }
}

/// <summary>A command started with <see cref="SshSession.StartDetachedAsync"/>; enough to find it again after a reconnect.</summary>
public sealed class SshDetachedProcess
{
    /// <summary>Creates a handle (also to reattach to a process started earlier).</summary>
    /// <param name="pid">Remote process id of the wrapper shell.</param>
    /// <param name="logPath">Remote log file.</param>
    public SshDetachedProcess(int pid, string logPath)
    {
        Pid = pid;
        LogPath = logPath;
    }

    /// <summary>Remote process id (the wrapper shell; it lives exactly as long as the command).</summary>
    public int Pid { get; }

    /// <summary>Remote log file with stdout and stderr.</summary>
    public string LogPath { get; }

    /// <summary>Remote file where the exit code is written when the command ends: <c>&lt;log&gt;.exit</c>.</summary>
    public string ExitCodePath => LogPath + ".exit";

    /// <summary>Remote file holding <see cref="Pid"/>: <c>&lt;log&gt;.pid</c>.</summary>
    public string PidPath => LogPath + ".pid";
}

/// <summary>Whether a detached command still runs and how it ended.</summary>
public sealed class SshDetachedStatus
{
    internal SshDetachedStatus(bool isRunning, int? exitCode)
    {
        IsRunning = isRunning;
        ExitCode = exitCode;
    }

    /// <summary>True while the process exists.</summary>
    public bool IsRunning { get; }

    /// <summary>Exit code once finished; null while running or when it was killed before writing one.</summary>
    public int? ExitCode { get; }

    /// <summary>True when the process is gone without an exit code (killed, or the machine rebooted).</summary>
    public bool IsLost => !IsRunning && ExitCode is null;
}

/// <summary>How a remote file is followed.</summary>
public sealed class SshFollowOptions
{
    /// <summary>Byte offset to start at (the <see cref="SshFollowResult.EndOffset"/> of an earlier follow to resume).</summary>
    public long StartOffset { get; set; }

    /// <summary>Stop once this remote process has exited and the file is read to its end; null follows until cancelled.</summary>
    public int? StopWhenProcessExits { get; set; }

    /// <summary>Receives each line with the byte offset just after it.</summary>
    public Action<SshOutputLine, long>? OnLine { get; set; }

    /// <summary>How long reconnecting may take after the connection drops before giving up. Default 2 minutes.</summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Where a follow stopped.</summary>
public sealed class SshFollowResult
{
    internal SshFollowResult(long endOffset, int reconnects)
    {
        EndOffset = endOffset;
        Reconnects = reconnects;
    }

    /// <summary>Byte offset after the last complete line delivered.</summary>
    public long EndOffset { get; }

    /// <summary>How many times the connection was re-established while following.</summary>
    public int Reconnects { get; }
}

/// <summary>Unix permission bits for uploads (C# has no octal literals).</summary>
public static class SshFileMode
{
    /// <summary>0600: owner read/write (files holding secrets).</summary>
    public const int OwnerReadWrite = 0x180;

    /// <summary>0644: owner read/write, everyone read.</summary>
    public const int PublicRead = 0x1A4;

    /// <summary>0755: executable for everyone, writable by the owner.</summary>
    public const int Executable = 0x1ED;

    /// <summary>Parses an octal mode such as <c>"0600"</c> or <c>"755"</c>.</summary>
    /// <param name="octal">The mode in octal.</param>
    /// <returns>The mode bits.</returns>
    public static int Parse(string octal) => Convert.ToInt32(octal, 8) & 0xFFF;

    /// <summary>Formats mode bits in octal with a leading zero, e.g. <c>0600</c>.</summary>
    /// <param name="mode">The mode bits.</param>
    /// <returns>The octal text.</returns>
    public static string Format(int mode) => "0" + Convert.ToString(mode & 0xFFF, 8).PadLeft(3, '0');
}
