// Copyright (c) HaCluster contributors. MIT License.
// Wire format over real HTTP: paths, methods, envelope, signature and time_stamp checks.

using System;
using System.Globalization;
using System.Net.Http;
using System.Threading.Tasks;
using HaCluster.Emulator;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorWireFormatTests
{
    [Theory]
    [InlineData("GET", "/iaas/")]
    [InlineData("GET", "/iaas")]
    [InlineData("POST", "/iaas/")]
    [InlineData("POST", "/iaas")]
    public async Task SignedRequestsSucceedOnBothPathsAndMethods(string method, string path)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var p = EmulatorHarness.Common("DescribeInstances");
        p["instances.1"] = "i-master01";
        var body = await h.SendAsync(p, method, path);
        Assert.Equal(0, (int)body["ret_code"]!);
        Assert.Equal("DescribeInstancesResponse", (string?)body["action"]);
        Assert.Equal("i-master01", (string?)body["instance_set"]![0]!["instance_id"]);
        var logged = Assert.Single(h.Server.GetRequests());
        Assert.Equal((method, path), (logged.Method, logged.Path));
    }

    [Theory]
    [InlineData("/iaas/", "/iaas")]
    [InlineData("/iaas", "/iaas/")]
    public async Task TheSignatureCoversTheLiteralPath(string requested, string signed)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var body = await h.SendAsync(EmulatorHarness.Common("DescribeInstances"), path: requested, signPath: signed);
        Assert.Equal(1200, (int)body["ret_code"]!);
        Assert.Contains("signature", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongSecretOrUnknownKeyAnswers1200()
    {
        await using var h = await EmulatorHarness.StartAsync();
        Assert.Equal(1200, (int)(await h.SendAsync(EmulatorHarness.Common("DescribeInstances"), secret: "NOT-THE-SECRET"))["ret_code"]!);
        var p = EmulatorHarness.Common("DescribeInstances");
        p["access_key_id"] = "QYUNKNOWNKEY";
        var body = await h.SendAsync(p);
        Assert.Equal(1200, (int)body["ret_code"]!);
        Assert.Contains("QYUNKNOWNKEY", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATamperedParameterAnswers1200()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var p = EmulatorHarness.Common("DescribeInstances");
        var query = HaCluster.Engine.QingCloud.QingCloudSigner.CanonicalQuery(p) + "&signature=" + Uri.EscapeDataString(HaCluster.Engine.QingCloud.QingCloudSigner.Sign("GET", "/iaas/", p, EmulatorOptions.DefaultSecretAccessKey));
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(h.Server.BaseAddress, "/iaas/?" + query.Replace("zone=pek3b", "zone=pek3a", StringComparison.Ordinal)));
        Assert.Contains("\"ret_code\":1200", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOldTimeStampAnswers1300()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var p = EmulatorHarness.Common("DescribeInstances");
        p["time_stamp"] = DateTime.UtcNow.AddSeconds(-120).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var body = await h.SendAsync(p);
        Assert.Equal(1300, (int)body["ret_code"]!);
        Assert.Contains(p["time_stamp"], (string?)body["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("time_stamp", null)]
    [InlineData("time_stamp", "2024-01-01 10:00:00")]
    [InlineData("signature_method", "HmacMD5")]
    [InlineData("signature_version", null)]
    [InlineData("zone", null)]
    [InlineData("zone", "sh1a")]
    [InlineData("action", null)]
    public async Task MissingOrMalformedCommonParametersAnswer1100(string name, string? value)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var p = EmulatorHarness.Common("DescribeInstances");
        if (value is null)
        {
            p.Remove(name);
        }
        else
        {
            p[name] = value;
        }

        var body = await h.SendAsync(p);
        Assert.Equal(1100, (int)body["ret_code"]!);
        Assert.Contains(name, (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HmacSha1IsAccepted()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var p = EmulatorHarness.Common("DescribeVxnets");
        p["signature_method"] = "HmacSHA1";
        var query = HaCluster.Engine.QingCloud.QingCloudSigner.CanonicalQuery(p) + "&signature=" +
            Uri.EscapeDataString(HaCluster.Engine.QingCloud.QingCloudSigner.Sign("GET", "/iaas/", p, EmulatorOptions.DefaultSecretAccessKey, "HmacSHA1"));
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(h.Server.BaseAddress, "/iaas/?" + query));
        Assert.Contains("\"ret_code\":0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownActionAnswers1101()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var message = await h.FailsAsync(1101, "RunInstances");
        Assert.Contains("RunInstances", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtraSdkParametersAreSignedLikeAnyOther()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var body = await h.OkAsync("DescribeVxnets", ("req_id", "5f1e0c7a9b2d4e6f"), ("api_lang", "zh-cn"), ("expires", "2099-01-01T00:00:00Z"), ("loadbalancer_name", "my lb/测试~*+"));
        Assert.Equal(1, (int)body["total_count"]!);
    }

    [Fact]
    public async Task OtherMethodsAndPathsAreNotTheApi()
    {
        await using var h = await EmulatorHarness.StartAsync();
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(h.Server.BaseAddress, "/iam/"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, (await http.PutAsync(new Uri(h.Server.BaseAddress, "/iaas/"), new StringContent(string.Empty))).StatusCode);
    }
}
