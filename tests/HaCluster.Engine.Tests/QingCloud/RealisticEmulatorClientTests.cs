// Copyright (c) HaCluster contributors. MIT License.
// The client against the emulator playing the real cloud's oddities: EIPs in "cluster", 198.19.x node addresses,
// null integers, no total_count, the default direction filter of rules, associate_mode, the lease window.

using System;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class RealisticEmulatorClientTests
{
    [Fact]
    public async Task APublicLoadBalancersAddressComesFromClusterAndAnInternalOnesVipSkipsTheNodeAddresses()
    {
        await using var scope = await EmulatorScope.StartAsync();
        var client = scope.Client();
        var eip = (await new EipService(client).AllocateAsync(new EipSpec { Name = "public" })).Single();
        var service = new LoadBalancerService(client);
        var external = await service.CreateAsync(new LoadBalancerSpec { Name = "external", EipIds = { eip.EipId } });
        var @internal = await service.CreateAsync(new LoadBalancerSpec { Name = "internal", VxNetId = "vxnet-pn" });

        Assert.Empty(external.Eips);
        Assert.Equal((eip.EipAddr, eip.EipAddr, (string?)null), (external.EipAddress, external.Address, external.Vip));
        Assert.True(@internal.PrivateIps.Count >= 2, "the VIP and at least one 198.19.x node address");
        Assert.Equal(@internal.PrivateIps[0], @internal.Vip);
        Assert.StartsWith("127.0.0.", @internal.Address, StringComparison.Ordinal);
        Assert.Null(@internal.EipAddress);
    }

    [Fact]
    public async Task NullIntegersInEveryDescribeReadAsZero()
    {
        await using var scope = await EmulatorScope.StartAsync(o => o.NullOptionalIntegers = true);
        var client = scope.Client();
        var lb = await new LoadBalancerService(client).CreateAsync(new LoadBalancerSpec { Name = "nulls", VxNetId = "vxnet-pn" });
        Assert.Equal((0, 0), (lb.NodeCount, lb.LoadBalancerType)); // the emulator's node_count is 1 unless nulled
        var instances = await client.DescribeInstancesAsync();
        Assert.All(instances, i => Assert.Equal(0, i.VcpusCurrent));
        Assert.NotEmpty(await client.DescribeVxNetsAsync());
        Assert.NotEmpty(await client.DescribeEipsAsync(new[] { (await client.AllocateEipsAsync(new EipSpec { Name = "n" })).Single() }));
    }

    [Fact]
    public async Task PagingGoesOnWhilePagesAreFullWhenTotalCountIsMissing()
    {
        await using var scope = await EmulatorScope.StartAsync(o => o.OmitTotalCount = true);
        var client = scope.Client();
        var sg = await client.CreateSecurityGroupAsync("many-rules");
        var specs = Enumerable.Range(0, 150).Select(i => new SecurityGroupRuleSpec { Protocol = "tcp", Priority = 50, Val1 = (10000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await client.AddSecurityGroupRulesAsync(sg, specs.Take(100));
        await client.AddSecurityGroupRulesAsync(sg, specs.Skip(100));
        Assert.Equal(150, (await client.DescribeSecurityGroupRulesAsync(sg, direction: 0)).Count);
        Assert.Equal(new[] { "0", "100" }, scope.Requests("DescribeSecurityGroupRules").Select(r => r.Parameters["offset"]));
    }

    [Fact]
    public async Task AnOutboundRuleIsFoundBecauseDirectionIsAlwaysSent()
    {
        await using var scope = await EmulatorScope.StartAsync();
        var client = scope.Client();
        var sg = await client.CreateSecurityGroupAsync("outbound");
        var added = await new SecurityGroupService(client).AddRulesAsync(sg, new[] { new SecurityGroupRuleSpec { Protocol = "tcp", Priority = 5, Direction = 1, Val1 = "443", Name = "egress-https" } });
        Assert.Equal((1, "443"), (added.Single().Direction, added.Single().Val1));
        Assert.All(scope.Requests("DescribeSecurityGroupRules"), r => Assert.True(r.Parameters.ContainsKey("direction")));
    }

    [Fact]
    public async Task AnEipWithAssociateModeOneIsRefusedBeforeAnythingIsCreated()
    {
        await using var scope = await EmulatorScope.StartAsync();
        var client = scope.Client();
        var vmEip = (await new EipService(client).AllocateAsync(new EipSpec { Name = "vm", AssociateMode = 1 })).Single();
        var error = await Assert.ThrowsAsync<HaClusterException>(() => new LoadBalancerService(client).CreateAsync(new LoadBalancerSpec { Name = "x", EipIds = { vmEip.EipId } }));
        Assert.Equal((LoadBalancerService.EipAssociateModeErrorId, (object?)vmEip.EipId), (error.ErrorId, error.Target));
        Assert.Empty(scope.Requests("CreateLoadBalancer"));
    }

    [Fact]
    public void PollsAreLateByAFifthOfTheWaitAtMostAndStayInsideTheHourlyQuota()
    {
        var wait = new WaitOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(250), wait.NextInterval(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(600), wait.NextInterval(TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(5), wait.NextInterval(TimeSpan.FromMinutes(9)));

        // A whole default wait (10 minutes) makes well under 2000 / 6 requests, so six runs at once fit the hourly quota.
        var polls = 0;
        for (var t = TimeSpan.Zero; t < wait.Timeout; t += wait.NextInterval(t))
        {
            polls++;
        }

        Assert.InRange(polls, 100, 2000 / 6);
    }

    [Fact]
    public void LeaseRetriesCoverTheThreeMinutesTheCloudControllerManagerAllows()
    {
        var options = new QingCloudClientOptions();
        Assert.InRange(options.LeaseRetryWindow, TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(240));
        Assert.Equal(TimeSpan.FromSeconds(1), options.LeaseDelay(0)); // a short lease still clears fast
        Assert.True(options.CallBound(QingCloudCallOptions.DeleteOrRelease) >= options.LeaseRetryWindow, "the call's own bound must not cut the lease retries short");
        Assert.Equal(options.CallTimeout, options.CallBound(QingCloudCallOptions.Default));
    }
}
