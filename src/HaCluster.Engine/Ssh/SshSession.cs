// Copyright (c) HaCluster contributors. MIT License.
// One authenticated SSH connection (SSH.NET underneath): commands with streamed output, sudo, SFTP, detached jobs.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>
/// An SSH session to one host, verified against known_hosts. Commands stream their output line by line;
/// uploads are created private and given their mode before they get their final name; detached commands
/// outlive the connection and their logs can be followed across reconnects. Thread-safe for concurrent commands.
/// </summary>
public sealed class SshSession : IDisposable
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly SshConnectOptions _options;
    private readonly IReadOnlyList<IPrivateKeySource> _keys;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SshClient? _client;
    private SftpClient? _sftp;
    private bool _disposed;

    private SshSession(SshEndpoint endpoint, SshConnectOptions options, IReadOnlyList<IPrivateKeySource> keys)
    {
        Endpoint = endpoint;
        _options = options;
        _keys = keys;
    }

    /// <summary>Receives one line of output with the byte count of complete lines so far.</summary>
    private delegate void LineSink(SshStream stream, string text, long consumed, bool complete);

    /// <summary>Where the session is connected to.</summary>
    public SshEndpoint Endpoint { get; }

    /// <summary>The verified host key of the server.</summary>
    public SshHostKey? HostKey { get; private set; }

    /// <summary>True while the underlying connection is up.</summary>
    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Connects and authenticates. Fails with an <see cref="HaClusterException"/> whose ErrorId is one of <see cref="SshErrorIds"/>.</summary>
    /// <param name="endpoint">Where and as whom.</param>
    /// <param name="options">Timeouts, keep-alive, host-key policy; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open session.</returns>
    public static async Task<SshSession> ConnectAsync(SshEndpoint endpoint, SshConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (endpoint is null)
        {
            throw new ArgumentNullException(nameof(endpoint));
        }

        options ??= new SshConnectOptions();
        var session = new SshSession(endpoint, options, SshKeys.Load(endpoint));
        try
        {
            await session.ReconnectAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Drops the current connection (if any) and connects again with the same endpoint and options: up to
    /// <see cref="SshConnectOptions.ConnectAttempts"/> attempts, all within <see cref="SshConnectOptions.ConnectBound"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>A task that completes when connected.</returns>
    /// <exception cref="HaClusterException"><c>SshConnectTimeout</c> (its message states the bound), <c>SshConnectionFailed</c>, ….</exception>
    public async Task ReconnectAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var attempts = _options.Attempts;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ConnectOnceAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HaClusterException ex) when (IsWorthAnotherAttempt(ex) && attempt < attempts)
            {
                _options.Observer.Verbose($"{Endpoint}: connect attempt {attempt} of {attempts} failed ({ex.Message}); trying again in {_options.ConnectRetryDelay.TotalSeconds:0.###} s.");
                await Task.Delay(_options.ConnectRetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (HaClusterException ex) when (ex.ErrorId == SshErrorIds.ConnectTimeout)
            {
                throw SshErrors.Timeout(Endpoint, _options, ex.InnerException);
            }
        }
    }

    // Refused, reset or silent: the host may be restarting sshd. A rejected credential or host key will not change.
    private static bool IsWorthAnotherAttempt(HaClusterException ex) => ex.ErrorId is SshErrorIds.ConnectionFailed or SshErrorIds.ConnectTimeout;

    private async Task ConnectOnceAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            DropConnections();
            _options.Observer.Verbose($"Connecting to {Endpoint}.");
            var client = new SshClient(CreateConnectionInfo(timeout));
            await OpenAsync(client, timeout, cancellationToken).ConfigureAwait(false);
            _client = client;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a command, streaming its output lines to <see cref="SshRunOptions.OnOutput"/> as they arrive.</summary>
    /// <param name="command">Shell command line (run by the user's login shell).</param>
    /// <param name="options">Sudo, streaming, capture and time limit; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the command (the remote process is signalled).</param>
    /// <returns>Exit status and captured output; a non-zero exit is a result, not an exception.</returns>
    public Task<SshCommandResult> RunAsync(string command, SshRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SshRunOptions();
        var (text, stdin) = options.Sudo ? WrapSudo(command, options) : (command, null);
        var onOutput = options.OnOutput;
        LineSink? sink = onOutput is null ? null : (stream, line, _, _) => onOutput(new SshOutputLine(Endpoint.DisplayName, stream, line));
        return RunCoreAsync(text, command, stdin, options, sink, cancellationToken);
    }

    /// <summary>Runs a command through sudo (see <see cref="SshRunOptions.Sudo"/>).</summary>
    /// <param name="command">Shell command line.</param>
    /// <param name="options">Other run options; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The result.</returns>
    public Task<SshCommandResult> RunSudoAsync(string command, SshRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SshRunOptions();
        options.Sudo = true;
        return RunAsync(command, options, cancellationToken);
    }

    /// <summary>
    /// Uploads content over SFTP. The file is first created empty with mode 0600 under a temporary name,
    /// filled, given <paramref name="mode"/>, then renamed over <paramref name="remotePath"/>: it is never
    /// readable by others while it holds data, and readers never see a half-written file.
    /// </summary>
    /// <param name="content">What to upload (read from its current position).</param>
    /// <param name="remotePath">Destination path (relative paths are under the home folder).</param>
    /// <param name="mode">Permission bits, e.g. <see cref="SshFileMode.OwnerReadWrite"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public async Task UploadAsync(Stream content, string remotePath, int mode, CancellationToken cancellationToken = default)
    {
        var temp = remotePath + ".hacluster-" + Guid.NewGuid().ToString("N").Substring(0, 12);
        var create = await RunAsync("umask 077 && set -C && : > " + ShellQuote.Quote(temp), null, cancellationToken).ConfigureAwait(false);
        if (!create.Succeeded)
        {
            throw RemoteFailure("upload", remotePath, create);
        }

        try
        {
            var sftp = await GetSftpAsync(cancellationToken).ConfigureAwait(false);
            await sftp.UploadFileAsync(content, temp, cancellationToken).ConfigureAwait(false);
            sftp.ChangePermissions(temp, OctalDigits(mode));
            var move = await RunAsync("mv -f -- " + ShellQuote.Quote(temp) + " " + ShellQuote.Quote(remotePath), null, cancellationToken).ConfigureAwait(false);
            if (!move.Succeeded)
            {
                throw RemoteFailure("upload", remotePath, move);
            }
        }
        catch (Exception ex)
        {
            await DeleteQuietlyAsync(temp).ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw SshErrors.Transfer(Endpoint, "upload", remotePath, ex);
        }
    }

    /// <summary>Uploads a local file (see <see cref="UploadAsync"/>).</summary>
    /// <param name="localPath">Local file.</param>
    /// <param name="remotePath">Destination path.</param>
    /// <param name="mode">Permission bits.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public async Task UploadFileAsync(string localPath, string remotePath, int mode, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await UploadAsync(stream, remotePath, mode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads text as UTF-8 without BOM (see <see cref="UploadAsync"/>).</summary>
    /// <param name="text">The content.</param>
    /// <param name="remotePath">Destination path.</param>
    /// <param name="mode">Permission bits.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public async Task UploadTextAsync(string text, string remotePath, int mode, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(new UTF8Encoding(false).GetBytes(text));
        await UploadAsync(stream, remotePath, mode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads a remote file over SFTP into a stream.</summary>
    /// <param name="remotePath">Remote file.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>A task that completes when the file is read.</returns>
    public async Task DownloadAsync(string remotePath, Stream destination, CancellationToken cancellationToken = default)
    {
        try
        {
            var sftp = await GetSftpAsync(cancellationToken).ConfigureAwait(false);
            await sftp.DownloadFileAsync(remotePath, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw SshErrors.Transfer(Endpoint, "download", remotePath, ex);
        }
    }

    /// <summary>Downloads a remote file and returns it as UTF-8 text.</summary>
    /// <param name="remotePath">Remote file.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The content.</returns>
    public async Task<string> DownloadTextAsync(string remotePath, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await DownloadAsync(remotePath, buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Starts a command that keeps running when the connection drops: <c>setsid nohup</c>, stdin from /dev/null,
    /// stdout and stderr to <see cref="SshDetachedOptions.LogPath"/>, exit code to <c>&lt;log&gt;.exit</c>.
    /// </summary>
    /// <param name="command">Shell command line.</param>
    /// <param name="options">Log path, working folder, sudo.</param>
    /// <param name="cancellationToken">Cancels the start (not the started command).</param>
    /// <returns>A handle to query and follow it, also from a later session.</returns>
    public async Task<SshDetachedProcess> StartDetachedAsync(string command, SshDetachedOptions options, CancellationToken cancellationToken = default)
    {
        var log = options.LogPath;
        if (!string.IsNullOrEmpty(options.WorkingDirectory) && !log.StartsWith("/", StringComparison.Ordinal))
        {
            log = options.WorkingDirectory!.TrimEnd('/') + "/" + log;
        }

        var template = new SshDetachedProcess(0, log);
        var exit = template.ExitCodePath;
        var runner = "echo $$ > " + ShellQuote.Quote(template.PidPath) + "; sh -c " + ShellQuote.Quote(command)
            + "; echo $? > " + ShellQuote.Quote(exit + ".tmp") + " && mv -f " + ShellQuote.Quote(exit + ".tmp") + " " + ShellQuote.Quote(exit);
        var launch = new StringBuilder();
        if (!string.IsNullOrEmpty(options.WorkingDirectory))
        {
            launch.Append("cd ").Append(ShellQuote.Quote(options.WorkingDirectory!)).Append(" && ");
        }

        launch.Append("rm -f ").Append(ShellQuote.Quote(exit)).Append(' ').Append(ShellQuote.Quote(template.PidPath))
            .Append(" && { setsid nohup sh -c ").Append(ShellQuote.Quote(runner))
            .Append(" </dev/null >").Append(ShellQuote.Quote(log)).Append(" 2>&1 & echo $!; }");
        var result = await RunAsync(launch.ToString(), new SshRunOptions { Sudo = options.Sudo }, cancellationToken).ConfigureAwait(false);
        var last = result.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        if (!result.Succeeded || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw RemoteFailure("start detached command", log, result);
        }

        _options.Observer.Verbose($"{Endpoint}: started detached process {pid}, log {log}.");
        return new SshDetachedProcess(pid, log);
    }

    /// <summary>
    /// Finds a detached command started earlier (by this or another session) from its log path, to reattach
    /// after a lost connection; null when no such command was started.
    /// </summary>
    /// <param name="logPath">The log path given to <see cref="StartDetachedAsync"/> (combined with its working folder).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The handle, or null.</returns>
    public async Task<SshDetachedProcess?> FindDetachedAsync(string logPath, CancellationToken cancellationToken = default)
    {
        var template = new SshDetachedProcess(0, logPath);
        var result = await RunAsync("cat " + ShellQuote.Quote(template.PidPath) + " 2>/dev/null", null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded && int.TryParse(result.Stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? new SshDetachedProcess(pid, logPath)
            : null;
    }

    /// <summary>Tells whether a detached command still runs and, once finished, its exit code.</summary>
    /// <param name="process">The handle from <see cref="StartDetachedAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The status.</returns>
    public async Task<SshDetachedStatus> GetDetachedStatusAsync(SshDetachedProcess process, CancellationToken cancellationToken = default)
    {
        var exit = ShellQuote.Quote(process.ExitCodePath);
        var pid = process.Pid.ToString(CultureInfo.InvariantCulture);
        var script = $"if [ -f {exit} ]; then echo exit $(cat {exit}); elif [ -d /proc/{pid} ]; then echo running; else echo lost; fi";
        var result = await RunAsync(script, null, cancellationToken).ConfigureAwait(false);
        var answer = result.Stdout.Trim();
        if (answer == "running")
        {
            return new SshDetachedStatus(true, null);
        }

        if (answer.StartsWith("exit ", StringComparison.Ordinal)
            && int.TryParse(answer.Substring(5).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            return new SshDetachedStatus(false, code);
        }

        return new SshDetachedStatus(false, null);
    }

    /// <summary>
    /// Follows a remote file (<c>tail -F</c> from a byte offset), delivering complete lines as they are written.
    /// When the connection drops it reconnects (short, then backing-off delays up to
    /// <see cref="SshFollowOptions.ReconnectTimeout"/>) and resumes after the last complete line, so no line is
    /// lost or repeated. Ends when <see cref="SshFollowOptions.StopWhenProcessExits"/> has exited and the file
    /// is read to its end, or when cancelled.
    /// </summary>
    /// <param name="remotePath">Remote file (it may not exist yet).</param>
    /// <param name="options">Offset, stop condition, line callback, reconnect budget.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>The offset reached and the number of reconnects.</returns>
    public async Task<SshFollowResult> FollowFileAsync(string remotePath, SshFollowOptions options, CancellationToken cancellationToken = default)
    {
        var offset = options.StartOffset;
        var reconnects = 0;
        while (true)
        {
            var start = offset;
            string? partial = null;
            var command = "exec tail -s 0.5 -c +" + (start + 1).ToString(CultureInfo.InvariantCulture)
                + (options.StopWhenProcessExits is int pid ? " --pid=" + pid.ToString(CultureInfo.InvariantCulture) : string.Empty)
                + " -F " + ShellQuote.Quote(remotePath);
            void Sink(SshStream stream, string text, long consumed, bool complete)
            {
                if (stream != SshStream.Stdout)
                {
                    return;
                }

                if (!complete)
                {
                    partial = text;
                    return;
                }

                offset = start + consumed;
                options.OnLine?.Invoke(new SshOutputLine(Endpoint.DisplayName, stream, text), offset);
            }

            try
            {
                var result = await RunCoreAsync(command, command, null, new SshRunOptions(), Sink, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded && result.ExitSignal is null)
                {
                    throw RemoteFailure("follow", remotePath, result);
                }

                // tail ended because the process exited: a last line without newline is final now.
                if (partial is not null)
                {
                    offset += Encoding.UTF8.GetByteCount(partial);
                    options.OnLine?.Invoke(new SshOutputLine(Endpoint.DisplayName, SshStream.Stdout, partial), offset);
                }

                return new SshFollowResult(offset, reconnects);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && SshErrors.IsConnectionLoss(ex))
            {
                _options.Observer.Warning($"{Endpoint}: connection lost while following {remotePath} at byte {offset}; reconnecting.");
                await ReconnectWithBackoffAsync(options.ReconnectTimeout, cancellationToken).ConfigureAwait(false);
                reconnects++;
            }
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DropConnections();
        foreach (var key in _keys.OfType<IDisposable>())
        {
            key.Dispose();
        }

        _gate.Dispose();
    }

    private static short OctalDigits(int mode) =>
        short.Parse(Convert.ToString(mode & 0x1FF, 8), NumberStyles.None, CultureInfo.InvariantCulture);

    private static async Task PumpAsync(Stream stream, SshStream kind, LineSink sink)
    {
        // SSH.NET's output pipes block on read: a dedicated thread per stream keeps the thread pool free for fan-out.
        await Task.Factory.StartNew(
            () =>
            {
                var splitter = new LineSplitter();
                var buffer = new byte[16384];
                try
                {
                    int read;
                    while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        splitter.Push(buffer, read, line => sink(kind, line, splitter.Consumed, true));
                    }
                }
                catch (ObjectDisposedException)
                {
                }

                splitter.Flush(line => sink(kind, line, splitter.Consumed, false), countAsConsumed: false);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default).ConfigureAwait(false);
    }

    private async Task<SshCommandResult> RunCoreAsync(
        string commandText,
        string displayCommand,
        byte[]? stdin,
        SshRunOptions options,
        LineSink? sink,
        CancellationToken cancellationToken)
    {
        var client = _client ?? throw SshErrors.Lost(Endpoint, null);
        var stopwatch = Stopwatch.StartNew();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var deliver = new object();
        void Collect(SshStream stream, string text, long consumed, bool complete)
        {
            lock (deliver)
            {
                if (options.CaptureOutput)
                {
                    (stream == SshStream.Stdout ? stdout : stderr).Append(text).Append('\n');
                }

                sink?.Invoke(stream, text, consumed, complete);
            }
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout is TimeSpan timeout)
        {
            limit.CancelAfter(timeout);
        }

        // Without input, stdin is /dev/null on the remote side: an EOF sent before sshd has started the
        // command can be lost (OpenSSH), leaving a command that reads stdin waiting forever.
        if (stdin is null)
        {
            commandText = "exec </dev/null; " + commandText;
        }

        SshCommand command;
        try
        {
            command = client.CreateCommand(commandText, Encoding.UTF8);
        }
        catch (Exception ex) when (SshErrors.IsConnectionLoss(ex))
        {
            throw SshErrors.Lost(Endpoint, ex);
        }

        using (command)
        {
            Task execution;
            try
            {
                execution = command.ExecuteAsync(limit.Token);
            }
            catch (Exception ex) when (SshErrors.IsConnectionLoss(ex))
            {
                throw SshErrors.Lost(Endpoint, ex);
            }

            if (stdin is not null)
            {
                WriteInput(command, stdin);
            }

            var pumps = Task.WhenAll(
                PumpAsync(command.OutputStream, SshStream.Stdout, Collect),
                PumpAsync(command.ExtendedOutputStream, SshStream.Stderr, Collect));
            try
            {
                await execution.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                command.Dispose();
                await pumps.ConfigureAwait(false);
                if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested && limit.IsCancellationRequested)
                {
                    throw new HaClusterException(
                        SshErrorIds.CommandTimeout,
                        FailureKind.OperationTimeout,
                        $"{Endpoint}: the command did not finish within {options.Timeout?.TotalSeconds:0.###} s.",
                        displayCommand,
                        ex);
                }

                if (ex is OperationCanceledException)
                {
                    throw;
                }

                throw SshErrors.IsConnectionLoss(ex) ? SshErrors.Lost(Endpoint, ex) : SshErrors.Connect(Endpoint, ex);
            }

            await pumps.ConfigureAwait(false);
            if (command.ExitStatus is null && command.ExitSignal is null && !client.IsConnected)
            {
                throw SshErrors.Lost(Endpoint, null);
            }

            return new SshCommandResult(
                Endpoint.DisplayName,
                displayCommand,
                command.ExitStatus,
                command.ExitSignal,
                stdout.ToString(),
                stderr.ToString(),
                stopwatch.Elapsed);
        }
    }

    // Sends the input, then EOF (on dispose) so the command does not wait for more.
    private static void WriteInput(SshCommand command, byte[] stdin)
    {
        try
        {
            using var input = command.CreateInputStream();
            input.Write(stdin, 0, stdin.Length);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The command already ended (quick commands, sudo that needed no password): nothing to send.
        }
        finally
        {
            Array.Clear(stdin, 0, stdin.Length);
        }
    }

    private (string Text, byte[]? Stdin) WrapSudo(string command, SshRunOptions options)
    {
        if (Endpoint.User == "root")
        {
            return (command, null);
        }

        // stdin of the command itself is /dev/null: an unused password line must never reach it.
        var inner = ShellQuote.Quote("exec </dev/null; " + command);
        var password = options.SudoPassword ?? Endpoint.Password;
        if (password is null)
        {
            return ("sudo -n sh -c " + inner, null);
        }

        var secret = SecretText.ToUtf8(password);
        var line = new byte[secret.Length + 1];
        Buffer.BlockCopy(secret, 0, line, 0, secret.Length);
        Array.Clear(secret, 0, secret.Length);
        line[line.Length - 1] = (byte)'\n';
        return ("sudo -S -p '' sh -c " + inner, line);
    }

    private HaClusterException RemoteFailure(string what, string path, SshCommandResult result)
    {
        var detail = result.Stderr.Trim();
        var notFound = detail.IndexOf("No such file or directory", StringComparison.OrdinalIgnoreCase) >= 0;
        var denied = detail.IndexOf("Permission denied", StringComparison.OrdinalIgnoreCase) >= 0;
        return new HaClusterException(
            notFound ? SshErrorIds.RemotePathNotFound : denied ? SshErrorIds.RemoteAccessDenied : SshErrorIds.TransferFailed,
            notFound ? FailureKind.ObjectNotFound : denied ? FailureKind.SecurityError : FailureKind.InvalidResult,
            $"{Endpoint}: {what} of '{path}' failed (exit {result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? result.ExitSignal ?? "unknown"}: {(detail.Length == 0 ? "no message" : detail)}).",
            path);
    }

    private async Task DeleteQuietlyAsync(string remotePath)
    {
        try
        {
            await RunAsync("rm -f -- " + ShellQuote.Quote(remotePath)).ConfigureAwait(false);
        }
        catch (HaClusterException)
        {
            // Best effort: the connection may be what failed.
        }
    }

    // Reconnects until connected or the budget is spent; no attempt runs past the budget (each is cut to what is left).
    private async Task ReconnectWithBackoffAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var left = budget - elapsed.Elapsed;
            var timeout = left < _options.ConnectTimeout ? left : _options.ConnectTimeout;
            try
            {
                if (timeout <= TimeSpan.Zero)
                {
                    throw SshErrors.Timeout(Endpoint, (TimeSpan?)budget, null);
                }

                await ConnectOnceAsync(timeout, cancellationToken).ConfigureAwait(false);
                _options.Observer.Verbose($"{Endpoint}: reconnected after {elapsed.Elapsed.TotalSeconds:0.0} s.");
                return;
            }
            catch (HaClusterException ex) when (ex.Kind is FailureKind.ConnectionError or FailureKind.OperationTimeout && elapsed.Elapsed + delay < budget)
            {
                _options.Observer.Debug($"{Endpoint}: reconnect failed ({ex.Message}); next try in {delay.TotalSeconds:0.0} s.");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task<SftpClient> GetSftpAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sftp is { IsConnected: true })
            {
                return _sftp;
            }

            _sftp?.Dispose();
            _sftp = null;
            var sftp = new SftpClient(CreateConnectionInfo(_options.ConnectTimeout));
            await OpenAsync(sftp, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            _sftp = sftp;
            return sftp;
        }
        finally
        {
            _gate.Release();
        }
    }

    private ConnectionInfo CreateConnectionInfo(TimeSpan timeout)
    {
        var methods = new List<AuthenticationMethod>();
        if (_keys.Count > 0)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(Endpoint.User, _keys.ToArray()));
        }

        if (Endpoint.Password is not null)
        {
            var password = SecretText.Reveal(Endpoint.Password);
            methods.Add(new PasswordAuthenticationMethod(Endpoint.User, password));
            var interactive = new KeyboardInteractiveAuthenticationMethod(Endpoint.User);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts)
                {
                    prompt.Response = password;
                }
            };
            methods.Add(interactive);
        }

        var info = new ConnectionInfo(Endpoint.Address, Endpoint.Port, Endpoint.User, methods.ToArray())
        {
            Timeout = timeout,
        };
        HostKeyVerifier.PreferKnownAlgorithms(info, Endpoint, _options.HostKeyPolicy);
        return info;
    }

    // One attempt, over when the timeout passes whatever the library is doing then (banner, key exchange, authentication):
    // the client is disposed, which closes its socket.
    private async Task OpenAsync(BaseClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var verifier = new HostKeyVerifier(Endpoint, _options);
        client.HostKeyReceived += verifier.OnHostKeyReceived;
        if (_options.KeepAliveInterval > TimeSpan.Zero)
        {
            client.KeepAliveInterval = _options.KeepAliveInterval;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var connect = client.ConnectAsync(limit.Token);
            var cut = Task.Delay(Timeout.InfiniteTimeSpan, limit.Token);
            if (await Task.WhenAny(connect, cut).ConfigureAwait(false) != connect)
            {
                // The library did not stop at the token: leave it, and observe its eventual failure.
                connect.ObserveFaults();
                throw new OperationCanceledException(limit.Token);
            }

            await connect.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            client.Dispose();
            if (verifier.Failure is not null)
            {
                throw verifier.Failure;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (limit.IsCancellationRequested)
            {
                throw SshErrors.Timeout(Endpoint, timeout, ex);
            }

            throw SshErrors.Connect(Endpoint, ex);
        }

        HostKey = verifier.Accepted;
    }

    private void DropConnections()
    {
        _sftp?.Dispose();
        _sftp = null;
        _client?.Dispose();
        _client = null;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(SshSession));
        }
    }
}
