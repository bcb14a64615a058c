// Copyright (c) HaCluster contributors. MIT License.
// The emulator's YAML configuration: the issue's file as written, defaults, strictness.

using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Emulator;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorConfigTests
{
    // The example file holds the issue's YAML verbatim; it must work exactly as written.
    private static readonly string IssueYaml = File.ReadAllText(Path.Combine(RepoRoot(), "src", "HaCluster.Emulator", "examples", "emulator.yaml"));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HaCluster.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("HaCluster.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheIssueYamlParsesAsWritten()
    {
        var o = EmulatorOptions.Parse(IssueYaml);
        Assert.Equal(new Uri("http://127.0.0.1:7878"), o.Listen);
        Assert.Equal("QYACCESSKEYIDEXAMPLE", Assert.Single(o.Accounts).AccessKeyId);
        Assert.Equal("SECRETACCESSKEY", o.Accounts[0].SecretAccessKey);
        Assert.Equal(["pek3b"], o.Zones);
        var vxnet = Assert.Single(o.VxNets);
        Assert.Equal(("vxnet-pn", "pn", "pek3b", "127.0.0.0/24"), (vxnet.VxNetId, vxnet.VxNetName, vxnet.Zone, vxnet.IpNetwork));
        Assert.Equal(["i-master01", "i-node0001"], o.Instances.Select(i => i.InstanceId));
        Assert.Equal(["master1", "node1"], o.Instances.Select(i => i.InstanceName));
        Assert.Equal(["127.0.0.2", "127.0.0.5"], o.Instances.Select(i => i.PrivateIp));
        Assert.Equal("127.0.1.0/24", o.EipPool);
        Assert.Equal(300, o.JobLatencyMs);
        Assert.Equal(1, o.Faults.Seed);
        Assert.Equal(0.1, o.HealthCheckTimeScale);
    }

    [Fact]
    public async Task TheIssueYamlServesItsInstances()
    {
        var o = EmulatorOptions.Parse(IssueYaml);
        o.Listen = new Uri("http://127.0.0.1:0");
        o.VxNets[0].IpNetwork = "127.20.250.0/24";
        o.Instances[0].PrivateIp = "127.20.250.2";
        o.Instances[1].PrivateIp = "127.20.250.5";
        o.JobLatencyMs = 20;
        await using var server = await EmulatorServer.StartAsync(o);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.Equal(new Uri(server.BaseAddress, "iaas/"), server.Endpoint);
        Assert.Equal("127.0.0.1", server.Endpoint.Host);
    }

    [Fact]
    public void TheBuiltInDefaultIsTheDemoWorld()
    {
        var o = EmulatorOptions.CreateDefault();
        Assert.Equal(new Uri("http://127.0.0.1:7878"), o.Listen);
        Assert.Equal(("QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY"), (o.Accounts[0].AccessKeyId, o.Accounts[0].SecretAccessKey));
        Assert.Equal(["pek3b"], o.Zones);
        Assert.Equal(("vxnet-pn", "pn", "127.0.0.0/24"), (o.VxNets[0].VxNetId, o.VxNets[0].VxNetName, o.VxNets[0].IpNetwork));
        Assert.Equal(["master1", "master2", "master3", "node1", "node2", "node3"], o.Instances.Select(i => i.InstanceName));
        Assert.Equal(Enumerable.Range(2, 6).Select(n => "127.0.0." + n), o.Instances.Select(i => i.PrivateIp));
        Assert.All(o.Instances, i => Assert.Equal("running", i.Status));
        Assert.Equal("127.0.1.0/24", o.EipPool);
        o.Validate();
    }

    [Fact]
    public void AbsentKeysKeepDefaults()
    {
        var o = EmulatorOptions.Parse("job_latency_ms: 5\nlease_window_ms: 750\nhealth_check_time_scale: 0.5\nquotas: { loadbalancers: 3 }\n");
        Assert.Equal(5, o.JobLatencyMs);
        Assert.Equal(750, o.LeaseWindowMs);
        Assert.Equal(0.5, o.HealthCheckTimeScale);
        Assert.Equal(3, o.Quotas.LoadBalancers);
        Assert.Equal(20, o.Quotas.Eips);
        Assert.Equal(6, o.Instances.Count);
        Assert.Equal("pek3b", o.Instances[0].Zone);
    }

    [Fact]
    public void EveryFaultRateIsRead()
    {
        var o = EmulatorOptions.Parse("faults: { ret_code_5100_rate: 0.1, ret_code_5000_rate: 0.15, ret_code_5300_rate: 0.2, http_5xx_rate: 0.25, drop_connection_rate: 0.3, failed_job_rate: 0.9, seed: 4 }\n");
        var f = o.Faults;
        Assert.Equal((0.1, 0.15, 0.2, 0.25, 0.3, 0.9, 4), (f.RetCode5100Rate, f.RetCode5000Rate, f.RetCode5300Rate, f.Http5xxRate, f.DropConnectionRate, f.FailedJobRate, f.Seed));
    }

    [Fact]
    public void AnEmptyDocumentIsTheDefault()
    {
        Assert.Equal(6, EmulatorOptions.Parse(string.Empty).Instances.Count);
    }

    [Theory]
    [InlineData("listne: http://127.0.0.1:1\n", "listne")]
    [InlineData("faults: { seed: 1, rate: 2 }\n", "rate")]
    [InlineData("listen: https://127.0.0.1:1\n", "https://127.0.0.1:1")]
    [InlineData("listen: http://example.com:1\n", "example.com")]
    [InlineData("eip_pool: 127.0.1.7/24\n", "127.0.1.7/24")]
    [InlineData("eip_pool: nonsense\n", "nonsense")]
    [InlineData("job_latency_ms: -1\n", "-1")]
    [InlineData("health_check_time_scale: 0\n", "health_check_time_scale")]
    [InlineData("faults: { ret_code_5100_rate: 1.5 }\n", "1.5")]
    [InlineData("faults: { ret_code_5100_rate: 0.6, drop_connection_rate: 0.6 }\n", "must not exceed 1")]
    [InlineData("faults: { ret_code_5300_rate: -0.1 }\n", "-0.1")]
    [InlineData("faults: { http_5xx_rate: 2 }\n", "http_5xx_rate")]
    [InlineData("faults: { ret_code_5300_rate: 0.5, http_5xx_rate: 0.3, ret_code_5100_rate: 0.3 }\n", "must not exceed 1")]
    [InlineData("faults: { http_5xx_rate: 0.5, drop_connection_rate: 0.3, ret_code_5000_rate: 0.3 }\n", "must not exceed 1")]
    [InlineData("zones: [pek3b, pek3b]\n", "pek3b")]
    [InlineData("accounts: []\n", "accounts")]
    [InlineData("accounts: [{ access_key_id: K }]\n", "secret_access_key")]
    [InlineData("vxnets: [{ vxnet_id: vxnet-a, vxnet_name: a, ip_network: 127.0.0.0/24 }]\ninstances: [{ instance_id: i-1, instance_name: x, vxnet_id: vxnet-b, private_ip: 127.0.0.2 }]\n", "vxnet-b")]
    [InlineData("vxnets: [{ vxnet_id: vxnet-a, vxnet_name: a, ip_network: 127.0.0.0/24 }]\ninstances: [{ instance_id: i-1, instance_name: x, vxnet_id: vxnet-a, private_ip: 127.0.9.2 }]\n", "127.0.9.2")]
    [InlineData("vxnets: [{ vxnet_id: vxnet-a, vxnet_name: a, ip_network: 127.0.0.0/24 }]\ninstances: [{ instance_id: i-1, instance_name: x, vxnet_id: vxnet-a, private_ip: 127.0.0.2, status: sleeping }]\n", "sleeping")]
    [InlineData("vxnets: [{ vxnet_id: vxnet-a, vxnet_name: a, zone: sh1a, ip_network: 127.0.0.0/24 }]\n", "sh1a")]
    [InlineData("instances: [{ instance_id: i-1, instance_name: x, vxnet_id: vxnet-pn, private_ip: 127.0.0.2 }, { instance_id: i-1, instance_name: y, vxnet_id: vxnet-pn, private_ip: 127.0.0.3 }]\nvxnets: [{ vxnet_id: vxnet-pn, vxnet_name: pn, ip_network: 127.0.0.0/24 }]\n", "i-1")]
    [InlineData("listen: [\n", "")]
    public void BadConfigurationIsRejectedNamingTheValue(string yaml, string named)
    {
        var ex = Assert.Throws<EmulatorConfigException>(() => EmulatorOptions.Parse(yaml));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsAConfigError()
    {
        var ex = Assert.Throws<EmulatorConfigException>(() => EmulatorOptions.Load("/nonexistent/emulator.yaml"));
        Assert.Contains("/nonexistent/emulator.yaml", ex.Message, StringComparison.Ordinal);
    }
}
