// Copyright (c) HaCluster contributors. MIT License.
// The account's default security group is shared with the instances: nothing the module does widens it.

using System;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Tests.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Services;

public sealed class DefaultSecurityGroupTests
{
    [Fact]
    public async Task OpenFirewallOnALoadBalancerInTheDefaultGroupIsRefusedBeforeTheListenerIsAdded()
    {
        await using var scope = await EmulatorScope.StartAsync();
        var client = scope.Client();
        var service = new LoadBalancerService(client);
        var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "shared", VxNetId = "vxnet-pn" });
        var group = (await client.DescribeSecurityGroupsAsync(new[] { lb.SecurityGroupId! })).Single();
        Assert.True(group.IsDefault); // no security_group given: QingCloud binds the default one

        var error = await Assert.ThrowsAsync<HaClusterException>(() => service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443 }, openFirewall: true));
        Assert.Equal((SecurityGroupService.DefaultGroupErrorId, FailureKind.InvalidOperation, (object?)group.SecurityGroupId), (error.ErrorId, error.Kind, error.Target));
        Assert.Contains("i-master01 (master1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("New-QcSecurityGroup", error.Message, StringComparison.Ordinal);
        Assert.Contains("New-QcLoadBalancer -SecurityGroup", error.Message, StringComparison.Ordinal);
        Assert.Empty(scope.Requests("AddLoadBalancerListeners"));
        Assert.Empty(scope.Requests("AddSecurityGroupRules"));
        await Assert.ThrowsAsync<HaClusterException>(() => new SecurityGroupService(client).OpenPortAsync(group.SecurityGroupId, 30880));
        Assert.Empty(scope.Requests("AddSecurityGroupRules"));
    }

    [Fact]
    public async Task AGroupOfItsOwnIsCreatedUsedAndRemovedOnlyWhenNothingUsesIt()
    {
        await using var scope = await EmulatorScope.StartAsync();
        var client = scope.Client();
        var groups = new SecurityGroupService(client);
        var own = await groups.CreateAsync("api-only");
        Assert.Equal("QcSecurityGroupExists", (await Assert.ThrowsAsync<HaClusterException>(() => groups.CreateAsync("api-only"))).ErrorId);
        var lb = await new LoadBalancerService(client).CreateAsync(new LoadBalancerSpec { Name = "api", VxNetId = "vxnet-pn", SecurityGroupId = own.SecurityGroupId });
        await new LoadBalancerService(client).AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443 }, openFirewall: true);
        var rule = (await client.DescribeSecurityGroupRulesAsync(own.SecurityGroupId, direction: 0)).Single();
        Assert.Equal(("6443", "accept", 1), (rule.Val1, rule.Action, rule.Priority));

        var inUse = await Assert.ThrowsAsync<HaClusterException>(() => groups.DeleteAsync(new[] { "api-only" }));
        Assert.Equal("QcSecurityGroupInUse", inUse.ErrorId);
        Assert.Contains(lb.LoadBalancerId, inUse.Message, StringComparison.Ordinal);
        var defaultGroup = (await client.DescribeSecurityGroupsAsync()).Single(g => g.IsDefault);
        Assert.Equal("QcSecurityGroupIsDefault", (await Assert.ThrowsAsync<HaClusterException>(() => groups.DeleteAsync(new[] { defaultGroup.SecurityGroupId }))).ErrorId);
        Assert.Empty(scope.Requests("DeleteSecurityGroups"));

        await new LoadBalancerService(client).DeleteAsync(new[] { lb.LoadBalancerId });
        Assert.Equal(own.SecurityGroupId, (await groups.DeleteAsync(new[] { own.SecurityGroupId })).Single().SecurityGroupId);
        Assert.DoesNotContain(await client.DescribeSecurityGroupsAsync(), g => g.SecurityGroupId == own.SecurityGroupId);
    }
}
