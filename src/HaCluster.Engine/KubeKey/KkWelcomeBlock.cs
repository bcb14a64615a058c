// Copyright (c) HaCluster contributors. MIT License.
// Reads ks-installer's welcome block (welcome.j2), which kk prints on stdout once KubeSphere is up.

using System;
using System.Security;
using System.Text.RegularExpressions;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The welcome block: <c>Welcome to KubeSphere!</c>, then <c>Console:</c>, <c>Account:</c>, <c>Password:</c>, the
/// notes and a footer <c>https://kubesphere.io &lt;date&gt;</c> between two rows of <c>#</c> (kubekey.md §4.5).
/// The password is only ever held as a <see cref="SecureString"/>.
/// </summary>
internal sealed class KkWelcomeBlock
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;
    private const string Redacted = "********";

    private static readonly Regex ConsoleLine = new(@"^Console:\s*(?<value>\S+)", Options);
    private static readonly Regex AccountLine = new(@"^Account:\s*(?<value>\S+)", Options);
    private static readonly Regex PasswordLine = new(@"^(?<label>\s*Password:[ \t]*)(?<value>\S.*)$", Options);
    private static readonly Regex Footer = new(@"^https?://kubesphere\.io\b", Options);

    private bool _footerSeen;

    /// <summary>True between the banner and the row of <c>#</c> after the footer.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The console URL, once read.</summary>
    public string? ConsoleUrl { get; private set; }

    /// <summary>The account, once read.</summary>
    public string? Account { get; private set; }

    /// <summary>The password, once read.</summary>
    public SecureString? Password { get; private set; }

    /// <summary>Whether a plain line is the banner that opens the block.</summary>
    /// <param name="text">A cleaned plain line.</param>
    /// <returns>True for the banner.</returns>
    public static bool IsBanner(string text) => text.IndexOf("Welcome to KubeSphere", StringComparison.Ordinal) >= 0;

    /// <summary>A line with a <c>Password:</c> value masked; other lines unchanged.</summary>
    /// <param name="clean">A cleaned line.</param>
    /// <param name="raw">The line as it should be returned when it holds no password.</param>
    /// <returns>The safe line.</returns>
    public static string Redact(string clean, string raw)
    {
        var match = PasswordLine.Match(clean);
        return match.Success ? match.Groups["label"].Value + Redacted : raw;
    }

    /// <summary>Opens the block (the banner was seen).</summary>
    public void Open()
    {
        IsOpen = true;
        _footerSeen = false;
    }

    /// <summary>Closes the block (a timestamped line arrived).</summary>
    public void Close() => IsOpen = false;

    /// <summary>Reads one line of the open block.</summary>
    /// <param name="text">The cleaned line.</param>
    public void Read(string text)
    {
        var trimmed = text.Trim();
        Match match;
        if ((match = ConsoleLine.Match(trimmed)).Success)
        {
            ConsoleUrl = match.Groups["value"].Value;
        }
        else if ((match = AccountLine.Match(trimmed)).Success)
        {
            Account = match.Groups["value"].Value;
        }
        else if ((match = PasswordLine.Match(trimmed)).Success)
        {
            Password?.Dispose();
            Password = Secrets.Protect(match.Groups["value"].Value.TrimEnd());
        }
        else if (Footer.IsMatch(trimmed))
        {
            _footerSeen = true;
        }
        else if (_footerSeen && trimmed.StartsWith("#", StringComparison.Ordinal))
        {
            IsOpen = false;
        }
    }
}
