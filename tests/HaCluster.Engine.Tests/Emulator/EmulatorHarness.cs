// Copyright (c) HaCluster contributors. MIT License.
// Test host: an in-process emulator on its own loopback /24 plus a raw signed-request client.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator;
using HaCluster.Emulator.DataPlane;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Emulator;

/// <summary>A running emulator for one test and a client that signs requests by hand (§1.3).</summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    private static int _subnet;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private EmulatorHarness(EmulatorServer server, string subnet)
    {
        Server = server;
        Subnet = subnet;
    }

    /// <summary>The server.</summary>
    public EmulatorServer Server { get; }

    /// <summary>This test's VxNet prefix, e.g. <c>127.20.7</c> (instances on .2-.7).</summary>
    public string Subnet { get; }

    /// <summary>
    /// Options for a test: the six demo instances on 127.20.N.0/24 (N unique per test, inside this helper's loopback
    /// range, so real listeners never collide), EIP pool 127.20.(128+N).0/24, 20 ms jobs, no lease window.
    /// </summary>
    /// <param name="configure">Further changes.</param>
    /// <returns>Options.</returns>
    public static EmulatorOptions Options(Action<EmulatorOptions>? configure = null)
    {
        var n = (Interlocked.Increment(ref _subnet) % 120) + 1;
        var o = EmulatorOptions.CreateDefault();
        o.Listen = new Uri("http://127.0.0.1:0");
        o.VxNets[0].IpNetwork = $"127.20.{n}.0/24";
        for (var i = 0; i < o.Instances.Count; i++)
        {
            o.Instances[i].PrivateIp = $"127.20.{n}.{i + 2}";
        }

        o.EipPool = $"127.20.{128 + n}.0/24";
        o.JobLatencyMs = 20;
        o.LeaseWindowMs = 0;
        configure?.Invoke(o);
        return o;
    }

    /// <summary>Starts an emulator with <see cref="Options"/>.</summary>
    /// <param name="configure">Further changes.</param>
    /// <returns>The harness.</returns>
    public static async Task<EmulatorHarness> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = Options(configure);
        // The real data plane: every test has its own addresses, so listeners never collide.
        var server = await EmulatorServer.StartAsync(options, new LoopbackDataPlane(options.HealthCheckTimeScale));
        var subnet = options.VxNets[0].IpNetwork.Replace(".0/24", string.Empty, StringComparison.Ordinal);
        return new EmulatorHarness(server, subnet);
    }

    /// <summary>The common parameters of a fresh, valid request.</summary>
    /// <param name="action">Action.</param>
    /// <returns>Parameters.</returns>
    public static Dictionary<string, string> Common(string action) => new(StringComparer.Ordinal)
    {
        ["action"] = action,
        ["zone"] = EmulatorOptions.DefaultZone,
        ["access_key_id"] = EmulatorOptions.DefaultAccessKeyId,
        ["signature_method"] = "HmacSHA256",
        ["signature_version"] = "1",
        ["version"] = "1",
        ["time_stamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Sends a signed request and parses the JSON body (asserting HTTP 200 + application/json).</summary>
    /// <param name="parameters">Every parameter (signature added here).</param>
    /// <param name="method">GET or POST (form body).</param>
    /// <param name="path">Literal path to request and sign.</param>
    /// <param name="secret">Secret to sign with.</param>
    /// <param name="signPath">Path to sign, when different from <paramref name="path"/>.</param>
    /// <returns>The body.</returns>
    public async Task<JsonObject> SendAsync(IDictionary<string, string> parameters, string method = "GET", string path = "/iaas/", string secret = EmulatorOptions.DefaultSecretAccessKey, string? signPath = null)
    {
        var (status, mediaType, text) = await SendRawAsync(parameters, method, path, secret, signPath);
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal("application/json", mediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(System.Text.Json.JsonValueKind.Number, JsonValueKind(body["ret_code"]));
        return body;
    }

    /// <summary>Sends a signed request and returns the HTTP status, media type and body text as they came.</summary>
    /// <param name="parameters">Every parameter (signature added here).</param>
    /// <param name="method">GET or POST (form body).</param>
    /// <param name="path">Literal path to request and sign.</param>
    /// <param name="secret">Secret to sign with.</param>
    /// <param name="signPath">Path to sign, when different from <paramref name="path"/>.</param>
    /// <returns>Status, media type and body.</returns>
    public async Task<(System.Net.HttpStatusCode Status, string? MediaType, string Body)> SendRawAsync(IDictionary<string, string> parameters, string method = "GET", string path = "/iaas/", string secret = EmulatorOptions.DefaultSecretAccessKey, string? signPath = null)
    {
        var query = QingCloudSigner.CanonicalQuery(parameters) + "&signature=" + Uri.EscapeDataString(QingCloudSigner.Sign(method, signPath ?? path, parameters, secret));
        using var request = method == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, new Uri(Server.BaseAddress, path + "?" + query))
            : new HttpRequestMessage(HttpMethod.Post, new Uri(Server.BaseAddress, path)) { Content = new StringContent(query, Encoding.UTF8, "application/x-www-form-urlencoded") };

        // A fresh connection per call: a reused one would let HttpClient silently resend after a dropped connection.
        request.Headers.ConnectionClose = true;
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Calls an action with extra parameters; returns the body whatever the ret_code.</summary>
    /// <param name="action">Action.</param>
    /// <param name="args">Extra parameters.</param>
    /// <returns>The body.</returns>
    public Task<JsonObject> CallAsync(string action, params (string Name, object Value)[] args)
    {
        var p = Common(action);
        foreach (var (name, value) in args)
        {
            p[name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
        }

        return SendAsync(p);
    }

    /// <summary>Calls an action and asserts ret_code 0 and the response action name.</summary>
    /// <param name="action">Action.</param>
    /// <param name="args">Extra parameters.</param>
    /// <returns>The body.</returns>
    public async Task<JsonObject> OkAsync(string action, params (string Name, object Value)[] args)
    {
        var body = await CallAsync(action, args);
        Assert.True((int)body["ret_code"]! == 0, $"{action} answered {body.ToJsonString()}");
        Assert.Equal(action + "Response", (string?)body["action"]);
        return body;
    }

    /// <summary>Calls an action and asserts the ret_code and a message.</summary>
    /// <param name="retCode">Expected ret_code.</param>
    /// <param name="action">Action.</param>
    /// <param name="args">Extra parameters.</param>
    /// <returns>The message.</returns>
    public async Task<string> FailsAsync(int retCode, string action, params (string Name, object Value)[] args)
    {
        var body = await CallAsync(action, args);
        Assert.True((int)body["ret_code"]! == retCode, $"{action}: expected {retCode}, got {body.ToJsonString()}");
        Assert.Equal(action + "Response", (string?)body["action"]);
        var message = (string?)body["message"];
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }

    /// <summary>Polls DescribeJobs (short, then backing off) until the job ends; returns it.</summary>
    /// <param name="jobId">Job id.</param>
    /// <returns>The job object.</returns>
    public async Task<JsonObject> WaitJobAsync(string jobId)
    {
        var delay = 5;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var body = await OkAsync("DescribeJobs", ("jobs.1", jobId));
            var job = body["job_set"]!.AsArray().Single()!.AsObject();
            if ((string?)job["status"] is "successful" or "failed")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not end: {job.ToJsonString()}");
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 100);
        }
    }

    /// <summary>Waits for a job and asserts it succeeded.</summary>
    /// <param name="body">A response carrying <c>job_id</c>.</param>
    /// <returns>A task.</returns>
    public async Task SucceedsAsync(JsonObject body)
    {
        var job = await WaitJobAsync((string)body["job_id"]!);
        Assert.Equal("successful", (string?)job["status"]);
    }

    /// <summary>Describes one resource by id.</summary>
    /// <param name="action">Describe action.</param>
    /// <param name="idsParam">Id list name.</param>
    /// <param name="setName">Result set name.</param>
    /// <param name="id">The id.</param>
    /// <param name="args">Extra parameters.</param>
    /// <returns>The item.</returns>
    public async Task<JsonObject> DescribeOneAsync(string action, string idsParam, string setName, string id, params (string Name, object Value)[] args)
    {
        var body = await OkAsync(action, [(idsParam + ".1", id), .. args]);
        return body[setName]!.AsArray().Single()!.AsObject();
    }

    /// <summary>Creates an internal LB in vxnet-pn and waits until it is active.</summary>
    /// <param name="name">LB name.</param>
    /// <returns>The LB id.</returns>
    public async Task<string> CreateInternalLbAsync(string name = "k8s-internal")
    {
        var body = await OkAsync("CreateLoadBalancer", ("vxnet", "vxnet-pn"), ("loadbalancer_name", name));
        await SucceedsAsync(body);
        return (string)body["loadbalancer_id"]!;
    }

    /// <summary>Allocates an EIP and polls until it is available.</summary>
    /// <returns>The EIP id.</returns>
    public async Task<string> AllocateAvailableEipAsync()
    {
        var id = (string)(await OkAsync("AllocateEips", ("bandwidth", 10), ("eip_name", "lb-eip")))["eips"]![0]!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((string?)(await DescribeOneAsync("DescribeEips", "eips", "eip_set", id))["status"] != "available")
        {
            Assert.True(DateTime.UtcNow < deadline, "EIP never became available");
            await Task.Delay(10);
        }

        return id;
    }

    /// <summary>Adds one TCP listener and returns its id.</summary>
    /// <param name="lbId">LB.</param>
    /// <param name="port">Port.</param>
    /// <returns>Listener id.</returns>
    public async Task<string> AddListenerAsync(string lbId, int port = 6443) =>
        (string)(await OkAsync(
            "AddLoadBalancerListeners",
            ("loadbalancer", lbId),
            ("listeners.1.listener_port", port),
            ("listeners.1.listener_protocol", "tcp"),
            ("listeners.1.backend_protocol", "tcp"),
            ("listeners.1.balance_mode", "roundrobin")))["loadbalancer_listeners"]![0]!;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }

    private static System.Text.Json.JsonValueKind JsonValueKind(JsonNode? node) =>
        node?.GetValueKind() ?? System.Text.Json.JsonValueKind.Undefined;
}
