// Copyright (c) HaCluster contributors. MIT License.
// Incremental parser of kk's output (v2.2+/v3 pipeline grammar and v1.x logrus): log entries as lines arrive, then the verdict.
// What it reads is split by kind: KkLogLine (entry grammar), KkWelcomeBlock, KkExitError (kk's exit-time block), KkVerdict.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// Reads kk's output line by line (kubekey.md §4): feed each line to <see cref="Push"/> as it arrives and get
/// back module progress, task starts and per-node task results; call <see cref="Complete"/> when kk has exited
/// (with its exit code when known) or the log has ended, and get the <see cref="KkLogSummary"/>.
/// Accepts stdout and stderr merged (<c>2&gt;&amp;1</c>) or <c>kubekey.log</c> alone, CRLF, ANSI escapes and
/// spinner redraws. The welcome block's password is only ever held as a <see cref="SecureString"/>.
/// Not thread-safe: one parser per log, fed from one thread.
/// </summary>
public sealed class KkLogParser
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;
    private const int MaxBlockChars = 64 * 1024;
    private const int RecentOutputLines = 5;

    private static readonly IReadOnlyList<KkLogEvent> NoEvents = Array.Empty<KkLogEvent>();

    private static readonly Regex TaskLine = new(@"^\[(?<module>[^\]]+)\] (?<task>.+)$", Options);
    private static readonly Regex StatusLine = new(@"^(?<status>success|failed|skipped|retry|rollback|rollback-failed): \[(?<node>[^\]]*)\]\s*$", Options);
    private static readonly Regex BlockLine = new(@"^(?<kind>message|stdout|stderr|command): \[(?<node>[^\]]*)\]\s*$", Options);
    private static readonly Regex SuccessLine = new(@"^Pipeline\[(?<pipeline>[^\]]+)\] execute successfully\s*$", Options);
    private static readonly Regex PreflightLine = new(@"^(?<node>\S+): (?<command>\S+) is required\.\s*$", Options);
    private static readonly Regex LogrusBlock = new(@"^\[(?<node>[^\s\]]+) [^\]]+\] MSG:\s*$", Options);
    private static readonly Regex LogrusSuccess = new(@"^(?:Congratulations! .*successful\.?|Installation is complete\.)", Options);

    private readonly KkModuleCursor _cursor = new();
    private readonly Dictionary<string, string> _nodeMessages = new(StringComparer.Ordinal);
    private readonly List<string> _modulesCompleted = new();
    private readonly List<string> _warnings = new();
    private readonly Queue<string> _recentOutput = new();
    private readonly List<KkNodeFailure> _logFailures = new();
    private readonly List<KkNodeFailure> _preflightFailures = new();
    private readonly KkWelcomeBlock _welcome = new();

    private List<KkLogEvent>? _events;
    private KkLogFormat _format;
    private int _lineNumber;
    private TimeSpan? _firstTime;
    private TimeSpan? _lastTime;
    private TimeSpan _dayOffset;
    private TimeSpan? _lastRawTime;
    private int _timestampCount;

    private string? _module;
    private int _modulePercent = -1;
    private string? _task;
    private int _taskCount;
    private bool _v1TaskFailed;

    private Block? _block;

    private string? _pipeline;
    private bool _succeeded;
    private int _percent = -1;

    private string? _failedTaskModule;
    private string? _failedTask;
    private string? _fatalMessage;
    private string? _fatalModule;
    private string? _fatalTask;
    private string? _preflightModule;
    private string? _preflightTask;

    private KkExitError? _exit;
    private string? _exitStopModule;
    private string? _exitStopTask;

    private KkLogSummary? _final;

    /// <summary>True once <see cref="Complete"/> has been called.</summary>
    public bool IsComplete => _final is not null;

    /// <summary>The summary so far (Incomplete until kk says either way), or the final one after <see cref="Complete"/>.</summary>
    public KkLogSummary Summary => _final ?? BuildSummary(null);

    /// <summary>Parses a whole log at once.</summary>
    /// <param name="lines">The lines (or chunks containing newlines).</param>
    /// <param name="exitCode">kk's exit code, when known.</param>
    /// <param name="events">Receives every event, in order, when given.</param>
    /// <returns>The summary.</returns>
    public static KkLogSummary Parse(IEnumerable<string> lines, int? exitCode = null, ICollection<KkLogEvent>? events = null)
    {
        if (lines is null)
        {
            throw new ArgumentNullException(nameof(lines));
        }

        var parser = new KkLogParser();
        foreach (var line in lines)
        {
            foreach (var e in parser.Push(line))
            {
                events?.Add(e);
            }
        }

        return parser.Complete(exitCode);
    }

    /// <summary>
    /// Returns <paramref name="line"/> with the value of a welcome-block <c>Password:</c> line masked, for callers
    /// that echo raw kk output (for example to the Verbose stream).
    /// </summary>
    /// <param name="line">A raw kk output line.</param>
    /// <returns>The line, safe to print.</returns>
    public static string RedactSecrets(string line)
    {
        if (line is null)
        {
            throw new ArgumentNullException(nameof(line));
        }

        return KkWelcomeBlock.Redact(KkLogLine.Clean(line), line);
    }

    /// <summary>
    /// Feeds one line of kk output (without its newline; a chunk holding several lines is split on LF).
    /// Returns what the line completed: module progress, task starts and task results, in order.
    /// </summary>
    /// <param name="text">The line.</param>
    /// <returns>The events, possibly none.</returns>
    public IReadOnlyList<KkLogEvent> Push(string? text)
    {
        if (_final is not null)
        {
            throw new InvalidOperationException("The kk log parser is complete; create a new parser for another log.");
        }

        if (text is null)
        {
            return NoEvents;
        }

        _events = null;
        var start = 0;
        var end = text.Length;
        if (end > 0 && text[end - 1] == '\n')
        {
            end--; // a trailing newline ends the last line; it does not start another
        }

        while (true)
        {
            var newline = text.IndexOf('\n', start, end - start);
            if (newline < 0)
            {
                ProcessLine(text.Substring(start, end - start));
                break;
            }

            ProcessLine(text.Substring(start, newline - start));
            start = newline + 1;
        }

        var events = (IReadOnlyList<KkLogEvent>?)_events ?? NoEvents;
        _events = null;
        return events;
    }

    /// <summary>Ends the log and decides. Call once, when kk has exited or the log has ended.</summary>
    /// <param name="exitCode">kk's exit code, when known (an exit code turns "incomplete" into a decided run).</param>
    /// <returns>The final summary.</returns>
    public KkLogSummary Complete(int? exitCode = null)
    {
        if (_final is not null)
        {
            throw new InvalidOperationException("The kk log parser is already complete.");
        }

        CloseBlock();
        _final = BuildSummary(exitCode);
        return _final;
    }

    private void ProcessLine(string raw)
    {
        _lineNumber++;
        var line = KkLogLine.Read(raw);
        if (line.IsTimestamped)
        {
            if (_format == KkLogFormat.Unknown)
            {
                _format = line.Format;
            }

            Tick(line.Time!.Value);
            _welcome.Close();
            CloseBlock();
            if (line.Format == KkLogFormat.Logrus)
            {
                OnLogrusEntry(line);
            }
            else
            {
                OnPipelineEntry(line);
            }

            return;
        }

        OnPlainText(line.Text);
    }

    private void OnPipelineEntry(KkLogLine line)
    {
        var message = line.Text;
        switch (line.Level)
        {
            case KkLevel.Fatal:
                RecordFatal(message);
                return;
            case KkLevel.Error:
                var preflight = PreflightLine.Match(message);
                if (preflight.Success)
                {
                    RecordPreflight(preflight.Groups["node"].Value, message);
                }
                else
                {
                    OpenWarning(message);
                }

                return;
            case KkLevel.Warning:
                OpenWarning(message);
                return;
        }

        Match match;
        if ((match = StatusLine.Match(message)).Success)
        {
            OnStatus(line, match.Groups["status"].Value, match.Groups["node"].Value);
        }
        else if ((match = BlockLine.Match(message)).Success)
        {
            _block = new Block(match.Groups["kind"].Value, match.Groups["node"].Value);
        }
        else if ((match = SuccessLine.Match(message)).Success)
        {
            OnSucceeded(line, match.Groups["pipeline"].Value);
        }
        else if ((match = TaskLine.Match(message)).Success)
        {
            OnTaskStarted(line, match.Groups["module"].Value, match.Groups["task"].Value);
        }

        // Anything else is narration (downloads, image copies) with no bearing on progress or outcome.
    }

    private void OnLogrusEntry(KkLogLine line)
    {
        var message = line.Text;
        var firstLine = FirstLine(message);
        switch (line.Level)
        {
            case KkLevel.Fatal:
                RecordFatal(message);
                return;
            case KkLevel.Error:
                _v1TaskFailed = true;
                Emit(new KkTaskResult(_lineNumber, line.Time, null, _task, line.Node, KkTaskStatus.Failed, message));
                if (line.Node is not null)
                {
                    RecordTaskFailure(line.Node, message);
                }
                else
                {
                    _warnings.Add(message);
                }

                return;
            case KkLevel.Warning:
                // "Task failed ..." follows the ERRO lines of a failed step; anything else is a plain warning.
                if (!firstLine.StartsWith("Task failed", StringComparison.Ordinal))
                {
                    _warnings.Add(message);
                }

                return;
        }

        if (line.Node is not null)
        {
            _nodeMessages[line.Node] = message; // per-node narration of the current step
            return;
        }

        CompleteLogrusStep(line.Time);
        if (LogrusSuccess.IsMatch(firstLine))
        {
            _succeeded = true;
            _percent = 100;
            return;
        }

        _task = firstLine;
        _taskCount++;
        _v1TaskFailed = false;
        _nodeMessages.Clear();
        Emit(new KkTaskStarted(_lineNumber, line.Time, null, firstLine));
    }

    // kk v1.x has no per-node result lines: a step that was followed by another step without errors succeeded.
    private void CompleteLogrusStep(TimeSpan? time)
    {
        if (_task is not null && !_v1TaskFailed)
        {
            Emit(new KkTaskResult(_lineNumber, time, null, _task, null, KkTaskStatus.Success, null));
        }

        _task = null;
    }

    private void OnPlainText(string text)
    {
        if (_exit is not null)
        {
            _exit.Append(text);
            return;
        }

        if (_welcome.IsOpen)
        {
            _welcome.Read(text);
            return;
        }

        if (KkWelcomeBlock.IsBanner(text))
        {
            // With --debug the block also appears inside a stdout: block; it never joins any message text.
            CloseBlock();
            _welcome.Open();
            return;
        }

        if (KkExitError.Starts(text, entryOpen: _block is not null))
        {
            CloseBlock();
            _exit = KkExitError.Open(text);
            _pipeline ??= _exit.Pipeline;
            _exitStopModule = _module;
            _exitStopTask = _task;
            return;
        }

        var logrusBlock = LogrusBlock.Match(text);
        if (logrusBlock.Success)
        {
            CloseBlock();
            _block = new Block("message", logrusBlock.Groups["node"].Value);
            return;
        }

        if (text.StartsWith("Please wait for the installation to complete", StringComparison.Ordinal))
        {
            return; // CheckResultModule's spinner
        }

        if (_block is not null)
        {
            _block.Append(text);
            return;
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return;
        }

        if (trimmed.StartsWith("Warning:", StringComparison.Ordinal))
        {
            _warnings.Add(trimmed);
        }

        _recentOutput.Enqueue(trimmed);
        while (_recentOutput.Count > RecentOutputLines)
        {
            _recentOutput.Dequeue();
        }
    }

    // A [WARN]/[ERRO] entry's message may go on over the next lines (the failed command's PTY output).
    private void OpenWarning(string message)
    {
        _warnings.Add(message);
        _block = new Block("warning", string.Empty);
    }

    private void OnTaskStarted(KkLogLine line, string module, string task)
    {
        if (!string.Equals(module, _module, StringComparison.Ordinal))
        {
            CompleteModule(line.Time);
            _module = module;
            _modulePercent = _cursor.Start(module);
            if (_modulePercent >= 0)
            {
                _percent = _modulePercent;
            }

            Emit(new KkModuleProgress(_lineNumber, line.Time, module, KkModuleState.Started, _modulePercent));
        }

        _task = task;
        _taskCount++;
        _nodeMessages.Clear();
        Emit(new KkTaskStarted(_lineNumber, line.Time, module, task));
    }

    private void CompleteModule(TimeSpan? time)
    {
        if (_module is null)
        {
            return;
        }

        var percent = _cursor.Complete();
        if (percent >= 0)
        {
            _percent = percent;
        }

        _modulesCompleted.Add(_module);
        Emit(new KkModuleProgress(_lineNumber, time, _module, KkModuleState.Completed, percent));
    }

    private void OnStatus(KkLogLine line, string statusText, string node)
    {
        KkTaskStatus status;
        switch (statusText)
        {
            case "success":
                status = KkTaskStatus.Success;
                break;
            case "failed":
                status = KkTaskStatus.Failed;
                break;
            case "skipped":
                status = KkTaskStatus.Skipped;
                break;
            case "retry":
                status = KkTaskStatus.Retry;
                break;
            default:
                return; // rollback lines: kk undoing a failed task, not a result
        }

        _nodeMessages.TryGetValue(node, out var message);
        Emit(new KkTaskResult(_lineNumber, line.Time, _module, _task, node, status, message));
        if (status == KkTaskStatus.Failed)
        {
            RecordTaskFailure(node, message ?? "[" + _task + "] failed");
        }
    }

    private void OnSucceeded(KkLogLine line, string pipeline)
    {
        CompleteModule(line.Time);
        _pipeline = pipeline;
        _succeeded = true;
        _percent = 100;
    }

    private void RecordTaskFailure(string node, string message)
    {
        // kk stops at the first failing task; with --ignore-err later ones may follow, the first one explains the run.
        if (_logFailures.Count == 0)
        {
            _failedTaskModule = _module;
            _failedTask = _task;
        }
        else if (!string.Equals(_failedTask, _task, StringComparison.Ordinal) || !string.Equals(_failedTaskModule, _module, StringComparison.Ordinal))
        {
            return;
        }

        _logFailures.Add(new KkNodeFailure(node, null, null, message));
    }

    private void RecordFatal(string message)
    {
        if (_fatalMessage is null)
        {
            _fatalMessage = message;
            _fatalModule = _module;
            _fatalTask = _task;
        }
    }

    private void RecordPreflight(string node, string message)
    {
        if (_preflightFailures.Count == 0)
        {
            _preflightModule = _module ?? "ConfirmModule";
            _preflightTask = _task;
        }

        _preflightFailures.Add(new KkNodeFailure(node, null, null, message));
    }

    private void CloseBlock()
    {
        if (_block is null)
        {
            return;
        }

        // Only message: blocks explain a result; stdout/command blocks are command output (e.g. kubeadm's log).
        if (_block.Kind == "message")
        {
            _nodeMessages[_block.Node] = _block.Text;
        }
        else if (_block.Kind == "warning" && _block.Text.Length > 0)
        {
            _warnings[_warnings.Count - 1] += "\n" + _block.Text;
        }

        _block = null;
    }

    private void Tick(TimeSpan time)
    {
        if (_lastRawTime.HasValue && time < _lastRawTime.Value)
        {
            _dayOffset += TimeSpan.FromDays(1); // kk prints no date: a time going backwards crossed midnight
        }

        _lastRawTime = time;
        _timestampCount++;
        _firstTime ??= time;
        _lastTime = time + _dayOffset;
    }

    private void Emit(KkLogEvent e) => (_events ??= new List<KkLogEvent>()).Add(e);

    private KkLogSummary BuildSummary(int? exitCode)
    {
        var summary = new KkLogSummary
        {
            Format = _format,
            Pipeline = _pipeline,
            ExitCode = exitCode,
            CurrentModule = _module,
            CurrentTask = _task,
            ModulesCompleted = _modulesCompleted.ToArray(),
            TaskCount = _taskCount,
            ConsoleUrl = _welcome.ConsoleUrl,
            Account = _welcome.Account,
            Password = _welcome.Password,
            StartTime = _firstTime,
            EndTime = _lastRawTime,
            Duration = _timestampCount >= 2 ? _lastTime - _firstTime : null,
            Warnings = _warnings.ToArray(),
            LineCount = _lineNumber,
        };

        var outcome = KkVerdict.Decide(new KkVerdictInput
        {
            SuccessLine = _succeeded,
            ExitError = _exit is not null,
            Fatal = _fatalMessage is not null,
            PreflightRefused = _preflightFailures.Count > 0,
            TaskFailed = _logFailures.Count > 0,
            ExitCode = exitCode,
        });
        summary.Succeeded = outcome == KkOutcome.Succeeded;
        summary.Incomplete = outcome == KkOutcome.Incomplete;
        summary.PercentComplete = summary.Succeeded ? 100 : (_succeeded ? _percent : Math.Min(_percent, 99));
        if (outcome == KkOutcome.Failed)
        {
            DescribeFailure(summary, exitCode);
        }

        return summary;
    }

    private void DescribeFailure(KkLogSummary summary, int? exitCode)
    {
        if (_exit is not null)
        {
            // kk's exit-time block names the nodes it reports; every timestamped failed: line of the failing task
            // names one too (the block may list fewer, or be cut), so a node from either is a failed node.
            var failures = _exit.Failures.ToList();
            failures.AddRange(_logFailures.Where(f => failures.All(e => !string.Equals(e.Node, f.Node, StringComparison.Ordinal))));

            // Prefer the task description the log shows; kk's error block only has the internal task name.
            var stoppedInFailedModule = _exit.Module is not null && string.Equals(_exit.Module, _exitStopModule, StringComparison.Ordinal);
            summary.FailedModule = _exit.Module ?? _failedTaskModule;
            summary.FailedTask = _failedTask
                ?? (stoppedInFailedModule || _format == KkLogFormat.Logrus ? _exitStopTask : null)
                ?? failures.Select(f => f.Task).FirstOrDefault(t => t is not null);
            summary.Failures = failures.ToArray();
            summary.FailureMessage = _exit.Text;
        }
        else if (_fatalMessage is not null)
        {
            summary.FailedModule = _fatalModule;
            summary.FailedTask = _fatalTask;
            summary.FailureMessage = _fatalMessage;
        }
        else if (_preflightFailures.Count > 0)
        {
            summary.FailedModule = _preflightModule;
            summary.FailedTask = _preflightTask;
            summary.Failures = _preflightFailures.ToArray();
            summary.FailureMessage = string.Join("\n", _preflightFailures.Select(f => f.Message));
        }
        else if (_logFailures.Count > 0)
        {
            summary.FailedModule = _failedTaskModule;
            summary.FailedTask = _failedTask;
            summary.Failures = _logFailures.ToArray();
            summary.FailureMessage = string.Join("\n", _logFailures.Select(f => "failed: [" + f.Node + "] " + f.Message));
        }
        else
        {
            summary.FailedModule = _module;
            summary.FailedTask = _task;
            var said = _succeeded
                ? "kk printed its success line but exited with code " + exitCode
                : "kk exited with code " + exitCode + " without printing 'Pipeline[…] execute successfully'";
            var last = _recentOutput.Count > 0 ? "; its last output: " + string.Join(" | ", _recentOutput) : string.Empty;
            summary.FailureMessage = said + last;
        }

        summary.FailedNodes = summary.Failures.Select(f => f.Node).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string FirstLine(string text)
    {
        var newline = text.IndexOf('\n');
        return (newline < 0 ? text : text.Substring(0, newline)).TrimEnd();
    }

    /// <summary>An open multi-line entry (<c>message: [node]</c>, <c>stdout: [node]</c>, a <c>[WARN]</c> entry, and the lines after it).</summary>
    private sealed class Block
    {
        private readonly StringBuilder _text = new();

        public Block(string kind, string node)
        {
            Kind = kind;
            Node = node;
        }

        public string Kind { get; }

        public string Node { get; }

        public string Text => _text.ToString().TrimEnd();

        public void Append(string line)
        {
            if (_text.Length >= MaxBlockChars)
            {
                return;
            }

            if (_text.Length > 0)
            {
                _text.Append('\n');
            }

            // A debug stdout block may echo the welcome block; its password never enters a message.
            _text.Append(KkWelcomeBlock.Redact(line, line));
        }
    }
}
