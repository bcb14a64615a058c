// Copyright (c) HaCluster contributors. MIT License.
// EIPs, security groups and tags.

using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorNetworkTests
{
    [Fact]
    public async Task AllocatedEipsComeFromThePoolAndBecomeAvailable()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var body = await h.OkAsync("AllocateEips", ("bandwidth", 10), ("count", 2), ("eip_name", "k8s"), ("billing_mode", "traffic"));
        var ids = body["eips"]!.AsArray().Select(e => (string)e!).ToArray();
        Assert.All(ids, id => Assert.Matches("^eip-[a-z0-9]{8}$", id));
        Assert.False(body.ContainsKey("job_id"));
        var available = await h.AllocateAvailableEipAsync();
        var all = await h.OkAsync("DescribeEips", ("eips.1", ids[0]), ("eips.2", ids[1]), ("eips.3", available));
        var addresses = all["eip_set"]!.AsArray().Select(e => (string)e!["eip_addr"]!).ToArray();
        var pool = h.Server.Options.EipPool.Replace(".0/24", ".", StringComparison.Ordinal);
        Assert.Equal([pool + "1", pool + "2", pool + "3"], addresses);
        var first = all["eip_set"]![0]!;
        Assert.Equal(("k8s", 10, "traffic"), ((string?)first["eip_name"], (int)first["bandwidth"]!, (string?)first["billing_mode"]));
        Assert.Equal(0, (int)(await h.OkAsync("DescribeEips", ("search_word", pool + "3")))["total_count"]!); // id and name only, as documented
        Assert.Equal(1, (int)(await h.OkAsync("DescribeEips", ("search_word", ids[0])))["total_count"]!);
        Assert.Equal(3, (int)(await h.OkAsync("DescribeEips", ("status.1", "pending"), ("status.2", "available")))["total_count"]!);
    }

    [Fact]
    public async Task EipErrorsAreTheDocumentedOnes()
    {
        await using var h = await EmulatorHarness.StartAsync(o =>
        {
            o.EipPool = o.EipPool.Replace(".0/24", ".0/30", StringComparison.Ordinal);
            o.Quotas.Eips = 3;
        });
        await h.FailsAsync(1100, "AllocateEips");
        await h.FailsAsync(1100, "AllocateEips", ("bandwidth", 0));
        await h.FailsAsync(1100, "AllocateEips", ("bandwidth", 1), ("billing_mode", "free"));
        Assert.Contains("eip_pool", await h.FailsAsync(2500, "AllocateEips", ("bandwidth", 1), ("count", 3)), StringComparison.Ordinal);
        await h.OkAsync("AllocateEips", ("bandwidth", 1), ("count", 2));
        Assert.Contains("quota", await h.FailsAsync(2500, "AllocateEips", ("bandwidth", 1), ("count", 2)), StringComparison.Ordinal);
        Assert.Contains("eip-nothere", await h.FailsAsync(2100, "DescribeEips", ("eips.1", "eip-nothere")), StringComparison.Ordinal);
        await h.FailsAsync(1100, "DescribeEips", ("status.1", "bound"));
        await h.FailsAsync(1100, "ReleaseEips");
        await h.FailsAsync(2100, "ReleaseEips", ("eips.1", "eip-nothere"));
    }

    [Fact]
    public async Task ReleaseRespectsTheLeaseAndFreesTheAddress()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.LeaseWindowMs = 3_600_000);
        var eip = await h.AllocateAvailableEipAsync();
        Assert.Contains("lease info not ready", await h.FailsAsync(1400, "ReleaseEips", ("eips.1", eip)), StringComparison.Ordinal);
        h.Server.Options.LeaseWindowMs = 0;
        var release = await h.OkAsync("ReleaseEips", ("eips.1", eip));
        await h.SucceedsAsync(release);
        Assert.Equal("released", (string?)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eip))["status"]);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeEips"))["total_count"]!);
        await h.FailsAsync(2100, "ReleaseEips", ("eips.1", eip));
        var again = await h.AllocateAvailableEipAsync();
        var pool = h.Server.Options.EipPool.Replace(".0/24", ".", StringComparison.Ordinal);
        Assert.Equal(pool + "1", (string?)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", again))["eip_addr"]);
    }

    [Fact]
    public async Task SecurityGroupRulesNeedApplying()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var sg = (string)(await h.OkAsync("CreateSecurityGroup", ("security_group_name", "k8s-lb")))["security_group_id"]!;
        Assert.Matches("^sg-[a-z0-9]{8}$", sg);
        var group = await h.DescribeOneAsync("DescribeSecurityGroups", "security_groups", "security_group_set", sg);
        Assert.Equal(("k8s-lb", 1, 0), ((string?)group["security_group_name"], (int)group["is_applied"]!, (int)group["is_default"]!));
        Assert.Equal(0, (int)(await h.OkAsync("DescribeSecurityGroupRules", ("security_group", sg)))["total_count"]!);

        var added = await h.OkAsync(
            "AddSecurityGroupRules",
            ("security_group", sg),
            ("rules.1.protocol", "tcp"), ("rules.1.priority", 1), ("rules.1.action", "accept"), ("rules.1.val1", 6443), ("rules.1.val2", ""), ("rules.1.security_group_rule_name", "apiserver"),
            ("rules.2.protocol", "tcp"), ("rules.2.priority", 2), ("rules.2.val1", 30880), ("rules.2.val2", 30880), ("rules.2.val3", "0.0.0.0/0"), ("rules.2.direction", 0));
        var rules = added["security_group_rules"]!.AsArray().Select(r => (string)r!).ToArray();
        Assert.All(rules, r => Assert.Matches("^sgr-[a-z0-9]{8}$", r));
        Assert.Equal(0, (int)(await h.DescribeOneAsync("DescribeSecurityGroups", "security_groups", "security_group_set", sg))["is_applied"]!);
        var described = await h.OkAsync("DescribeSecurityGroupRules", ("security_group", sg), ("direction", 0));
        var first = described["security_group_rule_set"]![0]!;
        Assert.Equal(("apiserver", "tcp", "accept", 0, "6443", string.Empty, 1), ((string?)first["security_group_rule_name"], (string?)first["protocol"], (string?)first["action"], (int)first["direction"]!, (string?)first["val1"], (string?)first["val2"], (int)first["priority"]!));
        Assert.Equal(0, (int)(await h.OkAsync("DescribeSecurityGroupRules", ("security_group", sg), ("direction", 1)))["total_count"]!);

        await h.SucceedsAsync(await h.OkAsync("ApplySecurityGroup", ("security_group", sg)));
        Assert.Equal(1, (int)(await h.DescribeOneAsync("DescribeSecurityGroups", "security_groups", "security_group_set", sg))["is_applied"]!);

        var deleted = await h.OkAsync("DeleteSecurityGroupRules", ("security_group_rules.1", rules[1]));
        Assert.Equal(rules[1], (string?)deleted["security_group_rules"]![0]);
        Assert.Equal(0, (int)(await h.DescribeOneAsync("DescribeSecurityGroups", "security_groups", "security_group_set", sg))["is_applied"]!);
        await h.FailsAsync(2100, "DeleteSecurityGroupRules", ("security_group_rules.1", rules[1]));
    }

    [Theory]
    [InlineData("protocol", "sctp")]
    [InlineData("protocol", "")]
    [InlineData("priority", "101")]
    [InlineData("priority", "")]
    [InlineData("action", "reject")]
    [InlineData("direction", "2")]
    [InlineData("val1", "70000")]
    [InlineData("val2", "80")]
    [InlineData("val3", "not-a-cidr")]
    public async Task InvalidRulesAnswer1100(string field, string value)
    {
        await using var h = await EmulatorHarness.StartAsync();
        var sg = (string)(await h.OkAsync("CreateSecurityGroup"))["security_group_id"]!;
        var p = EmulatorHarness.Common("AddSecurityGroupRules");
        p["security_group"] = sg;
        p["rules.1.protocol"] = "tcp";
        p["rules.1.priority"] = "1";
        p["rules.1.val1"] = "443";
        p["rules.1." + field] = value;
        var body = await h.SendAsync(p);
        Assert.Equal(1100, (int)body["ret_code"]!);
        Assert.Contains(field, (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecurityGroupErrorsAndQuota()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.Quotas.SecurityGroups = 2);
        await h.FailsAsync(1100, "AddSecurityGroupRules", ("security_group", "sg-nothere"));
        await h.FailsAsync(2100, "AddSecurityGroupRules", ("security_group", "sg-nothere"), ("rules.1.protocol", "tcp"), ("rules.1.priority", 1));
        await h.FailsAsync(2100, "ApplySecurityGroup", ("security_group", "sg-nothere"));
        await h.FailsAsync(1100, "ApplySecurityGroup");
        await h.FailsAsync(2100, "DescribeSecurityGroupRules", ("security_group", "sg-nothere"));
        var sg = (string)(await h.OkAsync("CreateSecurityGroup", ("security_group_name", "a")))["security_group_id"]!;
        await h.FailsAsync(2100, "ApplySecurityGroup", ("security_group", sg), ("instances.1", "i-nothere"));
        await h.SucceedsAsync(await h.OkAsync("ApplySecurityGroup", ("security_group", sg), ("instances.1", "i-master01")));
        await h.OkAsync("CreateSecurityGroup", ("security_group_name", "bravo-group"));
        await h.FailsAsync(2500, "CreateSecurityGroup", ("security_group_name", "c"));
        await h.SucceedsAsync(await h.OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn"))); // it takes the default group, no new one
        Assert.Equal(1, (int)(await h.OkAsync("DescribeSecurityGroups", ("search_word", "BRAVO")))["total_count"]!);
    }

    [Fact]
    public async Task RuleListsPageAtAHundred()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var sg = (string)(await h.OkAsync("CreateSecurityGroup"))["security_group_id"]!;
        var rules = Enumerable.Range(1, 105).SelectMany(i => new (string, object)[] { ($"rules.{i}.protocol", "tcp"), ($"rules.{i}.priority", i % 100), ($"rules.{i}.val1", 10000 + i) });
        await h.OkAsync("AddSecurityGroupRules", [("security_group", sg), .. rules]);
        var capped = await h.OkAsync("DescribeSecurityGroupRules", ("security_group", sg), ("limit", 500));
        Assert.Equal((105, 100), ((int)capped["total_count"]!, capped["security_group_rule_set"]!.AsArray().Count));
        var rest = await h.OkAsync("DescribeSecurityGroupRules", ("security_group", sg), ("offset", 100), ("limit", 100));
        Assert.Equal(5, rest["security_group_rule_set"]!.AsArray().Count);
        Assert.Equal("10101", (string?)rest["security_group_rule_set"]![0]!["val1"]);
    }

    [Fact]
    public async Task TagsAttachAndFilter()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var tag = (string)(await h.OkAsync("CreateTag", ("tag_name", "hacluster"), ("color", "#ff0000")))["tag_id"]!;
        Assert.Matches("^tag-[a-z0-9]{8}$", tag);
        var lb = await h.CreateInternalLbAsync();
        await h.CreateInternalLbAsync("untagged");
        await h.OkAsync(
            "AttachTags",
            ("resource_tag_pairs.1.tag_id", tag), ("resource_tag_pairs.1.resource_type", "loadbalancer"), ("resource_tag_pairs.1.resource_id", lb),
            ("resource_tag_pairs.2.tag_id", tag), ("resource_tag_pairs.2.resource_type", "instance"), ("resource_tag_pairs.2.resource_id", "i-master01"));
        var tagged = await h.OkAsync("DescribeLoadBalancers", ("tags.1", tag));
        var item = Assert.Single(tagged["loadbalancer_set"]!.AsArray())!;
        Assert.Equal(lb, (string?)item["loadbalancer_id"]);
        Assert.Equal(("hacluster", "#ff0000"), ((string?)item["tags"]![0]!["tag_name"], (string?)item["tags"]![0]!["color"]));
        Assert.Equal("i-master01", (string?)Assert.Single((await h.OkAsync("DescribeInstances", ("tags.1", tag)))["instance_set"]!.AsArray())!["instance_id"]);

        var described = await h.DescribeOneAsync("DescribeTags", "tags", "tag_set", tag, ("verbose", 1));
        Assert.Equal(2, (int)described["resource_count"]!);
        Assert.Equal(["instance", "loadbalancer"], described["resource_type_count"]!.AsArray().Select(c => (string)c!["resource_type"]!));
        Assert.Equal(2, described["resource_tag_pairs"]!.AsArray().Count);
        Assert.Equal(1, (int)(await h.OkAsync("DescribeTags", ("search_word", "hacl")))["total_count"]!);

        await h.OkAsync("DetachTags", ("resource_tag_pairs.1.tag_id", tag), ("resource_tag_pairs.1.resource_type", "instance"), ("resource_tag_pairs.1.resource_id", "i-master01"));
        await h.OkAsync("DetachTags", ("resource_tag_pairs.1.tag_id", tag), ("resource_tag_pairs.1.resource_type", "instance"), ("resource_tag_pairs.1.resource_id", "i-master01"));
        Assert.Empty((await h.OkAsync("DescribeInstances", ("tags.1", tag)))["instance_set"]!.AsArray());
        Assert.Equal(1, (int)(await h.DescribeOneAsync("DescribeTags", "tags", "tag_set", tag))["resource_count"]!);

        await h.OkAsync("DeleteTags", ("tags.1", tag));
        Assert.Equal(0, (int)(await h.OkAsync("DescribeTags", ("tags.1", tag)))["total_count"]!);
        Assert.Empty(Assert.Single((await h.OkAsync("DescribeLoadBalancers", ("loadbalancers.1", lb)))["loadbalancer_set"]!.AsArray())!["tags"]!.AsArray());
        await h.FailsAsync(2100, "DeleteTags", ("tags.1", tag));
    }

    [Fact]
    public async Task TagErrors()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.FailsAsync(1100, "CreateTag");
        await h.FailsAsync(1100, "CreateTag", ("tag_name", "fifteen-chars-x"));
        var tag = (string)(await h.OkAsync("CreateTag", ("tag_name", "fourteen-chars")))["tag_id"]!;
        await h.FailsAsync(2110, "CreateTag", ("tag_name", "fourteen-chars"));
        await h.FailsAsync(1100, "AttachTags");
        await h.FailsAsync(2100, "AttachTags", ("resource_tag_pairs.1.tag_id", "tag-nothere"), ("resource_tag_pairs.1.resource_type", "instance"), ("resource_tag_pairs.1.resource_id", "i-master01"));
        await h.FailsAsync(1100, "AttachTags", ("resource_tag_pairs.1.tag_id", tag), ("resource_tag_pairs.1.resource_type", "planet"), ("resource_tag_pairs.1.resource_id", "i-master01"));
        await h.FailsAsync(2100, "AttachTags", ("resource_tag_pairs.1.tag_id", tag), ("resource_tag_pairs.1.resource_type", "eip"), ("resource_tag_pairs.1.resource_id", "eip-nothere"));
        await h.FailsAsync(1100, "AttachTags", ("resource_tag_pairs.1.tag_id", tag), ("resource_tag_pairs.1.resource_type", "instance"));
        await h.FailsAsync(1100, "DetachTags");
        await h.FailsAsync(2100, "DetachTags", ("resource_tag_pairs.1.tag_id", "tag-nothere"), ("resource_tag_pairs.1.resource_type", "instance"), ("resource_tag_pairs.1.resource_id", "i-master01"));
        await h.FailsAsync(1100, "DeleteTags");
        await h.FailsAsync(2100, "DeleteTags", ("tags.1", tag), ("tags.2", "tag-nothere"));
        Assert.Equal(1, (int)(await h.OkAsync("DescribeTags", ("tags.1", tag)))["total_count"]!);
    }
}
