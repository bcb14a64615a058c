// Copyright (c) HaCluster contributors. MIT License.
// Every typed action against the in-process emulator over real HTTP: happy paths and documented error codes.

using System;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Emulator;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudClientTests
{
    private static readonly string[] Masters = { "i-master01", "i-master02", "i-master03" };

    [Theory]
    [InlineData("/iaas/")]
    [InlineData("/iaas")]
    public async Task DescribesInstancesOnEitherPath(string path)
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client(emulator.Context(path));

        var all = await client.DescribeInstancesAsync();
        var masters = await client.DescribeInstancesAsync(searchWord: "master");
        var one = await client.DescribeInstancesAsync(new[] { "i-node0001" });

        Assert.Equal(6, all.Count);
        Assert.Equal(Masters, masters.Select(i => i.InstanceId));
        Assert.Equal("127.0.0.5", one.Single().PrivateIp);
        Assert.Equal("running", one.Single().Status);
        Assert.All(emulator.Requests("DescribeInstances"), r => Assert.Equal(path, r.Path));
    }

    [Fact]
    public async Task PagesThroughMoreThanOneHundredItems()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            for (var i = 0; i < 150; i++)
            {
                o.Instances.Add(new EmulatorInstance { InstanceId = $"i-p{i:0000000}", InstanceName = $"pool{i}", Zone = "pek3b", VxNetId = "vxnet-pn", PrivateIp = $"127.0.0.{10 + i}" });
            }
        });

        var all = await emulator.Client().DescribeInstancesAsync();

        Assert.Equal(156, all.Count);
        Assert.Equal(all.Count, all.Select(i => i.InstanceId).Distinct().Count());
        var pages = emulator.Requests("DescribeInstances");
        Assert.Equal(new[] { "0", "100" }, pages.Select(r => r.Parameters["offset"]));
        Assert.All(pages, r => Assert.Equal("100", r.Parameters["limit"]));
    }

    [Fact]
    public async Task StopsAndStartsInstancesThroughJobs()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        var stop = await client.StopInstancesAsync(new[] { "i-node0001" });
        var stopped = await client.WaitForJobsAsync(new[] { stop });
        var afterStop = await client.WaitForInstancesAsync(new[] { "i-node0001" }, "stopped");
        var start = await client.StartInstancesAsync(new[] { "i-node0001" });
        await client.WaitForJobsAsync(new[] { start });
        var afterStart = await client.WaitForInstancesAsync(new[] { "i-node0001" }, "running");

        Assert.Equal("StopInstances", stopped.Single().JobAction);
        Assert.Contains("i-node0001", stopped.Single().ResourceIds);
        Assert.Equal("stopped", afterStop.Single().Status);
        Assert.Equal("running", afterStart.Single().Status);
    }

    [Fact]
    public async Task StoppingAStoppedInstanceIs1400AndNotRetried()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.Instances[3].Status = "stopped");

        var ex = await Assert.ThrowsAsync<QingCloudApiException>(() => emulator.Client().StopInstancesAsync(new[] { "i-node0001" }));

        Assert.Equal(1400, ex.RetCode);
        Assert.Equal("QingCloudPermissionDenied", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidOperation, ex.Kind);
        Assert.Equal("StopInstances", ex.Action);
        Assert.Single(emulator.Requests("StopInstances"));
    }

    [Fact]
    public async Task DescribesVxnetsWithTheirNetwork()
    {
        await using var emulator = await EmulatorScope.StartAsync();

        var vxnet = (await emulator.Client().DescribeVxNetsAsync(verbose: true)).Single();

        Assert.Equal("vxnet-pn", vxnet.VxNetId);
        Assert.Equal("pn", vxnet.VxNetName);
        Assert.Equal("127.0.0.0/24", vxnet.IpNetwork);
        Assert.Contains("i-master01", vxnet.InstanceIds);
    }

    [Fact]
    public async Task BuildsAnInternalLoadBalancerEndToEnd()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        var created = await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "k8s-api", VxNetId = "vxnet-pn" });
        await client.WaitForJobsAsync(new[] { created.JobId });
        var lb = (await client.WaitForLoadBalancersAsync(new[] { created.LoadBalancerId })).Single();
        var listenerIds = await client.AddLoadBalancerListenersAsync(lb.LoadBalancerId, new[] { new ListenerSpec { Port = 6443, Name = "apiserver" } });
        var backendIds = await client.AddLoadBalancerBackendsAsync(listenerIds.Single(), Masters.Select(m => new BackendSpec { ResourceId = m, Port = 6443 }));
        var pending = (await client.DescribeLoadBalancersAsync(new[] { lb.LoadBalancerId })).Single();
        var applied = (await client.ApplyLoadBalancerChangesAsync(new[] { lb.LoadBalancerId })).Single();
        var listener = (await client.DescribeLoadBalancerListenersAsync(loadBalancerId: lb.LoadBalancerId, verbose: true)).Single();
        var backends = await client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId);
        await client.ModifyLoadBalancerAttributesAsync(lb.LoadBalancerId, name: "k8s-apiserver");
        var found = await client.FindLoadBalancersByNameAsync("k8s-apiserver", verbose: true);

        Assert.StartsWith("lb-", lb.LoadBalancerId);
        Assert.Equal("active", lb.Status);
        Assert.StartsWith("127.0.0.", lb.Vip);
        Assert.Equal(lb.Vip, lb.Address);
        Assert.StartsWith("lbl-", listenerIds.Single());
        Assert.Equal(3, backendIds.Count);
        Assert.False(pending.IsApplied);
        Assert.True(applied.IsApplied);
        Assert.True(applied.IsIdle);
        Assert.Equal(6443, listener.ListenerPort);
        Assert.Equal("tcp", listener.ListenerProtocol);
        Assert.Equal("roundrobin", listener.BalanceMode);
        Assert.Equal(3, listener.Backends.Count);
        Assert.Equal(Masters, backends.Select(b => b.ResourceId).OrderBy(x => x));
        Assert.All(backends, b => Assert.Equal(6443, b.Port));
        Assert.Equal(lb.LoadBalancerId, found.Single().LoadBalancerId);
        Assert.Equal(listener.ListenerId, found.Single().Listeners.Single().ListenerId);

        await client.DeleteLoadBalancerBackendsAsync(backendIds.Take(1));
        Assert.Equal(2, (await client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId)).Count);
        await client.DeleteLoadBalancerListenersAsync(listenerIds);
        Assert.Empty(await client.DescribeLoadBalancerListenersAsync(loadBalancerId: lb.LoadBalancerId));
        var deleteJob = await client.DeleteLoadBalancersAsync(new[] { lb.LoadBalancerId });
        await client.WaitForJobsAsync(new[] { deleteJob });
        await client.WaitForLoadBalancersAsync(new[] { lb.LoadBalancerId }, "deleted");
        Assert.Empty(await client.FindLoadBalancersByNameAsync("k8s-apiserver"));
    }

    [Fact]
    public async Task BuildsAnExternalLoadBalancerOnAnEip()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        var eipId = (await client.AllocateEipsAsync(new EipSpec { Bandwidth = 10, Name = "ks-console" })).Single();
        var eip = (await client.WaitForEipsAsync(new[] { eipId })).Single();
        var created = await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "ks-console", EipIds = { eipId } });
        await client.WaitForJobsAsync(new[] { created.JobId });
        var lb = (await client.WaitForLoadBalancersAsync(new[] { created.LoadBalancerId })).Single();
        var associated = (await client.DescribeEipsAsync(new[] { eipId })).Single();

        Assert.Equal("available", eip.Status);
        Assert.StartsWith("127.0.1.", eip.EipAddr);
        Assert.Equal(eip.EipAddr, lb.Address);
        Assert.Equal("associated", associated.Status);
        Assert.Equal(lb.LoadBalancerId, associated.Resource?.ResourceId);
        Assert.Equal(eipId, (await client.FindEipsByNameAsync("ks-console")).Single().EipId);

        await client.WaitForJobsAsync(new[] { await client.DissociateEipsFromLoadBalancerAsync(lb.LoadBalancerId, new[] { eipId }) });
        Assert.Equal("available", (await client.WaitForEipsAsync(new[] { eipId })).Single().Status);
        await client.WaitForJobsAsync(new[] { await client.AssociateEipsToLoadBalancerAsync(lb.LoadBalancerId, new[] { eipId }) });
        Assert.Equal("associated", (await client.WaitForEipsAsync(new[] { eipId }, "associated")).Single().Status);

        // Releasing an associated EIP is a state error, not the lease window: it is not retried.
        var denied = await Assert.ThrowsAsync<QingCloudApiException>(() => client.ReleaseEipsAsync(new[] { eipId }));
        Assert.Equal(1400, denied.RetCode);
        Assert.False(denied.IsLeaseNotReady);
        Assert.Single(emulator.Requests("ReleaseEips"));

        await client.WaitForJobsAsync(new[] { await client.DissociateEipsFromLoadBalancerAsync(lb.LoadBalancerId, new[] { eipId }) });
        await client.WaitForEipsAsync(new[] { eipId });
        await client.WaitForJobsAsync(new[] { await client.ReleaseEipsAsync(new[] { eipId }) });
        await client.WaitForEipsAsync(new[] { eipId }, "released");
    }

    [Fact]
    public async Task ManagesSecurityGroupsAndRules()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        var sgId = await client.CreateSecurityGroupAsync("k8s-lb");
        var ruleIds = await client.AddSecurityGroupRulesAsync(sgId, new[]
        {
            new SecurityGroupRuleSpec { Protocol = "tcp", Priority = 1, Val1 = "6443", Name = "apiserver" },
            new SecurityGroupRuleSpec { Protocol = "tcp", Priority = 2, Val1 = "30880", Val3 = "0.0.0.0/0" },
        });
        var unapplied = (await client.DescribeSecurityGroupsAsync(new[] { sgId })).Single();
        await client.WaitForJobsAsync(new[] { await client.ApplySecurityGroupAsync(sgId) });
        var applied = await client.WaitForSecurityGroupAppliedAsync(sgId);
        var rules = await client.DescribeSecurityGroupRulesAsync(sgId);
        await client.DeleteSecurityGroupRulesAsync(ruleIds.Take(1));

        Assert.StartsWith("sg-", sgId);
        Assert.Equal(2, ruleIds.Count);
        Assert.False(unapplied.IsApplied);
        Assert.True(applied.IsApplied);
        Assert.Equal(new[] { "30880", "6443" }, rules.Select(r => r.Val1).OrderBy(v => v, StringComparer.Ordinal));
        Assert.All(rules, r => Assert.Equal("accept", r.Action));
        Assert.Single(await client.DescribeSecurityGroupRulesAsync(sgId));
        Assert.Equal(sgId, (await client.FindSecurityGroupsByNameAsync("k8s-lb")).Single().SecurityGroupId);
    }

    [Fact]
    public async Task TagsResourcesAndFiltersByTag()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        var tagId = await client.CreateTagAsync("k8s-master", "#9f9bb7");
        await client.AttachTagsAsync(Masters.Select(m => new ResourceTagPair { TagId = tagId, ResourceType = "instance", ResourceId = m }));
        var tag = (await client.DescribeTagsAsync(new[] { tagId }, verbose: true)).Single();
        var tagged = await client.DescribeInstancesAsync(tagIds: new[] { tagId });

        Assert.Equal("k8s-master", tag.TagName);
        Assert.Equal(3, tag.ResourceCount);
        Assert.Equal(Masters, tagged.Select(i => i.InstanceId));
        Assert.All(tagged, i => Assert.Equal(tagId, i.Tags.Single().TagId));
        Assert.Equal(tagId, (await client.FindTagsByNameAsync("k8s-master")).Single().TagId);
        Assert.Equal("QingCloudTagNameTooLong", (await Assert.ThrowsAsync<HaClusterException>(() => client.CreateTagAsync("a-very-long-tag-name"))).ErrorId);
    }

    [Fact]
    public async Task DocumentedErrorCodesMapToErrorIdsAndKinds()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        // 1100: the client validates listener ports itself, so the raw call shows the server's own check.
        var badPort = await Assert.ThrowsAsync<QingCloudApiException>(() => client.InvokeAsync("AddLoadBalancerListeners", new QingCloudParameters().Add("loadbalancer", "lb-none").Add("listeners.1.listener_port", 22).Add("listeners.1.listener_protocol", "tcp")));
        var missing = await Assert.ThrowsAsync<QingCloudApiException>(() => client.DescribeEipsAsync(new[] { "eip-nothere" }));
        var notFound = await Assert.ThrowsAsync<QingCloudApiException>(() => client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "x", VxNetId = "vxnet-nothere" }));
        var quota = await Assert.ThrowsAsync<QingCloudApiException>(() => client.InvokeAsync("CreateLoadBalancer", new QingCloudParameters().AddList("eips", new[] { "eip-1", "eip-2", "eip-3", "eip-4", "eip-5" })));

        Assert.Contains(badPort.RetCode, new[] { 1100, 2100 });
        Assert.Equal(FailureKind.ObjectNotFound, missing.Kind);
        Assert.Equal(2100, notFound.RetCode);
        Assert.Equal("QingCloudResourceNotFound", notFound.ErrorId);
        Assert.Equal(2500, quota.RetCode);
        Assert.Equal("QingCloudQuotaExceeded", quota.ErrorId);
        Assert.Equal(FailureKind.LimitsExceeded, quota.Kind);
        Assert.Equal("CreateLoadBalancer", quota.Action);
        Assert.Contains("ret_code 2500", quota.Message);
    }

    [Fact]
    public async Task MissingRequiredParameterIs1100()
    {
        await using var emulator = await EmulatorScope.StartAsync();

        var ex = await Assert.ThrowsAsync<QingCloudApiException>(() => emulator.Client().DeleteLoadBalancersAsync(Array.Empty<string>()));

        Assert.Equal(1100, ex.RetCode);
        Assert.Equal("QingCloudInvalidParameter", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task WrongSecretIs1200AndNotRetried()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client(emulator.Context(secret: "WRONGSECRET"));

        var ex = await Assert.ThrowsAsync<QingCloudApiException>(() => client.DescribeInstancesAsync());

        Assert.Equal(1200, ex.RetCode);
        Assert.Equal("QingCloudAuthenticationFailed", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
        Assert.Single(emulator.Server.GetRequests());
    }

    [Fact]
    public async Task InvalidSpecsAreRejectedBeforeAnythingIsSent()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();

        await Assert.ThrowsAsync<HaClusterException>(() => client.AddLoadBalancerListenersAsync("lb-x", new[] { new ListenerSpec { Port = 22 } }));
        await Assert.ThrowsAsync<HaClusterException>(() => client.AddLoadBalancerBackendsAsync("lbl-x", Array.Empty<BackendSpec>()));
        await Assert.ThrowsAsync<HaClusterException>(() => client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "no-network" }));

        Assert.Empty(emulator.Server.GetRequests());
    }
}
