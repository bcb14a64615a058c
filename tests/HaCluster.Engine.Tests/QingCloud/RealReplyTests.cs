// Copyright (c) HaCluster contributors. MIT License.
// Real QingCloud replies (tests/Fixtures/qingcloud-replies) check both sides: the client reads them right, and the
// emulator answers the same actions with the same fields and JSON kinds.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Tests.Emulator;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class RealReplyTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "qingcloud-replies");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "Describe*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            data.Add(file!);
        }

        return data;
    }

    [Fact]
    public void TheCorpusHoldsTenRealRepliesEachWithItsSource()
    {
        var sources = File.ReadAllText(Path.Combine(Folder, "SOURCES.md"));
        var files = Directory.GetFiles(Folder, "Describe*.json").Select(Path.GetFileName).ToList();
        Assert.True(files.Count >= 10, $"only {files.Count} replies");
        Assert.All(files, f => Assert.Contains("| " + f + " |", sources, StringComparison.Ordinal));
        Assert.Equal(9, files.Select(f => f!.Split('.')[0]).Distinct().Count());
    }

    // ---- Direction 1: the client reads each real reply, served over HTTP as it came.

    [Fact]
    public async Task APublicLoadBalancersEipIsReadFromClusterWhenEipsIsEmpty()
    {
        using var replay = new Replay();
        var lb = (await replay.Client.DescribeLoadBalancersAsync(new[] { "lb-lmld6diw" })).Single();
        Assert.Empty(lb.Eips);
        Assert.Equal("eip-ekre2wcl", lb.Eip?.EipId);
        Assert.Equal("139.198.11.67", lb.EipAddress);
        Assert.Equal("139.198.11.67", lb.Address);
        Assert.Null(lb.Vip); // 198.19.0.100 is the LB node's own address
        Assert.Equal(("vxnet-0", "sg-lufujop2", 1, "lb02"), (lb.VxNetId, lb.SecurityGroupId, lb.NodeCount, lb.LoadBalancerName));
        Assert.True(lb.IsApplied);
        Assert.Equal(new DateTime(2017, 5, 31, 6, 6, 45, DateTimeKind.Utc), lb.CreateTime);
    }

    [Fact]
    public async Task TheDocsLoadBalancerWithNullDescriptionAndAVerboseListenerIsRead()
    {
        using var replay = new Replay("DescribeLoadBalancers.docs.json");
        var lb = (await replay.Client.DescribeLoadBalancersAsync(new[] { "lb-mgfypyqc" }, verbose: true)).Single();
        Assert.Equal(("lb-mgfypyqc", false, (string?)null, ""), (lb.LoadBalancerId, lb.IsApplied, lb.Description, lb.SecurityGroupId));
        Assert.Null(lb.Address);
        var listener = Assert.Single(lb.Listeners);
        Assert.Equal(("lbl-1234abcd", 80, "http", (string?)null), (listener.ListenerId, listener.ListenerPort, listener.ListenerProtocol, listener.ListenerName));
    }

    [Fact]
    public async Task ListenersAreRead()
    {
        using var replay = new Replay();
        var l = (await replay.Client.DescribeLoadBalancerListenersAsync(loadBalancerId: "lb-lmld6diw")).Single();
        Assert.Equal(("lbl-0b307ovo", "httpMonitor", 80, "http", "roundrobin", 2, 50), (l.ListenerId, l.ListenerName, l.ListenerPort, l.ListenerProtocol, l.BalanceMode, l.ListenerOption, l.Timeout));
        Assert.Empty(l.ServerCertificateIds); // "" when there is no certificate
        Assert.Equal("20|5|2|5", l.HealthyCheckOption);
    }

    [Fact]
    public async Task BackendsAreRead()
    {
        using var replay = new Replay();
        var backends = await replay.Client.DescribeLoadBalancerBackendsAsync(loadBalancerId: "lb-1234abcd");
        Assert.Equal(new[] { ("i-q9k5xmsl", 80, 1), ("rtr-auehirx5", 8081, 1) }, backends.Select(b => (b.ResourceId, b.Port, b.Weight)));
        Assert.All(backends, b => Assert.Null(b.BackendName));
    }

    [Fact]
    public async Task TheDefaultSecurityGroupAndTheInstanceUsingItAreRead()
    {
        using var replay = new Replay();
        var sg = (await replay.Client.DescribeSecurityGroupsAsync(verbose: true)).Single();
        Assert.Equal(("sg-z13kokni", true, true, "default security group"), (sg.SecurityGroupId, sg.IsDefault, sg.IsApplied, sg.SecurityGroupName));
        Assert.Equal(("i-ogbndull", "instance"), (sg.Resources.Single().ResourceId, sg.Resources.Single().ResourceType));
    }

    [Fact]
    public async Task RulesAreReadAndDirectionIsAlwaysSent()
    {
        using var replay = new Replay();
        var rules = await replay.Client.DescribeSecurityGroupRulesAsync("sg-nlqi5sa1", direction: 0);
        Assert.Equal(new[] { ("sgr-0jzv8t0q", "tcp", 1, "8080", "8088", 0), ("sgr-vqxvzjg3", "icmp", 2, "11", "0", 1) }, rules.Select(r => (r.SecurityGroupRuleId, r.Protocol!, r.Priority, r.Val1!, r.Val2!, r.Direction)));
        Assert.Null(rules[0].Val3);

        replay.Queries.Clear();
        await replay.Client.DescribeSecurityGroupRulesAsync("sg-nlqi5sa1");
        Assert.Equal(new[] { "0", "1" }, replay.Queries.Select(q => q.GetValueOrDefault("direction")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EipsAreRead()
    {
        using var replay = new Replay();
        var eip = (await replay.Client.DescribeEipsAsync(new[] { "eip-amorzjgv" })).Single();
        Assert.Equal(("eip-amorzjgv", "192.168.7.69", "associated", 4, 0, "traffic"), (eip.EipId, eip.EipAddr, eip.Status, eip.Bandwidth, eip.AssociateMode, eip.BillingMode!));
        Assert.Equal(("rtr-b0u6sdj6", "router"), (eip.Resource?.ResourceId, eip.Resource?.ResourceType));
        Assert.True(eip.IsIdle);
    }

    [Fact]
    public async Task JobsAreRead()
    {
        using var replay = new Replay();
        var job = (await replay.Client.DescribeJobsAsync(new[] { "j-37amqany" })).Single();
        Assert.Equal(("j-37amqany", "successful", true, "eip-1234abcd"), (job.JobId, job.Status, job.IsFinished, job.ResourceIds.Single()));
        Assert.Null(job.JobAction);
    }

    [Fact]
    public async Task VxNetsAndTheirCidrAreRead()
    {
        using var replay = new Replay();
        var vxnet = (await replay.Client.DescribeVxNetsAsync(new[] { "vxnet-ytuyg2q" })).Single();
        Assert.Equal(("vxnet-ytuyg2q", "test", 1, "192.168.100.0/24"), (vxnet.VxNetId, vxnet.VxNetName, vxnet.VxNetType, vxnet.IpNetwork));
    }

    [Fact]
    public async Task InstancesAreReadWithAStringBandwidth()
    {
        using var replay = new Replay();
        var i = (await replay.Client.DescribeInstancesAsync(new[] { "i-ogbndull" })).Single();
        Assert.Equal(("i-ogbndull", "running", 1, 1024), (i.InstanceId, i.Status, i.VcpusCurrent, i.MemoryCurrent));
        Assert.Equal("10.50.13.54", i.VxNets.Single().PrivateIp);
        Assert.Equal("121.201.5.5", i.Eip?.EipAddr);
    }

    [Fact]
    public async Task ANullInAnIntegerFieldReadsAsZeroInsteadOfFailingTheDescribe()
    {
        var text = File.ReadAllText(Path.Combine(Folder, "DescribeLoadBalancers.public-vxnet0.ccm.json"))
            .Replace("\"node_count\": 1", "\"node_count\": null", StringComparison.Ordinal)
            .Replace("\"loadbalancer_type\": 0", "\"loadbalancer_type\": null", StringComparison.Ordinal);
        Assert.Contains("\"node_count\": null", text, StringComparison.Ordinal);
        using var replay = new Replay(text: text);
        var lb = (await replay.Client.DescribeLoadBalancersAsync()).Single();
        Assert.Equal((0, 0, "139.198.11.67"), (lb.NodeCount, lb.LoadBalancerType, lb.EipAddress));
    }

    // ---- Direction 2: the emulator answers the same actions with the same fields and kinds.

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task TheEmulatorAnswersLikeTheRealReply(string file)
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!.AsObject();
        var action = ((string)fixture["action"]!).Replace("Response", string.Empty, StringComparison.Ordinal);
        var setName = fixture.Select(p => p.Key).Single(k => k.EndsWith("_set", StringComparison.Ordinal));
        await using var h = await EmulatorHarness.StartAsync();
        var world = await World.BuildAsync(h);
        var reply = await h.OkAsync(action, world.Request(file));

        var problems = new List<string>();
        CompareEnvelope(fixture, reply, problems);
        var emulated = reply[setName]!.AsArray().Select(n => n!.AsObject()).Where(world.Picker(file)).FirstOrDefault();
        Assert.True(emulated is not null, $"{action}: the emulator returned no item of the fixture's kind: {reply.ToJsonString()}");
        var documented = Documented(action);
        foreach (var item in fixture[setName]!.AsArray())
        {
            Compare(item!, emulated!, setName + "[]", documented, problems);
        }

        Assert.True(problems.Count == 0, $"{file}: the emulator's {action} differs from the real reply:\n  " + string.Join("\n  ", problems));
    }

    // Fields of the action's items the emulator may send beyond a given example: every field any real reply of the
    // action shows, and the official Go SDK's declared fields for the type.
    private static HashSet<string> Documented(string action)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Folder, action + ".*json"))
        {
            var reply = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var item in reply.Single(p => p.Key.EndsWith("_set", StringComparison.Ordinal)).Value!.AsArray())
            {
                set.UnionWith(item!.AsObject().Select(p => p.Key));
            }
        }

        var sdk = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "go-sdk-fields.json")))!.AsObject();
        set.UnionWith(sdk[action]!.AsArray().Select(n => (string)n!));
        return set;
    }

    // A verbose LB lists its listeners, a verbose listener its backends: items of those actions.
    private static HashSet<string>? Nested(string key) => key switch
    {
        "listeners" => Documented("DescribeLoadBalancerListeners"),
        "backends" => Documented("DescribeLoadBalancerBackends"),
        _ => null,
    };

    private static void CompareEnvelope(JsonObject fixture, JsonObject reply, List<string> problems)
    {
        foreach (var key in new[] { "action", "ret_code", "total_count" })
        {
            if (fixture.ContainsKey(key) && Kind(reply[key]) != Kind(fixture[key]))
            {
                problems.Add($"{key}: the real reply has a {Kind(fixture[key])}, the emulator {(reply.ContainsKey(key) ? "a " + Kind(reply[key]) : "nothing")}");
            }
        }
    }

    private static void Compare(JsonNode real, JsonNode emulated, string path, HashSet<string>? documented, List<string> problems)
    {
        if (real is JsonObject realObject && emulated is JsonObject emulatedObject)
        {
            foreach (var (key, value) in realObject)
            {
                if (!emulatedObject.TryGetPropertyValue(key, out var mine))
                {
                    problems.Add($"{path}.{key}: in the real reply ({Kind(value)}), missing from the emulator's");
                }
                else if (value is not null)
                {
                    if (mine is null || Kind(mine) != Kind(value))
                    {
                        problems.Add($"{path}.{key}: the real reply has a {Kind(value)}, the emulator a {Kind(mine)}");
                    }
                    else
                    {
                        Compare(value, mine, path + "." + key, Nested(key), problems);
                    }
                }
            }

            foreach (var key in emulatedObject.Select(p => p.Key))
            {
                if (!realObject.ContainsKey(key) && !(documented?.Contains(key) ?? false))
                {
                    problems.Add($"{path}.{key}: invented by the emulator (no real reply or official type has it)");
                }
            }
        }
        else if (real is JsonArray realArray && emulated is JsonArray emulatedArray && realArray.Count > 0)
        {
            foreach (var element in emulatedArray)
            {
                if (element is null || Kind(element) != Kind(realArray[0]))
                {
                    problems.Add($"{path}[]: the real reply's elements are {Kind(realArray[0])}s, the emulator's {Kind(element)}");
                }
                else
                {
                    Compare(realArray[0]!, element, path + "[]", documented, problems);
                }
            }
        }
    }

    private static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null => JsonValueKind.Null,
        JsonValueKind.True or JsonValueKind.False => JsonValueKind.True,
        var kind => kind!.Value,
    };

    /// <summary>The resources whose Describe replies are compared, made through the API in one emulator.</summary>
    private sealed class World
    {
        public string PublicLb { get; private set; } = string.Empty;

        public string InternalLb { get; private set; } = string.Empty;

        public string Listener { get; private set; } = string.Empty;

        public string Eip { get; private set; } = string.Empty;

        public static async Task<World> BuildAsync(EmulatorHarness h)
        {
            var w = new World { Eip = await h.AllocateAvailableEipAsync() };
            var created = await h.OkAsync("CreateLoadBalancer", ("eips.1", w.Eip), ("loadbalancer_name", "public"));
            await h.SucceedsAsync(created);
            w.PublicLb = (string)created["loadbalancer_id"]!;
            w.InternalLb = await h.CreateInternalLbAsync("internal");
            w.Listener = (string)(await h.OkAsync(
                "AddLoadBalancerListeners",
                ("loadbalancer", w.PublicLb),
                ("listeners.1.listener_port", 80),
                ("listeners.1.listener_protocol", "http"),
                ("listeners.1.backend_protocol", "http"),
                ("listeners.1.balance_mode", "roundrobin")))["loadbalancer_listeners"]![0]!;
            await h.OkAsync("AddLoadBalancerListeners", ("loadbalancer", w.InternalLb), ("listeners.1.listener_port", 80), ("listeners.1.listener_protocol", "http"), ("listeners.1.backend_protocol", "http"));
            await h.OkAsync("AddLoadBalancerBackends", ("loadbalancer_listener", w.Listener), ("backends.1.resource_id", "i-node0001"), ("backends.1.port", 80), ("backends.1.weight", 1));
            return w;
        }

        public (string, object)[] Request(string file) => file.Split('.')[0] switch
        {
            "DescribeLoadBalancers" when file.Contains("public", StringComparison.Ordinal) => [("loadbalancers.1", PublicLb)],
            "DescribeLoadBalancers" => [("loadbalancers.1", InternalLb), ("verbose", 1)],
            "DescribeLoadBalancerListeners" => [("loadbalancer_listeners.1", Listener)],
            "DescribeLoadBalancerBackends" => [("loadbalancer", PublicLb)],
            "DescribeSecurityGroups" => [("verbose", 1)],
            "DescribeSecurityGroupRules" => [("direction", 0)],
            "DescribeEips" => [("eips.1", Eip)],
            "DescribeInstances" => [("instances.1", "i-master01"), ("verbose", 1)],
            _ => [],
        };

        public Func<JsonObject, bool> Picker(string file) => file.Split('.')[0] switch
        {
            "DescribeSecurityGroups" => sg => (int?)sg["is_default"] == 1,
            _ => _ => true,
        };
    }

    /// <summary>Answers every request with the fixture of its action (or given text), recording the queries.</summary>
    private sealed class Replay : HttpMessageHandler
    {
        private readonly string? _file;
        private readonly string? _text;
        private readonly HttpClient _http;

        public Replay(string? file = null, string? text = null)
        {
            _file = file;
            _text = text;
            _http = new HttpClient(this);
            var context = new QingCloudContext("QYACCESSKEYIDEXAMPLE", QingCloudContextTests.Secure("SECRETACCESSKEY"), "pek3a", new Uri("http://127.0.0.1:9/iaas/"));
            Client = new QingCloudClient(context, null, new QingCloudClientOptions { HttpClient = _http, MaxRetryAttempts = 0 });
        }

        public QingCloudClient Client { get; }

        public ConcurrentQueue<Dictionary<string, string>> Queries { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = request.RequestUri!.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
            Queries.Enqueue(query);
            var body = _text ?? File.ReadAllText(Directory.GetFiles(Folder, (_file ?? query["action"] + ".*") + (_file is null ? "json" : string.Empty)).Order(StringComparer.Ordinal).Last());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _http.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
