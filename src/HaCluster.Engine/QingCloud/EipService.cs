// Copyright (c) HaCluster contributors. MIT License.
// EIPs: allocate and wait until available; release (dissociating first only when forced), retrying the lease window.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>Allocates and releases elastic IPs (reference §4.4, §7.3 steps 1 and teardown).</summary>
public sealed class EipService
{
    private readonly QingCloudClient _client;
    private readonly ResourceLookup _lookup;

    /// <summary>Creates the service.</summary>
    /// <param name="client">The client to call QingCloud with.</param>
    public EipService(QingCloudClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _lookup = new ResourceLookup(client);
    }

    /// <summary>
    /// Allocates EIPs and (unless <paramref name="noWait"/>) waits until they are <c>available</c>. A named allocation
    /// whose outcome is unknown is looked up by name before it is tried again; an unnamed one is never repeated.
    /// </summary>
    /// <param name="spec">What to allocate.</param>
    /// <param name="noWait">Return right after AllocateEips (the EIPs may still be <c>pending</c>).</param>
    /// <param name="wait">Timeout and progress of the wait.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The EIPs as last described.</returns>
    /// <exception cref="HaClusterException">Nothing is allocated when the spec is invalid or <c>QcEipExists</c> (a live EIP has the name).</exception>
    public Task<IReadOnlyList<Eip>> AllocateAsync(EipSpec spec, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default) =>
        AllocateAsync(spec, noWait, wait, nameCheckedByCaller: false, cancellationToken);

    /// <summary>
    /// <see cref="AllocateAsync(EipSpec, bool, WaitOptions?, CancellationToken)"/> for a caller that has just looked the
    /// name up (New-HaCluster's path), so the name is not looked up again before the allocation.
    /// </summary>
    /// <param name="spec">What to allocate.</param>
    /// <param name="noWait">Return right after AllocateEips.</param>
    /// <param name="wait">Timeout and progress of the wait.</param>
    /// <param name="nameCheckedByCaller">True when the caller found no live EIP with the name a moment ago.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The EIPs as last described.</returns>
    internal async Task<IReadOnlyList<Eip>> AllocateAsync(EipSpec spec, bool noWait, WaitOptions? wait, bool nameCheckedByCaller, CancellationToken cancellationToken)
    {
        if (spec is null)
        {
            throw new ArgumentNullException(nameof(spec));
        }

        spec.ToParameters();
        IReadOnlyList<string> ids;
        if (string.IsNullOrEmpty(spec.Name))
        {
            _client.Observer.Verbose($"Allocating {spec.Count} EIP(s) of {spec.Bandwidth} Mbps.");
            ids = await _client.AllocateEipsAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var name = spec.Name!;
            if (!nameCheckedByCaller && (await _client.FindEipsByNameAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault() is { } twin)
            {
                throw new HaClusterException("QcEipExists", FailureKind.ResourceExists, $"EIP '{name}' already exists ({twin.EipId}, {twin.EipAddr}); names identify EIPs across re-runs.", name);
            }

            _client.Observer.Verbose($"Allocating {spec.Count} EIP(s) named '{name}' of {spec.Bandwidth} Mbps.");
            ids = await _client.CreateOnceAsync<IReadOnlyList<string>>(
                $"EIP '{name}'",
                ct => _client.AllocateEipsAsync(spec, ct),
                async ct => (await _client.FindEipsByNameAsync(name, ct).ConfigureAwait(false)) is { } found && found.Count == spec.Count
                    ? found.Select(e => e.EipId).ToList()
                    : null,
                cancellationToken).ConfigureAwait(false);
        }

        return noWait
            ? await _lookup.EipsAsync(ids, cancellationToken).ConfigureAwait(false)
            : await _client.WaitForEipsAsync(ids, "available", wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Releases EIPs. An associated EIP is refused unless <paramref name="force"/>, which dissociates it from its load
    /// balancer or instance first. ReleaseEips is retried while QingCloud answers 1400 "lease info not ready yet".
    /// </summary>
    /// <param name="eipIds">The EIPs.</param>
    /// <param name="force">Dissociate associated EIPs first.</param>
    /// <param name="noWait">Return right after ReleaseEips.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The EIPs as last described before ReleaseEips (after any dissociation).</returns>
    /// <exception cref="HaClusterException">Nothing changes on <c>QcEipNotFound</c> or <c>QcEipAssociated</c> (without force).</exception>
    public async Task<IReadOnlyList<Eip>> ReleaseAsync(IEnumerable<string> eipIds, bool force = false, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var eips = await _lookup.EipsAsync(eipIds, cancellationToken).ConfigureAwait(false);
        var ids = eips.Select(e => e.EipId).ToList();
        var bound = eips.Where(e => e.Status == "associated" || !string.IsNullOrEmpty(e.Resource?.ResourceId)).ToList();
        if (bound.Count > 0 && !force)
        {
            var e = bound[0];
            throw new HaClusterException("QcEipAssociated", FailureKind.InvalidOperation, $"EIP {e.EipId} ({e.EipAddr}) is associated with {e.Resource?.ResourceId}; dissociate it or use -Force.", e.EipId);
        }

        var jobs = new List<string>();
        foreach (var group in bound.GroupBy(e => (e.Resource?.ResourceId ?? string.Empty, e.Resource?.ResourceType ?? string.Empty)))
        {
            var (resourceId, type) = group.Key;
            var groupIds = group.Select(e => e.EipId).ToList();
            _client.Observer.Verbose($"Dissociating EIP(s) {string.Join(", ", groupIds)} from {type} {resourceId}.");
            jobs.Add(type == "loadbalancer"
                ? await _client.DissociateEipsFromLoadBalancerAsync(resourceId, groupIds, cancellationToken).ConfigureAwait(false)
                : await DissociateFromInstancesAsync(groupIds, cancellationToken).ConfigureAwait(false));
        }

        // Release needs available EIPs: wait for dissociations and for freshly allocated ones still pending.
        await _client.WaitForJobsAsync(jobs, wait, cancellationToken).ConfigureAwait(false);
        var released = await _client.WaitForEipsAsync(ids, "available", wait, cancellationToken).ConfigureAwait(false);
        _client.Observer.Verbose($"Releasing EIP(s) {string.Join(", ", ids)}.");
        var job = await _client.ReleaseEipsAsync(ids, cancellationToken).ConfigureAwait(false);
        if (!noWait)
        {
            await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
        }

        return ids.Select(id => released.First(e => e.EipId == id)).ToList();
    }

    private async Task<string> DissociateFromInstancesAsync(IReadOnlyList<string> eipIds, CancellationToken cancellationToken)
    {
        var reply = await _client.InvokeAsync("DissociateEips", new QingCloudParameters().AddList("eips", eipIds), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return reply.TryGetProperty("job_id", out var job) ? job.GetString() ?? string.Empty : string.Empty;
    }
}
