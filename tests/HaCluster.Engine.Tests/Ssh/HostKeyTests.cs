// Copyright (c) HaCluster contributors. MIT License.
// Host-key verification against OpenSSH known_hosts files, with real sshd host keys from the lab.

using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.Ssh;

public sealed class HostKeyLab : LabFixture
{
    // One host on 22 and one on another port (for [host]:port entries).
    public HostKeyLab()
        : base("127.40.2.2", "127.40.2.3")
    {
        OtherPort = Lab.Start("--port", "2222", "127.40.2.4")[0];
    }

    public LabHost OtherPort { get; }

    protected override void OnDispose() => Lab.Stop("--port", "2222", "127.40.2.4");
}

public sealed class HostKeyTests : IClassFixture<HostKeyLab>, IDisposable
{
    private readonly HostKeyLab _lab;
    private readonly string _knownHosts;

    public HostKeyTests(HostKeyLab lab)
    {
        _lab = lab;
        _knownHosts = Path.Combine(lab.Folder, "known_hosts-" + Guid.NewGuid().ToString("N"));
    }

    public void Dispose() => File.Delete(_knownHosts);

    private SshConnectOptions Options(bool acceptNew) => new() { HostKeyPolicy = new HostKeyPolicy(_knownHosts, acceptNew) };

    [Fact]
    public async Task Unknown_host_is_refused_and_nothing_is_recorded()
    {
        var host = _lab.Hosts[0];
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(host.KeyEndpoint(), Options(false)));
        Assert.Equal(SshErrorIds.HostKeyUnknown, error.ErrorId);
        Assert.Equal(FailureKind.SecurityError, error.Kind);
        Assert.Contains(host.HostKeyFingerprint, error.Message, StringComparison.Ordinal);
        Assert.Equal(host.Address, error.Target);
        Assert.False(File.Exists(_knownHosts));
    }

    [Fact]
    public async Task Trust_on_first_use_records_the_key_as_OpenSSH_writes_it()
    {
        foreach (var host in new[] { _lab.Hosts[0], _lab.OtherPort })
        {
            using (var session = await SshSession.ConnectAsync(host.KeyEndpoint(), Options(true)))
            {
                Assert.Equal(host.HostKeyFingerprint, session.HostKey!.Fingerprint);
            }

            // Recorded: a strict connect now succeeds.
            using var again = await SshSession.ConnectAsync(host.KeyEndpoint(), Options(false));
        }

        Assert.Equal(new[] { _lab.Hosts[0].KnownHostsLine, _lab.OtherPort.KnownHostsLine }, File.ReadAllLines(_knownHosts));
        Assert.StartsWith("[127.40.2.4]:2222 ", _lab.OtherPort.KnownHostsLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trust_on_first_use_emits_a_warning_with_the_fingerprint()
    {
        var host = _lab.Hosts[1];
        var observer = new RecordingObserver();
        var options = Options(true);
        options.Observer = observer;
        using var session = await SshSession.ConnectAsync(host.KeyEndpoint(), options);
        Assert.Contains(observer.Warnings, w => w.Contains(host.HostKeyFingerprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hashed_entries_written_by_ssh_keygen_are_recognised()
    {
        var host = _lab.OtherPort;
        File.WriteAllLines(_knownHosts, new[] { "# comment", "other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGftBtP2ToLRIDnUkjHlW+FsjVCWLZyCE9DZwdg5a4mx", host.KnownHostsLine });
        Lab.Shell($"ssh-keygen -H -f '{_knownHosts}' >/dev/null 2>&1 && rm -f '{_knownHosts}.old'");
        Assert.StartsWith("|1|", File.ReadAllLines(_knownHosts).Last(), StringComparison.Ordinal);
        using var session = await SshSession.ConnectAsync(host.KeyEndpoint(), Options(false));
        Assert.Equal(host.HostKeyFingerprint, session.HostKey!.Fingerprint);
    }

    [Fact]
    public async Task Wildcard_and_negated_patterns_follow_OpenSSH()
    {
        var host = _lab.Hosts[0];
        var keyPart = host.KnownHostsLine.Substring(host.KnownHostsLine.IndexOf(' ', StringComparison.Ordinal));
        File.WriteAllText(_knownHosts, "127.40.2.*" + keyPart + "\n");
        using (await SshSession.ConnectAsync(host.KeyEndpoint(), Options(false)))
        {
        }

        File.WriteAllText(_knownHosts, "127.40.2.*,!127.40.2.2" + keyPart + "\n");
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(host.KeyEndpoint(), Options(false)));
        Assert.Equal(SshErrorIds.HostKeyUnknown, error.ErrorId);
    }

    [Fact]
    public async Task A_revoked_key_is_refused()
    {
        var host = _lab.Hosts[0];
        File.WriteAllLines(_knownHosts, new[] { host.KnownHostsLine, "@revoked * " + host.KnownHostsLine.Split(' ', 2)[1] });
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(host.KeyEndpoint(), Options(true)));
        Assert.Equal(SshErrorIds.HostKeyRevoked, error.ErrorId);
    }

    [Fact]
    public async Task A_changed_key_is_refused_even_with_trust_on_first_use_and_names_both_fingerprints()
    {
        // Its own host so restarting it (new host key) cannot disturb the other tests.
        var before = Lab.Start("127.40.2.9")[0];
        try
        {
            using (await SshSession.ConnectAsync(before.KeyEndpoint(), Options(true)))
            {
            }

            var after = Lab.Start("127.40.2.9")[0];
            Assert.NotEqual(before.HostKeyFingerprint, after.HostKeyFingerprint);
            var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(after.KeyEndpoint(), Options(true)));
            Assert.Equal(SshErrorIds.HostKeyChanged, error.ErrorId);
            Assert.Equal(FailureKind.SecurityError, error.Kind);
            Assert.Contains("127.40.2.9", error.Message, StringComparison.Ordinal);
            Assert.Contains(before.HostKeyFingerprint, error.Message, StringComparison.Ordinal);
            Assert.Contains(after.HostKeyFingerprint, error.Message, StringComparison.Ordinal);
            Assert.Equal(new[] { before.KnownHostsLine }, File.ReadAllLines(_knownHosts));
        }
        finally
        {
            Lab.Stop("127.40.2.9");
        }
    }

    [Fact]
    public async Task A_host_known_only_with_another_key_type_counts_as_changed()
    {
        var host = _lab.Hosts[0];
        var rsa = File.ReadAllText(host.RsaKeyPath + ".pub").Split(' ');
        File.WriteAllText(_knownHosts, $"{host.Address} {rsa[0]} {rsa[1]}\n");
        var error = await Assert.ThrowsAsync<HaClusterException>(() => SshSession.ConnectAsync(host.KeyEndpoint(), Options(true)));
        Assert.Equal(SshErrorIds.HostKeyChanged, error.ErrorId);
    }
}

/// <summary>Keeps what the engine narrates.</summary>
internal sealed class RecordingObserver : IOperationObserver
{
    public System.Collections.Concurrent.ConcurrentQueue<string> All { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<string> Warnings { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<OperationProgress> ProgressRecords { get; } = new();

    public void Verbose(string message) => All.Enqueue(message);

    public void Debug(string message) => All.Enqueue(message);

    public void Warning(string message)
    {
        Warnings.Enqueue(message);
        All.Enqueue(message);
    }

    public void Progress(OperationProgress progress) => ProgressRecords.Enqueue(progress);
}
