// Copyright (c) HaCluster contributors. MIT License.
// kk's two output channels: logrus lines (stderr + kubekey/logs/kubekey.log) and fmt prints (stdout).

using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>
/// Writes what kk writes, where kk writes it (kubekey.md §4.1): log lines <c>HH:MM:SS TZ [LEVL] message</c> go to
/// stderr and to <c>&lt;kk dir&gt;/kubekey/logs/kubekey.log</c>; tables, prompts, the spinner and the welcome
/// block go to stdout only.
/// </summary>
internal sealed class KkWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter? _logFile;

    public KkWriter(string? workDirectory)
    {
        if (workDirectory is null)
        {
            return;
        }

        // kk's rotatelogs: kubekey.log.YYYYMMDD with a kubekey.log symlink to it.
        var logDirectory = Path.Combine(workDirectory, "logs");
        Directory.CreateDirectory(logDirectory);
        var dated = Path.Combine(logDirectory, "kubekey.log." + DateTime.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        _logFile = new StreamWriter(new FileStream(dated, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
        var link = Path.Combine(logDirectory, "kubekey.log");
        try
        {
            if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
            {
                File.Delete(link);
            }

            File.CreateSymbolicLink(link, Path.GetFileName(dated));
        }
        catch (IOException)
        {
            // Another run holds the link; the dated file is the log either way.
        }
    }

    /// <summary>An INFO log line (no level tag, as kk's formatter prints INFO).</summary>
    public void Info(string message) => Log(null, message);

    /// <summary>A log line with a level tag: WARN, ERRO, FATA.</summary>
    public void Log(string? level, string message)
    {
        var time = DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        var line = level is null ? time + " " + message : time + " [" + level + "] " + message;
        lock (_gate)
        {
            Console.Error.WriteLine(line);
            _logFile?.WriteLine(line);
        }
    }

    /// <summary>kk's <c>logger.Log.Messagef(node, …)</c>: <c>message: [node]</c> then the text on the next lines.</summary>
    public void Message(string node, string text) => Info("message: [" + node + "]\n" + text);

    /// <summary>A task result line.</summary>
    public void Result(string status, string node) => Info(status + ": [" + node + "]");

    /// <summary>fmt.Print to stdout (no newline added).</summary>
    public void Print(string text)
    {
        lock (_gate)
        {
            Console.Out.Write(text);
            Console.Out.Flush();
        }
    }

    /// <summary>fmt.Println to stdout.</summary>
    public void PrintLine(string text = "") => Print(text + "\n");

    /// <summary>Text cobra/kk writes to stderr without a timestamp (the final <c>error:</c> block).</summary>
    public void StandardError(string text)
    {
        lock (_gate)
        {
            Console.Error.Write(text.EndsWith('\n') ? text : text + "\n");
            Console.Error.Flush();
        }
    }

    public void Dispose() => _logFile?.Dispose();
}
