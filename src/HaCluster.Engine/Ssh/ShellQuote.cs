// Copyright (c) HaCluster contributors. MIT License.
// POSIX shell quoting for values placed into remote command lines.

namespace HaCluster.Engine.Ssh;

/// <summary>Quotes values for a POSIX shell so they reach the remote command as one literal word.</summary>
public static class ShellQuote
{
    /// <summary>Wraps <paramref name="value"/> in single quotes, escaping embedded single quotes.</summary>
    /// <param name="value">Any text.</param>
    /// <returns>A shell word that expands to exactly <paramref name="value"/>.</returns>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
