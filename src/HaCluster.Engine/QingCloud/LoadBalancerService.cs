// Copyright (c) HaCluster contributors. MIT License.
// Load balancers, listeners and backends the way the tutorial builds them, in the call order of reference §7.3.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Thin orchestration over <see cref="QingCloudClient"/>: every input is checked (and every named resource
/// looked up) before the first change, creates are never repeated blindly (after an unknown outcome the
/// resource is looked up by name, port or resource id first), backends go to a listener in one
/// AddLoadBalancerBackends call, and changes are applied with one UpdateLoadBalancers per change set.
/// </summary>
public sealed class LoadBalancerService
{
    /// <summary>Most backends one listener takes.</summary>
    public const int MaxBackendsPerListener = 100;

    /// <summary>Most backends one load balancer takes.</summary>
    public const int MaxBackendsPerLoadBalancer = 200;

    /// <summary>ErrorId of an EIP whose associate_mode is not 0.</summary>
    public const string EipAssociateModeErrorId = "QcEipAssociateModeUnsupported";

    private readonly QingCloudClient _client;
    private readonly ResourceLookup _lookup;

    /// <summary>Creates the service.</summary>
    /// <param name="client">The client to call QingCloud with.</param>
    public LoadBalancerService(QingCloudClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _lookup = new ResourceLookup(client);
    }

    /// <summary>
    /// Creates a load balancer and (unless <paramref name="noWait"/>) waits until it is <c>active</c> with an empty
    /// <c>transition_status</c>. <see cref="LoadBalancerSpec.VxNetId"/> may be a VxNet id or name and
    /// <see cref="LoadBalancerSpec.SecurityGroupId"/> a security-group id or name.
    /// </summary>
    /// <param name="spec">The load balancer; <see cref="LoadBalancerSpec.Name"/> is required (it is how a re-run finds it).</param>
    /// <param name="noWait">Return right after CreateLoadBalancer.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The load balancer as last described.</returns>
    /// <exception cref="HaClusterException">
    /// Nothing is created when: the spec is invalid, <c>QcLoadBalancerNameMissing</c>, <c>QcLoadBalancerExists</c> (a live
    /// one has the name), <c>QcVxNetNotFound</c>, <c>QcPrivateIpOutsideVxNet</c>, <c>QcEipNotFound</c>,
    /// <c>QcEipNotAvailable</c> (already associated), <c>QcSecurityGroupNotFound</c>.
    /// </exception>
    public async Task<LoadBalancer> CreateAsync(LoadBalancerSpec spec, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var created = await StartCreateAsync(spec, cancellationToken).ConfigureAwait(false);
        var id = created.LoadBalancerId;
        if (!noWait)
        {
            await _client.WaitForJobsAsync(new[] { created.JobId }, wait, cancellationToken).ConfigureAwait(false);
            return (await _client.WaitForLoadBalancersAsync(new[] { id }, "active", wait, cancellationToken).ConfigureAwait(false))[0];
        }

        return (await _lookup.LiveLoadBalancersAsync(new[] { id }, cancellationToken: cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Checks the spec as <see cref="CreateAsync"/> does and sends CreateLoadBalancer (once), without waiting or describing
    /// the result: for callers that wait on the job together with others (one shared DescribeJobs poll).
    /// </summary>
    /// <param name="spec">The load balancer.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The id and the creation job; the job id is empty when a lost reply's load balancer was found by name.</returns>
    internal async Task<CreateLoadBalancerResult> StartCreateAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) =>
        await StartCreateAsync(spec, checkedByCaller: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <see cref="StartCreateAsync(LoadBalancerSpec, CancellationToken)"/> for a caller that has just looked the name up
    /// and holds the VxNet and security group as ids (New-HaCluster's path): those are not described again; EIPs are
    /// checked as the caller described them, else described.
    /// </summary>
    /// <param name="spec">The load balancer, with ids.</param>
    /// <param name="checkedByCaller">True when the caller vouches for the name and the ids.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="describedEips">The spec's EIPs as the caller described them a moment ago, or null to describe them.</param>
    /// <returns>The id and the creation job.</returns>
    internal async Task<CreateLoadBalancerResult> StartCreateAsync(LoadBalancerSpec spec, bool checkedByCaller, CancellationToken cancellationToken, IReadOnlyList<Eip>? describedEips = null)
    {
        if (spec is null)
        {
            throw new ArgumentNullException(nameof(spec));
        }

        var resolved = await ResolveAsync(spec, checkedByCaller, describedEips, cancellationToken).ConfigureAwait(false);
        var name = resolved.Name!;
        _client.Observer.Verbose($"Creating load balancer '{name}' " + (resolved.VxNetId is null ? $"on EIP {string.Join(", ", resolved.EipIds)}." : $"in VxNet {resolved.VxNetId}."));
        return await _client.CreateOnceAsync(
            $"load balancer '{name}'",
            async ct => await _client.CreateLoadBalancerAsync(resolved, ct).ConfigureAwait(false),
            async ct => (await _client.FindLoadBalancersByNameAsync(name, cancellationToken: ct).ConfigureAwait(false)) is { Count: 1 } found
                ? new CreateLoadBalancerResult(found[0].LoadBalancerId, string.Empty)
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds one listener (call <see cref="ApplyAsync"/> afterwards). With <paramref name="openFirewall"/> the load
    /// balancer's security group is made to admit the port (see <see cref="SecurityGroupService.OpenPortAsync"/>).
    /// </summary>
    /// <param name="loadBalancerId">The load balancer.</param>
    /// <param name="spec">The listener.</param>
    /// <param name="openFirewall">Also open the port in the load balancer's security group.</param>
    /// <param name="wait">Timeout and progress of the security-group wait.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new listener.</returns>
    /// <exception cref="HaClusterException">
    /// Nothing is created when: the spec is invalid (<c>QingCloudInvalidListenerPort</c>, …), <c>QcLoadBalancerNotFound</c>,
    /// <c>QcLoadBalancerDeleted</c>, <c>QcLoadBalancerNotActive</c>, <c>QcListenerPortInUse</c>, and with
    /// <paramref name="openFirewall"/> <c>QcDefaultSecurityGroupShared</c> (the load balancer is in the account's default group).
    /// </exception>
    public async Task<Listener> AddListenerAsync(string loadBalancerId, ListenerSpec spec, bool openFirewall = false, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        if (spec is null)
        {
            throw new ArgumentNullException(nameof(spec));
        }

        spec.WriteTo(new QingCloudParameters());
        var lb = await _lookup.ActiveLoadBalancerAsync(loadBalancerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var existing = await _client.DescribeLoadBalancerListenersAsync(loadBalancerId: lb.LoadBalancerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        RequirePortFree(lb.LoadBalancerId, existing, spec.Port);

        if (openFirewall && !string.IsNullOrEmpty(lb.SecurityGroupId))
        {
            // Refused before the listener exists, so nothing is left half-made.
            var group = (await _client.DescribeSecurityGroupsAsync(new[] { lb.SecurityGroupId! }, verbose: true, cancellationToken: cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            if (group is not null)
            {
                SecurityGroupService.RefuseDefaultGroup(group, spec.Port);
            }
        }

        var listenerId = await SendListenerAsync(lb.LoadBalancerId, spec, cancellationToken).ConfigureAwait(false);
        if (openFirewall && !string.IsNullOrEmpty(lb.SecurityGroupId))
        {
            await new SecurityGroupService(_client).OpenPortAsync(lb.SecurityGroupId!, spec.Port, wait: wait, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return (await _lookup.ListenersAsync(new[] { listenerId }, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Adds one listener to a load balancer the caller described <c>active</c> a moment ago and whose listeners it has just
    /// listed (New-HaCluster's path): the checks of <see cref="AddListenerAsync(string, ListenerSpec, bool, WaitOptions?, CancellationToken)"/>
    /// on the replies in hand, without describing them again.
    /// </summary>
    /// <param name="lb">The load balancer, active.</param>
    /// <param name="existing">Its listeners.</param>
    /// <param name="spec">The listener.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new listener's id.</returns>
    internal async Task<string> AddListenerToDescribedAsync(LoadBalancer lb, IReadOnlyList<Listener> existing, ListenerSpec spec, CancellationToken cancellationToken)
    {
        spec.WriteTo(new QingCloudParameters());
        RequirePortFree(lb.LoadBalancerId, existing, spec.Port);
        return await SendListenerAsync(lb.LoadBalancerId, spec, cancellationToken).ConfigureAwait(false);
    }

    private static void RequirePortFree(string loadBalancerId, IReadOnlyList<Listener> existing, int port)
    {
        if (existing.FirstOrDefault(l => l.ListenerPort == port) is { } taken)
        {
            throw new HaClusterException("QcListenerPortInUse", FailureKind.ResourceExists, $"Load balancer '{loadBalancerId}' already listens on port {port} (listener {taken.ListenerId}).", port);
        }
    }

    private Task<string> SendListenerAsync(string loadBalancerId, ListenerSpec spec, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Adding {spec.Protocol} listener on port {spec.Port.ToString(CultureInfo.InvariantCulture)} ({spec.BalanceMode}) to load balancer {loadBalancerId}.");
        return _client.CreateOnceAsync(
            $"the listener on port {spec.Port} of {loadBalancerId}",
            async ct => (await _client.AddLoadBalancerListenersAsync(loadBalancerId, new[] { spec }, ct).ConfigureAwait(false))[0],
            async ct => (await _client.DescribeLoadBalancerListenersAsync(loadBalancerId: loadBalancerId, cancellationToken: ct).ConfigureAwait(false))
                .FirstOrDefault(l => l.ListenerPort == spec.Port)?.ListenerId,
            cancellationToken);
    }

    /// <summary>
    /// Adds backends with exactly one AddLoadBalancerBackends call per listener (call <see cref="ApplyAsync"/> afterwards).
    /// Every batch is checked before the first call, so a bad entry anywhere adds nothing anywhere.
    /// </summary>
    /// <param name="batches">For each listener, the backends to add.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new backends, in the order given.</returns>
    /// <exception cref="HaClusterException">
    /// Nothing is added when: a backend is invalid (<c>QingCloudInvalidBackendPort</c>, <c>QingCloudInvalidBackendWeight</c>, …),
    /// <c>QcListenerNotFound</c>, <c>QcInstanceNotFound</c>, <c>QcBackendDuplicate</c> (twice in the input),
    /// <c>QcBackendExists</c> (already on the listener), <c>QcTooManyBackends</c> (over 100 on a listener or 200 on a load balancer).
    /// </exception>
    public async Task<IReadOnlyList<Backend>> AddBackendsAsync(IEnumerable<BackendBatch> batches, CancellationToken cancellationToken = default)
    {
        var work = MergeBatches(batches);
        var listeners = await _lookup.ListenersAsync(work.Select(b => b.ListenerId), cancellationToken).ConfigureAwait(false);
        var instances = await _lookup.InstancesAsync(work.SelectMany(b => b.Backends).Select(b => b.ResourceId), cancellationToken).ConfigureAwait(false);
        await CheckBackendNetworksAsync(work, listeners, instances, cancellationToken).ConfigureAwait(false);
        await CheckBackendLimitsAsync(work, listeners, cancellationToken).ConfigureAwait(false);

        var ids = new List<string>();
        foreach (var batch in work)
        {
            ids.AddRange(await SendBackendsAsync(batch, cancellationToken).ConfigureAwait(false));
        }

        var added = await _lookup.BackendsAsync(ids, cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>
    /// Adds backends to one listener of a load balancer the caller described a moment ago, with the instances and the
    /// listener's backends in hand (New-HaCluster's path): the checks of <see cref="AddBackendsAsync(IEnumerable{BackendBatch}, CancellationToken)"/>
    /// on those replies, so only the load balancer's backend count is asked for (unless the caller knows it).
    /// </summary>
    /// <param name="lb">The load balancer.</param>
    /// <param name="listenerId">Its listener.</param>
    /// <param name="present">The listener's backends.</param>
    /// <param name="backends">The backends to add.</param>
    /// <param name="instances">The instances they name.</param>
    /// <param name="backendsOnLoadBalancer">How many backends the whole load balancer has, when the caller knows (it created the load balancer), else null.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The new backends' ids, in the order given.</returns>
    internal async Task<IReadOnlyList<string>> AddBackendsToDescribedAsync(LoadBalancer lb, string listenerId, IReadOnlyList<Backend> present, IReadOnlyList<BackendSpec> backends, IReadOnlyList<Instance> instances, int? backendsOnLoadBalancer, CancellationToken cancellationToken)
    {
        var work = MergeBatches(new[] { new BackendBatch(listenerId, backends.ToList()) });
        if (work.Count == 0)
        {
            return Array.Empty<string>();
        }

        var batch = work[0];
        var missing = batch.Backends.FirstOrDefault(b => instances.All(i => i.InstanceId != b.ResourceId));
        if (missing is not null)
        {
            throw new HaClusterException("QcInstanceNotFound", FailureKind.ObjectNotFound, $"No instance {missing.ResourceId} was given for backend {Describe(missing)}.", missing.ResourceId);
        }

        RequireBackendNetwork(lb, batch, instances);
        RequireListenerRoom(listenerId, present, batch);
        await RequireLoadBalancerRoomAsync(lb.LoadBalancerId, batch.Backends.Count, backendsOnLoadBalancer, cancellationToken).ConfigureAwait(false);
        return await SendBackendsAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private Task<IReadOnlyList<string>> SendBackendsAsync(BackendBatch batch, CancellationToken cancellationToken)
    {
        _client.Observer.Verbose($"Adding {batch.Backends.Count} backend(s) to listener {batch.ListenerId}: {string.Join(", ", batch.Backends.Select(Describe))}.");
        return _client.CreateOnceAsync(
            $"{batch.Backends.Count} backend(s) of listener {batch.ListenerId}",
            ct => _client.AddLoadBalancerBackendsAsync(batch.ListenerId, batch.Backends, ct),
            ct => FindBackendIdsAsync(batch, ct),
            cancellationToken);
    }

    // Backends of a load balancer in a VxNet must have an address there (as New-HaCluster requires of its nodes).
    private async Task CheckBackendNetworksAsync(IReadOnlyList<BackendBatch> work, IReadOnlyList<Listener> listeners, IReadOnlyList<Instance> instances, CancellationToken cancellationToken)
    {
        var lbIds = listeners.Where(l => !string.IsNullOrEmpty(l.LoadBalancerId)).Select(l => l.LoadBalancerId!).Distinct().ToList();
        IReadOnlyList<LoadBalancer> lbs = lbIds.Count == 0 ? Array.Empty<LoadBalancer>() : await _client.DescribeLoadBalancersAsync(lbIds, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var batch in work)
        {
            if (lbs.FirstOrDefault(l => l.LoadBalancerId == listeners.FirstOrDefault(x => x.ListenerId == batch.ListenerId)?.LoadBalancerId) is { } lb)
            {
                RequireBackendNetwork(lb, batch, instances);
            }
        }
    }

    private static void RequireBackendNetwork(LoadBalancer lb, BackendBatch batch, IReadOnlyList<Instance> instances)
    {
        if (VxNetMembership.BackendVxNet(lb) is not { } vxnet)
        {
            return;
        }

        foreach (var backend in batch.Backends)
        {
            var instance = instances.First(i => i.InstanceId == backend.ResourceId);
            VxNetMembership.RequireAddressIn(instance, vxnet, $"{vxnet} of load balancer {lb.LoadBalancerId} ({lb.LoadBalancerName})");
        }
    }

    /// <summary>
    /// The console's "Apply Changes": one UpdateLoadBalancers for the load balancers that have unapplied changes
    /// (all of them with <paramref name="options"/>.Force), then waits for the job and for the transition to end;
    /// optionally waits until every backend is <c>up</c>.
    /// </summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="options">Force, no-wait, backend wait and timeouts.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The load balancers as last described.</returns>
    /// <exception cref="HaClusterException"><c>QcLoadBalancerNotFound</c>, <c>QcLoadBalancerDeleted</c>, <c>QcBackendNotUp</c> (backend wait timed out).</exception>
    public async Task<IReadOnlyList<LoadBalancer>> ApplyAsync(IEnumerable<string> loadBalancerIds, ApplyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var lbs = await _lookup.LiveLoadBalancersAsync(loadBalancerIds, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await ApplyDescribedAsync(lbs, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ApplyAsync(IEnumerable{string}, ApplyOptions?, CancellationToken)"/> for load balancers the caller
    /// described a moment ago (New-HaCluster's path, which sets <see cref="ApplyOptions.Force"/> when it changed them
    /// since): they are not described again before the update.
    /// </summary>
    /// <param name="lbs">The load balancers, live.</param>
    /// <param name="options">Force, no-wait, backend wait and timeouts.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The load balancers as last described.</returns>
    internal async Task<IReadOnlyList<LoadBalancer>> ApplyDescribedAsync(IReadOnlyList<LoadBalancer> lbs, ApplyOptions? options, CancellationToken cancellationToken)
    {
        options ??= new ApplyOptions();
        var ids = lbs.Select(l => l.LoadBalancerId).ToList();
        var pending = lbs.Where(l => options.Force || !l.IsApplied).Select(l => l.LoadBalancerId).ToList();
        foreach (var lb in lbs.Where(l => !pending.Contains(l.LoadBalancerId)))
        {
            _client.Observer.Verbose($"Load balancer {lb.LoadBalancerId} has no unapplied changes; not updating it.");
        }

        IReadOnlyList<LoadBalancer> applied = Array.Empty<LoadBalancer>();
        if (pending.Count > 0)
        {
            _client.Observer.Verbose($"Applying changes to load balancer(s) {string.Join(", ", pending)} (UpdateLoadBalancers).");
            if (options.NoWait)
            {
                await _client.UpdateLoadBalancersAsync(pending, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                applied = await _client.ApplyLoadBalancerChangesAsync(pending, options.Wait, cancellationToken).ConfigureAwait(false);
            }
        }

        if (options.WaitForBackendsUp && !options.NoWait)
        {
            await WaitForBackendsUpAsync(ids, options.BackendWait, cancellationToken).ConfigureAwait(false);
        }
        else if (!options.NoWait)
        {
            // The apply's own wait described the updated ones a moment ago; the others did not change.
            return lbs.Select(lb => applied.FirstOrDefault(a => a.LoadBalancerId == lb.LoadBalancerId) ?? lb).ToList();
        }

        return await _lookup.LiveLoadBalancersAsync(ids, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every backend of the load balancers reports <c>up</c>, showing how many are up so far.</summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="wait">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The backends, all up.</returns>
    /// <exception cref="HaClusterException"><c>QcBackendNotUp</c> when the timeout passes first (target: the backends not up).</exception>
    public async Task<IReadOnlyList<Backend>> WaitForBackendsUpAsync(IEnumerable<string> loadBalancerIds, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var ids = loadBalancerIds.Distinct(StringComparer.Ordinal).ToList();
        IReadOnlyList<Backend> last = Array.Empty<Backend>();
        async Task<IReadOnlyList<Backend>> PollAsync(CancellationToken ct)
        {
            var all = new List<Backend>();
            foreach (var id in ids)
            {
                all.AddRange(await _client.DescribeLoadBalancerBackendsAsync(loadBalancerId: id, cancellationToken: ct).ConfigureAwait(false));
            }

            return last = all;
        }

        string? Pending(IReadOnlyList<Backend> backends)
        {
            var notUp = backends.Where(b => b.Status != "up").ToList();
            return notUp.Count == 0
                ? null
                : $"{backends.Count - notUp.Count} of {backends.Count} backends up; waiting for " + string.Join(", ", notUp.Select(b => $"{b.ResourceId}:{b.Port} ({b.Status})"));
        }

        try
        {
            return await ResourceWaiter.WaitUntilAsync(_client.Observer, $"Waiting for the backends of {string.Join(", ", ids)} to be up", PollAsync, Pending, wait, cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex.ErrorId == "QingCloudWaitTimeout")
        {
            var notUp = last.Where(b => b.Status != "up").ToList();
            var limit = (wait ?? new WaitOptions()).Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            throw new HaClusterException(
                "QcBackendNotUp",
                FailureKind.OperationTimeout,
                $"{last.Count - notUp.Count} of {last.Count} backend(s) of {string.Join(", ", ids)} are up after {limit} s; not up: {string.Join(", ", notUp.Select(DescribeHealth))}.",
                notUp.Select(b => b.BackendId).ToArray(),
                ex);
        }
    }

    // "master1 (lbb-…, i-…:6443) down": who is not up, in words an operator finds in the console.
    private static string DescribeHealth(Backend b) =>
        $"{(string.IsNullOrEmpty(b.BackendName) ? b.ResourceId : b.BackendName)} ({b.BackendId}, {b.ResourceId}:{b.Port.ToString(CultureInfo.InvariantCulture)}) {b.Status ?? "unknown"}";

    /// <summary>Deletes load balancers (retrying "lease not ready") and waits until they are gone; their EIPs become available.</summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="noWait">Return right after DeleteLoadBalancers.</param>
    /// <param name="wait">Timeout and progress of the waits.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The load balancers as last described before DeleteLoadBalancers, with their status after the wait
    /// (<c>deleted</c>, or <c>ceased</c>); unchanged with <paramref name="noWait"/>.</returns>
    /// <exception cref="HaClusterException"><c>QcLoadBalancerNotFound</c>, <c>QcLoadBalancerDeleted</c> (nothing is deleted).</exception>
    public async Task<IReadOnlyList<LoadBalancer>> DeleteAsync(IEnumerable<string> loadBalancerIds, bool noWait = false, WaitOptions? wait = null, CancellationToken cancellationToken = default)
    {
        var live = await _lookup.LiveLoadBalancersAsync(loadBalancerIds, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ids = live.Select(l => l.LoadBalancerId).ToList();

        // A load balancer still being created or updated refuses deletion: let it settle first (usually it is idle
        // already, and the description in hand says so without another request).
        var settled = await _client.WaitForLoadBalancersAsync(live, null, wait, cancellationToken).ConfigureAwait(false);
        _client.Observer.Verbose($"Deleting load balancer(s) {string.Join(", ", ids)}.");
        var job = await _client.DeleteLoadBalancersAsync(ids, cancellationToken).ConfigureAwait(false);
        var removed = ids.Select(id => settled.First(l => l.LoadBalancerId == id)).ToList();
        if (!noWait)
        {
            await _client.WaitForJobsAsync(new[] { job }, wait, cancellationToken).ConfigureAwait(false);
            var gone = await _client.WaitForLoadBalancersAsync(ids, "deleted", wait, cancellationToken).ConfigureAwait(false);

            // Keep the description from before the deletion (what was removed: its EIPs, VxNet, VIP) but show its
            // status now, so -PassThru does not show a removed load balancer as active.
            foreach (var lb in removed)
            {
                lb.Status = gone.FirstOrDefault(g => g.LoadBalancerId == lb.LoadBalancerId)?.Status ?? "deleted";
                lb.TransitionStatus = null;
            }
        }

        return removed;
    }

    /// <summary>Deletes listeners and their backends (call <see cref="ApplyAsync"/> afterwards).</summary>
    /// <param name="listenerIds">The listeners.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The listeners, with their backends, as described before the deletion.</returns>
    /// <exception cref="HaClusterException"><c>QcListenerNotFound</c> (nothing is deleted).</exception>
    public async Task<IReadOnlyList<Listener>> RemoveListenersAsync(IEnumerable<string> listenerIds, CancellationToken cancellationToken = default)
    {
        var listeners = await _lookup.ListenersAsync(listenerIds, cancellationToken).ConfigureAwait(false);
        _client.Observer.Verbose($"Deleting listener(s) {string.Join(", ", listeners.Select(l => l.ListenerId))}.");
        await _client.DeleteLoadBalancerListenersAsync(listeners.Select(l => l.ListenerId), cancellationToken).ConfigureAwait(false);
        return listeners;
    }

    /// <summary>Deletes backends (call <see cref="ApplyAsync"/> afterwards).</summary>
    /// <param name="backendIds">The backends.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The backends as described before the deletion.</returns>
    /// <exception cref="HaClusterException"><c>QcBackendNotFound</c> (nothing is deleted).</exception>
    public async Task<IReadOnlyList<Backend>> RemoveBackendsAsync(IEnumerable<string> backendIds, CancellationToken cancellationToken = default)
    {
        var backends = await _lookup.BackendsAsync(backendIds, cancellationToken).ConfigureAwait(false);
        _client.Observer.Verbose($"Deleting backend(s) {string.Join(", ", backends.Select(b => b.BackendId))}.");
        await _client.DeleteLoadBalancerBackendsAsync(backends.Select(b => b.BackendId), cancellationToken).ConfigureAwait(false);
        return backends;
    }

    private static string Describe(BackendSpec b) => $"{b.ResourceId}:{b.Port.ToString(CultureInfo.InvariantCulture)}";

    // Validates every spec and folds batches for the same listener together, so each listener gets one call.
    private static List<BackendBatch> MergeBatches(IEnumerable<BackendBatch> batches)
    {
        var merged = new List<BackendBatch>();
        foreach (var batch in batches ?? throw new ArgumentNullException(nameof(batches)))
        {
            QingCloudValidation.Required("QcListenerMissing", "The listener id", batch.ListenerId);
            var target = merged.FirstOrDefault(b => b.ListenerId == batch.ListenerId);
            if (target is null)
            {
                merged.Add(target = new BackendBatch(batch.ListenerId, new List<BackendSpec>()));
            }

            foreach (var backend in batch.Backends)
            {
                backend.WriteTo(new QingCloudParameters());
                if (target.Backends.Any(b => b.ResourceId == backend.ResourceId && b.Port == backend.Port))
                {
                    throw new HaClusterException("QcBackendDuplicate", FailureKind.InvalidArgument, $"Backend {Describe(backend)} is given twice for listener {batch.ListenerId}.", backend.ResourceId);
                }

                target.Backends.Add(backend);
            }
        }

        return merged.Where(b => b.Backends.Count > 0).ToList();
    }

    private async Task CheckBackendLimitsAsync(List<BackendBatch> work, IReadOnlyList<Listener> listeners, CancellationToken cancellationToken)
    {
        foreach (var batch in work)
        {
            var listener = listeners.First(l => l.ListenerId == batch.ListenerId);
            RequireListenerRoom(listener.ListenerId, listener.Backends, batch);
        }

        foreach (var group in work.GroupBy(b => listeners.First(l => l.ListenerId == b.ListenerId).LoadBalancerId ?? string.Empty))
        {
            await RequireLoadBalancerRoomAsync(group.Key, group.Sum(b => b.Backends.Count), null, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void RequireListenerRoom(string listenerId, IReadOnlyList<Backend> present, BackendBatch batch)
    {
        foreach (var backend in batch.Backends)
        {
            if (present.FirstOrDefault(b => b.ResourceId == backend.ResourceId && b.Port == backend.Port) is { } there)
            {
                throw new HaClusterException("QcBackendExists", FailureKind.ResourceExists, $"Listener {listenerId} already has backend {Describe(backend)} ({there.BackendId}).", backend.ResourceId);
            }
        }

        if (present.Count + batch.Backends.Count > MaxBackendsPerListener)
        {
            throw new HaClusterException("QcTooManyBackends", FailureKind.LimitsExceeded, $"Listener {listenerId} has {present.Count} backends; adding {batch.Backends.Count} would pass the limit of {MaxBackendsPerListener}.", listenerId);
        }
    }

    private async Task RequireLoadBalancerRoomAsync(string loadBalancerId, int adding, int? known, CancellationToken cancellationToken)
    {
        var present = known ?? (await _client.DescribeLoadBalancerBackendsAsync(loadBalancerId: loadBalancerId, cancellationToken: cancellationToken).ConfigureAwait(false)).Count;
        if (present + adding > MaxBackendsPerLoadBalancer)
        {
            throw new HaClusterException("QcTooManyBackends", FailureKind.LimitsExceeded, $"Load balancer {loadBalancerId} has {present} backends; adding {adding} would pass the limit of {MaxBackendsPerLoadBalancer}.", loadBalancerId);
        }
    }

    // After an unknown outcome: the call added all of the batch or none of it.
    private async Task<IReadOnlyList<string>?> FindBackendIdsAsync(BackendBatch batch, CancellationToken cancellationToken)
    {
        var present = await _client.DescribeLoadBalancerBackendsAsync(listenerId: batch.ListenerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ids = batch.Backends.Select(s => present.FirstOrDefault(b => b.ResourceId == s.ResourceId && b.Port == s.Port)?.BackendId).ToList();
        return ids.All(id => id is not null) ? ids.Select(id => id!).ToList() : null;
    }

    private async Task<LoadBalancerSpec> ResolveAsync(LoadBalancerSpec spec, bool checkedByCaller, IReadOnlyList<Eip>? describedEips, CancellationToken cancellationToken)
    {
        QingCloudValidation.Required("QcLoadBalancerNameMissing", "The load balancer's name", spec.Name);
        spec.ToParameters();
        var name = spec.Name!;
        if (!checkedByCaller && (await _client.FindLoadBalancersByNameAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).FirstOrDefault() is { } twin)
        {
            throw new HaClusterException("QcLoadBalancerExists", FailureKind.ResourceExists, $"Load balancer '{name}' already exists ({twin.LoadBalancerId}); names identify load balancers across re-runs.", name);
        }

        var resolved = new LoadBalancerSpec
        {
            Name = name,
            LoadBalancerType = spec.LoadBalancerType,
            NodeCount = spec.NodeCount,
            HttpHeaderSize = spec.HttpHeaderSize,
            PrivateIp = spec.PrivateIp,
        };
        if (checkedByCaller && string.IsNullOrEmpty(spec.PrivateIp))
        {
            resolved.VxNetId = spec.VxNetId;
        }
        else if (!string.IsNullOrWhiteSpace(spec.VxNetId))
        {
            var vxnet = await _lookup.VxNetAsync(spec.VxNetId!, cancellationToken).ConfigureAwait(false);
            resolved.VxNetId = vxnet.VxNetId;
            CheckPrivateIp(spec.PrivateIp, vxnet);
        }

        var eips = describedEips is not null && spec.EipIds.All(id => describedEips.Any(e => e.EipId == id))
            ? spec.EipIds.Select(id => describedEips.First(e => e.EipId == id)).ToList()
            : await _lookup.EipsAsync(spec.EipIds, cancellationToken).ConfigureAwait(false);
        foreach (var eip in eips)
        {
            if (eip.Status != "available" || !eip.IsIdle)
            {
                var holder = string.IsNullOrEmpty(eip.Resource?.ResourceId) ? string.Empty : $" with {eip.Resource!.ResourceId}";
                throw new HaClusterException("QcEipNotAvailable", FailureKind.InvalidOperation, $"EIP {eip.EipId} ({eip.EipAddr}) is {eip.Status}{holder}; only an available EIP can be bound to a new load balancer.", eip.EipId);
            }

            RequireLoadBalancerMode(eip);
            resolved.EipIds.Add(eip.EipId);
        }

        if (checkedByCaller)
        {
            resolved.SecurityGroupId = spec.SecurityGroupId;
        }
        else if (!string.IsNullOrWhiteSpace(spec.SecurityGroupId))
        {
            resolved.SecurityGroupId = (await _lookup.SecurityGroupAsync(spec.SecurityGroupId!, cancellationToken).ConfigureAwait(false)).SecurityGroupId;
        }

        return resolved;
    }

    /// <summary>
    /// Refuses an EIP whose <c>associate_mode</c> is 1 (bound straight to a VM): only mode 0 EIPs serve load balancers,
    /// which is the only kind the cloud controller manager picks for them.
    /// </summary>
    /// <param name="eip">The EIP.</param>
    /// <exception cref="HaClusterException"><c>QcEipAssociateModeUnsupported</c>.</exception>
    public static void RequireLoadBalancerMode(Eip eip)
    {
        if (eip is { AssociateMode: not 0 })
        {
            throw new HaClusterException(EipAssociateModeErrorId, FailureKind.InvalidArgument, $"EIP {eip.EipId} ({eip.EipAddr}) has associate_mode {eip.AssociateMode} (bound straight to an instance); a load balancer needs an EIP with associate_mode 0. Allocate one with New-QcEip.", eip.EipId);
        }
    }

    private static void CheckPrivateIp(string? privateIp, VxNet vxnet)
    {
        if (string.IsNullOrEmpty(privateIp))
        {
            return;
        }

        if (!IPAddress.TryParse(privateIp, out var address) || (vxnet.IpNetwork is { } cidr && !Cidr.Contains(cidr, address)))
        {
            throw new HaClusterException("QcPrivateIpOutsideVxNet", FailureKind.InvalidArgument, $"Private IP '{privateIp}' is not an address inside VxNet {vxnet.VxNetId} ({vxnet.IpNetwork}).", privateIp);
        }
    }
}
