// Copyright (c) HaCluster contributors. MIT License.
// Result and streamed output of one remote command, and the options of a run.

using System;
using System.Security;

namespace HaCluster.Engine.Ssh;

/// <summary>Which remote stream a line came from.</summary>
public enum SshStream
{
    /// <summary>Standard output.</summary>
    Stdout,

    /// <summary>Standard error.</summary>
    Stderr,
}

/// <summary>One line of remote output, delivered as it arrives.</summary>
public sealed class SshOutputLine
{
    /// <summary>Creates a line.</summary>
    /// <param name="host">Display name of the host.</param>
    /// <param name="stream">Source stream.</param>
    /// <param name="text">Line text without the newline.</param>
    public SshOutputLine(string host, SshStream stream, string text)
    {
        Host = host;
        Stream = stream;
        Text = text;
    }

    /// <summary>Display name of the host.</summary>
    public string Host { get; }

    /// <summary>Source stream.</summary>
    public SshStream Stream { get; }

    /// <summary>Line text without the newline.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>How a command is run.</summary>
public sealed class SshRunOptions
{
    /// <summary>Run through sudo: <c>sudo -S -p ''</c> fed the password on stdin, or <c>sudo -n</c> without one.</summary>
    public bool Sudo { get; set; }

    /// <summary>Password for sudo; defaults to the endpoint's password.</summary>
    public SecureString? SudoPassword { get; set; }

    /// <summary>Called for every stdout/stderr line as it arrives (one call at a time, in arrival order per stream).</summary>
    public Action<SshOutputLine>? OnOutput { get; set; }

    /// <summary>Keep the output in the result's Stdout/Stderr. Default true.</summary>
    public bool CaptureOutput { get; set; } = true;

    /// <summary>Time limit for the command; null means none (cancellation still applies).</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>The outcome of a remote command.</summary>
public sealed class SshCommandResult
{
    internal SshCommandResult(string host, string command, int? exitCode, string? exitSignal, string stdout, string stderr, TimeSpan duration)
    {
        Host = host;
        Command = command;
        ExitCode = exitCode;
        ExitSignal = exitSignal;
        Stdout = stdout;
        Stderr = stderr;
        Duration = duration;
    }

    /// <summary>Display name of the host.</summary>
    public string Host { get; }

    /// <summary>The command as the caller gave it (without the sudo wrapper).</summary>
    public string Command { get; }

    /// <summary>Exit status; null when the command ended by a signal or the channel closed without one.</summary>
    public int? ExitCode { get; }

    /// <summary>Signal that ended the command, if any (e.g. <c>TERM</c>).</summary>
    public string? ExitSignal { get; }

    /// <summary>Captured standard output.</summary>
    public string Stdout { get; }

    /// <summary>Captured standard error.</summary>
    public string Stderr { get; }

    /// <summary>Wall time of the command.</summary>
    public TimeSpan Duration { get; }

    /// <summary>True when the exit status is 0.</summary>
    public bool Succeeded => ExitCode == 0;
}
