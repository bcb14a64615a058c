// Copyright (c) HaCluster contributors. MIT License.
// Lexes one raw kk output line: terminal noise removed, then timestamp, level and message split out.

using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HaCluster.Engine.KubeKey;

/// <summary>Severity of a kk log line, normalised across the v3 formatter and logrus.</summary>
internal enum KkLevel
{
    Info,
    Warning,
    Error,
    Fatal,
}

/// <summary>One line of kk output after cleaning: either a timestamped log entry or plain text.</summary>
internal readonly struct KkLogLine
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;

    // v2.2+/v3 formatter: "15:04:05 MST" + " [LEVL]" only for WARN and worse + " " + message (kubekey.md §4.2).
    private static readonly Regex PipelineLine = new(
        @"^(?<t>\d{2}:\d{2}:\d{2}) (?<tz>[A-Za-z]{1,6}|[+-]\d{2}(?:\d{2})?) (?:\[(?<lvl>WARN|ERRO|FATA|PANI)\] )?(?<msg>.*)$",
        Options);

    // v1.x logrus on a terminal: "INFO[15:04:05 MST] message<padding>  node=1.2.3.4".
    private static readonly Regex LogrusTerminal = new(
        @"^(?<lvl>INFO|WARN|ERRO|FATA|PANI|DEBU|TRAC)\[(?<t>\d{2}:\d{2}:\d{2})(?: [^\]]*)?\] ?(?<msg>.*?)(?:\s+node=(?<node>\S+))?\s*$",
        Options);

    // v1.x logrus into a file or pipe: time="15:04:05 MST" level=info msg="message" node=1.2.3.4
    private static readonly Regex LogrusPlain = new(
        @"^time=""(?<t>\d{2}:\d{2}:\d{2})[^""]*"" level=(?<lvl>[a-z]+) msg=(?<msg>""(?:[^""\\]|\\.)*""|\S*)(?<fields>.*)$",
        Options);

    private static readonly Regex NodeField = new(@"(?:^|\s)node=(?:""(?<v>[^""]*)""|(?<v>\S+))", Options);

    // CSI (colours, cursor moves such as ESC[1A ESC[K of kk's spinner), OSC, and two-byte escapes.
    private static readonly Regex EscapeSequence = new(
        @"\x1B\[[0-?]*[ -/]*[@-~]|\x1B\][^\x07\x1B]*(?:\x07|\x1B\\)?|\x1B[@-Z\\-_]",
        Options);

    private KkLogLine(string text, KkLogFormat format, TimeSpan? time, KkLevel level, string? node)
    {
        Text = text;
        Format = format;
        Time = time;
        Level = level;
        Node = node;
    }

    /// <summary>The message (timestamped lines) or the whole cleaned line (plain text).</summary>
    public string Text { get; }

    /// <summary>Which formatter produced the line, or Unknown for plain text.</summary>
    public KkLogFormat Format { get; }

    /// <summary>Time of day, for timestamped lines.</summary>
    public TimeSpan? Time { get; }

    /// <summary>Severity (Info for plain text).</summary>
    public KkLevel Level { get; }

    /// <summary>logrus <c>node=</c> field (kk v1.x), if present.</summary>
    public string? Node { get; }

    /// <summary>True for a timestamped kk log entry.</summary>
    public bool IsTimestamped => Time.HasValue;

    /// <summary>Cleans and lexes one raw line.</summary>
    /// <param name="raw">The line as read (may carry CR, ANSI escapes, spinner redraws).</param>
    /// <returns>The lexed line.</returns>
    public static KkLogLine Read(string raw)
    {
        var line = Clean(raw);

        var match = PipelineLine.Match(line);
        if (match.Success)
        {
            return new KkLogLine(match.Groups["msg"].Value, KkLogFormat.Pipeline, ParseTime(match.Groups["t"].Value), PipelineLevel(match.Groups["lvl"].Value), null);
        }

        match = LogrusTerminal.Match(line);
        if (match.Success)
        {
            var node = match.Groups["node"].Success ? match.Groups["node"].Value : null;
            return new KkLogLine(match.Groups["msg"].Value.TrimEnd(), KkLogFormat.Logrus, ParseTime(match.Groups["t"].Value), LogrusLevel(match.Groups["lvl"].Value), node);
        }

        match = LogrusPlain.Match(line);
        if (match.Success)
        {
            var field = NodeField.Match(match.Groups["fields"].Value);
            return new KkLogLine(Unquote(match.Groups["msg"].Value).TrimEnd(), KkLogFormat.Logrus, ParseTime(match.Groups["t"].Value), LogrusLevel(match.Groups["lvl"].Value), field.Success ? field.Groups["v"].Value : null);
        }

        return new KkLogLine(line, KkLogFormat.Unknown, null, KkLevel.Info, null);
    }

    /// <summary>
    /// What a terminal would show for the line: escape sequences and control characters removed, a trailing CR
    /// (CRLF files) dropped, and for carriage-return redraws and NUL-padded curl buffers only the text after the last
    /// CR or NUL kept.
    /// </summary>
    /// <param name="raw">The raw line.</param>
    /// <returns>The cleaned line.</returns>
    public static string Clean(string raw)
    {
        var text = raw.IndexOf('\x1B') >= 0 ? EscapeSequence.Replace(raw, string.Empty) : raw;
        text = text.TrimEnd('\r');
        var cr = text.LastIndexOf('\r');
        if (cr >= 0)
        {
            text = text.Substring(cr + 1);
        }

        // kk relays curl's progress meter by printing whole 1024-byte read buffers, NUL padding included
        // (kubekey@v3.1.12 cmd/kk/pkg/files/file.go), so the next log line can follow the padding on the same line.
        var nul = text.LastIndexOf('\0');
        if (nul >= 0)
        {
            var after = text.Substring(nul + 1);
            text = after.Trim().Length > 0 ? after : text.Substring(0, text.IndexOf('\0'));
        }

        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var control = (c < ' ' && c != '\t') || c == '\x7F';
            if (control && builder is null)
            {
                builder = new StringBuilder(text.Length).Append(text, 0, i);
            }
            else if (!control)
            {
                builder?.Append(c);
            }
        }

        return builder?.ToString() ?? text;
    }

    private static TimeSpan ParseTime(string hhmmss) =>
        TimeSpan.ParseExact(hhmmss, @"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static KkLevel PipelineLevel(string tag) => tag switch
    {
        "WARN" => KkLevel.Warning,
        "ERRO" => KkLevel.Error,
        "FATA" or "PANI" => KkLevel.Fatal,
        _ => KkLevel.Info,
    };

    private static KkLevel LogrusLevel(string level) => level.ToUpperInvariant() switch
    {
        "WARN" or "WARNING" => KkLevel.Warning,
        "ERRO" or "ERROR" => KkLevel.Error,
        "FATA" or "FATAL" or "PANI" or "PANIC" => KkLevel.Fatal,
        _ => KkLevel.Info,
    };

    // logrus quotes with Go's %q: undo \" \\ \n \t.
    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"')
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length - 1)
            {
                var next = value[++i];
                builder.Append(next switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => next,
                });
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
