// Copyright (c) HaCluster contributors. MIT License.
// SshSession against a real lab sshd: authentication, streaming, exit status, sudo, uploads, downloads, cancellation.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.Ssh;

public sealed class SessionLab : LabFixture
{
    public SessionLab()
        : base("127.40.1.2")
    {
    }
}

public sealed class SshSessionTests : IClassFixture<SessionLab>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly SessionLab _lab;

    public SshSessionTests(SessionLab lab) => _lab = lab;

    private LabHost Host => _lab.Host;

    [Fact]
    public async Task Password_authentication_runs_a_command()
    {
        Skip.IfNotRoot();
        using var session = await SshSession.ConnectAsync(Host.PasswordEndpoint(), _lab.Trusting());
        var result = await session.RunAsync("id -un");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Host.User, result.Stdout.Trim());
        Assert.Equal(Host.HostKeyFingerprint, session.HostKey!.Fingerprint);
    }

    [Fact]
    public async Task Key_file_authentication_runs_a_command()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var result = await session.RunAsync("echo key-ok");
        Assert.Equal("key-ok\n", result.Stdout);
    }

    [Fact]
    public async Task Key_with_passphrase_authenticates()
    {
        var endpoint = new SshEndpoint(Host.Address, Host.Port, Host.User)
        {
            PrivateKeyPath = Host.PassphraseKeyPath,
            Passphrase = LabHost.Secure(Host.Passphrase),
        };
        using var session = await SshSession.ConnectAsync(endpoint, _lab.Trusting());
        Assert.True((await session.RunAsync("true")).Succeeded);
    }

    [Fact]
    public async Task Key_content_authenticates()
    {
        var endpoint = new SshEndpoint(Host.Address, Host.Port, Host.User) { PrivateKey = LabHost.Secure(File.ReadAllText(Host.RsaKeyPath)) };
        using var session = await SshSession.ConnectAsync(endpoint, _lab.Trusting());
        Assert.Equal("rsa\n", (await session.RunAsync("echo rsa")).Stdout);
    }

    [Fact]
    public async Task Wrong_passphrase_is_an_authentication_error_without_the_passphrase()
    {
        var endpoint = new SshEndpoint(Host.Address, Host.Port, Host.User)
        {
            PrivateKeyPath = Host.PassphraseKeyPath,
            Passphrase = LabHost.Secure("Not-The-Passphrase-77"),
        };
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(endpoint, _lab.Trusting()));
        Assert.Equal(SshErrorIds.PrivateKeyInvalid, error.ErrorId);
        Assert.Equal(FailureKind.AuthenticationError, error.Kind);
        Assert.DoesNotContain("Not-The-Passphrase-77", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encrypted_key_without_passphrase_says_so()
    {
        var endpoint = new SshEndpoint(Host.Address, Host.Port, Host.User) { PrivateKeyPath = Host.PassphraseKeyPath };
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(endpoint, _lab.Trusting()));
        Assert.Equal(SshErrorIds.PrivateKeyInvalid, error.ErrorId);
        Assert.Contains("passphrase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_key_file_fails_before_connecting()
    {
        var path = Path.Combine(_lab.Folder, "no-such-key");
        var endpoint = new SshEndpoint(Host.Address, Host.Port, Host.User) { PrivateKeyPath = path };
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(endpoint, _lab.Trusting()));
        Assert.Equal(SshErrorIds.KeyFileNotFound, error.ErrorId);
        Assert.Equal(path, error.Target);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_error_without_the_password()
    {
        Skip.IfNotRoot();
        var endpoint = new SshEndpoint(Host.Address, Host.Port, Host.User) { Password = LabHost.Secure("Wrong-Password-4711") };
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(endpoint, _lab.Trusting()));
        Assert.Equal(SshErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.Equal(FailureKind.AuthenticationError, error.Kind);
        Assert.DoesNotContain("Wrong-Password-4711", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_streams_while_the_command_still_runs()
    {
        // The command waits for a flag that the test only creates after seeing the first line:
        // if output were delivered at the end, this would never finish.
        var flag = Path.Combine(_lab.Folder, "streaming-flag");
        Lab.Shell($"chmod 0777 {_lab.Folder}");
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        using var patience = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        var options = new SshRunOptions
        {
            OnOutput = line =>
            {
                seen.Add(line.Text);
                if (line.Text == "waiting")
                {
                    File.WriteAllText(flag, "go");
                }
            },
        };
        var result = await session.RunAsync($"echo waiting; while [ ! -f '{flag}' ]; do sleep 0.05; done; echo released", options, patience.Token);
        Assert.Equal(new[] { "waiting", "released" }, seen);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Lines_keep_their_order_and_stream()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var stdout = new List<string>();
        var stderr = new List<string>();
        var options = new SshRunOptions
        {
            OnOutput = line => (line.Stream == SshStream.Stdout ? stdout : stderr).Add(line.Text),
        };
        var result = await session.RunAsync("for i in $(seq 1 3000); do echo out$i; done; echo err1 >&2; echo err2 >&2; printf 'no-newline'", options);
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => "out" + i).Append("no-newline"), stdout);
        Assert.Equal(new[] { "err1", "err2" }, stderr);
        Assert.Equal("err1\nerr2\n", result.Stderr);
    }

    [Fact]
    public async Task Commands_without_input_see_end_of_file_on_stdin()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        using var patience = new CancellationTokenSource(Patience);
        var result = await session.RunAsync("cat; echo done", null, patience.Token);
        Assert.Equal("done\n", result.Stdout);
    }

    [Fact]
    public async Task Many_quick_commands_in_parallel_on_one_session_all_complete()
    {
        using var session = await SshSession.ConnectAsync(Host.PasswordEndpoint(), _lab.Trusting());
        var runs = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? session.RunAsync("true") : session.RunSudoAsync("true")).ToList();
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
    }

    [Fact]
    public async Task Exit_codes_and_signals_are_reported()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        Assert.Equal(3, (await session.RunAsync("exit 3")).ExitCode);
        Assert.False((await session.RunAsync("false")).Succeeded);
        var killed = await session.RunAsync("kill -KILL $$");
        Assert.Null(killed.ExitCode);
        Assert.Equal("KILL", killed.ExitSignal);
    }

    [Fact]
    public async Task Sudo_with_password_runs_as_root_and_never_leaks_the_password()
    {
        Skip.IfNotRoot();
        using var session = await SshSession.ConnectAsync(Host.PasswordEndpoint(), _lab.Trusting());
        var lines = new List<string>();
        var result = await session.RunSudoAsync("id -u; cat", new SshRunOptions { OnOutput = l => lines.Add(l.Text) });
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("0\n", result.Stdout);
        Assert.DoesNotContain(Host.Password!, result.Stdout + result.Stderr + string.Join("\n", lines), StringComparison.Ordinal);
        Assert.DoesNotContain(Host.Password!, result.Command, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sudo_without_password_fails_cleanly()
    {
        Skip.IfNotRoot();
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var result = await session.RunSudoAsync("id -u");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("password is required", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_get_their_mode_and_content()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var dir = (await session.RunAsync("mktemp -d")).Stdout.Trim();
        await session.UploadTextAsync("password: s3cret\n", dir + "/config.yaml", SshFileMode.OwnerReadWrite);
        var binary = Path.Combine(_lab.Folder, "kk");
        File.WriteAllBytes(binary, Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
        await session.UploadFileAsync(binary, dir + "/kk", SshFileMode.Executable);

        // Replacing a world-readable file keeps the new file private.
        await session.RunAsync($"echo old > {dir}/existing && chmod 0644 {dir}/existing");
        await session.UploadTextAsync("new\n", dir + "/existing", SshFileMode.OwnerReadWrite);

        var modes = (await session.RunAsync($"cd {dir} && stat -c '%n %a' config.yaml kk existing && ls -A | wc -l")).Stdout;
        Assert.Equal("config.yaml 600\nkk 755\nexisting 600\n3\n", modes);
        Assert.Equal("password: s3cret\n", await session.DownloadTextAsync(dir + "/config.yaml"));
        Assert.Equal(Lab.Shell($"sha256sum < '{binary}'"), (await session.RunAsync($"sha256sum < {dir}/kk")).Stdout);
        await session.RunAsync($"rm -rf {dir}");
    }

    [Fact]
    public async Task Upload_to_a_missing_folder_and_download_of_a_missing_file_fail_specifically()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var upload = await Assert.ThrowsAsync<HaClusterException>(() => session.UploadTextAsync("x", "/nonexistent-dir-hacluster/x", SshFileMode.OwnerReadWrite));
        Assert.Equal(SshErrorIds.RemotePathNotFound, upload.ErrorId);
        var download = await Assert.ThrowsAsync<HaClusterException>(() => session.DownloadTextAsync("/nonexistent-dir-hacluster/y"));
        Assert.Equal(SshErrorIds.RemotePathNotFound, download.ErrorId);
    }

    [Fact]
    public async Task Cancellation_stops_a_running_command()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        using var cancel = new CancellationTokenSource();
        var pid = 0;
        var options = new SshRunOptions
        {
            OnOutput = line =>
            {
                pid = int.Parse(line.Text, System.Globalization.CultureInfo.InvariantCulture);
                cancel.Cancel();
            },
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.RunAsync("echo $$; exec sleep 300", options, cancel.Token));
        Assert.NotEqual(0, pid);

        // The remote process was signalled: it goes away (polled, no fixed wait).
        var gone = false;
        for (var delay = 20; delay < 20_000 && !gone; delay *= 2)
        {
            gone = !Directory.Exists("/proc/" + pid);
            if (!gone)
            {
                await Task.Delay(delay);
            }
        }

        Assert.True(gone, $"remote process {pid} still runs after cancellation");

        // The session stays usable after a cancelled command.
        Assert.Equal("still here\n", (await session.RunAsync("echo still here")).Stdout);
    }

    [Fact]
    public async Task Command_timeout_is_reported_as_such()
    {
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var error = await Assert.ThrowsAsync<HaClusterException>(() => session.RunAsync("sleep 300", new SshRunOptions { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(SshErrorIds.CommandTimeout, error.ErrorId);
        Assert.Equal(FailureKind.OperationTimeout, error.Kind);
    }

    [Fact]
    public async Task A_silent_server_hits_the_connect_timeout()
    {
        using var silent = new TcpListener(IPAddress.Parse("127.40.1.250"), 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var options = _lab.Trusting();
        options.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        var endpoint = new SshEndpoint("127.40.1.250", port, Host.User) { PrivateKeyPath = Host.PrivateKeyPath };
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(endpoint, options));
        Assert.Equal(SshErrorIds.ConnectTimeout, error.ErrorId);
        Assert.Equal(FailureKind.OperationTimeout, error.Kind);

        // Two attempts of 0.5 s, 1 s apart: the bound of the whole connect, stated in the message.
        Assert.Equal(TimeSpan.FromSeconds(2), options.ConnectBound);
        Assert.Contains("no SSH session within 2 s, the bound of one connect (2 attempt(s) of at most 0.5 s, 1 s apart)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_is_a_connection_error()
    {
        var endpoint = new SshEndpoint("127.40.1.251", Host.Port, Host.User) { PrivateKeyPath = Host.PrivateKeyPath };
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(endpoint, _lab.Trusting()));
        Assert.Equal(SshErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Equal(FailureKind.ConnectionError, error.Kind);
    }

    [Fact]
    public async Task Detached_command_survives_a_dropped_connection_and_its_log_is_followed_without_gaps()
    {
        var flag = Path.Combine(_lab.Folder, "detached-flag");
        Lab.Shell($"chmod 0777 {_lab.Folder}");
        using var session = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting());
        var dir = (await session.RunAsync("mktemp -d")).Stdout.Trim();
        var job = await session.StartDetachedAsync(
            $"for i in 1 2 3 4 5; do echo line $i; done; while [ ! -f '{flag}' ]; do sleep 0.05; done; for i in 6 7 8 9 10; do echo line $i; done; printf tail; exit 7",
            new SshDetachedOptions("install.log") { WorkingDirectory = dir });
        Assert.True((await session.GetDetachedStatusAsync(job)).IsRunning);

        // The sshd process serving this connection: killing it drops the connection mid-follow.
        var connectionPid = int.Parse((await session.RunAsync("echo $PPID")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var lines = new List<string>();
        using var patience = new CancellationTokenSource(Patience);
        var follow = await session.FollowFileAsync(
            job.LogPath,
            new SshFollowOptions
            {
                StopWhenProcessExits = job.Pid,
                OnLine = (line, _) =>
                {
                    lines.Add(line.Text);
                    if (line.Text == "line 5")
                    {
                        System.Diagnostics.Process.GetProcessById(connectionPid).Kill();
                        File.WriteAllText(flag, "go");
                    }
                },
            },
            patience.Token);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => "line " + i).Append("tail"), lines);
        Assert.True(follow.Reconnects >= 1);
        Assert.Equal(long.Parse((await session.RunAsync($"stat -c %s {job.LogPath}")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture), follow.EndOffset);
        var status = await session.GetDetachedStatusAsync(job);
        Assert.False(status.IsRunning);
        Assert.Equal(7, status.ExitCode);

        // Another session finds the same job from its log path alone (what a resumed install does).
        using (var other = await SshSession.ConnectAsync(Host.KeyEndpoint(), _lab.Trusting()))
        {
            var found = await other.FindDetachedAsync(job.LogPath);
            Assert.Equal(job.Pid, found!.Pid);
            Assert.Null(await other.FindDetachedAsync(dir + "/never-started.log"));
        }

        // Resuming from the end offset delivers nothing new.
        var again = new List<string>();
        var resumed = await session.FollowFileAsync(job.LogPath, new SshFollowOptions { StartOffset = follow.EndOffset, StopWhenProcessExits = job.Pid, OnLine = (l, _) => again.Add(l.Text) }, patience.Token);
        Assert.Empty(again);
        Assert.Equal(follow.EndOffset, resumed.EndOffset);
        await session.RunAsync($"rm -rf {dir}");
    }
}

internal static class Skip
{
    // Password logins need the lab user, which only a root lab creates; elsewhere these tests have nothing to test.
    public static void IfNotRoot()
    {
        if (!Lab.IsRoot)
        {
            throw new InvalidOperationException("This test needs the root lab (password authentication for the lab user); run the suite as root as CI does.");
        }
    }
}
