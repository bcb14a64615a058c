// Copyright (c) HaCluster contributors. MIT License.
// EipService and SecurityGroupService against the in-process emulator.

using System.Linq;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Services;

public sealed class EipAndFirewallServiceTests
{
    [Fact]
    public async Task EipIsAvailableAfterAllocationAndReleaseWaitsOutTheLeaseWindow()
    {
        await using var cloud = await LabCloud.StartAsync(leaseWindowMs: 1500);
        var eips = new EipService(cloud.Client);

        var eip = (await eips.AllocateAsync(new EipSpec { Bandwidth = 10, Name = "ks-console", BillingMode = "traffic" }))[0];
        Assert.Equal("available", eip.Status);
        Assert.StartsWith("127.60.", eip.EipAddr);
        var duplicate = await Assert.ThrowsAsync<HaClusterException>(() => eips.AllocateAsync(new EipSpec { Name = "ks-console" }));
        Assert.Equal("QcEipExists", duplicate.ErrorId);

        await eips.ReleaseAsync(new[] { eip.EipId });
        var releases = cloud.Server.GetRequests().Where(r => r.Action == "ReleaseEips").ToList();
        Assert.Equal(1400, releases[0].RetCode);
        Assert.Equal(0, releases[^1].RetCode);
        Assert.Empty(await cloud.Client.DescribeEipsAsync(status: new[] { "available", "associated", "pending" }));
    }

    [Fact]
    public async Task AssociatedEipIsReleasedOnlyWithForce()
    {
        await using var cloud = await LabCloud.StartAsync();
        var eips = new EipService(cloud.Client);
        var eip = (await eips.AllocateAsync(new EipSpec()))[0];
        var lb = await new LoadBalancerService(cloud.Client).CreateAsync(new LoadBalancerSpec { Name = "ext", EipIds = { eip.EipId } });
        Assert.Equal(eip.EipAddr, lb.EipAddress);

        var state = cloud.Server.GetState().ToJsonString();
        var error = await Assert.ThrowsAsync<HaClusterException>(() => eips.ReleaseAsync(new[] { eip.EipId }));
        Assert.Equal("QcEipAssociated", error.ErrorId);
        Assert.Equal(eip.EipId, error.Target);
        Assert.Equal(state, cloud.Server.GetState().ToJsonString());

        var released = Assert.Single(await eips.ReleaseAsync(new[] { eip.EipId }, force: true));
        Assert.Equal((eip.EipId, "available"), (released.EipId, released.Status));
        Assert.Equal(1, cloud.Count("DissociateEipsFromLoadBalancer"));
        Assert.Equal("released", (await cloud.Client.DescribeEipsAsync(new[] { eip.EipId }))[0].Status);
    }

    [Fact]
    public async Task OpenPortAddsAnAcceptRuleOnlyWhenNoRuleAdmitsThePort()
    {
        await using var cloud = await LabCloud.StartAsync();
        var groups = new SecurityGroupService(cloud.Client);
        var own = await groups.CreateAsync("fw");
        var lb = await new LoadBalancerService(cloud.Client).CreateAsync(new LoadBalancerSpec { Name = "fw", VxNetId = "pn", SecurityGroupId = own.SecurityGroupId });
        Assert.Equal(own.SecurityGroupId, lb.SecurityGroupId);

        await groups.AddRulesAsync(lb.SecurityGroupId!, new[] { new SecurityGroupRuleSpec { Val1 = "22", Priority = 2 } });
        Assert.Equal("22", (await groups.OpenPortAsync(lb.SecurityGroupId!, 22))!.Val1); // already admitted: the rule that does it
        var range = await groups.AddRulesAsync(lb.SecurityGroupId!, new[] { new SecurityGroupRuleSpec { Val1 = "30000", Val2 = "32767", Priority = 5 } });
        Assert.Equal("30000", range[0].Val1);
        Assert.Equal("30000", (await groups.OpenPortAsync(lb.SecurityGroupId!, 30880))!.Val1);
        var opened = await groups.OpenPortAsync(lb.SecurityGroupId!, 6443);
        Assert.NotNull(opened);
        Assert.Equal(("6443", 1), (opened!.Val1, opened.Priority));
        Assert.Equal(opened.SecurityGroupRuleId, (await groups.OpenPortAsync(lb.SecurityGroupId!, 6443))!.SecurityGroupRuleId);
        Assert.Equal(3, cloud.Count("AddSecurityGroupRules"));
        Assert.Equal(3, cloud.Count("ApplySecurityGroup"));
        Assert.True((await cloud.Client.DescribeSecurityGroupsAsync(new[] { lb.SecurityGroupId! }))[0].IsApplied);

        var bad = await Assert.ThrowsAsync<HaClusterException>(() => groups.AddRulesAsync(lb.SecurityGroupId!, new[] { new SecurityGroupRuleSpec { Val1 = "80", Val3 = "10.0.0.0/33" } }));
        Assert.Equal("QcInvalidRuleSource", bad.ErrorId);
        bad = await Assert.ThrowsAsync<HaClusterException>(() => groups.AddRulesAsync(lb.SecurityGroupId!, new[] { new SecurityGroupRuleSpec { Val1 = "90", Val2 = "80" } }));
        Assert.Equal("QcInvalidRulePort", bad.ErrorId);
        bad = await Assert.ThrowsAsync<HaClusterException>(() => groups.AddRulesAsync("no-such-group", new[] { new SecurityGroupRuleSpec { Val1 = "80" } }));
        Assert.Equal("QcSecurityGroupNotFound", bad.ErrorId);
        Assert.Equal(3, cloud.Count("AddSecurityGroupRules"));
    }
}
