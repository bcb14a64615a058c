// Copyright (c) HaCluster contributors. MIT License.
// One in-process emulator per test, with a client signed for its account and an observer that records narration.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Tests.QingCloud;

/// <summary>Starts the real emulator on 127.0.0.1 port 0 and builds clients for it.</summary>
internal sealed class EmulatorScope : IAsyncDisposable
{
    public const string Secret = EmulatorOptions.DefaultSecretAccessKey;

    private EmulatorScope(EmulatorServer server) => Server = server;

    public EmulatorServer Server { get; }

    public RecordingObserver Observer { get; } = new();

    public static async Task<EmulatorScope> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = EmulatorOptions.CreateDefault();
        options.Listen = new Uri("http://127.0.0.1:0");
        options.JobLatencyMs = 50;
        options.LeaseWindowMs = 600;
        configure?.Invoke(options);

        // Control-plane tests on the default 127.0.0.0/24 world: no sockets, so parallel tests never fight over a VIP port.
        return new EmulatorScope(await EmulatorServer.StartAsync(options, new HaCluster.Emulator.DataPlane.InertDataPlane()));
    }

    /// <summary>A context for the emulator's account; <paramref name="path"/> picks /iaas/ or /iaas.</summary>
    public QingCloudContext Context(string path = "/iaas/", string secret = Secret) =>
        new(Server.AccessKeyId, QingCloudContextTests.Secure(secret), EmulatorOptions.DefaultZone, new Uri(Server.BaseAddress, path));

    /// <summary>A client with short back-off so retries do not slow the tests down.</summary>
    public QingCloudClient Client(QingCloudContext? context = null, Action<QingCloudClientOptions>? configure = null)
    {
        var options = new QingCloudClientOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            LeaseRetryDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryAttempts = 20,
        };
        configure?.Invoke(options);
        return new QingCloudClient(context ?? Context(), Observer, options);
    }

    /// <summary>The logged requests of one action.</summary>
    public List<EmulatorRequest> Requests(string action) => Server.GetRequests().Where(r => r.Action == action).ToList();

    /// <summary>The sequence number of the last logged request (0 when none): a mark for "requests after this".</summary>
    public long LastSequence => Server.GetRequests().Select(r => r.Sequence).DefaultIfEmpty(0).Max();

    /// <summary>The values of a request's list parameter, e.g. <c>jobs.1</c>, <c>jobs.2</c>, … for <c>jobs</c>.</summary>
    public static List<string> Named(EmulatorRequest request, string list) =>
        request.Parameters.Where(p => p.Key.StartsWith(list + ".", StringComparison.Ordinal)).Select(p => p.Value).ToList();

    /// <summary>The requests of an action once there are at least <paramref name="count"/> after <paramref name="since"/> (the log is read, nothing is timed).</summary>
    public Task<List<EmulatorRequest>> RequestsOnceAsync(string action, int count, long since = 0) =>
        RequestsOnceAsync(action, requests => requests.Count >= count, since);

    /// <summary>The requests of an action after <paramref name="since"/>, once <paramref name="enough"/> holds for them.</summary>
    public async Task<List<EmulatorRequest>> RequestsOnceAsync(string action, Func<List<EmulatorRequest>, bool> enough, long since = 0)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var requests = Server.GetRequests().Where(r => r.Action == action && r.Sequence > since).ToList();
            if (enough(requests))
            {
                return requests;
            }

            await Task.Delay(20, patience.Token);
        }
    }

    /// <summary>Holds every job before its effect (POST /_emulator/jobs/hold), so "unfinished" is certain.</summary>
    public Task HoldJobsAsync() => PostAsync("_emulator/jobs/hold");

    /// <summary>Lets held jobs finish.</summary>
    public Task ReleaseJobsAsync() => PostAsync("_emulator/jobs/release");

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private async Task PostAsync(string path)
    {
        using var http = new HttpClient();
        using var reply = await http.PostAsync(new Uri(Server.BaseAddress, path), null);
        reply.EnsureSuccessStatusCode();
    }
}

/// <summary>Collects what the engine narrates (an observer implementation, not a stand-in for engine code).</summary>
internal sealed class RecordingObserver : IOperationObserver
{
    public ConcurrentQueue<string> VerboseLines { get; } = new();

    public ConcurrentQueue<string> DebugLines { get; } = new();

    public ConcurrentQueue<OperationProgress> ProgressRecords { get; } = new();

    public IEnumerable<string> AllText => VerboseLines.Concat(DebugLines).Concat(ProgressRecords.Select(p => p.Activity + " " + p.Status + " " + p.CurrentOperation));

    public void Verbose(string message) => VerboseLines.Enqueue(message);

    public void Debug(string message) => DebugLines.Enqueue(message);

    public void Warning(string message) => VerboseLines.Enqueue("WARNING: " + message);

    public void Progress(OperationProgress progress) => ProgressRecords.Enqueue(progress);
}
