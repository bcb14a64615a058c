// Copyright (c) HaCluster contributors. MIT License.
// The tutorial's step 4 drill: stop a master, see its backends go down and the API and console keep answering, start it again.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Stops one master with StopInstances, waits until its backends are <c>down</c>, re-checks the API through the VIP
/// and the console through the EIP, then starts the master again and waits until its backends are <c>up</c>. Once the
/// stop has been asked for, the master is started again whatever happens next — a failed step, a timeout or
/// cancellation — with a token of its own bounded by <see cref="ClusterVerificationRequest.RestartTimeout"/>.
/// </summary>
internal sealed class FailoverDrill
{
    private const int DrillProgressId = 3601;
    private const int WaitProgressId = 3602;

    private readonly ClusterVerifier.Run _run;
    private readonly ClusterVerificationRequest _request;
    private readonly QingCloudClient _client;

    public FailoverDrill(ClusterVerifier.Run run)
    {
        _run = run;
        _request = run.Request;
        _client = run.Client;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var master = _request.ResolveFailoverMaster();
        var failed = _run.Recorder.FailedCount;
        if (failed > 0)
        {
            // Stopping a master of a cluster that is not healthy could take it down: the drill proves HA, it does not test luck.
            _run.Recorder.Record(new HaCheckResult(HaCheckNames.Failover, master.Name, false, $"not run: {failed} check(s) failed, and stopping a master of a cluster that is not healthy could take it down", TimeSpan.Zero));
            return;
        }

        string? instanceId = null;
        var stopAsked = false;
        try
        {
            var stop = await _run.Recorder.RunAsync(HaCheckNames.FailoverStop, master.Name, async t =>
            {
                var instance = await FindInstanceAsync(master, t).ConfigureAwait(false);
                instanceId = instance.InstanceId;
                if (instance.Status != "running" || !instance.IsIdle)
                {
                    return new CheckOutcome(false, $"instance {instance.InstanceId} is {instance.Status}{(instance.IsIdle ? string.Empty : " (" + instance.TransitionStatus + ")")}; the drill starts from a running master");
                }

                Progress($"Stopping {master.Name} ({instance.InstanceId})");
                _run.Observer.Verbose($"Failover drill: stopping {master.Name} (instance {instance.InstanceId}).");
                stopAsked = true;
                await new InstanceService(_client).StopAsync(new[] { instance.InstanceId }, wait: Wait(_request.Timeout), cancellationToken: t).ConfigureAwait(false);
                return new CheckOutcome(true, $"instance {instance.InstanceId} stopped (StopInstances)");
            }, ct).ConfigureAwait(false);
            if (!stop.Passed)
            {
                return;
            }

            Progress($"Waiting for the backends of {master.Name} to be down");
            await _run.Recorder.RunAsync(HaCheckNames.FailoverBackendsDown, master.Name, t => WaitBackendsAsync(instanceId!, up: false, t), ct).ConfigureAwait(false);
            Progress($"Checking the API and the console with {master.Name} stopped");
            await Task.WhenAll(
                _run.ApiViaVipAsync(HaCheckNames.FailoverApiViaVip, ct),
                _run.ConsoleViaEipAsync(HaCheckNames.FailoverConsoleViaEip, ct, master)).ConfigureAwait(false);
        }
        finally
        {
            if (stopAsked)
            {
                await RestartAsync(master, instanceId!, ct).ConfigureAwait(false);
            }

            _run.Observer.Progress(new OperationProgress(DrillProgressId, "Failover drill", "Done") { ParentActivityId = CheckRecorder.ActivityId, Completed = true });
        }
    }

    private async Task RestartAsync(HaHost master, string instanceId, CancellationToken ct)
    {
        Progress($"Starting {master.Name} ({instanceId}) again");
        _run.Observer.Verbose($"Failover drill: starting {master.Name} (instance {instanceId}) again{(ct.IsCancellationRequested ? " after cancellation" : string.Empty)}.");

        // A token of its own: the master comes back even when the drill was cancelled or ran out of time.
        using var restart = new CancellationTokenSource(_request.RestartTimeout);
        var started = await _run.Recorder.RunAsync(HaCheckNames.FailoverStart, master.Name, async t =>
        {
            try
            {
                await new InstanceService(_client).StartAsync(new[] { instanceId }, wait: Wait(_request.RestartTimeout), cancellationToken: t).ConfigureAwait(false);
                return new CheckOutcome(true, $"instance {instanceId} running again (StartInstances)");
            }
            catch (OperationCanceledException) when (restart.IsCancellationRequested)
            {
                return new CheckOutcome(false, $"instance {instanceId} did not start within {_request.RestartTimeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s");
            }
        }, restart.Token).ConfigureAwait(false);
        if (!started.Passed)
        {
            _run.Observer.Warning($"The failover drill could not start {master.Name} again: {started.Detail}. Start it with: Start-QcInstance -InstanceId {instanceId}");
            return;
        }

        if (!ct.IsCancellationRequested)
        {
            Progress($"Waiting for the backends of {master.Name} to be up");
            await _run.Recorder.RunAsync(HaCheckNames.FailoverBackendsUp, master.Name, t => WaitBackendsAsync(instanceId, up: true, t), ct).ConfigureAwait(false);
        }
    }

    private async Task<Instance> FindInstanceAsync(HaHost master, CancellationToken ct)
    {
        var all = await _client.DescribeInstancesAsync(cancellationToken: ct).ConfigureAwait(false);
        var byAddress = all.Where(i => i.VxNets.Any(v => v.PrivateIp == master.InternalAddress || v.PrivateIp == master.Address)).ToList();
        var byName = all.Where(i => string.Equals(i.InstanceName, master.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        var candidates = byAddress.Count > 0 ? byAddress : byName;
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        var which = $"private IP {master.InternalAddress}{(master.Address == master.InternalAddress ? string.Empty : " or " + master.Address)} or name '{master.Name}'";
        throw candidates.Count == 0
            ? new HaClusterException("HaClusterInstanceNotFound", FailureKind.ObjectNotFound, $"no instance has {which}", master.Name)
            : new HaClusterException("HaClusterInstanceAmbiguous", FailureKind.InvalidData, $"{candidates.Count} instances match {which}: {string.Join(", ", candidates.Select(i => i.InstanceId))}", master.Name);
    }

    private async Task<CheckOutcome> WaitBackendsAsync(string instanceId, bool up, CancellationToken ct)
    {
        var ids = new[] { _request.InternalLoadBalancerId, _request.ExternalLoadBalancerId }.Distinct(StringComparer.Ordinal).ToList();
        async Task<IReadOnlyList<Backend>> PollAsync(CancellationToken t)
        {
            var mine = new List<Backend>();
            foreach (var id in ids)
            {
                mine.AddRange((await _client.DescribeLoadBalancerBackendsAsync(loadBalancerId: id, cancellationToken: t).ConfigureAwait(false)).Where(b => b.ResourceId == instanceId));
            }

            return mine;
        }

        string? Pending(IReadOnlyList<Backend> backends)
        {
            if (backends.Count == 0)
            {
                throw new HaClusterException("HaClusterMasterNotBackend", FailureKind.InvalidOperation, $"instance {instanceId} is not a backend of {string.Join(" or ", ids)}, so stopping it proves nothing", instanceId);
            }

            var waiting = backends.Where(b => (b.Status == "up") != up).ToList();
            return waiting.Count == 0 ? null : $"{waiting.Count} of {backends.Count} backend(s) not {(up ? "up" : "down")} yet: {string.Join(", ", waiting.Select(b => $"{b.LoadBalancerId}:{b.Port.ToString(CultureInfo.InvariantCulture)} {b.Status}"))}";
        }

        var state = up ? "up" : "down";
        var done = await ResourceWaiter.WaitUntilAsync(_run.Observer, $"Waiting for the backends of {instanceId} to be {state}", PollAsync, Pending, Wait(_request.Timeout), ct).ConfigureAwait(false);
        return new CheckOutcome(true, $"{done.Count} backend(s) {state}: {string.Join(", ", done.Select(b => $"{b.LoadBalancerId}:{b.Port.ToString(CultureInfo.InvariantCulture)} {b.Status}"))}");
    }

    private WaitOptions Wait(TimeSpan timeout) => new() { Timeout = timeout, ActivityId = WaitProgressId, ParentActivityId = DrillProgressId };

    private void Progress(string status) =>
        _run.Observer.Progress(new OperationProgress(DrillProgressId, "Failover drill", status) { ParentActivityId = CheckRecorder.ActivityId });
}
