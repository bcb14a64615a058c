// Copyright (c) HaCluster contributors. MIT License.
// The load-balancer checks and the failover drill against the emulator's real data plane: pass, firewall, cancel, timeout.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

public sealed class FailoverDrillTests : IClassFixture<VerifierCloud>
{
    private readonly VerifierCloud _cloud;

    public FailoverDrillTests(VerifierCloud cloud) => _cloud = cloud;

    [Fact]
    public async Task LoadBalancerChecksPassAndTheDrillKeepsTheClusterAnswering()
    {
        await _cloud.WaitBackendsUpAsync();
        var (run, results) = Start(_cloud.Request());

        await run.LoadBalancersAsync(CancellationToken.None);
        Assert.Equal(new[] { "ApiViaVip", "Backends", "Backends", "ConsoleViaEip", "Firewall", "Firewall", "LoadBalancer", "LoadBalancer" }, results.Select(r => r.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        Assert.Equal($"https://{_cloud.Internal.Vip}:6443/readyz", results.Single(r => r.Name == "ApiViaVip").Target);

        results.Clear();
        await new FailoverDrill(run).RunAsync(CancellationToken.None);

        // The two probes run concurrently: listed in the order they finished.
        Assert.Equal(new[] { "FailoverStop", "FailoverBackendsDown" }, results.Take(2).Select(r => r.Name));
        Assert.Equal(new[] { "FailoverApiViaVip", "FailoverConsoleViaEip" }, results.Skip(2).Take(2).Select(r => r.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(new[] { "FailoverStart", "FailoverBackendsUp" }, results.Skip(4).Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        Assert.All(results.Where(r => !r.Name.EndsWith("ViaVip", StringComparison.Ordinal) && !r.Name.EndsWith("ViaEip", StringComparison.Ordinal)), r => Assert.Equal("master1", r.Target));
        Assert.Equal("2 backend(s) down: " + string.Join(", ", new[] { _cloud.Internal.LoadBalancerId + ":6443 down", _cloud.External.LoadBalancerId + ":30880 down" }), results.Single(r => r.Name == "FailoverBackendsDown").Detail);
        Assert.Equal("running", await StatusAsync("master1"));
        Assert.Equal(1, _cloud.Server.GetRequests().Count(r => r.Action == "StopInstances" && r.RetCode == 0 && r.Parameters.Values.Contains(_cloud.IdOf("master1"))));
    }

    [Fact]
    public async Task CancellingTheDrillStillStartsTheMasterAgain()
    {
        await _cloud.WaitBackendsUpAsync();
        using var cts = new CancellationTokenSource();
        var results = new List<HaCheckResult>();
        var request = _cloud.Request();
        request.FailoverMaster = "master2";
        var run = Run(request, r =>
        {
            results.Add(r);
            if (r.Name == HaCheckNames.FailoverStop)
            {
                cts.Cancel(); // as Ctrl+C right after the master went down
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new FailoverDrill(run).RunAsync(cts.Token));

        Assert.Equal(new[] { "FailoverStop", "FailoverStart" }, results.Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        Assert.Equal("running", await StatusAsync("master2"));
        await _cloud.WaitBackendsUpAsync();
    }

    [Fact]
    public async Task ADrillThatRunsOutOfTimeStillStartsTheMasterAgain()
    {
        await _cloud.WaitBackendsUpAsync();

        // The StopInstances job is held until the stop step has failed: its 1 ms timeout runs out whatever the machine's
        // speed (a 1 ms timeout against a 300 ms job alone raced: a slow first poll found the job already done).
        var results = new List<HaCheckResult>();
        var request = _cloud.Request(TimeSpan.FromMilliseconds(1));
        request.FailoverMaster = "master3";
        var run = Run(request, r =>
        {
            results.Add(r);
            if (r.Name == HaCheckNames.FailoverStop)
            {
                _cloud.Server.ReleaseJobs();
            }
        });
        Assert.True(_cloud.Server.HoldJobs());
        try
        {
            await new FailoverDrill(run).RunAsync(CancellationToken.None);
        }
        finally
        {
            _cloud.Server.ReleaseJobs();
        }

        var stop = results.First();
        Assert.Equal("FailoverStop", stop.Name);
        Assert.False(stop.Passed);
        Assert.Contains("still unfinished after 0 s", stop.Detail, StringComparison.Ordinal);
        var start = results.Single(r => r.Name == "FailoverStart");
        Assert.True(start.Passed, start.ToString());
        Assert.Equal("running", await StatusAsync("master3"));
        await _cloud.WaitBackendsUpAsync();
    }

    [Fact]
    public async Task TheDrillRefusesToRunWhenSomethingFailedAlready()
    {
        var (run, results) = Start(_cloud.Request());
        run.Recorder.Record(new HaCheckResult("NodesReady", "master1", false, "node1 NotReady", TimeSpan.Zero));
        var before = _cloud.Server.GetRequests().Count;

        await new FailoverDrill(run).RunAsync(CancellationToken.None);

        var refused = results.Last();
        Assert.Equal("Failover", refused.Name);
        Assert.False(refused.Passed);
        Assert.StartsWith("not run: 1 check(s) failed", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(before, _cloud.Server.GetRequests().Count);
    }

    [Fact]
    public async Task ADropRuleAheadOfTheAcceptRuleFailsTheFirewallCheck()
    {
        // A drill test before this one stopped and started a master: its backends must be up again, so that only the
        // drop rule can fail a check.
        await _cloud.WaitBackendsUpAsync();
        var groups = new SecurityGroupService(_cloud.Client);
        var drop = (await groups.AddRulesAsync(_cloud.External.SecurityGroupId!, new[] { new SecurityGroupRuleSpec { Protocol = "tcp", Priority = 0, Action = "drop", Val1 = "30880", Name = "no-console" } }))[0];
        try
        {
            var (run, results) = Start(_cloud.Request());
            await run.LoadBalancersAsync(CancellationToken.None);

            var firewall = results.Single(r => r.Name == "Firewall" && !r.Passed);
            Assert.Equal(_cloud.External.LoadBalancerId + ":30880", firewall.Target);
            Assert.EndsWith($"rule {drop.SecurityGroupRuleId} 'no-console' (priority 0) drops tcp/30880 ahead of any accepting rule", firewall.Detail, StringComparison.Ordinal);
            Assert.Single(results, r => !r.Passed);
        }
        finally
        {
            await _cloud.Client.DeleteSecurityGroupRulesAsync(new[] { drop.SecurityGroupRuleId });
            var job = await _cloud.Client.ApplySecurityGroupAsync(_cloud.External.SecurityGroupId!);
            await _cloud.Client.WaitForJobsAsync(new[] { job });
        }
    }

    [Fact]
    public async Task ALoadBalancerInTheAccountsDefaultGroupFailsTheFirewallCheck()
    {
        var external = _cloud.External;
        var defaultGroup = (await _cloud.Client.DescribeSecurityGroupsAsync()).Single(g => g.IsDefault);
        await _cloud.Client.ModifyLoadBalancerAttributesAsync(external.LoadBalancerId, securityGroupId: defaultGroup.SecurityGroupId);
        await new LoadBalancerService(_cloud.Client).ApplyAsync(new[] { external.LoadBalancerId });
        try
        {
            var (run, results) = Start(_cloud.Request());
            await run.LoadBalancersAsync(CancellationToken.None);

            var firewall = results.Single(r => r.Name == "Firewall" && !r.Passed);
            Assert.Equal(external.LoadBalancerId + ":30880", firewall.Target);
            Assert.Contains($"sits in the account's default security group {defaultGroup.SecurityGroupId}", firewall.Detail, StringComparison.Ordinal);
            Assert.Contains("shared with 4 instance(s)", firewall.Detail, StringComparison.Ordinal);
            Assert.Single(results, r => !r.Passed);
        }
        finally
        {
            await _cloud.Client.ModifyLoadBalancerAttributesAsync(external.LoadBalancerId, securityGroupId: external.SecurityGroupId);
            await new LoadBalancerService(_cloud.Client).ApplyAsync(new[] { external.LoadBalancerId });
        }
    }

    [Fact]
    public void RequestValidationNamesTheOffendingValue()
    {
        var request = _cloud.Request();
        request.FailoverMaster = "node1";
        var ex = Assert.Throws<HaClusterException>(request.Validate);
        Assert.Equal("HaClusterFailoverMasterNotFound", ex.ErrorId);
        Assert.Equal("node1", ex.Target);

        request = _cloud.Request();
        request.Etcd = new[] { "master1", "etcd9" };
        Assert.Equal("HaClusterEtcdMemberNotFound", Assert.Throws<HaClusterException>(request.Validate).ErrorId);

        request = _cloud.Request();
        request.ControlPlane = Array.Empty<HaHost>();
        Assert.Equal("HaClusterNoControlPlane", Assert.Throws<HaClusterException>(request.Validate).ErrorId);

        request = _cloud.Request();
        request.ExternalLoadBalancerId = " ";
        var missing = Assert.Throws<HaClusterException>(request.Validate);
        Assert.Equal("HaClusterLoadBalancerMissing", missing.ErrorId);
        Assert.Equal("external", missing.Target);

        request = _cloud.Request();
        request.Workers = new[] { new HaHost("master1", "10.0.0.9") };
        Assert.Equal("HaClusterDuplicateHost", Assert.Throws<HaClusterException>(request.Validate).ErrorId);
    }

    [Fact]
    public async Task EtcdQuorumNeedsAnOddMemberCount()
    {
        var request = _cloud.Request();
        request.Etcd = new[] { "master1", "master2" };
        var (run, results) = Start(request);
        await run.EtcdAsync();
        Assert.False(results.Single().Passed);
        Assert.StartsWith("2 members from the etcd role group (master1, master2): an even count survives no more failures (0) than 1 would", results.Single().Detail, StringComparison.Ordinal);
    }

    private (ClusterVerifier.Run Run, List<HaCheckResult> Results) Start(ClusterVerificationRequest request)
    {
        var results = new List<HaCheckResult>();
        return (Run(request, results.Add), results);
    }

    private ClusterVerifier.Run Run(ClusterVerificationRequest request, Action<HaCheckResult> onResult) =>
        new(_cloud.Client, request, new HttpProbe(null), new CheckRecorder(onResult, NullOperationObserver.Instance), NullOperationObserver.Instance);

    private async Task<string> StatusAsync(string name) =>
        (await _cloud.Client.DescribeInstancesAsync(new[] { _cloud.IdOf(name) })).Single().Status;
}
