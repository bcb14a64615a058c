// Copyright (c) HaCluster contributors. MIT License.
// LoadBalancerService against the in-process emulator with its real data plane: the tutorial's internal LB, limits, bad input.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Services;

public sealed class LoadBalancerServiceTests
{
    private static readonly WaitOptions BackendWait = new() { Timeout = TimeSpan.FromMinutes(2) };

    [Fact]
    public async Task InternalLoadBalancerBalancesOverItsVipAndAppliesOnce()
    {
        await using var cloud = await LabCloud.StartAsync();
        var service = new LoadBalancerService(cloud.Client);
        var masters = new[] { "master1", "master2", "master3" };

        var group = await new SecurityGroupService(cloud.Client).CreateAsync("k8s-api");
        var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "k8s-api", VxNetId = "pn", SecurityGroupId = "k8s-api" });
        Assert.Equal(group.SecurityGroupId, lb.SecurityGroupId);
        Assert.Equal("active", lb.Status);
        Assert.True(lb.IsIdle);
        Assert.StartsWith(cloud.Prefix, lb.Vip);

        var listener = await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443, Name = "apiserver", HealthyCheckOption = "2|5|2|2" }, openFirewall: true);
        Assert.Equal(6443, listener.ListenerPort);
        var backends = await service.AddBackendsAsync(new[] { new BackendBatch(listener.ListenerId, masters.Select(m => new BackendSpec { ResourceId = cloud.IdOf(m), Port = 6443 }).ToList()) });
        Assert.Equal(masters.Select(cloud.IdOf), backends.Select(b => b.ResourceId));

        await service.ApplyAsync(new[] { lb.LoadBalancerId });
        var before = await cloud.Client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId);
        Assert.All(before, b => Assert.NotEqual("up", b.Status));

        foreach (var m in masters)
        {
            cloud.Serve(m, 6443);
        }

        // Nothing left to apply: this only waits for the health checks.
        var applied = await service.ApplyAsync(new[] { lb.LoadBalancerId }, new ApplyOptions { WaitForBackendsUp = true, BackendWait = BackendWait });
        Assert.True(applied[0].IsApplied);
        Assert.All(await cloud.Client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId), b => Assert.Equal("up", b.Status));

        var served = new HashSet<string?>();
        for (var i = 0; i < 9; i++)
        {
            served.Add(await LabCloud.AskAsync(lb.Vip!, 6443));
        }

        Assert.Equal(masters.Select(cloud.AddressOf).OrderBy(a => a), served.OrderBy(a => a));
        Assert.Equal(1, cloud.Count("AddLoadBalancerBackends"));
        Assert.Equal(1, cloud.Count("UpdateLoadBalancers"));

        // -OpenFirewall left exactly one rule admitting 6443 in the LB's own security group.
        var rules = await cloud.Client.DescribeSecurityGroupRulesAsync(lb.SecurityGroupId);
        Assert.Single(rules, r => SecurityGroupService.Matches(r, "tcp", 6443) && r.Action == "accept");

        var deleted = Assert.Single(await service.DeleteAsync(new[] { lb.LoadBalancerId }));
        Assert.Equal((lb.LoadBalancerId, "deleted", lb.Vip), (deleted.LoadBalancerId, deleted.Status, deleted.Vip)); // described as removed, with its status now
        Assert.False(await LabCloud.IsListeningAsync(lb.Vip!, 6443));
        var error = await Assert.ThrowsAsync<HaClusterException>(() => service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 8080 }));
        Assert.Equal("QcLoadBalancerDeleted", error.ErrorId);
    }

    [Fact]
    public async Task StoppedInstanceGetsNoTrafficAndRisesAfterStart()
    {
        await using var cloud = await LabCloud.StartAsync();
        var service = new LoadBalancerService(cloud.Client);
        var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "ha", VxNetId = "vxnet-pn" });
        var listener = await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443, HealthyCheckOption = "2|5|2|2" });
        var masters = new[] { "master1", "master2" };
        await service.AddBackendsAsync(new[] { new BackendBatch(listener.ListenerId, masters.Select(m => new BackendSpec { ResourceId = cloud.IdOf(m), Port = 6443 }).ToList()) });
        foreach (var m in masters)
        {
            cloud.Serve(m, 6443);
        }

        await service.ApplyAsync(new[] { lb.LoadBalancerId }, new ApplyOptions { WaitForBackendsUp = true, BackendWait = BackendWait });

        var instances = new InstanceService(cloud.Client);
        var stopped = await instances.StopAsync(new[] { cloud.IdOf("master1") });
        Assert.Equal("stopped", stopped[0].Status);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(cloud.AddressOf("master2"), await LabCloud.AskAsync(lb.Vip!, 6443));
        }

        var started = await instances.StartAsync(new[] { cloud.IdOf("master1") });
        Assert.Equal("running", started[0].Status);
        await service.WaitForBackendsUpAsync(new[] { lb.LoadBalancerId }, BackendWait);
        Assert.Equal(1, cloud.Count("UpdateLoadBalancers"));
    }

    [Fact]
    public async Task BadInputFailsSpecificallyAndCreatesNothing()
    {
        await using var cloud = await LabCloud.StartAsync();
        var service = new LoadBalancerService(cloud.Client);
        async Task Rejects(string errorId, Func<Task> act)
        {
            var state = cloud.Server.GetState().ToJsonString();
            var error = await Assert.ThrowsAsync<HaClusterException>(act);
            Assert.Equal(errorId, error.ErrorId);
            Assert.Equal(state, cloud.Server.GetState().ToJsonString());
        }

        await Rejects("QcVxNetNotFound", () => service.CreateAsync(new LoadBalancerSpec { Name = "x", VxNetId = "nope" }));
        await Rejects("QcPrivateIpOutsideVxNet", () => service.CreateAsync(new LoadBalancerSpec { Name = "x", VxNetId = "pn", PrivateIp = "10.0.0.5" }));
        await Rejects("QcLoadBalancerNameMissing", () => service.CreateAsync(new LoadBalancerSpec { VxNetId = "pn" }));

        var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "lb", VxNetId = "pn" });
        await Rejects("QcLoadBalancerExists", () => service.CreateAsync(new LoadBalancerSpec { Name = "lb", VxNetId = "pn" }));
        await Rejects("QingCloudInvalidListenerPort", () => service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 1000 }));
        await Rejects("QcLoadBalancerNotFound", () => service.AddListenerAsync("lb-00000000", new ListenerSpec { Port = 6443 }));
        var listener = await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443 });
        await Rejects("QcListenerPortInUse", () => service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443 }));

        BackendBatch Batch(int port, params string[] names) => new(listener.ListenerId, names.Select(n => new BackendSpec { ResourceId = cloud.IdOf(n), Port = port }).ToList());
        await Rejects("QingCloudInvalidBackendPort", () => service.AddBackendsAsync(new[] { Batch(6443, "master1"), Batch(0, "master2") }));
        await Rejects("QcBackendDuplicate", () => service.AddBackendsAsync(new[] { Batch(6443, "master1", "master1") }));
        await Rejects("QcInstanceNotFound", () => service.AddBackendsAsync(new[] { new BackendBatch(listener.ListenerId, new[] { new BackendSpec { ResourceId = "i-missing0", Port = 1 } }) }));
        await Rejects("QcListenerNotFound", () => service.AddBackendsAsync(new[] { new BackendBatch("lbl-00000000", new[] { new BackendSpec { ResourceId = cloud.IdOf("master1"), Port = 1 } }) }));

        // 100 backends: six instances on 17 ports minus two, in one call; then the 101st is refused.
        var hundred = Enumerable.Range(1, 17).SelectMany(p => LabCloud.Names.Select(n => new BackendSpec { ResourceId = cloud.IdOf(n), Port = 10000 + p })).Take(100).ToList();
        await service.AddBackendsAsync(new[] { new BackendBatch(listener.ListenerId, hundred) });
        Assert.Equal(1, cloud.Count("AddLoadBalancerBackends"));
        await Rejects("QcBackendExists", () => service.AddBackendsAsync(new[] { Batch(10001, "master1") }));
        await Rejects("QcTooManyBackends", () => service.AddBackendsAsync(new[] { Batch(6443, "master1") }));
        Assert.Equal(1, cloud.Count("AddLoadBalancerBackends"));

        var eip = (await new EipService(cloud.Client).AllocateAsync(new EipSpec { Name = "used" }))[0];
        await service.CreateAsync(new LoadBalancerSpec { Name = "ext", EipIds = { eip.EipId } });
        await Rejects("QcEipNotAvailable", () => service.CreateAsync(new LoadBalancerSpec { Name = "ext2", EipIds = { eip.EipId } }));
        await Rejects("QcEipNotFound", () => service.CreateAsync(new LoadBalancerSpec { Name = "ext3", EipIds = { "eip-00000000" } }));
    }

    [Fact]
    public async Task RemovedListenersAndADisposedEmulatorReleaseTheirPorts()
    {
        string vip;
        await using (var cloud = await LabCloud.StartAsync())
        {
            var service = new LoadBalancerService(cloud.Client);
            var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "gone", VxNetId = "pn" });
            await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 30880, Protocol = "http" });
            var extra = await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 8443 });
            await service.ApplyAsync(new[] { lb.LoadBalancerId });
            vip = lb.Vip!;
            Assert.True(await LabCloud.IsListeningAsync(vip, 30880));
            Assert.True(await LabCloud.IsListeningAsync(vip, 8443));

            // Like the console: the deleted listener serves until the change is applied.
            var removed = Assert.Single(await service.RemoveListenersAsync(new[] { extra.ListenerId }));
            Assert.Equal((extra.ListenerId, lb.LoadBalancerId), (removed.ListenerId, removed.LoadBalancerId));
            Assert.True(await LabCloud.IsListeningAsync(vip, 8443));
            await service.ApplyAsync(new[] { lb.LoadBalancerId });
            Assert.False(await LabCloud.IsListeningAsync(vip, 8443));
            Assert.True(await LabCloud.IsListeningAsync(vip, 30880));
        }

        Assert.False(await LabCloud.IsListeningAsync(vip, 30880));
    }
}
