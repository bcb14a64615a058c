// Copyright (c) HaCluster contributors. MIT License.
// Waiting for jobs and for resources to settle (transition_status empty, target status reached), every kind on one
// shared poll per client (SharedPoller), so concurrent waits cost one Describe per tick.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <content>Job and status waits.</content>
public sealed partial class QingCloudClient
{
    private static readonly string[] GoneStatuses = { "deleted", "ceased", "terminated", "released" };

    private SharedPoller<Job>? _jobPoller;
    private SharedPoller<LoadBalancer>? _loadBalancerPoller;
    private SharedPoller<Eip>? _eipPoller;
    private SharedPoller<Instance>? _instancePoller;
    private SharedPoller<SecurityGroup>? _securityGroupPoller;

    /// <summary>The one DescribeJobs poll every concurrent job wait on this client shares.</summary>
    internal SharedPoller<Job> JobPoller => LazyInitializer.EnsureInitialized(ref _jobPoller, () => new SharedPoller<Job>((ids, ct) => DescribeJobsAsync(ids, cancellationToken: ct), j => j.JobId))!;

    private SharedPoller<LoadBalancer> LoadBalancerPoller => LazyInitializer.EnsureInitialized(ref _loadBalancerPoller, () => new SharedPoller<LoadBalancer>((ids, ct) => DescribeLoadBalancersAsync(ids, cancellationToken: ct), lb => lb.LoadBalancerId))!;

    private SharedPoller<Eip> EipPoller => LazyInitializer.EnsureInitialized(ref _eipPoller, () => new SharedPoller<Eip>((ids, ct) => DescribeEipsAsync(ids, cancellationToken: ct), e => e.EipId))!;

    private SharedPoller<Instance> InstancePoller => LazyInitializer.EnsureInitialized(ref _instancePoller, () => new SharedPoller<Instance>((ids, ct) => DescribeInstancesAsync(ids, cancellationToken: ct), i => i.InstanceId))!;

    private SharedPoller<SecurityGroup> SecurityGroupPoller => LazyInitializer.EnsureInitialized(ref _securityGroupPoller, () => new SharedPoller<SecurityGroup>((ids, ct) => DescribeSecurityGroupsAsync(ids, cancellationToken: ct), g => g.SecurityGroupId))!;

    /// <summary>Waits for jobs on the client's shared DescribeJobs poll (see <see cref="JobWaiter"/>).</summary>
    /// <param name="jobIds">The job ids.</param>
    /// <param name="options">Timeout, intervals and progress; null means the defaults.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The finished jobs.</returns>
    public Task<IReadOnlyList<Job>> WaitForJobsAsync(IEnumerable<string> jobIds, WaitOptions? options = null, CancellationToken cancellationToken = default) =>
        new JobWaiter(this).WaitAsync(jobIds, options, cancellationToken);

    /// <summary>
    /// Waits until each load balancer has an empty <c>transition_status</c> and, when given, the target status
    /// (<c>active</c> after create; <c>deleted</c> after delete, where a vanished one also counts).
    /// </summary>
    /// <param name="loadBalancerIds">The load balancers.</param>
    /// <param name="targetStatus">The status to reach, or null for "idle in any status".</param>
    /// <param name="options">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The load balancers as last described.</returns>
    public Task<IReadOnlyList<LoadBalancer>> WaitForLoadBalancersAsync(IEnumerable<string> loadBalancerIds, string? targetStatus = "active", WaitOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitForStatusAsync("load balancer", loadBalancerIds, null, LoadBalancerPoller, lb => lb.LoadBalancerId, lb => lb.Status, lb => lb.TransitionStatus, targetStatus, options, cancellationToken);

    /// <summary>
    /// Like <see cref="WaitForLoadBalancersAsync(IEnumerable{string}, string?, WaitOptions?, CancellationToken)"/>, starting
    /// from load balancers described a moment ago: when they already qualify no request is made; otherwise the first poll
    /// comes after <see cref="WaitOptions.FirstInterval"/> instead of at once.
    /// </summary>
    /// <param name="described">The load balancers as just described (their ids are the ones waited for).</param>
    /// <param name="targetStatus">The status to reach, or null for "idle in any status".</param>
    /// <param name="options">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The load balancers as last described.</returns>
    public Task<IReadOnlyList<LoadBalancer>> WaitForLoadBalancersAsync(IReadOnlyList<LoadBalancer> described, string? targetStatus = "active", WaitOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitForStatusAsync("load balancer", described.Select(lb => lb.LoadBalancerId), described, LoadBalancerPoller, lb => lb.LoadBalancerId, lb => lb.Status, lb => lb.TransitionStatus, targetStatus, options, cancellationToken);

    /// <summary>Waits until each EIP is idle and, when given, in the target status (<c>available</c> after allocation).</summary>
    /// <param name="eipIds">The EIPs.</param>
    /// <param name="targetStatus">The status to reach, or null.</param>
    /// <param name="options">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The EIPs as last described.</returns>
    public Task<IReadOnlyList<Eip>> WaitForEipsAsync(IEnumerable<string> eipIds, string? targetStatus = "available", WaitOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitForStatusAsync("EIP", eipIds, null, EipPoller, e => e.EipId, e => e.Status, e => e.TransitionStatus, targetStatus, options, cancellationToken, Context.JobDurations);

    /// <summary>
    /// Like <see cref="WaitForEipsAsync(IEnumerable{string}, string?, WaitOptions?, CancellationToken)"/>, starting from EIPs
    /// described a moment ago: when they already qualify no request is made; otherwise the first poll comes after
    /// <see cref="WaitOptions.FirstInterval"/> instead of at once.
    /// </summary>
    /// <param name="described">The EIPs as just described (their ids are the ones waited for).</param>
    /// <param name="targetStatus">The status to reach, or null.</param>
    /// <param name="options">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The EIPs as last described.</returns>
    public Task<IReadOnlyList<Eip>> WaitForEipsAsync(IReadOnlyList<Eip> described, string? targetStatus = "available", WaitOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitForStatusAsync("EIP", described.Select(e => e.EipId), described, EipPoller, e => e.EipId, e => e.Status, e => e.TransitionStatus, targetStatus, options, cancellationToken, Context.JobDurations);

    /// <summary>Waits until each instance is idle and, when given, in the target status (<c>running</c> or <c>stopped</c>).</summary>
    /// <param name="instanceIds">The instances.</param>
    /// <param name="targetStatus">The status to reach, or null.</param>
    /// <param name="options">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The instances as last described.</returns>
    public Task<IReadOnlyList<Instance>> WaitForInstancesAsync(IEnumerable<string> instanceIds, string? targetStatus, WaitOptions? options = null, CancellationToken cancellationToken = default) =>
        WaitForStatusAsync("instance", instanceIds, null, InstancePoller, i => i.InstanceId, i => i.Status, i => i.TransitionStatus, targetStatus, options, cancellationToken);

    /// <summary>Waits until a security group reports <c>is_applied</c> = 1 (after ApplySecurityGroup and its job).</summary>
    /// <param name="securityGroupId">The security group.</param>
    /// <param name="options">Timeout, intervals and progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The security group as last described.</returns>
    public async Task<SecurityGroup> WaitForSecurityGroupAppliedAsync(string securityGroupId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WaitOptions();
        using var subscription = SecurityGroupPoller.Subscribe(new[] { securityGroupId }, options, pollNow: true);
        var groups = await ResourceWaiter.WaitPacedAsync(
            Observer,
            $"Waiting for security group {securityGroupId} to be applied",
            async ct => (IReadOnlyList<SecurityGroup>)(await subscription.NextAsync(ct).ConfigureAwait(false)).Values.ToList(),
            items => items.Count == 0 ? throw NotFound("security group", securityGroupId) : items[0].IsApplied ? null : $"{securityGroupId} not applied",
            options,
            cancellationToken).ConfigureAwait(false);
        return groups[0];
    }

    private static HaClusterException NotFound(string noun, string id) =>
        new("QingCloudResourceNotFound", FailureKind.ObjectNotFound, $"QingCloud has no {noun} {id}.", id);

    private static string RequireString(JsonElement reply, string name, string action)
    {
        if (reply.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            return text;
        }

        throw new QingCloudTransportException("QingCloudInvalidResponse", FailureKind.InvalidResult, action, $"QingCloud {action} answered without '{name}'.", 200, isTransient: false, mayHaveReachedServer: true);
    }

    private static IReadOnlyList<string> ReadStringList(JsonElement reply, string name, string action)
    {
        if (reply.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array)
        {
            return value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() ?? string.Empty : v.GetRawText()).ToList();
        }

        throw new QingCloudTransportException("QingCloudInvalidResponse", FailureKind.InvalidResult, action, $"QingCloud {action} answered without the list '{name}'.", 200, isTransient: false, mayHaveReachedServer: true);
    }

    private async Task<IReadOnlyList<T>> WaitForStatusAsync<T>(
        string noun,
        IEnumerable<string> resourceIds,
        IReadOnlyList<T>? described,
        SharedPoller<T> poller,
        Func<T, string> idOf,
        Func<T, string?> statusOf,
        Func<T, string?> transitionOf,
        string? targetStatus,
        WaitOptions? options,
        CancellationToken cancellationToken,
        JobDurations? timing = null)
    {
        var ids = resourceIds.Distinct(StringComparer.Ordinal).ToList();
        var targetIsGone = targetStatus is not null && Array.IndexOf(GoneStatuses, targetStatus) >= 0;
        var activity = $"Waiting for {noun} {string.Join(", ", ids)}" + (targetStatus is null ? " to settle" : $" to become {targetStatus}");
        string? Pending(IReadOnlyList<T> items)
        {
            var waiting = new List<string>();
            foreach (var id in ids)
            {
                var item = items.FirstOrDefault(i => idOf(i) == id);
                var status = item is null ? null : statusOf(item);
                if (item is null || (targetIsGone && Array.IndexOf(GoneStatuses, status) >= 0))
                {
                    if (!targetIsGone)
                    {
                        waiting.Add(id + " not found yet");
                    }

                    continue;
                }

                var transition = transitionOf(item);
                if (!targetIsGone && targetStatus is not null && Array.IndexOf(GoneStatuses, status) >= 0)
                {
                    throw new HaClusterException("QingCloudUnexpectedStatus", FailureKind.InvalidResult, $"QingCloud {noun} {id} is {status}; it will never become {targetStatus}.", id);
                }

                if (!string.IsNullOrEmpty(transition))
                {
                    waiting.Add(id + " " + transition);
                }
                else if (targetStatus is not null && status != targetStatus)
                {
                    waiting.Add(id + " " + status);
                }
            }

            return waiting.Count == 0 ? null : string.Join(", ", waiting);
        }

        // A reply in hand answers the wait without a request when it already qualifies.
        if (described is not null && Pending(described) is null)
        {
            return described;
        }

        // Resources a timed action is bringing up (EIPs after AllocateEips) are polled like its jobs (JobDurations).
        options ??= new WaitOptions();
        timing = targetStatus is null || targetIsGone ? null : timing;
        using var subscription = poller.Subscribe(ids, options, pollNow: described is null, timing?.Expect(ids, guess: false));
        async Task<IReadOnlyList<T>> NextAsync(CancellationToken ct)
        {
            var found = await subscription.NextAsync(ct).ConfigureAwait(false);
            foreach (var item in found.Values)
            {
                var reached = string.IsNullOrEmpty(transitionOf(item)) && statusOf(item) == targetStatus;
                timing?.Observe(idOf(item), reached || Array.IndexOf(GoneStatuses, statusOf(item)) >= 0, reached);
            }

            return ids.Where(found.ContainsKey).Select(id => found[id]).ToList();
        }

        return await ResourceWaiter.WaitPacedAsync(Observer, activity, NextAsync, Pending, options, cancellationToken).ConfigureAwait(false);
    }
}
