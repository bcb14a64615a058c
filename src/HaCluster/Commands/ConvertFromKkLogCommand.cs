// Copyright (c) HaCluster contributors. MIT License.
// ConvertFrom-KkLog: kk's output (piped lines or log files) into one object per task result and a summary.

using System.IO;
using System.Management.Automation;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Parses KubeKey (kk) output into task results and a verdict.</para>
/// <para type="description">Reads kk's output line by line, from the pipeline or from files, and emits one
/// object per task result and a final summary (succeeded, failing module/task/nodes, console URL).</para>
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "KkLog", DefaultParameterSetName = TextSet)]
[OutputType(typeof(KkTaskResult), typeof(KkLogSummary))]
public sealed class ConvertFromKkLogCommand : HaCmdlet
{
    private const string TextSet = "Text";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private KkLogParser? _parser;
    private bool _textSeen;
    private bool _fileSeen;

    /// <summary>
    /// Lines of kk output (strings, typically from Get-Content; a string with several lines is split on LF), or log
    /// files (FileInfo from Get-ChildItem), each of which is parsed on its own.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TextSet)]
    [AllowEmptyString]
    [AllowNull]
    public PSObject?[]? InputObject { get; set; }

    /// <summary>Log files to read (wildcards allowed), for example kubekey/logs/kubekey.log.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>Log files to read, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>kk's exit code, when known. Success needs the success line and exit 0; a known code also ends "incomplete".</summary>
    [Parameter]
    public int ExitCode { get; set; }

    /// <summary>Emit only the summary, not the task results.</summary>
    [Parameter]
    public SwitchParameter SummaryOnly { get; set; }

    /// <summary>Starts the parser for piped text.</summary>
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (ParameterSetName == TextSet)
        {
            _parser = new KkLogParser();
        }
    }

    /// <summary>Feeds piped lines, or parses each file completely.</summary>
    protected override void ProcessRecord()
    {
        if (_parser is null)
        {
            var literal = ParameterSetName == LiteralPathSet;
            foreach (var file in FilePathResolver.Resolve(this, literal ? LiteralPath : Path, literal, "kk log", "KkLogNotFound", "KkLogIsDirectory"))
            {
                ParseFile(file);
            }

            return;
        }

        foreach (var item in InputObject ?? new PSObject?[] { null })
        {
            switch (item?.BaseObject)
            {
                case FileInfo file:
                    _fileSeen = true;
                    ParseFile(file.FullName);
                    break;
                case DirectoryInfo folder:
                    _fileSeen = true;
                    WriteError(FilePathResolver.FolderError(folder.FullName, folder, "kk log", "KkLogIsDirectory"));
                    break;
                default:
                    _textSeen = true;
                    Feed(_parser, item?.BaseObject as string ?? item?.ToString() ?? string.Empty);
                    break;
            }
        }
    }

    /// <summary>Emits the summary of the piped lines (unless only files came down the pipeline).</summary>
    protected override void EndProcessing()
    {
        if (_parser is not null && (_textSeen || !_fileSeen))
        {
            Finish(_parser, null);
        }
    }

    private void ParseFile(string file)
    {
        var parser = new KkLogParser();
        WriteVerbose("Reading kk log " + file);
        foreach (var line in File.ReadLines(file))
        {
            Feed(parser, line);
        }

        Finish(parser, file);
    }

    private void Feed(KkLogParser parser, string line)
    {
        if (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        foreach (var e in parser.Push(line))
        {
            switch (e)
            {
                case KkTaskResult result when !SummaryOnly:
                    WriteObject(result);
                    break;
                case KkModuleProgress module:
                    WriteVerbose($"{module.Time} {module.Module} {module.State.ToString().ToLowerInvariant()}"
                        + (module.PercentComplete >= 0 ? $" ({module.PercentComplete}%)" : string.Empty));
                    break;
            }
        }
    }

    private void Finish(KkLogParser parser, string? source)
    {
        var summary = parser.Complete(IsBound(nameof(ExitCode)) ? ExitCode : null);
        summary.Source = source;
        WriteObject(summary);
    }
}
