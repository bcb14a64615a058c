// Copyright (c) HaCluster contributors. MIT License.
// kk's exit-time error block: the only error text that is kk's own verdict.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// What kk prints when it exits with an error (<c>CheckErr</c>, kubekey@v3.1.12 cmd/kk/cmd/util/helpers.go):
/// <c>error: Pipeline[P] execute failed: Module[M] exec failed: </c> and one <c>failed: [node] [Task] exec failed
/// after N retries: …</c> entry per node, entries running over several lines; or a loader error such as
/// <c>error: Unknown version</c>. Log entries carry PTY-merged command output, so <c>error:</c>/<c>Error:</c> lines
/// inside a <c>message:</c>/<c>stdout:</c> block or a multi-line <c>[WARN]</c> entry are command output, never this block.
/// </summary>
internal sealed class KkExitError
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;
    private const int MaxChars = 64 * 1024;

    private static readonly Regex PipelineFailed = new(@"^Pipeline\[(?<pipeline>[^\]]+)\] execute failed:\s?(?<rest>.*)$", Options);
    private static readonly Regex ModuleFailed = new(@"^Module\[(?<module>[^\]]+)\] exec failed:\s*(?<rest>.*)$", Options);
    private static readonly Regex NodeFailed = new(@"^failed: \[(?<node>[^\]]+)\] ?(?<rest>.*)$", Options);
    private static readonly Regex TaskRetries = new(@"^\[(?<task>[^\]]+)\] exec failed after (?<retries>\d+) retries: ?(?<error>.*)$", Options);

    private readonly StringBuilder _text;
    private readonly List<KkNodeFailure> _entries = new();
    private Entry? _entry;

    private KkExitError(string text)
    {
        _text = new StringBuilder(text);
        var rest = text;
        var pipelineFailed = PipelineFailed.Match(rest);
        if (pipelineFailed.Success)
        {
            Pipeline = pipelineFailed.Groups["pipeline"].Value;
            rest = pipelineFailed.Groups["rest"].Value;
            var moduleFailed = ModuleFailed.Match(rest);
            if (moduleFailed.Success)
            {
                Module = moduleFailed.Groups["module"].Value;
                rest = moduleFailed.Groups["rest"].Value;
            }
        }

        StartEntry(rest);
    }

    /// <summary>The pipeline named in the block, if any.</summary>
    public string? Pipeline { get; }

    /// <summary>The failed module named in the block, if any.</summary>
    public string? Module { get; }

    /// <summary>The whole block, without the leading <c>error: </c>.</summary>
    public string Text => _text.ToString().TrimEnd();

    /// <summary>One failure per <c>failed: [node]</c> entry of the block, in order.</summary>
    public IReadOnlyList<KkNodeFailure> Failures
    {
        get
        {
            var failures = new List<KkNodeFailure>(_entries);
            if (_entry is not null)
            {
                failures.Add(_entry.ToFailure());
            }

            return failures;
        }
    }

    /// <summary>
    /// Whether a plain (untimestamped) line opens kk's exit-time block. <c>error: Pipeline[</c> is kk's own wording
    /// and always does; any other <c>error: </c>/<c>Error: </c> line does only when no log entry is open to own it.
    /// </summary>
    /// <param name="text">The cleaned line.</param>
    /// <param name="entryOpen">Whether a multi-line log entry (message/stdout/[WARN] …) is still open.</param>
    /// <returns>True when the line starts the block.</returns>
    public static bool Starts(string text, bool entryOpen)
    {
        if (text.StartsWith("error: Pipeline[", StringComparison.Ordinal))
        {
            return true;
        }

        return !entryOpen && (text.StartsWith("error: ", StringComparison.Ordinal) || text.StartsWith("Error: ", StringComparison.Ordinal));
    }

    /// <summary>Opens the block at its first line.</summary>
    /// <param name="line">The line, with its <c>error: </c> prefix.</param>
    /// <returns>The block.</returns>
    public static KkExitError Open(string line) => new(line.Substring("error: ".Length));

    /// <summary>Adds the next line of the block.</summary>
    /// <param name="line">The cleaned line.</param>
    public void Append(string line)
    {
        if (_text.Length < MaxChars)
        {
            _text.Append('\n').Append(line);
        }

        if (!StartEntry(line))
        {
            _entry?.Append(line);
        }
    }

    // "failed: [node] [Task] exec failed after N retries: error" opens a node's entry.
    private bool StartEntry(string text)
    {
        var nodeFailed = NodeFailed.Match(text);
        if (!nodeFailed.Success)
        {
            return false;
        }

        if (_entry is not null)
        {
            _entries.Add(_entry.ToFailure());
        }

        var rest = nodeFailed.Groups["rest"].Value;
        var retries = TaskRetries.Match(rest);
        _entry = retries.Success
            ? new Entry(nodeFailed.Groups["node"].Value, retries.Groups["task"].Value, int.Parse(retries.Groups["retries"].Value, CultureInfo.InvariantCulture), retries.Groups["error"].Value)
            : new Entry(nodeFailed.Groups["node"].Value, null, null, rest);
        return true;
    }

    /// <summary>One node's entry, which may run over several lines.</summary>
    private sealed class Entry
    {
        private readonly StringBuilder _message;

        public Entry(string node, string? task, int? retries, string message)
        {
            Node = node;
            Task = task;
            Retries = retries;
            _message = new StringBuilder(message);
        }

        public string Node { get; }

        public string? Task { get; }

        public int? Retries { get; }

        public void Append(string line)
        {
            if (_message.Length < MaxChars)
            {
                _message.Append('\n').Append(line);
            }
        }

        public KkNodeFailure ToFailure() => new(Node, Task, Retries, _message.ToString().TrimEnd());
    }
}
