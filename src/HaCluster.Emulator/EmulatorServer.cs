// Copyright (c) HaCluster contributors. MIT License.
// Hosts the emulator in-process: Kestrel with the /iaas API and the /_emulator admin routes.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.DataPlane;
using HaCluster.Emulator.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HaCluster.Emulator;

/// <summary>
/// A running QingCloud emulator. Start it with <see cref="StartAsync(EmulatorOptions, CancellationToken)"/>
/// (port 0 in <see cref="EmulatorOptions.Listen"/> picks a free port) and point a client at <see cref="Endpoint"/>;
/// dispose it to stop Kestrel and the data plane.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CloudState _state;
    private readonly JobRunner _jobs;
    private readonly ApiGateway _gateway;
    private readonly RequestLog _log;
    private readonly SemaphoreSlim _resetGate = new(1, 1);
    private int _disposed;

    private EmulatorServer(EmulatorOptions options, ILoadBalancerDataPlane dataPlane, WebApplication app, CloudState state, JobRunner jobs, ApiGateway gateway, RequestLog log)
    {
        Options = options;
        DataPlane = dataPlane;
        _app = app;
        _state = state;
        _jobs = jobs;
        _gateway = gateway;
        _log = log;
    }

    /// <summary>The options it runs with. Timings, faults and quotas are read at each use, so changing them here affects later requests and jobs.</summary>
    public EmulatorOptions Options { get; }

    /// <summary>The data plane it drives (owned: disposed with the server).</summary>
    public ILoadBalancerDataPlane DataPlane { get; }

    /// <summary>Root URL with the real port, e.g. <c>http://127.0.0.1:41234/</c>; admin routes live under <c>_emulator/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The API endpoint, e.g. <c>http://127.0.0.1:41234/iaas/</c>.</summary>
    public Uri Endpoint => new(BaseAddress, "iaas/");

    /// <summary>Access key id of the first configured account.</summary>
    public string AccessKeyId => Options.Accounts[0].AccessKeyId;

    /// <summary>Every supported API action.</summary>
    public IEnumerable<string> SupportedActions => _gateway.Actions.Order(StringComparer.Ordinal);

    /// <summary>
    /// Starts an emulator with <see cref="InertDataPlane"/>: the whole API, but no listener binds a socket and every
    /// backend reports <c>down</c>. Pass a <see cref="LoopbackDataPlane"/> to the other overload for real traffic
    /// (and give each concurrently running emulator its own VxNet/EIP addresses, or their listeners collide).
    /// </summary>
    /// <param name="options">Options (validated here).</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="EmulatorConfigException">The options are invalid.</exception>
    public static Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, new InertDataPlane(), cancellationToken);

    /// <summary>Starts an emulator driving the given data plane (e.g. <c>new LoopbackDataPlane(options.HealthCheckTimeScale)</c>), which the server then owns.</summary>
    /// <param name="options">Options (validated here).</param>
    /// <param name="dataPlane">Traffic forwarding; disposed with the server.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="EmulatorConfigException">The options are invalid.</exception>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, ILoadBalancerDataPlane dataPlane, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataPlane);
        options.Validate();
        var state = new CloudState(options);
        var jobs = new JobRunner(state);
        var log = new RequestLog();
        var gateway = new ApiGateway(state, jobs, dataPlane, log);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(ListenAddress(options.Listen), options.Listen.Port);

            // Batch calls (50 listeners, 100 backends) put long query strings on one GET line.
            k.Limits.MaxRequestLineSize = 256 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 288 * 1024;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var server = new EmulatorServer(options, dataPlane, app, state, jobs, gateway, log);
        server.MapRoutes();
        SyncInstances(state, dataPlane);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await dataPlane.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var host = IPAddress.TryParse(bound.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            ? "127.0.0.1"
            : bound.Host;
        server.BaseAddress = new Uri($"http://{host}:{bound.Port}/");
        return server;
    }

    /// <summary>A copy of the request log, oldest first.</summary>
    /// <returns>The requests.</returns>
    public IReadOnlyList<EmulatorRequest> GetRequests() => _log.Snapshot();

    /// <summary>Empties the request log.</summary>
    public void ClearRequests() => _log.Clear();

    /// <summary>
    /// Holds every asynchronous job (and delayed change such as an EIP becoming available) before its effect until
    /// <see cref="ReleaseJobs"/>, so a test can make a job outlast a wait deterministically, whatever the machine's speed
    /// (<c>POST /_emulator/jobs/hold</c>).
    /// </summary>
    /// <returns>True when this call started the hold.</returns>
    public bool HoldJobs() => _jobs.Hold();

    /// <summary>Lets held jobs finish (<c>POST /_emulator/jobs/release</c>); a reset releases them too.</summary>
    /// <returns>True when jobs were held.</returns>
    public bool ReleaseJobs() => _jobs.Release();

    /// <summary>The whole state as JSON (what <c>GET /_emulator/state</c> returns).</summary>
    /// <returns>One array per resource kind.</returns>
    public JsonObject GetState() => StateDump.Build(_state);

    /// <summary>Back to the configured initial state: jobs abandoned, resources and data-plane bindings removed, log cleared, fault and id sequences restarted.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        await _resetGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _jobs.StopAllAsync().ConfigureAwait(false);
            _jobs.Release(); // held jobs were abandoned with the rest; new ones run freely
            List<string> applied;
            lock (_state.Gate)
            {
                applied = [.. _state.LoadBalancers.Values.Where(l => l.Applied is not null).Select(l => l.Id)];
                _state.Load();
            }

            foreach (var id in applied)
            {
                await DataPlane.RemoveAsync(id).ConfigureAwait(false);
            }

            SyncInstances(_state, DataPlane);
            _gateway.ResetFaults();
            _log.Clear();
        }
        finally
        {
            _resetGate.Release();
        }
    }

    /// <summary>Stops Kestrel, abandons jobs and disposes the data plane (releasing every port).</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _jobs.StopAllAsync().ConfigureAwait(false);
        await DataPlane.DisposeAsync().ConfigureAwait(false);
        _resetGate.Dispose();
    }

    private static IPAddress ListenAddress(Uri listen) =>
        listen.IsLoopback && !IPAddress.TryParse(listen.Host.Trim('[', ']'), out _)
            ? IPAddress.Loopback // "localhost": one concrete address, so port 0 works.
            : IPAddress.Parse(listen.Host.Trim('[', ']'));

    private static void SyncInstances(CloudState state, ILoadBalancerDataPlane dataPlane)
    {
        List<(string Id, bool Running)> instances;
        lock (state.Gate)
        {
            instances = [.. state.Instances.Values.Select(i => (i.Id, i.Status == "running"))];
        }

        foreach (var (id, running) in instances)
        {
            dataPlane.SetInstanceRunning(id, running);
        }
    }

    private void MapRoutes()
    {
        // One route serves both /iaas and /iaas/ (routing ignores a trailing slash); the gateway signs with the literal path.
        _app.MapMethods("/iaas", [HttpMethods.Get, HttpMethods.Post], _gateway.HandleAsync);
        _app.MapGet("/_emulator/requests", (HttpContext http) => Results.Json(AdminRequests(http.Request.Query["action"], http.Request.Query["since"])));
        _app.MapDelete("/_emulator/requests", () =>
        {
            ClearRequests();
            return Results.Json(new JsonObject { ["cleared"] = true });
        });
        _app.MapPost("/_emulator/reset", async (HttpContext http) =>
        {
            await ResetAsync(http.RequestAborted).ConfigureAwait(false);
            return Results.Json(new JsonObject { ["reset"] = true });
        });
        _app.MapGet("/_emulator/state", () => Results.Json(GetState()));
        _app.MapPost("/_emulator/jobs/hold", () => Results.Json(new JsonObject { ["held"] = true, ["changed"] = HoldJobs() }));
        _app.MapPost("/_emulator/jobs/release", () => Results.Json(new JsonObject { ["held"] = false, ["changed"] = ReleaseJobs() }));
    }

    private JsonObject AdminRequests(string? action, string? since)
    {
        var after = long.TryParse(since, out var n) ? n : 0;
        var entries = GetRequests().Where(r => r.Sequence > after && (string.IsNullOrEmpty(action) || r.Action == action)).ToList();
        return new JsonObject
        {
            ["requests"] = Render.Array(entries.Select(r => new JsonObject
            {
                ["sequence"] = r.Sequence,
                ["time"] = r.Time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["method"] = r.Method,
                ["path"] = r.Path,
                ["action"] = r.Action,
                ["params"] = new JsonObject(r.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["ret_code"] = r.RetCode,
                ["message"] = r.Message,
                ["fault"] = r.Fault,
            })),
            ["total_count"] = entries.Count,
        };
    }
}
