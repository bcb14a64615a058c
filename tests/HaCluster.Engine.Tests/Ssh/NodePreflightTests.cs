// Copyright (c) HaCluster contributors. MIT License.
// Node preflight against lab hosts: the happy path, a node without socat, a port in use, sudo and name failures.

using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using HaCluster.Engine.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.Ssh;

public sealed class PreflightLab : LabFixture
{
    public PreflightLab()
        : base("127.40.4.2-3")
    {
        // A node whose PATH lacks socat (hidden even where it is installed), with its own bin folder.
        NoSocatBin = Path.Combine(Path.GetTempPath(), "hacluster-lab-nosocat-" + Guid.NewGuid().ToString("N"));
        NoSocat = Lab.Start("--bin", NoSocatBin, "--exclude", "socat", "127.40.4.10")[0];
        File.AppendAllLines(KnownHostsPath, new[] { NoSocat.KnownHostsLine });
    }

    public LabHost NoSocat { get; }

    public string NoSocatBin { get; }

    protected override void OnDispose()
    {
        Lab.Stop("127.40.4.10");
        Directory.Delete(NoSocatBin, recursive: true);
    }
}

public sealed class NodePreflightTests : IClassFixture<PreflightLab>
{
    private readonly PreflightLab _lab;

    public NodePreflightTests(PreflightLab lab) => _lab = lab;

    private PreflightOptions Options() => new() { Connect = _lab.Trusting() };

    [Fact]
    public async Task A_lab_node_passes_every_required_check()
    {
        var host = _lab.Hosts[0];
        var observer = new RecordingObserver();
        var results = await NodePreflight.RunAsync(new[] { new PreflightTarget(host.PasswordEndpoint(), NodeRole.ControlPlane | NodeRole.Etcd) }, Options(), observer);
        var checks = results.Select(r => r.Check).ToList();
        Assert.Equal(
            new[] { "Ssh", "Sudo", "Command:sudo", "Command:conntrack", "Command:socat", "Command:curl", "Command:openssl", "Command:ebtables", "Command:ipset", "Command:ipvsadm", "Command:chronyd", "ClockSkew", "Hostname", "Port:6443", "Port:2379", "Port:2380", "Port:10250" },
            checks);
        Assert.All(results.Where(r => r.Severity == PreflightSeverity.Required), r => Assert.True(r.Passed, r.Check + ": " + r.Detail));
        Assert.True(results.Single(r => r.Check == "ClockSkew").Passed);
        Assert.All(results, r => Assert.Equal(host.Name, r.Host));
        if (Lab.IsRoot)
        {
            Assert.Equal("sudo accepts the password", results.Single(r => r.Check == "Sudo").Detail);
            Assert.DoesNotContain(observer.All, m => m.Contains(host.Password!, StringComparison.Ordinal));
            Assert.DoesNotContain(results, r => r.Detail.Contains(host.Password!, StringComparison.Ordinal));
        }

        Assert.Contains(observer.ProgressRecords, p => p.Completed);
    }

    [Fact]
    public async Task A_missing_required_command_fails_that_check_only()
    {
        var results = await NodePreflight.RunAsync(new[] { new PreflightTarget(_lab.NoSocat.PasswordEndpoint(), NodeRole.Worker) }, Options());
        var socat = results.Single(r => r.Check == "Command:socat");
        Assert.False(socat.Passed);
        Assert.Equal(PreflightSeverity.Required, socat.Severity);
        Assert.Contains("not installed", socat.Detail, StringComparison.Ordinal);
        Assert.True(results.Single(r => r.Check == "Command:conntrack").Passed);
        Assert.Equal(new[] { "Port:10250" }, results.Where(r => r.Check.StartsWith("Port:", StringComparison.Ordinal)).Select(r => r.Check));
    }

    [Fact]
    public async Task A_port_in_use_on_the_node_address_fails_only_that_node()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.40.4.3"), 6443);
        listener.Start();
        var targets = _lab.Hosts.Select(h => new PreflightTarget(h.KeyEndpoint(), NodeRole.ControlPlane)).ToList();
        var results = await NodePreflight.RunAsync(targets, Options());
        var first = results.Single(r => r.Address == "127.40.4.2" && r.Check == "Port:6443");
        var second = results.Single(r => r.Address == "127.40.4.3" && r.Check == "Port:6443");
        Assert.True(first.Passed);
        Assert.False(second.Passed);
        Assert.Contains("127.40.4.3:6443", second.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sudo_without_a_password_and_an_uppercase_name_fail()
    {
        var endpoint = _lab.Hosts[0].KeyEndpoint();
        endpoint.Name = "Master1";
        var results = await NodePreflight.RunAsync(new[] { new PreflightTarget(endpoint) }, Options());
        Assert.False(results.Single(r => r.Check == "Hostname").Passed);
        if (Lab.IsRoot)
        {
            var sudo = results.Single(r => r.Check == "Sudo");
            Assert.False(sudo.Passed);
            Assert.Contains("no password", sudo.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unreachable_node_gives_one_failed_ssh_result_and_does_not_stop_the_others()
    {
        var down = new SshEndpoint("127.40.4.250", 22, "nobody") { PrivateKeyPath = _lab.Host.PrivateKeyPath };
        var results = await NodePreflight.RunAsync(new[] { new PreflightTarget(down), new PreflightTarget(_lab.Hosts[1].KeyEndpoint()) }, Options());
        var failed = Assert.Single(results, r => r.Address == "127.40.4.250");
        Assert.Equal("Ssh", failed.Check);
        Assert.False(failed.Passed);
        Assert.Equal(SshErrorIds.ConnectionFailed, failed.ErrorId);
        Assert.Contains(results, r => r.Address == "127.40.4.3" && r.Check == "Command:conntrack" && r.Passed);
    }

    [Fact]
    public async Task An_unknown_host_key_fails_the_ssh_check_with_its_fingerprint()
    {
        var options = Options();
        options.Connect = new SshConnectOptions { HostKeyPolicy = new HostKeyPolicy(Path.Combine(_lab.Folder, "empty_known_hosts")) };
        var results = await NodePreflight.RunAsync(new[] { new PreflightTarget(_lab.Host.KeyEndpoint()) }, options);
        var ssh = Assert.Single(results);
        Assert.Equal(SshErrorIds.HostKeyUnknown, ssh.ErrorId);
        Assert.Contains(_lab.Host.HostKeyFingerprint, ssh.Detail, StringComparison.Ordinal);
    }
}
