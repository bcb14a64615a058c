// Copyright (c) HaCluster contributors. MIT License.
// Wire encoding of lists, objects and booleans, and spec validation before anything is sent.

using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudParametersTests
{
    [Fact]
    public void ListsAreOneBasedAndNullsAreLeftOut()
    {
        var p = new QingCloudParameters()
            .AddList("instances", new[] { "i-a", "i-b" })
            .Add("search_word", (string?)null)
            .Add("force", true)
            .Add("verbose", false)
            .Add("limit", 100);

        Assert.Equal(
            new[] { "instances.1=i-a", "instances.2=i-b", "force=1", "verbose=0", "limit=100" },
            p.Select(kv => kv.Key + "=" + kv.Value));
    }

    [Fact]
    public void ListenersBecomeIndexedObjectsWithCommaJoinedCertificates()
    {
        var p = new QingCloudParameters().AddObjects("listeners", new[]
        {
            new ListenerSpec { Port = 6443, Protocol = "tcp", Name = "apiserver" },
            new ListenerSpec { Port = 443, Protocol = "https", ServerCertificateIds = { "sc-a", "sc-b" }, ForwardFor = 1 },
        });

        Assert.Equal("6443", p["listeners.1.listener_port"]);
        Assert.Equal("tcp", p["listeners.1.listener_protocol"]);
        Assert.Equal("tcp", p["listeners.1.backend_protocol"]);
        Assert.Equal("roundrobin", p["listeners.1.balance_mode"]);
        Assert.Equal("apiserver", p["listeners.1.loadbalancer_listener_name"]);
        Assert.Equal("sc-a,sc-b", p["listeners.2.server_certificate_id"]);
        Assert.Equal("1", p["listeners.2.forwardfor"]);
        Assert.Null(p["listeners.1.server_certificate_id"]);
    }

    [Fact]
    public void BackendsAndTagPairsUseTheDocumentedFieldNames()
    {
        var p = new QingCloudParameters()
            .AddObjects("backends", new[] { new BackendSpec { ResourceId = "i-master01", Port = 6443 } })
            .AddObjects("resource_tag_pairs", new[] { new ResourceTagPair { TagId = "tag-1", ResourceType = "loadbalancer", ResourceId = "lb-1" } });

        Assert.Equal("i-master01", p["backends.1.resource_id"]);
        Assert.Equal("6443", p["backends.1.port"]);
        Assert.Equal("1", p["backends.1.weight"]);
        Assert.Equal("tag-1", p["resource_tag_pairs.1.tag_id"]);
        Assert.Equal("loadbalancer", p["resource_tag_pairs.1.resource_type"]);
        Assert.Equal("lb-1", p["resource_tag_pairs.1.resource_id"]);
    }

    [Fact]
    public void SecurityGroupRulesNameTheirActionFieldAction()
    {
        var p = new QingCloudParameters().AddObjects("rules", new[] { new SecurityGroupRuleSpec { Protocol = "tcp", Priority = 5, Val1 = "6443", Val3 = "10.0.0.0/8" } });

        Assert.Equal("accept", p["rules.1.action"]);
        Assert.Equal("0", p["rules.1.direction"]);
        Assert.Equal("6443", p["rules.1.val1"]);
        Assert.Equal("10.0.0.0/8", p["rules.1.val3"]);
    }

    [Fact]
    public void LoadBalancerSpecEncodesEipsOrVxnet()
    {
        var external = new LoadBalancerSpec { Name = "ext", EipIds = { "eip-1" } }.ToParameters();
        var internalLb = new LoadBalancerSpec { Name = "int", VxNetId = "vxnet-pn", LoadBalancerType = 0 }.ToParameters();

        Assert.Equal("eip-1", external["eips.1"]);
        Assert.Null(external["vxnet"]);
        Assert.Equal("vxnet-pn", internalLb["vxnet"]);
        Assert.Equal("0", internalLb["loadbalancer_type"]);
    }

    [Theory]
    [InlineData(22, "QingCloudInvalidListenerPort")]
    [InlineData(1023, "QingCloudInvalidListenerPort")]
    [InlineData(65536, "QingCloudInvalidListenerPort")]
    public void BadListenerPortsAreRejected(int port, string errorId)
    {
        var ex = Assert.Throws<HaClusterException>(() => new QingCloudParameters().AddObjects("listeners", new[] { new ListenerSpec { Port = port } }));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Equal(port, ex.Target);
    }

    [Theory]
    [InlineData(25)]
    [InlineData(80)]
    [InlineData(443)]
    [InlineData(1024)]
    [InlineData(65535)]
    public void DocumentedListenerPortsAreAccepted(int port)
    {
        var p = new QingCloudParameters().AddObjects("listeners", new[] { new ListenerSpec { Port = port, Protocol = port == 443 ? "http" : "tcp" } });
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), p["listeners.1.listener_port"]);
    }

    [Fact]
    public void InvalidSpecsFailWithSpecificErrorIds()
    {
        Assert.Equal("QingCloudInvalidBalanceMode", Assert.Throws<HaClusterException>(() => new ListenerSpec { Port = 80, BalanceMode = "poll" }.WriteTo(new QingCloudParameters())).ErrorId);
        Assert.Equal("QingCloudCertificateMissing", Assert.Throws<HaClusterException>(() => new ListenerSpec { Port = 443, Protocol = "https" }.WriteTo(new QingCloudParameters())).ErrorId);
        Assert.Equal("QingCloudInvalidBackendWeight", Assert.Throws<HaClusterException>(() => new BackendSpec { ResourceId = "i-1", Port = 80, Weight = 0 }.WriteTo(new QingCloudParameters())).ErrorId);
        Assert.Equal("QingCloudInvalidBackendPort", Assert.Throws<HaClusterException>(() => new BackendSpec { ResourceId = "i-1", Port = 0 }.WriteTo(new QingCloudParameters())).ErrorId);
        Assert.Equal("QingCloudBackendResourceMissing", Assert.Throws<HaClusterException>(() => new BackendSpec { Port = 80 }.WriteTo(new QingCloudParameters())).ErrorId);
        Assert.Equal("QingCloudLoadBalancerNetworkMissing", Assert.Throws<HaClusterException>(() => new LoadBalancerSpec { Name = "x" }.ToParameters()).ErrorId);
        Assert.Equal("QingCloudTooManyEips", Assert.Throws<HaClusterException>(() => new LoadBalancerSpec { EipIds = { "a", "b", "c", "d", "e" } }.ToParameters()).ErrorId);
        Assert.Equal("QingCloudInvalidRulePriority", Assert.Throws<HaClusterException>(() => new SecurityGroupRuleSpec { Priority = 101 }.WriteTo(new QingCloudParameters())).ErrorId);
        Assert.Equal("QingCloudInvalidBandwidth", Assert.Throws<HaClusterException>(() => new EipSpec { Bandwidth = 0 }.ToParameters()).ErrorId);
    }

    [Fact]
    public void EncodedListsSignInCodepointOrder()
    {
        // instances.10 sorts before instances.2 (§1.3 step 2).
        var p = new QingCloudParameters().AddList("instances", Enumerable.Range(1, 10).Select(i => "i-" + i));
        var canonical = QingCloudSigner.CanonicalQuery(p);
        Assert.StartsWith("instances.1=i-1&instances.10=i-10&instances.2=i-2", canonical);
    }

    [Fact]
    public void AddingTheSameNameTwiceIsAProgrammingError()
    {
        Assert.Throws<System.ArgumentException>(() => new QingCloudParameters().Add("zone", "a").Add("zone", "b"));
    }

    [Fact]
    public void EnumeratesInInsertionOrder()
    {
        var p = new QingCloudParameters().Add("b", "1").Add("a", "2");
        Assert.Equal(new List<string> { "b", "a" }, p.Select(kv => kv.Key).ToList());
    }
}
