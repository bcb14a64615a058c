// Copyright (c) HaCluster contributors. MIT License.
// Reading QingCloud items (as the docs show them) into the typed resources.

using System.Text.Json;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudResourceTests
{
    [Fact]
    public void InstanceExposesThePrimaryPrivateIp()
    {
        var instance = Read<Instance>("""
            {"instance_id":"i-master01","instance_name":"master1","status":"running","transition_status":"",
             "vxnets":[{"vxnet_id":"vxnet-pn","vxnet_name":"pn","vxnet_type":1,"nic_id":"52:54:00:00:00:01","private_ip":"127.0.0.2","role":1}],
             "eip":null,"tags":null,"description":null,"create_time":"2013-09-24T15:41:49Z","memory_current":2048,"vcpus_current":"2"}
            """);

        Assert.Equal("i-master01", instance.InstanceId);
        Assert.Equal("127.0.0.2", instance.PrivateIp);
        Assert.Equal("vxnet-pn", instance.VxNetId);
        Assert.True(instance.IsIdle);
        Assert.Empty(instance.Tags);
        Assert.Equal(2, instance.VcpusCurrent);
        Assert.Equal(2013, instance.CreateTime!.Value.Year);
        Assert.Equal("i-master01", instance.ToString());
    }

    [Fact]
    public void LoadBalancerVipSkipsNodeAddressesAndFlagsAreBooleans()
    {
        var lb = Read<LoadBalancer>("""
            {"loadbalancer_id":"lb-1","loadbalancer_name":"k8s","status":"active","transition_status":"updating","is_applied":0,
             "private_ips":["198.19.0.5","127.0.0.100"],"eips":[],"listeners":[{"loadbalancer_listener_id":"lbl-1","listener_port":6443,
             "backends":[{"loadbalancer_backend_id":"lbb-1","resource_id":"i-master01","port":6443,"weight":1,"status":"down"}]}]}
            """);

        Assert.Equal("127.0.0.100", lb.Vip);
        Assert.Equal("127.0.0.100", lb.Address);
        Assert.False(lb.IsApplied);
        Assert.False(lb.IsIdle);
        Assert.Equal("lbl-1", lb.Listeners[0].ListenerId);
        Assert.Equal("lbb-1", lb.Listeners[0].Backends[0].BackendId);
    }

    [Fact]
    public void ExternalLoadBalancerAddressIsItsEip()
    {
        var lb = Read<LoadBalancer>("""{"loadbalancer_id":"lb-2","status":"active","is_applied":1,"private_ips":[],"eips":[{"eip_id":"eip-1","eip_addr":"127.0.1.9"}]}""");
        Assert.Null(lb.Vip);
        Assert.Equal("127.0.1.9", lb.Address);
        Assert.True(lb.IsApplied);
    }

    [Fact]
    public void JobResourceIdsAreSplitAndStatusesClassified()
    {
        var job = Read<Job>("""{"job_id":"j-1","job_action":"CreateLoadBalancer","status":"done with failure","resource_ids":"lb-1 eip-2","error_codes":[5100]}""");

        Assert.Equal(new[] { "lb-1", "eip-2" }, job.ResourceIds);
        Assert.True(job.IsFailed);
        Assert.True(job.IsFinished);
        Assert.False(job.IsSuccessful);
        Assert.Equal("[5100]", job.ErrorCodes);
    }

    [Fact]
    public void SecurityGroupRuleValuesMayArriveAsNumbers()
    {
        var rule = Read<SecurityGroupRule>("""{"security_group_rule_id":"sgr-1","priority":"1","action":"accept","direction":0,"val1":6443,"val2":"","val3":null}""");
        Assert.Equal("6443", rule.Val1);
        Assert.Equal(1, rule.Priority);
        Assert.Null(rule.Val3);
    }

    [Fact]
    public void VxNetCidrComesFromItselfOrItsRouter()
    {
        Assert.Equal("127.0.0.0/24", Read<VxNet>("""{"vxnet_id":"vxnet-pn","ip_network":"127.0.0.0/24"}""").IpNetwork);
        Assert.Equal("192.168.0.0/24", Read<VxNet>("""{"vxnet_id":"vxnet-x","router":{"router_id":"rtr-1","ip_network":"192.168.0.0/24"}}""").IpNetwork);
    }

    private static T Read<T>(string json)
    {
        using var document = JsonDocument.Parse(json);
        return QingCloudJson.Deserialize<T>(document.RootElement);
    }
}
