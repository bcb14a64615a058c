using System.Collections.Generic;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudSignerTests
{
    private static Dictionary<string, string> RunInstances(string zone) => new()
    {
        ["access_key_id"] = "QYACCESSKEYIDEXAMPLE",
        ["action"] = "RunInstances",
        ["count"] = "1",
        ["image_id"] = "centos64x86a",
        ["instance_name"] = "demo",
        ["instance_type"] = "small_b",
        ["login_mode"] = "passwd",
        ["login_passwd"] = "QingCloud20130712",
        ["signature_method"] = "HmacSHA256",
        ["signature_version"] = "1",
        ["time_stamp"] = "2013-08-27T14:30:10Z",
        ["version"] = "1",
        ["vxnets.1"] = "vxnet-0",
        ["zone"] = zone,
    };

    [Theory]
    [InlineData("/iaas/", "pek3a", "byjccvWIvAftaq+oublemagH3bYAlDWxxLFAzAsyslw=")] // V1 official docs
    [InlineData("/iaas/", "pek1", "32bseYy39DOlatuewpeuW5vpmW51sD1A/JdGynqSpP8=")] // V2 Go SDK
    [InlineData("/iaas", "pek1", "MQ6mgjLWuCOj09FGPT0YrZbxq13f/r0OxEzn6hmv3hM=")] // V3 Ruby SDK
    public void PublishedVectorsVerify(string path, string zone, string expected)
    {
        Assert.Equal(expected, QingCloudSigner.Sign("GET", path, RunInstances(zone), "SECRETACCESSKEY"));
    }

    [Fact]
    public void GoSdkVectorWithoutVersionOrZoneVerifies()
    {
        var parameters = new Dictionary<string, string>
        {
            ["access_key_id"] = "ENV_ACCESS_KEY_ID",
            ["action"] = "DescribeInstance",
            ["instance.0"] = "i-xxxxxxxx",
            ["signature_method"] = "HmacSHA256",
            ["signature_version"] = "1",
            ["time_stamp"] = "0001-01-01T00:00:00Z",
            ["verbose"] = "1",
        };
        Assert.Equal("ZHa2iQ8PeyP1ktMF9C+DjOQBl537ti9RnYZ1Qqr6KRg=", QingCloudSigner.Sign("GET", "/iaas", parameters, "ENV_SECRET_ACCESS_KEY"));
    }

    [Fact]
    public void CanonicalQueryMatchesTheDocumentedString()
    {
        Assert.Equal(
            "access_key_id=QYACCESSKEYIDEXAMPLE&action=RunInstances&count=1&image_id=centos64x86a&instance_name=demo&instance_type=small_b&login_mode=passwd&login_passwd=QingCloud20130712&signature_method=HmacSHA256&signature_version=1&time_stamp=2013-08-27T14%3A30%3A10Z&version=1&vxnets.1=vxnet-0&zone=pek3a",
            QingCloudSigner.CanonicalQuery(RunInstances("pek3a")));
    }

    [Fact]
    public void DerivedUtf8VectorVerifies()
    {
        var parameters = new Dictionary<string, string>
        {
            ["access_key_id"] = "QYACCESSKEYIDEXAMPLE",
            ["action"] = "CreateLoadBalancer",
            ["eips.1"] = "eip-1234abcd",
            ["loadbalancer_name"] = "my lb/测试~*+",
            ["loadbalancer_type"] = "0",
            ["signature_method"] = "HmacSHA256",
            ["signature_version"] = "1",
            ["time_stamp"] = "2013-08-27T14:30:10Z",
            ["version"] = "1",
            ["zone"] = "pek3a",
        };
        Assert.Contains("loadbalancer_name=my%20lb%2F%E6%B5%8B%E8%AF%95~%2A%2B", QingCloudSigner.CanonicalQuery(parameters));
        Assert.Equal("Mh3P5hQctb36ZbdpuUYLyuWWu2vYLrxun95QoB8l2LQ=", QingCloudSigner.Sign("GET", "/iaas/", parameters, "SECRETACCESSKEY"));
    }

    [Fact]
    public void TrailingSlashChangesTheSignature()
    {
        Assert.NotEqual(
            QingCloudSigner.Sign("GET", "/iaas/", RunInstances("pek1"), "SECRETACCESSKEY"),
            QingCloudSigner.Sign("GET", "/iaas", RunInstances("pek1"), "SECRETACCESSKEY"));
    }
}
