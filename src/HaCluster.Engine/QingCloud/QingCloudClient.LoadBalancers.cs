// Copyright (c) HaCluster contributors. MIT License.
// Typed load-balancer, listener and backend actions.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <content>Load balancers, listeners, backends and their EIPs.</content>
public sealed partial class QingCloudClient
{
    private static readonly string[] LiveLoadBalancerStatuses = { "pending", "active", "stopped", "suspended" };

    // A name look-up by several names sends one search_word, which must occur in each of them.
    private static void RequireShared(IReadOnlyCollection<string> names, string sharedWord)
    {
        if (string.IsNullOrEmpty(sharedWord) || names.Count == 0 || names.Any(n => n is null || n.IndexOf(sharedWord, StringComparison.Ordinal) < 0))
        {
            throw new ArgumentException($"Every name must contain the search word '{sharedWord}'.", nameof(sharedWord));
        }
    }

    /// <summary>
    /// CreateLoadBalancer (not repeated after an ambiguous failure: look it up with
    /// <see cref="FindLoadBalancersByNameAsync"/>, or use <see cref="CreateOnceAsync{T}"/>).
    /// </summary>
    /// <param name="spec">The load balancer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new load balancer's id and the creation job.</returns>
    /// <exception cref="HaClusterException">The spec is invalid (nothing is sent).</exception>
    public async Task<CreateLoadBalancerResult> CreateLoadBalancerAsync(LoadBalancerSpec spec, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("CreateLoadBalancer", spec.ToParameters(), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        return new CreateLoadBalancerResult(RequireString(reply, "loadbalancer_id", "CreateLoadBalancer"), RequireString(reply, "job_id", "CreateLoadBalancer"));
    }

    /// <summary>DescribeLoadBalancers, all pages.</summary>
    /// <param name="loadBalancerIds">Only these.</param>
    /// <param name="status">Only these statuses.</param>
    /// <param name="searchWord">Matches the id or name.</param>
    /// <param name="tagIds">Only those with these tags.</param>
    /// <param name="verbose">Include listeners (and their backends).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The load balancers.</returns>
    public Task<IReadOnlyList<LoadBalancer>> DescribeLoadBalancersAsync(IEnumerable<string>? loadBalancerIds = null, IEnumerable<string>? status = null, string? searchWord = null, IEnumerable<string>? tagIds = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<LoadBalancer>(
            "DescribeLoadBalancers",
            new QingCloudParameters().AddList("loadbalancers", loadBalancerIds).AddList("status", status).Add("search_word", searchWord).AddList("tags", tagIds).Add("verbose", verbose ? 1 : null),
            "loadbalancer_set",
            cancellationToken);

    /// <summary>Live (not deleted or ceased) load balancers whose name is exactly <paramref name="name"/>: the look-up before a create.</summary>
    /// <param name="name">The name.</param>
    /// <param name="verbose">Include listeners.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matches (normally zero or one).</returns>
    public async Task<IReadOnlyList<LoadBalancer>> FindLoadBalancersByNameAsync(string name, bool verbose = false, CancellationToken cancellationToken = default) =>
        (await FindLoadBalancersByNamesAsync(new[] { name }, name, verbose, cancellationToken).ConfigureAwait(false))[name];

    /// <summary>
    /// <see cref="FindLoadBalancersByNameAsync"/> for several names in one DescribeLoadBalancers: <c>search_word</c> is a
    /// text every name contains (QingCloud matches it within names), and the answer is split by exact name.
    /// </summary>
    /// <param name="names">The names.</param>
    /// <param name="sharedWord">A text every name contains.</param>
    /// <param name="verbose">Include listeners.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>For each name, its live load balancers (possibly none).</returns>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<LoadBalancer>>> FindLoadBalancersByNamesAsync(IReadOnlyCollection<string> names, string sharedWord, bool verbose = false, CancellationToken cancellationToken = default)
    {
        RequireShared(names, sharedWord);
        var found = await DescribeLoadBalancersAsync(status: LiveLoadBalancerStatuses, searchWord: sharedWord, verbose: verbose, cancellationToken: cancellationToken).ConfigureAwait(false);
        return names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => (IReadOnlyList<LoadBalancer>)found.Where(lb => lb.LoadBalancerName == n).ToList(), StringComparer.Ordinal);
    }

    /// <summary>DeleteLoadBalancers; waits out 1400 "lease not ready". Associated EIPs return to <c>available</c>.</summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> DeleteLoadBalancersAsync(IEnumerable<string> loadBalancerIds, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("DeleteLoadBalancers", new QingCloudParameters().AddList("loadbalancers", loadBalancerIds), QingCloudCallOptions.DeleteOrRelease, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "DeleteLoadBalancers");
    }

    /// <summary>UpdateLoadBalancers ("Apply Changes"): makes listener and backend changes take effect.</summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> UpdateLoadBalancersAsync(IEnumerable<string> loadBalancerIds, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("UpdateLoadBalancers", new QingCloudParameters().AddList("loadbalancers", loadBalancerIds), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "UpdateLoadBalancers");
    }

    /// <summary>
    /// Applies pending listener and backend changes the way §7.3 orders it: UpdateLoadBalancers, wait for its job,
    /// then wait until every load balancer is idle. When the update's outcome is unknown (the reply was lost and the
    /// retry met "can not be updated now"), it waits for the load balancers to settle and sends the update again
    /// only if one of them still reports unapplied changes.
    /// </summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="options">Timeout, intervals and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The load balancers, idle and applied.</returns>
    public async Task<IReadOnlyList<LoadBalancer>> ApplyLoadBalancerChangesAsync(IEnumerable<string> loadBalancerIds, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ids = loadBalancerIds.Distinct().ToList();
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var jobId = await UpdateLoadBalancersAsync(ids, cancellationToken).ConfigureAwait(false);
                await WaitForJobsAsync(new[] { jobId }, options, cancellationToken).ConfigureAwait(false);
                return await WaitForLoadBalancersAsync(ids, "active", options, cancellationToken).ConfigureAwait(false);
            }
            catch (QingCloudAmbiguousResultException ex) when (attempt < attempts)
            {
                Observer.Verbose($"QingCloud UpdateLoadBalancers: outcome unknown ({ex.InnerException?.Message}); waiting for {string.Join(", ", ids)} to settle.");
                var settled = await WaitForLoadBalancersAsync(ids, "active", options, cancellationToken).ConfigureAwait(false);
                if (settled.All(lb => lb.IsApplied))
                {
                    return settled;
                }
            }
        }
    }

    /// <summary>ModifyLoadBalancerAttributes (synchronous). Null arguments are left unchanged.</summary>
    /// <param name="loadBalancerId">The load balancer.</param>
    /// <param name="name">New name.</param>
    /// <param name="description">New description.</param>
    /// <param name="securityGroupId">New security group (needs UpdateLoadBalancers).</param>
    /// <param name="privateIp">New VIP (needs UpdateLoadBalancers).</param>
    /// <param name="nodeCount">New node count (needs UpdateLoadBalancers).</param>
    /// <param name="httpHeaderSize">New header size (needs UpdateLoadBalancers).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task ModifyLoadBalancerAttributesAsync(string loadBalancerId, string? name = null, string? description = null, string? securityGroupId = null, string? privateIp = null, int? nodeCount = null, int? httpHeaderSize = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(
            "ModifyLoadBalancerAttributes",
            new QingCloudParameters().Add("loadbalancer", loadBalancerId).Add("loadbalancer_name", name).Add("description", description).Add("security_group", securityGroupId).Add("private_ip", privateIp).Add("node_count", nodeCount).Add("http_header_size", httpHeaderSize),
            QingCloudCallOptions.Default,
            cancellationToken);

    /// <summary>AddLoadBalancerListeners (synchronous; call UpdateLoadBalancers afterwards). Not repeated after an ambiguous failure.</summary>
    /// <param name="loadBalancerId">The load balancer.</param>
    /// <param name="listeners">1-50 listeners.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new listener ids, in order.</returns>
    /// <exception cref="HaClusterException">A listener is invalid (nothing is sent).</exception>
    public async Task<IReadOnlyList<string>> AddLoadBalancerListenersAsync(string loadBalancerId, IEnumerable<ListenerSpec> listeners, CancellationToken cancellationToken = default)
    {
        var list = listeners.ToList();
        QingCloudValidation.Count("QingCloudTooManyListeners", "Listeners per call", list.Count, 1, 50);
        var reply = await InvokeAsync("AddLoadBalancerListeners", new QingCloudParameters().Add("loadbalancer", loadBalancerId).AddObjects("listeners", list), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        return ReadStringList(reply, "loadbalancer_listeners", "AddLoadBalancerListeners");
    }

    /// <summary>DescribeLoadBalancerListeners, all pages.</summary>
    /// <param name="listenerIds">Only these listeners.</param>
    /// <param name="loadBalancerId">Only the listeners of this load balancer.</param>
    /// <param name="verbose">Include backends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The listeners.</returns>
    public Task<IReadOnlyList<Listener>> DescribeLoadBalancerListenersAsync(IEnumerable<string>? listenerIds = null, string? loadBalancerId = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<Listener>(
            "DescribeLoadBalancerListeners",
            new QingCloudParameters().AddList("loadbalancer_listeners", listenerIds).Add("loadbalancer", loadBalancerId).Add("verbose", verbose ? 1 : null),
            "loadbalancer_listener_set",
            cancellationToken);

    /// <summary>DeleteLoadBalancerListeners (synchronous; call UpdateLoadBalancers afterwards).</summary>
    /// <param name="listenerIds">The listeners.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task DeleteLoadBalancerListenersAsync(IEnumerable<string> listenerIds, CancellationToken cancellationToken = default) =>
        InvokeAsync("DeleteLoadBalancerListeners", new QingCloudParameters().AddList("loadbalancer_listeners", listenerIds), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>AddLoadBalancerBackends (synchronous; call UpdateLoadBalancers afterwards). Not repeated after an ambiguous failure.</summary>
    /// <param name="listenerId">The listener.</param>
    /// <param name="backends">1-100 backends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new backend ids, in order.</returns>
    /// <exception cref="HaClusterException">A backend is invalid (nothing is sent).</exception>
    public async Task<IReadOnlyList<string>> AddLoadBalancerBackendsAsync(string listenerId, IEnumerable<BackendSpec> backends, CancellationToken cancellationToken = default)
    {
        var list = backends.ToList();
        QingCloudValidation.Count("QingCloudTooManyBackends", "Backends per call", list.Count, 1, 100);
        var reply = await InvokeAsync("AddLoadBalancerBackends", new QingCloudParameters().Add("loadbalancer_listener", listenerId).AddObjects("backends", list), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        return ReadStringList(reply, "loadbalancer_backends", "AddLoadBalancerBackends");
    }

    /// <summary>DescribeLoadBalancerBackends, all pages.</summary>
    /// <param name="backendIds">Only these backends.</param>
    /// <param name="listenerId">Only the backends of this listener.</param>
    /// <param name="loadBalancerId">Only the backends of this load balancer.</param>
    /// <param name="verbose">Include resource details.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The backends.</returns>
    public Task<IReadOnlyList<Backend>> DescribeLoadBalancerBackendsAsync(IEnumerable<string>? backendIds = null, string? listenerId = null, string? loadBalancerId = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<Backend>(
            "DescribeLoadBalancerBackends",
            new QingCloudParameters().AddList("loadbalancer_backends", backendIds).Add("loadbalancer_listener", listenerId).Add("loadbalancer", loadBalancerId).Add("verbose", verbose ? 1 : null),
            "loadbalancer_backend_set",
            cancellationToken);

    /// <summary>DeleteLoadBalancerBackends (synchronous; call UpdateLoadBalancers afterwards).</summary>
    /// <param name="backendIds">The backends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task DeleteLoadBalancerBackendsAsync(IEnumerable<string> backendIds, CancellationToken cancellationToken = default) =>
        InvokeAsync("DeleteLoadBalancerBackends", new QingCloudParameters().AddList("loadbalancer_backends", backendIds), QingCloudCallOptions.Default, cancellationToken);

    /// <summary>AssociateEipsToLoadBalancer: the EIPs must be <c>available</c>.</summary>
    /// <param name="loadBalancerId">The load balancer.</param>
    /// <param name="eipIds">The EIPs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> AssociateEipsToLoadBalancerAsync(string loadBalancerId, IEnumerable<string> eipIds, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("AssociateEipsToLoadBalancer", new QingCloudParameters().Add("loadbalancer", loadBalancerId).AddList("eips", eipIds), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "AssociateEipsToLoadBalancer");
    }

    /// <summary>DissociateEipsFromLoadBalancer: the EIPs return to <c>available</c>.</summary>
    /// <param name="loadBalancerId">The load balancer.</param>
    /// <param name="eipIds">The EIPs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> DissociateEipsFromLoadBalancerAsync(string loadBalancerId, IEnumerable<string> eipIds, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("DissociateEipsFromLoadBalancer", new QingCloudParameters().Add("loadbalancer", loadBalancerId).AddList("eips", eipIds), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "DissociateEipsFromLoadBalancer");
    }
}
