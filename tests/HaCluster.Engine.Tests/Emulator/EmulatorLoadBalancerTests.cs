// Copyright (c) HaCluster contributors. MIT License.
// Load balancer lifecycle, VIP/EIP addressing, is_applied, lease window, limits and quotas.

using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

public sealed class EmulatorLoadBalancerTests
{
    [Fact]
    public async Task CreateGoesFromCreatingToActiveAndDescribesTheVip()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var body = await h.OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("loadbalancer_name", "k8s-internal"), ("loadbalancer_type", 0), ("mode", 0), ("cluster_mode", 0));
        var id = (string)body["loadbalancer_id"]!;
        Assert.Matches("^lb-[a-z0-9]{8}$", id);
        Assert.Matches("^j-[a-z0-9]{8}$", (string?)body["job_id"]);
        await h.SucceedsAsync(body);

        var lb = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", id);
        Assert.Equal(("active", string.Empty, 1), ((string?)lb["status"], (string?)lb["transition_status"], (int)lb["is_applied"]!));
        Assert.Equal("k8s-internal", (string?)lb["loadbalancer_name"]);
        Assert.Equal("vxnet-pn", (string?)lb["vxnet_id"]);
        Assert.Equal(h.Subnet + ".253", (string?)lb["private_ips"]![0]);
        Assert.Empty(lb["eips"]!.AsArray());
        Assert.Matches("^sg-[a-z0-9]{8}$", (string?)lb["security_group_id"]);
        Assert.False(lb.ContainsKey("listeners"));

        var job = await h.DescribeOneAsync("DescribeJobs", "jobs", "job_set", (string)body["job_id"]!);
        Assert.Equal(("CreateLoadBalancer", id), ((string?)job["job_action"], (string?)job["resource_ids"]));
    }

    [Fact]
    public async Task ANewLoadBalancerIsPendingUntilItsJobEnds()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.JobLatencyMs = 60_000);
        var id = (string)(await h.OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn")))["loadbalancer_id"]!;
        var lb = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", id);
        Assert.Equal(("pending", "creating"), ((string?)lb["status"], (string?)lb["transition_status"]));
        await h.FailsAsync(1400, "DeleteLoadBalancers", ("loadbalancers.1", id));
        await h.FailsAsync(1400, "UpdateLoadBalancers", ("loadbalancers.1", id));
        await h.FailsAsync(1400, "AddLoadBalancerListeners", ("loadbalancer", id), ("listeners.1.listener_port", 6443), ("listeners.1.listener_protocol", "tcp"), ("listeners.1.backend_protocol", "tcp"));
    }

    [Fact]
    public async Task JobsShowTransitionStatusesWhileTheyRun()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var updated = await h.CreateInternalLbAsync("updated");
        var deleted = await h.CreateInternalLbAsync("deleted");
        var associated = await h.CreateInternalLbAsync("associated");
        var eip = await h.AllocateAvailableEipAsync();

        // From here on jobs outlast the test, so every transition is observed for certain.
        h.Server.Options.JobLatencyMs = 3_600_000;
        await h.OkAsync("UpdateLoadBalancers", ("loadbalancers.1", updated));
        await h.OkAsync("DeleteLoadBalancers", ("loadbalancers.1", deleted));
        await h.OkAsync("AssociateEipsToLoadBalancer", ("loadbalancer", associated), ("eips.1", eip));
        Assert.Contains("updating", await h.FailsAsync(1400, "AssociateEipsToLoadBalancer", ("loadbalancer", updated), ("eips.1", eip)), StringComparison.Ordinal);
        async Task<string?> Transition(string id) => (string?)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", id))["transition_status"];
        Assert.Equal("updating", await Transition(updated));
        Assert.Equal("deleting", await Transition(deleted));
        var described = await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eip);
        Assert.Equal(("available", "associating"), ((string?)described["status"], (string?)described["transition_status"]));
        await h.FailsAsync(1400, "UpdateLoadBalancers", ("loadbalancers.1", updated));
        await h.FailsAsync(1400, "DeleteLoadBalancers", ("loadbalancers.1", deleted));
        await h.FailsAsync(1400, "ReleaseEips", ("eips.1", eip));
    }

    [Fact]
    public async Task SecondInternalLbGetsTheNextVipAndPrivateIpCanBeChosen()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.CreateInternalLbAsync("a");
        var b = await h.CreateInternalLbAsync("b");
        Assert.Equal(h.Subnet + ".252", (string?)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", b))["private_ips"]![0]);
        var chosen = await h.OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("private_ip", h.Subnet + ".100"));
        await h.SucceedsAsync(chosen);
        Assert.Equal(h.Subnet + ".100", (string?)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", (string)chosen["loadbalancer_id"]!))["private_ips"]![0]);
        await h.FailsAsync(1400, "CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("private_ip", h.Subnet + ".2"));
        await h.FailsAsync(1100, "CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("private_ip", "10.0.0.9"));
    }

    [Fact]
    public async Task CreateValidatesItsParameters()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.FailsAsync(1100, "CreateLoadBalancer");
        await h.FailsAsync(1100, "CreateLoadBalancer", ("vxnet", "vxnet-0"));
        Assert.Contains("vxnet-nothere", await h.FailsAsync(2100, "CreateLoadBalancer", ("vxnet", "vxnet-nothere")), StringComparison.Ordinal);
        await h.FailsAsync(2100, "CreateLoadBalancer", ("eips.1", "eip-nothere"));
        await h.FailsAsync(2100, "CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("security_group", "sg-nothere"));
        await h.FailsAsync(1100, "CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("loadbalancer_type", 6));
        await h.FailsAsync(1100, "CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("http_header_size", 128));
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancers"))["total_count"]!);
    }

    [Fact]
    public async Task ExternalLbTakesItsEipAddress()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var eip = await h.AllocateAvailableEipAsync();
        var body = await h.OkAsync("CreateLoadBalancer", ("eips.1", eip), ("loadbalancer_name", "ks-external"));
        var id = (string)body["loadbalancer_id"]!;
        await h.SucceedsAsync(body);
        var lb = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", id);
        var address = (string)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eip))["eip_addr"]!;
        Assert.StartsWith("127.20.", address, StringComparison.Ordinal);
        // As the real cloud: a public LB's EIPs are in "cluster", "eips" is [], private_ips holds only the LB node.
        Assert.Empty(lb["eips"]!.AsArray());
        Assert.Equal((eip, address), ((string?)lb["cluster"]![0]!["eip_id"], (string?)lb["cluster"]![0]!["eip_addr"]));
        Assert.Equal("vxnet-0", (string?)lb["vxnet_id"]);
        Assert.Equal(1, (int)lb["node_count"]!);
        Assert.StartsWith("198.19.", (string?)Assert.Single(lb["private_ips"]!.AsArray()), StringComparison.Ordinal);
        var described = await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eip);
        Assert.Equal("associated", (string?)described["status"]);
        Assert.Equal((id, "loadbalancer"), ((string?)described["resource"]!["resource_id"], (string?)described["resource"]!["resource_type"]));

        // Used EIPs cannot go to a second LB.
        Assert.Contains(eip, await h.FailsAsync(1400, "CreateLoadBalancer", ("eips.1", eip)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEipMustBeAvailableToAssociate()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.JobLatencyMs = 60_000);
        var pending = (string)(await h.OkAsync("AllocateEips", ("bandwidth", 5)))["eips"]![0]!;
        Assert.Equal("pending", (string?)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", pending))["status"]);
        Assert.Contains("pending", await h.FailsAsync(1400, "CreateLoadBalancer", ("eips.1", pending)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenerAndBackendChangesClearIsAppliedUntilUpdate()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        async Task<int> IsApplied() => (int)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb))["is_applied"]!;

        var listener = await h.AddListenerAsync(lb);
        Assert.Matches("^lbl-[a-z0-9]{8}$", listener);
        Assert.Equal(0, await IsApplied());
        var backends = await h.OkAsync(
            "AddLoadBalancerBackends",
            ("loadbalancer_listener", listener),
            ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443), ("backends.1.weight", 5),
            ("backends.2.resource_id", "i-master02"), ("backends.2.port", 6443),
            ("backends.3.resource_id", "i-master03"), ("backends.3.port", 6443));
        Assert.All(backends["loadbalancer_backends"]!.AsArray(), b => Assert.Matches("^lbb-[a-z0-9]{8}$", (string?)b));
        Assert.Equal(0, await IsApplied());

        // Before UpdateLoadBalancers nothing is applied: every backend is down.
        var described = await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer_listener", listener));
        Assert.Equal(3, (int)described["total_count"]!);
        Assert.All(described["loadbalancer_backend_set"]!.AsArray(), b => Assert.Equal("down", (string?)b!["status"]));
        Assert.Equal(5, (int)described["loadbalancer_backend_set"]![0]!["weight"]!);
        Assert.Equal(1, (int)described["loadbalancer_backend_set"]![1]!["weight"]!);

        await h.SucceedsAsync(await h.OkAsync("UpdateLoadBalancers", ("loadbalancers.1", lb)));
        Assert.Equal(1, await IsApplied());
        Assert.Equal(string.Empty, (string?)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb))["transition_status"]);

        // Deleting a backend needs another apply.
        await h.OkAsync("DeleteLoadBalancerBackends", ("loadbalancer_backends.1", (string)backends["loadbalancer_backends"]![2]!));
        Assert.Equal(0, await IsApplied());
        await h.SucceedsAsync(await h.OkAsync("UpdateLoadBalancers", ("loadbalancers.1", lb)));
        Assert.Equal(1, await IsApplied());
    }

    [Fact]
    public async Task UpdateHandsTheAppliedConfigurationToTheDataPlane()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var listener = (string)(await h.OkAsync(
            "AddLoadBalancerListeners",
            ("loadbalancer", lb),
            ("listeners.1.listener_port", 30880), ("listeners.1.listener_protocol", "http"), ("listeners.1.backend_protocol", "http"),
            ("listeners.1.balance_mode", "leastconn"), ("listeners.1.forwardfor", 1),
            ("listeners.1.healthy_check_method", "http|/healthz"), ("listeners.1.healthy_check_option", "10|5|2|5")))["loadbalancer_listeners"]![0]!;
        await h.OkAsync("AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-node0001"), ("backends.1.port", 30880));
        Assert.Null(AppliedOf(h, lb));

        await h.SucceedsAsync(await h.OkAsync("UpdateLoadBalancers", ("loadbalancers.1", lb)));
        var applied = Assert.Single(AppliedOf(h, lb)!.AsArray())!;
        Assert.Equal((listener, h.Subnet + ".253", 30880, "http", "leastconn", "http|/healthz", true),
            ((string?)applied["listener_id"], (string?)applied["bind_address"], (int)applied["port"]!, (string?)applied["protocol"], (string?)applied["balance_mode"], (string?)applied["health_check_method"], (bool)applied["forward_for"]!));
        Assert.Equal(10.0, (double)applied["health_check"]!["interval_seconds"]!, 6);
        Assert.Equal(5.0, (double)applied["health_check"]!["timeout_seconds"]!, 6);
        Assert.Equal((2, 5), ((int)applied["health_check"]!["fall"]!, (int)applied["health_check"]!["rise"]!));
        var backend = Assert.Single(applied["backends"]!.AsArray())!;
        Assert.Equal((h.Subnet + ".5", 30880, "i-node0001"), ((string?)backend["address"], (int)backend["port"]!, (string?)backend["instance_id"]));

        // Changes after the apply stay pending in the API but not in the data plane.
        await h.OkAsync("DeleteLoadBalancerListeners", ("loadbalancer_listeners.1", listener));
        Assert.Single(AppliedOf(h, lb)!.AsArray());
    }

    private static JsonNode? AppliedOf(EmulatorHarness h, string lbId) =>
        h.Server.GetState()["loadbalancers"]!.AsArray().Single(l => (string?)l!["id"] == lbId)!["applied"];

    [Fact]
    public async Task DeleteWaitsForTheLeaseThenLeavesADeletedRecord()
    {
        // A lease far longer than the test, ended by hand: no dependence on how fast the machine is.
        await using var h = await EmulatorHarness.StartAsync(o => o.LeaseWindowMs = 3_600_000);
        var lb = await h.CreateInternalLbAsync();
        Assert.Contains("lease info not ready", await h.FailsAsync(1400, "DeleteLoadBalancers", ("loadbalancers.1", lb)), StringComparison.Ordinal);
        h.Server.Options.LeaseWindowMs = 0;
        var deleted = await h.OkAsync("DeleteLoadBalancers", ("loadbalancers.1", lb));
        await h.SucceedsAsync(deleted);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancers"))["total_count"]!);
        var record = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb);
        Assert.Equal("deleted", (string?)record["status"]);
        Assert.Equal(1, (int)(await h.OkAsync("DescribeLoadBalancers", ("status.1", "deleted")))["total_count"]!);
        await h.FailsAsync(2100, "DeleteLoadBalancers", ("loadbalancers.1", lb));
    }

    [Fact]
    public async Task DeletingFreesTheEipsAndTheVip()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var eip = await h.AllocateAvailableEipAsync();
        var lb = await h.OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("eips.1", eip));
        await h.SucceedsAsync(lb);
        var id = (string)lb["loadbalancer_id"]!;
        var listener = await h.AddListenerAsync(id);
        await h.OkAsync("AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443));
        await h.SucceedsAsync(await h.OkAsync("DeleteLoadBalancers", ("loadbalancers.1", id)));
        Assert.Equal("available", (string?)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eip))["status"]);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancerListeners", ("loadbalancer", id)))["total_count"]!);
        Assert.Equal(0, (int)(await h.OkAsync("DescribeLoadBalancerBackends", ("loadbalancer", id)))["total_count"]!);
        var again = await h.CreateInternalLbAsync();
        Assert.Equal(h.Subnet + ".253", (string?)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", again))["private_ips"]![0]);
    }

    [Fact]
    public async Task DescribeLoadBalancersFiltersAndShowsListenersWhenVerbose()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var a = await h.CreateInternalLbAsync("kube-apiserver");
        var b = await h.CreateInternalLbAsync("console");
        var listener = await h.AddListenerAsync(a);
        await h.OkAsync("AddLoadBalancerBackends", ("loadbalancer_listener", listener), ("backends.1.resource_id", "i-master01"), ("backends.1.port", 6443));
        var byName = await h.OkAsync("DescribeLoadBalancers", ("search_word", "apiserver"), ("verbose", 1));
        var lb = Assert.Single(byName["loadbalancer_set"]!.AsArray())!;
        Assert.Equal(a, (string?)lb["loadbalancer_id"]);
        var l = Assert.Single(lb["listeners"]!.AsArray())!;
        Assert.Equal((listener, 6443, "tcp"), ((string?)l["loadbalancer_listener_id"], (int)l["listener_port"]!, (string?)l["listener_protocol"]));
        Assert.Equal("i-master01", (string?)Assert.Single(l["backends"]!.AsArray())!["resource_id"]);
        Assert.Equal(1, (int)(await h.OkAsync("DescribeLoadBalancers", ("search_word", b)))["total_count"]!);
        Assert.Equal(2, (int)(await h.OkAsync("DescribeLoadBalancers", ("status.1", "pending"), ("status.2", "active"), ("status.3", "stopped")))["total_count"]!);
        Assert.Equal(1, (int)(await h.OkAsync("DescribeLoadBalancers", ("limit", 1)))["loadbalancer_set"]!.AsArray().Count);
        await h.FailsAsync(1100, "DescribeLoadBalancers", ("status.1", "running"));
    }

    [Fact]
    public async Task ModifyAttributesRenamesAndMarksSettingsUnapplied()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var sg = (string)(await h.OkAsync("CreateSecurityGroup", ("security_group_name", "lb-fw")))["security_group_id"]!;
        await h.OkAsync("ModifyLoadBalancerAttributes", ("loadbalancer", lb), ("loadbalancer_name", "renamed"), ("description", "for kube"));
        var described = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb);
        Assert.Equal(("renamed", "for kube", 1), ((string?)described["loadbalancer_name"], (string?)described["description"], (int)described["is_applied"]!));
        await h.OkAsync("ModifyLoadBalancerAttributes", ("loadbalancer", lb), ("security_group", sg), ("http_header_size", 32));
        described = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb);
        Assert.Equal((sg, 32, 0), ((string?)described["security_group_id"], (int)described["http_header_size"]!, (int)described["is_applied"]!));
        await h.FailsAsync(1100, "ModifyLoadBalancerAttributes");
        await h.FailsAsync(2100, "ModifyLoadBalancerAttributes", ("loadbalancer", "lb-nothere"));
        await h.FailsAsync(2100, "ModifyLoadBalancerAttributes", ("loadbalancer", lb), ("security_group", "sg-nothere"));
    }

    [Fact]
    public async Task AssociateAndDissociateEipsMoveThemBetweenStates()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var eips = new[] { await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync() };
        var associate = await h.OkAsync("AssociateEipsToLoadBalancer", ("loadbalancer", lb), ("eips.1", eips[0]), ("eips.2", eips[1]));
        await h.SucceedsAsync(associate);
        var described = await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb);
        Assert.Equal(eips[..2], described["cluster"]!.AsArray().Select(e => (string)e!["eip_id"]!));
        Assert.Equal("associated", (string?)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eips[1]))["status"]);

        await h.FailsAsync(1400, "AssociateEipsToLoadBalancer", ("loadbalancer", lb), ("eips.1", eips[0]));
        await h.FailsAsync(1400, "ReleaseEips", ("eips.1", eips[0]));
        await h.FailsAsync(2500, "AssociateEipsToLoadBalancer", ("loadbalancer", lb), ("eips.1", eips[2]), ("eips.2", eips[3]), ("eips.3", eips[4]));
        await h.FailsAsync(1400, "DissociateEipsFromLoadBalancer", ("loadbalancer", lb), ("eips.1", eips[2]));
        await h.FailsAsync(1100, "AssociateEipsToLoadBalancer", ("loadbalancer", lb));
        await h.FailsAsync(2100, "AssociateEipsToLoadBalancer", ("loadbalancer", "lb-nothere"), ("eips.1", eips[2]));

        await h.SucceedsAsync(await h.OkAsync("DissociateEipsFromLoadBalancer", ("loadbalancer", lb), ("eips.1", eips[0])));
        Assert.Equal("available", (string?)(await h.DescribeOneAsync("DescribeEips", "eips", "eip_set", eips[0]))["status"]);
        Assert.Equal([eips[1]], (await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb))["cluster"]!.AsArray().Select(e => (string)e!["eip_id"]!));
    }

    [Fact]
    public async Task AtMostFourEipsPerLoadBalancer()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var eips = new[] { await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync(), await h.AllocateAvailableEipAsync() };
        await h.FailsAsync(2500, "CreateLoadBalancer", [.. eips.Select((e, i) => ($"eips.{i + 1}", (object)e))]);
        await h.SucceedsAsync(await h.OkAsync("CreateLoadBalancer", [.. eips.Take(4).Select((e, i) => ($"eips.{i + 1}", (object)e))]));
    }

    [Fact]
    public async Task TheLoadBalancerQuotaAnswers2500()
    {
        await using var h = await EmulatorHarness.StartAsync(o => o.Quotas.LoadBalancers = 1);
        var lb = await h.CreateInternalLbAsync();
        Assert.Contains("quota", await h.FailsAsync(2500, "CreateLoadBalancer", ("vxnet", "vxnet-pn")), StringComparison.Ordinal);
        await h.SucceedsAsync(await h.OkAsync("DeleteLoadBalancers", ("loadbalancers.1", lb)));
        await h.CreateInternalLbAsync();
    }

    [Fact]
    public async Task ALoadBalancerWithoutASecurityGroupSharesTheAccountsDefaultGroupWithTheInstances()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var lb = await h.CreateInternalLbAsync();
        var sgId = (string)(await h.DescribeOneAsync("DescribeLoadBalancers", "loadbalancers", "loadbalancer_set", lb))["security_group_id"]!;
        var sg = await h.DescribeOneAsync("DescribeSecurityGroups", "security_groups", "security_group_set", sgId, ("verbose", 1));
        Assert.Equal((1, "default security group"), ((int)sg["is_default"]!, (string?)sg["security_group_name"]));
        var users = sg["resources"]!.AsArray().Select(r => ((string)r!["resource_type"]!, (string)r["resource_id"]!)).ToList();
        Assert.Equal([("instance", "i-master01"), ("instance", "i-master02"), ("instance", "i-master03"), ("instance", "i-node0001"), ("instance", "i-node0002"), ("instance", "i-node0003"), ("loadbalancer", lb)], users);
        var master = await h.DescribeOneAsync("DescribeInstances", "instances", "instance_set", "i-master01", ("verbose", 1));
        Assert.Equal((sgId, 1), ((string?)master["security_group"]!["security_group_id"], (int)master["security_group"]!["is_default"]!));
        Assert.Single((await h.OkAsync("DescribeSecurityGroups"))["security_group_set"]!.AsArray());
        Assert.Contains("default", await h.FailsAsync(1400, "DeleteSecurityGroups", ("security_groups.1", sgId)), StringComparison.Ordinal);

        var own = (string)(await h.OkAsync("CreateSecurityGroup", ("security_group_name", "own")))["security_group_id"]!;
        var body = await h.OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("security_group", own));
        await h.SucceedsAsync(body);
        Assert.Contains((string)body["loadbalancer_id"]!, await h.FailsAsync(1400, "DeleteSecurityGroups", ("security_groups.1", own)), StringComparison.Ordinal);
        await h.SucceedsAsync(await h.OkAsync("DeleteLoadBalancers", ("loadbalancers.1", (string)body["loadbalancer_id"]!)));
        Assert.Equal(own, (string?)(await h.OkAsync("DeleteSecurityGroups", ("security_groups.1", own)))["security_groups"]![0]);
        await h.FailsAsync(2100, "DescribeSecurityGroupRules", ("security_group", own));
        var rules = await h.OkAsync("DescribeSecurityGroupRules", ("security_group", sgId));
        Assert.Equal(["icmp", "tcp"], rules["security_group_rule_set"]!.AsArray().Select(r => (string)r!["protocol"]!));
        Assert.DoesNotContain(rules["security_group_rule_set"]!.AsArray(), r => (string?)r!["val1"] == "6443");
    }

    [Fact]
    public async Task UpdateValidatesItsTargets()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await h.FailsAsync(1100, "UpdateLoadBalancers");
        await h.FailsAsync(2100, "UpdateLoadBalancers", ("loadbalancers.1", "lb-nothere"));
        await h.FailsAsync(1100, "DeleteLoadBalancers");
        await h.FailsAsync(2100, "DeleteLoadBalancers", ("loadbalancers.1", "lb-nothere"));
    }
}
