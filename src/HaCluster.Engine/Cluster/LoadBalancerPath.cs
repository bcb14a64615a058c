// Copyright (c) HaCluster contributors. MIT License.
// One load balancer path (internal or external) made to converge: adopt by state, then by name/tag, create only what is missing.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Builds the internal path (load balancer in the VxNet → TCP 6443 round robin → control-plane backends → firewall →
/// apply) or the external path (EIP → load balancer on it → HTTP 30880 → every node → firewall → apply). Every step first
/// looks for what a previous run made — by the id in the state file, then by name (and tag) — so running it again after
/// a crash at any point never creates a second load balancer, listener, backend set, rule or EIP. Each id is saved the
/// moment QingCloud returns it.
/// </summary>
internal sealed class LoadBalancerPath
{
    private static readonly string[] LiveStatuses = { "pending", "active", "stopped", "suspended" };

    private readonly QingCloudClient _client;
    private readonly ClusterStateStore _store;
    private readonly ClusterPlan _plan;
    private readonly bool _external;
    private readonly ClusterProgress.Bar _bar;
    private readonly WaitOptions _wait;
    private readonly string _tagId;

    // True once this run changed the load balancer (listener, backends, security group): the apply step must update it
    // even though the description in hand, taken before the change, reads applied.
    private bool _changed;

    // True when this run created the load balancer (it has no listeners yet) and the listener (it has no backends yet):
    // what is known empty is not listed again.
    private bool _createdLoadBalancer;
    private bool _createdListener;

    // True when this run created the security group: it is known to be empty and not the account's default group.
    private bool _createdGroup;

    public LoadBalancerPath(QingCloudClient client, ClusterStateStore store, ClusterPlan plan, bool external, string tagId, ClusterProgress.Bar bar)
    {
        _client = client;
        _store = store;
        _plan = plan;
        _external = external;
        _tagId = tagId;
        _bar = bar;
        _wait = ClusterProgress.WaitUnder(bar, plan.Request.WaitTimeout);
    }

    /// <summary>True when this run created the load balancer: its backends are exactly the ones this run added.</summary>
    public bool CreatedLoadBalancer => _createdLoadBalancer;

    private string Cluster => _plan.Name;

    private int Port => _external ? _plan.Request.ConsoleNodePort : ClusterNames.ApiPort;

    private string LoadBalancerName => _external ? ClusterNames.ExternalLoadBalancer(Cluster) : ClusterNames.InternalLoadBalancer(Cluster);

    /// <summary>Runs the path's steps in order.</summary>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The load balancer as described after its changes were applied.</returns>
    /// <remarks>
    /// The path's own security group is created first (one quick synchronous call, concurrently with the EIP
    /// allocation), so CreateLoadBalancer can be given it; its rules are added and applied as soon as it exists, beside
    /// the EIP's allocation and the load balancer's creation, off the critical path (EIP → load balancer created →
    /// applied).
    /// </remarks>
    public async Task<LoadBalancer> RunAsync(CancellationToken cancellationToken)
    {
        var groupTask = EnsureSecurityGroupAsync(cancellationToken);
        var eipTask = _external ? StepAsync<Eip?>(ClusterStepIds.Eip, "EIP", async () => await EnsureEipAsync(cancellationToken).ConfigureAwait(false)) : Task.FromResult<Eip?>(null);
        async Task<bool> FirewallAsync()
        {
            var groupId = await groupTask.ConfigureAwait(false);
            return await StepAsync(FirewallStep, $"security group {GroupName}", () => EnsureFirewallAsync(groupId, cancellationToken), $"TCP {Port} from {string.Join(", ", Sources)}").ConfigureAwait(false);
        }

        async Task<LoadBalancer> LoadBalancerAsync()
        {
            await Task.WhenAll(groupTask, eipTask).ConfigureAwait(false);
            return await BuildLoadBalancerAsync(eipTask.Result, groupTask.Result, cancellationToken).ConfigureAwait(false);
        }

        var firewall = FirewallAsync();
        var loadBalancer = LoadBalancerAsync();
        await Task.WhenAll(firewall, loadBalancer).ConfigureAwait(false);
        _bar.Complete();
        return loadBalancer.Result;
    }

    private string FirewallStep => _external ? ClusterStepIds.ExternalFirewall : ClusterStepIds.InternalFirewall;

    private string GroupName => ClusterNames.SecurityGroup(Cluster, _external);

    private IReadOnlyList<string> Sources => _external ? _plan.ConsoleSources : _plan.ApiSources;

    private async Task<LoadBalancer> BuildLoadBalancerAsync(Eip? eip, string groupId, CancellationToken cancellationToken)
    {
        var lb = await StepAsync(_external ? ClusterStepIds.ExternalLoadBalancer : ClusterStepIds.InternalLoadBalancer, "load balancer " + LoadBalancerName, () => EnsureLoadBalancerAsync(eip, groupId, cancellationToken)).ConfigureAwait(false);
        var listener = await StepAsync(_external ? ClusterStepIds.ExternalListener : ClusterStepIds.InternalListener, $"listener on {Port}", () => EnsureListenerAsync(lb, cancellationToken)).ConfigureAwait(false);
        await StepAsync(_external ? ClusterStepIds.ExternalBackends : ClusterStepIds.InternalBackends, $"backends on {Port}", () => EnsureBackendsAsync(lb, listener, cancellationToken)).ConfigureAwait(false);
        return await StepAsync(_external ? ClusterStepIds.ExternalApply : ClusterStepIds.InternalApply, "apply changes", () => ApplyAsync(lb, cancellationToken)).ConfigureAwait(false);
    }

    private LoadBalancerState Section(ClusterState state) => _external ? state.External : state.Internal;

    private async Task<T> StepAsync<T>(string stepId, string description, Func<Task<T>> step, string? detail = null)
    {
        var again = _store.IsCompleted(stepId);
        _bar.Starting(again ? description + " (checking)" : description, detail);
        var result = await step().ConfigureAwait(false);
        _store.Complete(stepId);
        _bar.Done(description);
        return result;
    }

    // The EIP as last described (available, or already bound on a re-run).
    private async Task<Eip> EnsureEipAsync(CancellationToken cancellationToken)
    {
        var recorded = _store.Read(s => s.External.EipId);
        Eip? eip = null;
        if (recorded is not null)
        {
            eip = await DescribeEipAsync(recorded, cancellationToken).ConfigureAwait(false);
            if (eip is null)
            {
                _client.Observer.Warning($"EIP {recorded} recorded in the state file no longer exists; {(_plan.GivenEip is null ? "allocating a new one" : "using the given one")}.");
            }
        }

        var created = _store.Read(s => s.External.EipCreated);
        if (eip is null && _plan.GivenEip is { } given)
        {
            eip = given;
            created = false;
        }

        if (eip is null)
        {
            var name = ClusterNames.Eip(Cluster);
            var named = _plan.LookedUp?.Eips ?? await _client.FindEipsByNameAsync(name, cancellationToken).ConfigureAwait(false);
            eip = named.OrderByDescending(e => e.Tags.Any(t => t.TagId == _tagId)).FirstOrDefault();
            created = true;
            if (eip is not null)
            {
                _client.Observer.Verbose($"Adopting EIP {eip.EipId} ({eip.EipAddr}) named '{name}'.");
            }
            else
            {
                eip = (await new EipService(_client).AllocateAsync(new EipSpec { Name = name }, noWait: true, wait: null, nameCheckedByCaller: true, cancellationToken).ConfigureAwait(false))[0];
            }
        }

        var id = eip.EipId;
        _store.Update(s =>
        {
            s.External.EipId = id;
            s.External.EipCreated = created;
        });
        if (eip.Status == "pending" || !eip.IsIdle)
        {
            // Freshly allocated: wait until it can be bound. Already bound (a re-run): only let a transition end.
            eip = (await _client.WaitForEipsAsync(new[] { eip }, eip.Status == "pending" ? "available" : null, _wait, cancellationToken).ConfigureAwait(false))[0];
        }

        if (created)
        {
            await TagAsync("eip", id, eip.Tags, cancellationToken).ConfigureAwait(false);
        }

        var address = eip.EipAddr;
        _store.Update(s => s.External.Address = address);
        return eip;
    }

    private async Task<Eip?> DescribeEipAsync(string eipId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.DescribeEipsAsync(new[] { eipId }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(e => e.Status is not ("released" or "ceased"));
        }
        catch (QingCloudApiException ex) when (ex.RetCode == 2100)
        {
            return null;
        }
    }

    private async Task<LoadBalancer> EnsureLoadBalancerAsync(Eip? eip, string groupId, CancellationToken cancellationToken)
    {
        var eipId = eip?.EipId;
        var name = LoadBalancerName;
        var lb = await FindLoadBalancerAsync(name, cancellationToken).ConfigureAwait(false);
        if (lb is null)
        {
            // Created in the path's own group: without security_group QingCloud binds the account's default group.
            var spec = new LoadBalancerSpec { Name = name, SecurityGroupId = groupId };
            if (eip is null)
            {
                spec.VxNetId = _plan.VxNet.VxNetId;
            }
            else
            {
                spec.EipIds.Add(eip.EipId);
            }

            // Returns right after CreateLoadBalancer, so the id is saved before the wait; the job is waited for on
            // the client's shared DescribeJobs poll (with the firewall's and the other path's jobs), then described once.
            var created = await new LoadBalancerService(_client).StartCreateAsync(spec, checkedByCaller: true, cancellationToken, eip is null ? null : new[] { eip }).ConfigureAwait(false);
            Record(created.LoadBalancerId, name);
            _createdLoadBalancer = created.JobId.Length > 0;
            await _client.WaitForJobsAsync(new[] { created.JobId }, _wait, cancellationToken).ConfigureAwait(false);
            lb = (await _client.WaitForLoadBalancersAsync(new[] { created.LoadBalancerId }, "active", _wait, cancellationToken).ConfigureAwait(false))[0];
        }
        else
        {
            Record(lb.LoadBalancerId, name);
            lb = (await _client.WaitForLoadBalancersAsync(new[] { lb }, "active", _wait, cancellationToken).ConfigureAwait(false))[0];
        }

        var id = lb.LoadBalancerId;
        await TagAsync("loadbalancer", id, lb.Tags, cancellationToken).ConfigureAwait(false);
        if (lb.SecurityGroupId != groupId)
        {
            // Adopted from an earlier run that left it in another (e.g. the default) group: move it; the apply step applies it.
            _client.Observer.Verbose($"Moving load balancer {id} from security group {lb.SecurityGroupId} to {groupId}.");
            await _client.ModifyLoadBalancerAttributesAsync(id, securityGroupId: groupId, cancellationToken: cancellationToken).ConfigureAwait(false);
            _changed = true;
            lb.SecurityGroupId = groupId;
        }
        if (eipId is not null && lb.PublicEips.All(e => e.EipId != eipId))
        {
            _client.Observer.Warning($"Load balancer {id} ({name}) is not bound to EIP {eipId}; the console URL uses the EIP it has.");
        }

        var address = _external ? lb.EipAddress : lb.Vip;
        var securityGroup = lb.SecurityGroupId;
        _store.Update(s =>
        {
            Section(s).SecurityGroupId = securityGroup;
            Section(s).Address = address ?? Section(s).Address;
        });
        return lb;
    }

    private void Record(string id, string name) => _store.Update(s =>
    {
        Section(s).LoadBalancerId = id;
        Section(s).LoadBalancerName = name;
    });

    // By the id in the state file, then by name, preferring the one with the cluster's tag.
    private async Task<LoadBalancer?> FindLoadBalancerAsync(string name, CancellationToken cancellationToken)
    {
        if (_store.Read(s => Section(s).LoadBalancerId) is { } recorded)
        {
            var found = (await _client.DescribeLoadBalancersAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(l => LiveStatuses.Contains(l.Status));
            if (found is not null)
            {
                return found;
            }

            _client.Observer.Warning($"Load balancer {recorded} recorded in the state file no longer exists; looking for '{name}'.");
        }

        // The planner looked the name up a moment ago when no state file recorded the cluster's tag.
        var named = _plan.LookedUp is { } lookedUp ? lookedUp.LoadBalancers[name] : await _client.FindLoadBalancersByNameAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var lb = named.OrderByDescending(l => l.Tags.Any(t => t.TagId == _tagId)).FirstOrDefault();
        if (lb is not null)
        {
            _client.Observer.Verbose($"Adopting load balancer {lb.LoadBalancerId} named '{name}'.");
        }

        return lb;
    }

    private async Task TagAsync(string resourceType, string resourceId, IReadOnlyList<Tag> present, CancellationToken cancellationToken)
    {
        if (present.Any(t => t.TagId == _tagId))
        {
            return;
        }

        _client.Observer.Verbose($"Tagging {resourceType} {resourceId} with '{Cluster}'.");
        await _client.AttachTagsAsync(new[] { new ResourceTagPair { TagId = _tagId, ResourceType = resourceType, ResourceId = resourceId } }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Listener> EnsureListenerAsync(LoadBalancer lb, CancellationToken cancellationToken)
    {
        var listeners = _createdLoadBalancer
            ? Array.Empty<Listener>()
            : await _client.DescribeLoadBalancerListenersAsync(loadBalancerId: lb.LoadBalancerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var recorded = _store.Read(s => Section(s).ListenerId);
        var listener = listeners.FirstOrDefault(l => l.ListenerId == recorded) ?? listeners.FirstOrDefault(l => l.ListenerPort == Port);
        var protocol = _external ? "http" : "tcp";
        if (listener is null)
        {
            var spec = new ListenerSpec
            {
                Port = Port,
                Protocol = protocol,
                BalanceMode = "roundrobin",
                Name = _external ? "ks-console" : "kube-apiserver",
            };
            // The load balancer was described active and its listeners listed just now: only the add is sent.
            var added = await new LoadBalancerService(_client).AddListenerToDescribedAsync(lb, listeners, spec, cancellationToken).ConfigureAwait(false);
            listener = new Listener { ListenerId = added, LoadBalancerId = lb.LoadBalancerId, ListenerPort = Port, ListenerProtocol = protocol };
            _changed = true;
            _createdListener = true;
        }
        else if (!string.Equals(listener.ListenerProtocol, protocol, StringComparison.OrdinalIgnoreCase))
        {
            _client.Observer.Warning($"Listener {listener.ListenerId} on port {Port} of {lb.LoadBalancerId} speaks {listener.ListenerProtocol}, not {protocol}; keeping it.");
        }

        var id = listener.ListenerId;
        _store.Update(s =>
        {
            Section(s).ListenerId = id;
            Section(s).Port = Port;
        });
        return listener;
    }

    private async Task<bool> EnsureBackendsAsync(LoadBalancer lb, Listener listener, CancellationToken cancellationToken)
    {
        var nodes = _external ? _plan.Nodes : _plan.ControlPlane;
        var service = new LoadBalancerService(_client);
        var present = _createdListener
            ? Array.Empty<Backend>()
            : await _client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var extra = ClusterPlanner.ExtraBackends(present, nodes, Port);
        var extraText = string.Join(", ", extra.Select(b => $"{b.ResourceId}:{b.Port}"));
        if (extra.Count > 0 && _plan.Request.Prune)
        {
            _client.Observer.Warning($"Removing backend(s) of listener {listener.ListenerId} that are not cluster nodes on port {Port} (-Prune): {extraText}.");
            await service.RemoveBackendsAsync(extra.Select(b => b.BackendId), cancellationToken).ConfigureAwait(false);
            _changed = true;
        }
        else if (extra.Count > 0)
        {
            // Someone else's backends, or nodes left out on purpose: nothing is removed unless asked.
            _client.Observer.Warning($"Leaving backend(s) of listener {listener.ListenerId} that are not cluster nodes on port {Port} alone: {extraText}. -Prune removes them.");
        }

        var missing = nodes.Where(n => present.All(b => b.ResourceId != n.Instance.InstanceId || b.Port != Port))
            .Select(n => new BackendSpec { ResourceId = n.Instance.InstanceId, Port = Port, Name = n.Name })
            .ToList();
        // The nodes' instances were described by the plan and the listener's backends just now: only the add is sent.
        var added = missing.Count == 0
            ? Array.Empty<string>()
            : await service.AddBackendsToDescribedAsync(lb, listener.ListenerId, present, missing, nodes.Select(n => n.Instance).ToList(), _createdLoadBalancer ? 0 : null, cancellationToken).ConfigureAwait(false);
        _changed |= added.Count > 0;
        var pruned = _plan.Request.Prune ? extra.Select(b => b.BackendId).ToList() : new List<string>();
        var ids = present.Select(b => b.BackendId).Where(id => !pruned.Contains(id)).Concat(added).ToList();
        _store.Update(s => Section(s).BackendIds = ids);
        return true;
    }

    // The path's own group: by the id in the state file, then by name preferring the cluster's tag, else created and tagged.
    private async Task<string> EnsureSecurityGroupAsync(CancellationToken cancellationToken)
    {
        var name = GroupName;
        SecurityGroup? group = null;
        if (_store.Read(s => Section(s).SecurityGroupCreated ? Section(s).SecurityGroupId : null) is { } recorded)
        {
            group = (await _client.DescribeSecurityGroupsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.SecurityGroupId == recorded);
            if (group is null)
            {
                _client.Observer.Warning($"Security group {recorded} recorded in the state file no longer exists; looking for '{name}'.");
            }
        }

        if (group is null)
        {
            var named = _plan.LookedUp is { } lookedUp ? lookedUp.SecurityGroups[name] : await _client.FindSecurityGroupsByNameAsync(name, cancellationToken).ConfigureAwait(false);
            group = named.Where(g => !g.IsDefault).OrderByDescending(g => g.Tags.Any(t => t.TagId == _tagId)).FirstOrDefault();
            if (group is not null)
            {
                _client.Observer.Verbose($"Adopting security group {group.SecurityGroupId} named '{name}'.");
            }
        }

        var id = group?.SecurityGroupId;
        if (id is null)
        {
            var lost = false;
            id = await _client.CreateOnceAsync(
                $"security group '{name}'",
                ct => _client.CreateSecurityGroupAsync(name, ct),
                async ct =>
                {
                    lost = true;
                    return (await _client.FindSecurityGroupsByNameAsync(name, ct).ConfigureAwait(false)).FirstOrDefault(g => !g.IsDefault)?.SecurityGroupId;
                },
                cancellationToken).ConfigureAwait(false);

            // A group found after a lost reply may be older than this run: only one this call made is known empty.
            _createdGroup = !lost;
        }

        _store.Update(s =>
        {
            Section(s).SecurityGroupId = id;
            Section(s).SecurityGroupCreated = true;
        });
        await TagAsync("security_group", id, group?.Tags ?? Array.Empty<Tag>(), cancellationToken).ConfigureAwait(false);
        return id;
    }

    // The group admits the port from the path's sources (SecurityGroupService.AdmitAsync: the one home of the rule's shape).
    private async Task<bool> EnsureFirewallAsync(string groupId, CancellationToken cancellationToken)
    {
        var service = new SecurityGroupService(_client);
        var rules = _createdGroup
            ? await service.AdmitInNewGroupAsync(groupId, Port, Sources, ClusterNames.FirewallRule(Cluster, Port), _wait, cancellationToken).ConfigureAwait(false)
            : await service.AdmitAsync(groupId, Port, Sources, ClusterNames.FirewallRule(Cluster, Port), wait: _wait, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ids = rules.Select(r => r.SecurityGroupRuleId).ToList();
        _store.Update(s => Section(s).FirewallRuleIds = ids);
        return true;
    }

    private async Task<LoadBalancer> ApplyAsync(LoadBalancer lb, CancellationToken cancellationToken)
    {
        // A run stopped mid-update left the load balancer updating: let it settle, then apply what is still pending.
        // The load balancer in hand was described active by this run, so usually this asks nothing.
        var settled = await _client.WaitForLoadBalancersAsync(new[] { lb }, "active", _wait, cancellationToken).ConfigureAwait(false);
        var applied = (await new LoadBalancerService(_client).ApplyDescribedAsync(settled, new ApplyOptions { Wait = _wait, Force = _changed }, cancellationToken).ConfigureAwait(false))[0];
        var address = _external ? applied.EipAddress : applied.Vip;
        if (address is null)
        {
            throw new HaClusterException("HaClusterAddressMissing", FailureKind.InvalidResult, $"Load balancer {applied.LoadBalancerId} ({applied.LoadBalancerName}) reports no {(_external ? "EIP address" : "VIP")}.", applied.LoadBalancerId);
        }

        _store.Update(s => Section(s).Address = address);
        return applied;
    }
}
