// Copyright (c) HaCluster contributors. MIT License.
// Stops and starts instances and waits for the new status (the HA check's "shut a master down").

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>Power changes of instances: StopInstances / StartInstances, then the job, then the status.</summary>
public sealed class InstanceService
{
    private readonly QingCloudClient _client;
    private readonly ResourceLookup _lookup;

    /// <summary>Creates the service.</summary>
    /// <param name="client">The client to call QingCloud with.</param>
    public InstanceService(QingCloudClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _lookup = new ResourceLookup(client);
    }

    /// <summary>Stops running instances and waits until they are <c>stopped</c>; already stopped ones are left alone.</summary>
    /// <param name="instanceIds">The instances.</param>
    /// <param name="force">Power off at once instead of shutting down.</param>
    /// <param name="noWait">Return right after StopInstances.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The instances as last described.</returns>
    /// <exception cref="HaClusterException"><c>QcInstanceNotFound</c> or <c>QcInstanceInvalidState</c> (nothing changes).</exception>
    public Task<IReadOnlyList<Instance>> StopAsync(IEnumerable<string> instanceIds, bool force = false, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default) =>
        ChangePowerAsync(instanceIds, "running", "stopped", (ids, ct) => _client.StopInstancesAsync(ids, force, ct), noWait, wait, cancellationToken);

    /// <summary>Starts stopped instances and waits until they are <c>running</c>; running ones are left alone.</summary>
    /// <param name="instanceIds">The instances.</param>
    /// <param name="noWait">Return right after StartInstances.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The instances as last described.</returns>
    /// <exception cref="HaClusterException"><c>QcInstanceNotFound</c> or <c>QcInstanceInvalidState</c> (nothing changes).</exception>
    public Task<IReadOnlyList<Instance>> StartAsync(IEnumerable<string> instanceIds, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default) =>
        ChangePowerAsync(instanceIds, "stopped", "running", (ids, ct) => _client.StartInstancesAsync(ids, ct), noWait, wait, cancellationToken);

    private async Task<IReadOnlyList<Instance>> ChangePowerAsync(
        IEnumerable<string> instanceIds,
        string from,
        string to,
        Func<IReadOnlyList<string>, CancellationToken, Task<string>> call,
        bool noWait,
        WaitOptions? wait,
        CancellationToken cancellationToken)
    {
        var instances = await _lookup.InstancesAsync(instanceIds, cancellationToken).ConfigureAwait(false);
        var ids = instances.Select(i => i.InstanceId).ToList();
        if (instances.Any(i => !i.IsIdle))
        {
            instances = await _client.WaitForInstancesAsync(ids, null, wait, cancellationToken).ConfigureAwait(false);
        }

        if (instances.FirstOrDefault(i => i.Status != from && i.Status != to) is { } odd)
        {
            throw new HaClusterException("QcInstanceInvalidState", FailureKind.InvalidOperation, $"Instance {odd.InstanceId} ({odd.InstanceName}) is {odd.Status}; only a {from} instance can become {to}.", odd.InstanceId);
        }

        var change = instances.Where(i => i.Status == from).Select(i => i.InstanceId).ToList();
        foreach (var done in instances.Where(i => i.Status == to))
        {
            _client.Observer.Verbose($"Instance {done.InstanceId} ({done.InstanceName}) is already {to}.");
        }

        if (change.Count == 0)
        {
            return instances;
        }

        _client.Observer.Verbose($"Instance(s) {string.Join(", ", change)}: {from} -> {to}.");
        var job = await call(change, cancellationToken).ConfigureAwait(false);
        if (noWait)
        {
            return await _lookup.InstancesAsync(ids, cancellationToken).ConfigureAwait(false);
        }

        await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
        return await _client.WaitForInstancesAsync(ids, to, wait, cancellationToken).ConfigureAwait(false);
    }
}
