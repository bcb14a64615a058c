// Copyright (c) HaCluster contributors. MIT License.
// Fan-out over eight lab hosts: bounded degree, per-host results, a stuck host never holds up the others.

using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.Ssh;

public sealed class FanOutLab : LabFixture
{
    public FanOutLab()
        : base("127.40.3.2-9")
    {
    }
}

public sealed class SshFanOutTests : IClassFixture<FanOutLab>
{
    private readonly FanOutLab _lab;

    public SshFanOutTests(FanOutLab lab) => _lab = lab;

    [Fact]
    public async Task Never_more_than_the_degree_run_at_once()
    {
        var running = 0;
        var peak = 0;
        var hosts = _lab.Hosts.Select(h => h.KeyEndpoint()).ToList();
        var results = await SshFanOut.RunAsync(
            hosts,
            async (endpoint, token) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                try
                {
                    using var session = await SshSession.ConnectAsync(endpoint, _lab.Trusting(), token);
                    return (await session.RunAsync("sleep 0.2; echo $SSH_CONNECTION", null, token)).Stdout.Split(' ')[2];
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            },
            new SshFanOutOptions { MaxDegreeOfParallelism = 3 });

        Assert.InRange(peak, 1, 3);
        Assert.All(results, r => Assert.True(r.Succeeded));

        // Results come back in input order, each from its own host (the server address sshd saw).
        Assert.Equal(hosts.Select(h => h.Address), results.Select(r => r.Value));
    }

    [Fact]
    public async Task A_stuck_host_does_not_hold_up_the_others()
    {
        // Host 0 waits for a flag the test creates only once every other host has finished:
        // if the stuck host blocked the rest, this would never complete.
        var flag = Path.Combine(_lab.Folder, "fan-out-flag");
        Lab.Shell($"chmod 0777 {_lab.Folder}");
        var hosts = _lab.Hosts.Select(h => h.KeyEndpoint()).ToList();
        var stuck = hosts[0];
        var finished = new ConcurrentQueue<string>();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var results = await SshFanOut.RunAsync(
            hosts,
            async (endpoint, token) =>
            {
                using var session = await SshSession.ConnectAsync(endpoint, _lab.Trusting(), token);
                var command = endpoint == stuck ? $"while [ ! -f '{flag}' ]; do sleep 0.05; done; echo slow" : "echo fast";
                return (await session.RunAsync(command, null, token)).Stdout.Trim();
            },
            new SshFanOutOptions { MaxDegreeOfParallelism = 2 },
            r =>
            {
                finished.Enqueue(r.Endpoint.Address);
                if (finished.Count == hosts.Count - 1)
                {
                    File.WriteAllText(flag, "go");
                }
            },
            patience.Token);

        Assert.Equal(stuck.Address, finished.Last());
        Assert.Equal("slow", results[0].Value);
        Assert.All(results.Skip(1), r => Assert.Equal("fast", r.Value));
    }

    [Fact]
    public async Task Each_host_keeps_its_own_error()
    {
        var hosts = _lab.Hosts.Take(3).Select(h => h.KeyEndpoint()).ToList();
        hosts[1] = new SshEndpoint(hosts[1].Address, hosts[1].Port, hosts[1].User) { PrivateKeyPath = _lab.Host.PassphraseKeyPath, Passphrase = LabHost.Secure("wrong") };
        var results = await SshFanOut.RunCommandAsync(hosts, "echo ok", _lab.Trusting());
        Assert.True(results[0].Succeeded);
        Assert.Equal(SshErrorIds.PrivateKeyInvalid, results[1].Error!.ErrorId);
        Assert.Equal("ok\n", results[2].Value!.Stdout);
    }

    [Fact]
    public async Task Per_host_timeout_fails_only_that_host()
    {
        var hosts = _lab.Hosts.Take(2).Select(h => h.KeyEndpoint()).ToList();
        var results = await SshFanOut.RunAsync(
            hosts,
            async (endpoint, token) =>
            {
                using var session = await SshSession.ConnectAsync(endpoint, _lab.Trusting(), token);
                return await session.RunAsync(endpoint == hosts[0] ? "sleep 300" : "true", null, token);
            },
            new SshFanOutOptions { PerHostTimeout = TimeSpan.FromSeconds(5) });
        Assert.Equal(SshErrorIds.HostTimeout, results[0].Error!.ErrorId);
        Assert.True(results[1].Succeeded);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
