// Copyright (c) HaCluster contributors. MIT License.
// New-/Remove-HaCluster's engine against the emulator: both paths, resume after a stop at any step, faults, removal.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Tests.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

public sealed class ClusterBuilderTests : IDisposable
{
    private static readonly string[] Mutating =
    {
        "CreateTag", "AttachTags", "AllocateEips", "CreateLoadBalancer", "AddLoadBalancerListeners", "AddLoadBalancerBackends",
        "DeleteLoadBalancerBackends", "AddSecurityGroupRules", "ApplySecurityGroup", "UpdateLoadBalancers",
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hacluster-cluster-" + Guid.NewGuid().ToString("N"));

    public ClusterBuilderTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task BuildsBothPathsRecordsStateAndARerunChangesNothing()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("prod");

        var cluster = await BuildAsync(client, request);

        Assert.Equal("prod", cluster.Name);
        Assert.Equal(ClusterHealth.NotInstalled, cluster.Health);
        Assert.Equal("127.0.0.253", cluster.Vip);
        Assert.Equal($"http://{cluster.Eip!.EipAddr}:30880", cluster.ConsoleUrl);
        Assert.Equal(new[] { "master1", "master2", "master3" }, cluster.ControlPlane.Select(h => h.Name));
        Assert.Equal(new[] { "node1", "node2", "node3" }, cluster.Workers.Select(h => h.Name));
        await AssertConvergedAsync(client, "prod");

        // The paths run concurrently: both have started (an LB created, the EIP allocated) before either adds a listener;
        // one after the other, the first path would add its listener before the second begins.
        var actions = cloud.Server.GetRequests().Select(r => r.Action).ToList();
        var firstListener = actions.IndexOf("AddLoadBalancerListeners");
        Assert.True(actions.IndexOf("AllocateEips") < firstListener && actions.IndexOf("CreateLoadBalancer") < firstListener, string.Join(", ", actions));

        // One parent bar, a child bar per path nested under it; both children are open at once, and all close at the end.
        var progress = cloud.Observer.ProgressRecords.ToList();
        var parent = progress.Where(p => p.ActivityId == 6100).ToList();
        Assert.All(parent, p => Assert.Equal(-1, p.ParentActivityId));
        Assert.True(parent[^1].Completed);
        Assert.Equal(100, parent.Where(p => !p.Completed).Max(p => p.PercentComplete));
        foreach (var child in new[] { 6101, 6102 })
        {
            var bar = progress.Where(p => p.ActivityId == child).ToList();
            Assert.All(bar, p => Assert.Equal(6100, p.ParentActivityId));
            Assert.Contains(bar, p => p.Status.StartsWith("Step 1 of ", StringComparison.Ordinal));
            Assert.True(bar[^1].Completed);
        }

        var firstInternal = progress.FindIndex(p => p.ActivityId == 6101);
        var firstExternal = progress.FindIndex(p => p.ActivityId == 6102);
        Assert.True(Math.Max(firstInternal, firstExternal) < progress.FindIndex(p => p.ActivityId is 6101 or 6102 && p.Completed));

        var state = ClusterStateFile.TryLoad(request.StatePath)!;
        Assert.Equal(cluster.InternalLoadBalancerId, state.Internal.LoadBalancerId);
        Assert.True(state.External.EipCreated);
        Assert.Equal(12, state.CompletedSteps.Count);
        var json = File.ReadAllText(request.StatePath);
        Assert.DoesNotContain(EmulatorScope.Secret, json, StringComparison.Ordinal);
        Assert.DoesNotContain("password", json, StringComparison.OrdinalIgnoreCase);

        var before = cloud.Server.GetRequests().Count;
        var again = await BuildAsync(client, Request("prod"));
        Assert.Equal(cluster.InternalLoadBalancerId, again.InternalLoadBalancerId);
        Assert.Empty(cloud.Server.GetRequests().Skip(before).Where(r => Mutating.Contains(r.Action)).Select(r => r.Action));
    }

    [Fact]
    public async Task AFreshBuildAsksEachQuestionOnceAndDoesNotListWhatItJustCreated()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();

        await BuildAsync(client, Request("lean"));

        var log = cloud.Server.GetRequests().ToList();
        var byName = log.Where(r => r.Parameters.ContainsKey("search_word")).Select(r => r.Action).ToList();
        // The planner asks once per kind, for both paths at once (search_word = the cluster's name), and the build reuses it.
        Assert.Equal(new[] { "DescribeEips", "DescribeLoadBalancers", "DescribeSecurityGroups", "DescribeTags" }, byName.OrderBy(a => a, StringComparer.Ordinal));
        // What this run created is known empty: its listeners, backends and rules are not listed, and the rules it
        // added are not read back.
        Assert.DoesNotContain(log, r => r.Action is "DescribeLoadBalancerListeners" or "DescribeSecurityGroupRules");
        var lastUpdate = log.FindLastIndex(r => r.Action == "UpdateLoadBalancers");
        Assert.DoesNotContain(log.Take(lastUpdate), r => r.Action == "DescribeLoadBalancerBackends");
        // The EIP is checked for CreateLoadBalancer as the wait described it, not described again; the security groups
        // are not described before their rules are added.
        var createExternal = log.FindIndex(r => r.Action == "CreateLoadBalancer" && r.Parameters.ContainsKey("eips.1"));
        var lastEipRead = log.Take(createExternal).ToList().FindLastIndex(r => r.Action == "DescribeEips");
        Assert.DoesNotContain(log.Skip(lastEipRead + 1).Take(createExternal - lastEipRead - 1), r => r.Action == "DescribeEips");
        Assert.DoesNotContain(log.TakeWhile(r => r.Action != "AddSecurityGroupRules"), r => r.Action == "DescribeSecurityGroups" && !r.Parameters.ContainsKey("search_word"));
        // After the last update only the result is read: the backends this run added (both load balancers', in one call) and the EIP.
        Assert.Equal(new[] { "DescribeEips", "DescribeLoadBalancerBackends" }, log.Skip(lastUpdate + 1).Select(r => r.Action).Where(a => a is not ("DescribeJobs" or "DescribeLoadBalancers")).OrderBy(a => a, StringComparer.Ordinal));
        Assert.Equal(9, log.Skip(lastUpdate + 1).Single(r => r.Action == "DescribeLoadBalancerBackends").Parameters.Keys.Count(k => k.StartsWith("loadbalancer_backends.", StringComparison.Ordinal)));
        Assert.Equal(1, log.Skip(lastUpdate + 1).Count(r => r.Action == "DescribeLoadBalancers"));
        // The firewalls start as soon as their groups exist, beside the EIP's allocation: both are applied before the
        // external load balancer is created.
        Assert.Equal(2, log.Take(createExternal).Count(r => r.Action == "ApplySecurityGroup"));
    }

    [Fact]
    public async Task ARerunOnAnotherConsolePortSeesTheClustersOwnBackendsAsItsOwn()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("port");
        request.ConsoleNodePort = 30881;
        await BuildAsync(client, request);

        // The external listener's backends listen on -ConsoleNodePort: the plan of a re-run (what -WhatIf shows) does
        // not list them as backends that are not cluster nodes.
        var again = Request("port");
        again.ConsoleNodePort = 30881;
        var plan = await ClusterPlanner.PlanAsync(again, client);
        Assert.Empty(plan.ExtraBackends);
    }

    [Theory]
    [InlineData("CreateLoadBalancer")]
    [InlineData("AllocateEips")]
    [InlineData("AddLoadBalancerListeners")]
    [InlineData("AddLoadBalancerBackends")]
    [InlineData("AddSecurityGroupRules")]
    [InlineData("UpdateLoadBalancers")]
    [InlineData("AttachTags")]
    public async Task AStopRightAfterAnyCallResumesWithoutDuplicates(string action)
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !cloud.Requests(action).Any(r => r.RetCode == 0))
            {
                await Task.Delay(2);
            }

            stop.Cancel();
        });

        var plan = await ClusterPlanner.PlanAsync(Request("resume"), client);
        var first = await Record.ExceptionAsync(() => new ClusterBuilder(client).BuildAsync(plan, cancellationToken: stop.Token));
        await watcher;
        Assert.IsAssignableFrom<OperationCanceledException>(first);
        Assert.True(File.Exists(Request("resume").StatePath));

        await BuildAsync(client, Request("resume"));
        await AssertConvergedAsync(client, "resume");
    }

    [Fact]
    public async Task CompletesWithNoDuplicatesWhenTheApiIsBusyAndDropsConnections()
    {
        await using var cloud = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.RetCode5100Rate = 0.2;
            o.Faults.DropConnectionRate = 0.05;
            o.Faults.Seed = 7;
        });
        var client = cloud.Client();

        await BuildAsync(client, Request("faulty"));

        Assert.Contains(cloud.Server.GetRequests(), r => r.Fault == "drop_connection");
        Assert.Contains(cloud.Server.GetRequests(), r => r.Fault == "ret_code_5100");
        await AssertConvergedAsync(client, "faulty");

        var remover = new ClusterRemover(client);
        await remover.RemoveAsync(await remover.FindAsync("faulty", Request("faulty").StatePath, keepEip: false));
        await AssertRemovedAsync(client, "faulty");
    }

    [Fact]
    public async Task RemoveDeletesWhatTheClusterCreatedInReverseOrderAndIsIdempotent()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var other = await new LoadBalancerService(client).CreateAsync(new LoadBalancerSpec { Name = "someone-else", VxNetId = "pn" });
        var request = Request("gone");
        await BuildAsync(client, request);
        var remover = new ClusterRemover(client);

        var plan = await remover.FindAsync("gone", request.StatePath, keepEip: false);
        Assert.Equal(2, plan.LoadBalancers.Count);
        Assert.Equal(new[] { "gone-internal", "gone-external" }, plan.SecurityGroups.Select(g => g.SecurityGroupName));
        Assert.Empty(plan.FirewallRules); // the rules go with the cluster's own groups
        Assert.NotNull(plan.Eip);
        await remover.RemoveAsync(plan);

        await AssertRemovedAsync(client, "gone");
        Assert.False(File.Exists(request.StatePath));
        var order = cloud.Server.GetRequests().Where(r => r.RetCode == 0 && r.Action is "DeleteSecurityGroupRules" or "DeleteLoadBalancers" or "DeleteSecurityGroups" or "ReleaseEips" or "DeleteTags").Select(r => r.Action).Distinct().ToList();
        Assert.Equal(new[] { "DeleteLoadBalancers", "DeleteSecurityGroups", "ReleaseEips", "DeleteTags" }, order);
        Assert.Single(await client.FindLoadBalancersByNameAsync("someone-else"));
        Assert.DoesNotContain(cloud.Server.GetRequests(), r => r.Action is "StopInstances" or "StartInstances");
        Assert.Equal(other.LoadBalancerId, (await client.FindLoadBalancersByNameAsync("someone-else"))[0].LoadBalancerId);

        var again = await remover.FindAsync("gone", request.StatePath, keepEip: false);
        Assert.True(again.IsEmpty);
        await remover.RemoveAsync(again);
    }

    [Fact]
    public async Task RemoveWithoutTheStateFileFindsTheResourcesByTagAndKeepsAGivenEip()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var given = (await new EipService(client).AllocateAsync(new EipSpec { Name = "mine" }))[0];
        var request = Request("bytag");
        request.EipId = given.EipId;
        var cluster = await BuildAsync(client, request);
        Assert.Equal(given.EipId, cluster.EipId);
        Assert.False(ClusterStateFile.TryLoad(request.StatePath)!.External.EipCreated);

        var remover = new ClusterRemover(client);
        var kept = await remover.FindAsync("bytag", request.StatePath, keepEip: false);
        Assert.Null(kept.Eip);
        Assert.Equal(given.EipId, kept.KeptEipId);
        Assert.Empty(kept.TagPairsToDetach);
        Assert.NotNull(kept.Tag);

        File.Delete(request.StatePath);
        var byTag = await remover.FindAsync("bytag", request.StatePath, keepEip: false);
        Assert.False(byTag.StateFileExists);
        Assert.Equal(2, byTag.LoadBalancers.Count);
        Assert.Null(byTag.Eip);
        await remover.RemoveAsync(byTag);
        await AssertRemovedAsync(client, "bytag");
        var eip = (await client.DescribeEipsAsync(new[] { given.EipId }))[0];
        Assert.Equal(("available", "mine"), (eip.Status, eip.EipName));
        Assert.Empty(eip.Tags);
    }

    [Fact]
    public async Task RemoveKeepsATagThatAlsoMarksOtherResourcesOrExistedBefore()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("shared");
        await BuildAsync(client, request);
        var tagId = ClusterStateFile.TryLoad(request.StatePath)!.TagId!;
        await client.AttachTagsAsync(new[] { new ResourceTagPair { TagId = tagId, ResourceType = "instance", ResourceId = "i-master01" } });
        var remover = new ClusterRemover(client);

        var plan = await remover.FindAsync("shared", request.StatePath, keepEip: false);
        Assert.Null(plan.Tag);
        await remover.RemoveAsync(plan);
        await AssertRemovedAsync(client, "shared", tagRemoved: false);
        var kept = Assert.Single(await client.DescribeTagsAsync(new[] { tagId }, verbose: true));
        Assert.Equal("i-master01", Assert.Single(kept.ResourceTagPairs, p => p.ResourceType == "instance").ResourceId);

        // A tag that existed before New-HaCluster adopted it is never deleted, even when nothing else carries it.
        await client.DetachTagsAsync(new[] { new ResourceTagPair { TagId = tagId, ResourceType = "instance", ResourceId = "i-master01" } });
        var adopted = Request("shared");
        await BuildAsync(client, adopted);
        Assert.False(ClusterStateFile.TryLoad(adopted.StatePath)!.TagCreated);
        await remover.RemoveAsync(await remover.FindAsync("shared", adopted.StatePath, keepEip: false));
        await AssertRemovedAsync(client, "shared", tagRemoved: false);
        Assert.Single(await client.DescribeTagsAsync(new[] { tagId }));
    }

    [Fact]
    public async Task ARemovalInterruptedBeforeTheTagFinishesOnTheNextRun()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("halfway");
        await BuildAsync(client, request);
        var remover = new ClusterRemover(client);
        var plan = await remover.FindAsync("halfway", request.StatePath, keepEip: false);
        var tagId = plan.Tag!.TagId;

        // Everything but the tag goes, as when Ctrl+C lands just before DeleteTags; the state file is gone too.
        plan.Tag = null;
        await remover.RemoveAsync(plan);
        Assert.Single(await client.DescribeTagsAsync(new[] { tagId }));

        var rest = await remover.FindAsync("halfway", request.StatePath, keepEip: false);
        Assert.False(rest.IsEmpty);
        Assert.Equal(new[] { $"tag {tagId} (halfway)" }, rest.Describe());
        await remover.RemoveAsync(rest);
        await AssertRemovedAsync(client, "halfway");
        Assert.True((await remover.FindAsync("halfway", request.StatePath, keepEip: false)).IsEmpty);
    }

    [Fact]
    public async Task KeepEipLeavesTheEipAndANewRunAdoptsIt()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var first = await BuildAsync(client, Request("keep"));
        var remover = new ClusterRemover(client);
        var plan = await remover.FindAsync("keep", Request("keep").StatePath, keepEip: true);
        Assert.Equal(first.EipId, plan.KeptEipId);
        Assert.Contains($"tag {plan.Tag!.TagId} detached from eip {first.EipId}, which stays", plan.Describe());
        await remover.RemoveAsync(plan);
        Assert.Empty(Assert.Single(await client.FindEipsByNameAsync("keep-eip")).Tags);
        Assert.Empty(await client.FindTagsByNameAsync("keep"));

        var second = await BuildAsync(client, Request("keep"));
        Assert.Equal(first.EipId, second.EipId);
        Assert.Single(cloud.Requests("AllocateEips"), r => r.RetCode == 0);
    }

    [Theory]
    [InlineData("Prod", null, null, ClusterPlanner.NameInvalidErrorId)]
    [InlineData("averyveryverylongname", null, null, ClusterPlanner.NameInvalidErrorId)]
    [InlineData("ok", "master9", null, ClusterPlanner.InstanceNotFoundErrorId)]
    [InlineData("ok", "node1", null, ClusterPlanner.InstanceDuplicateErrorId)]
    [InlineData("ok", null, "nowhere", ClusterPlanner.TaskBoxUnknownErrorId)]
    public async Task BadInputFailsBeforeAnythingIsCreated(string name, string? extraMaster, string? taskBox, string errorId)
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request(name);
        request.SkipInstall = false;
        request.TaskBox = taskBox;
        if (extraMaster is not null)
        {
            request.ControlPlane.Add(extraMaster);
        }

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, client));
        Assert.Equal(errorId, error.ErrorId);
        Assert.DoesNotContain(cloud.Server.GetRequests(), r => Mutating.Contains(r.Action));
        Assert.False(File.Exists(request.StatePath));
    }

    [Fact]
    public async Task MoreNodesThanAListenerTakesAreRefusedBeforeAnythingIsCreated()
    {
        // 3 masters + 98 workers: 101 backends for the console listener, one over QingCloud's 100 per listener.
        await using var cloud = await EmulatorScope.StartAsync(o => o.Instances.AddRange(Enumerable.Range(10, 98).Select(i => new HaCluster.Emulator.EmulatorInstance
        {
            InstanceId = $"i-w{i:D7}",
            InstanceName = $"w{i}",
            VxNetId = "vxnet-pn",
            PrivateIp = $"127.0.0.{i}",
        })));
        var client = cloud.Client();
        var request = Request("big");
        request.Workers = Enumerable.Range(10, 98).Select(i => $"w{i}").ToList();

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, client));
        Assert.Equal(ClusterPlanner.TooManyBackendsErrorId, error.ErrorId);
        Assert.Equal(101, error.Target);
        Assert.Contains("100 per listener", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(cloud.Server.GetRequests(), r => Mutating.Contains(r.Action));

        // 100 nodes fit.
        request.Workers.RemoveAt(0);
        await ClusterPlanner.PlanAsync(request, client);
    }

    [Fact]
    public async Task TwoControlPlanesAreRefusedLikeTheConfigValidatorRefusesThem()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var request = Request("even");
        request.ControlPlane = new List<string> { "master1", "i-master02" };

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, cloud.Client()));

        Assert.Equal("EtcdCountEven", error.ErrorId);
    }

    [Fact]
    public async Task APlanListsOrderedStepsWithActionsAndMarksWhatAStateFileRecords()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("planned");
        request.SkipInstall = false;
        request.Failover = true;

        var plan = await ClusterPlanner.PlanAsync(request, client);

        Assert.Equal(Enumerable.Range(1, plan.Steps.Count), plan.Steps.Select(s => s.Order));
        Assert.Equal(ClusterStepIds.Tag, plan.Steps[0].Id);
        Assert.Contains("CreateLoadBalancer", plan.Steps.Single(s => s.Id == ClusterStepIds.InternalLoadBalancer).Actions);
        Assert.Contains("StopInstances", plan.Steps.Single(s => s.Id == ClusterStepIds.Verify).Actions);
        Assert.Equal("master1", plan.TaskBox!.Name);
        Assert.All(plan.Steps, s => Assert.False(s.Completed));

        var skip = Request("planned");
        await BuildAsync(client, skip);
        var replanned = await ClusterPlanner.PlanAsync(request, client);
        Assert.True(replanned.Steps.Single(s => s.Id == ClusterStepIds.ExternalApply).Completed);
        Assert.False(replanned.Steps.Single(s => s.Id == ClusterStepIds.Install).Completed);
    }

    [Fact]
    public async Task AStateFileOfAnotherClusterIsRefused()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var request = Request("one");
        ClusterStateFile.Save(request.StatePath, new ClusterState { Name = "two" });

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, cloud.Client()));

        Assert.Equal(ClusterPlanner.StateMismatchErrorId, error.ErrorId);
    }

    private static async Task<HaClusterInfo> BuildAsync(QingCloudClient client, ClusterRequest request) =>
        await new ClusterBuilder(client).BuildAsync(await ClusterPlanner.PlanAsync(request, client));

    // Exactly one of everything, with the right backends and one rule per port.
    private static async Task AssertConvergedAsync(QingCloudClient client, string name)
    {
        var internalLbs = await client.FindLoadBalancersByNameAsync(name + "-internal");
        var externalLbs = await client.FindLoadBalancersByNameAsync(name + "-external");
        Assert.Single(internalLbs);
        Assert.Single(externalLbs);
        Assert.Single(await client.FindEipsByNameAsync(name + "-eip"));
        var tag = Assert.Single(await client.FindTagsByNameAsync(name));
        var defaultGroup = (await client.DescribeSecurityGroupsAsync()).Single(g => g.IsDefault);
        foreach (var (lb, port, protocol, count, source) in new[] { (internalLbs[0], 6443, "tcp", 3, "127.0.0.0/24"), (externalLbs[0], 30880, "http", 6, "") })
        {
            // Each load balancer sits in its own tagged group named after it, never in the account's default group.
            var group = Assert.Single(await client.DescribeSecurityGroupsAsync(new[] { lb.SecurityGroupId! }));
            Assert.Equal((lb.LoadBalancerName, false), (group.SecurityGroupName, group.IsDefault));
            Assert.Contains(group.Tags, t => t.TagId == tag.TagId);
            Assert.True(group.IsApplied);
            Assert.Equal("active", lb.Status);
            Assert.True(lb.IsApplied);
            Assert.Contains(lb.Tags, t => t.TagId == tag.TagId);
            var listener = Assert.Single(await client.DescribeLoadBalancerListenersAsync(loadBalancerId: lb.LoadBalancerId));
            Assert.Equal(port, listener.ListenerPort);
            Assert.Equal(protocol, listener.ListenerProtocol);
            Assert.Equal("roundrobin", listener.BalanceMode);
            var backends = await client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId);
            Assert.Equal(count, backends.Count);
            Assert.Equal(count, backends.Select(b => b.ResourceId).Distinct().Count());
            Assert.All(backends, b => Assert.Equal(port, b.Port));
            var rules = await client.DescribeSecurityGroupRulesAsync(lb.SecurityGroupId);
            var rule = Assert.Single(rules);
            Assert.Equal((port.ToString(System.Globalization.CultureInfo.InvariantCulture), "accept", source), (rule.Val1, rule.Action, rule.Val3 ?? string.Empty));
        }

        // The account's default group keeps exactly its own rules (ICMP echo and ssh).
        Assert.Equal(new[] { "icmp", "tcp" }, (await client.DescribeSecurityGroupRulesAsync(defaultGroup.SecurityGroupId)).Select(r => r.Protocol));
    }

    private static async Task AssertRemovedAsync(QingCloudClient client, string name, bool tagRemoved = true)
    {
        Assert.Equal(tagRemoved, (await client.FindTagsByNameAsync(name)).Count == 0);
        Assert.Empty(await client.FindLoadBalancersByNameAsync(name + "-internal"));
        Assert.Empty(await client.FindLoadBalancersByNameAsync(name + "-external"));
        Assert.Empty(await client.FindEipsByNameAsync(name + "-eip"));
        var groups = await client.DescribeSecurityGroupsAsync();
        Assert.DoesNotContain(groups, g => g.SecurityGroupName is { } n && (n == name + "-internal" || n == name + "-external"));
        foreach (var group in groups)
        {
            Assert.DoesNotContain(await client.DescribeSecurityGroupRulesAsync(group.SecurityGroupId), r => r.SecurityGroupRuleName?.StartsWith(name + "-tcp-", StringComparison.Ordinal) == true);
        }
    }

    private ClusterRequest Request(string name) => TestClusterRequest.Create(name, _directory);
}
