// Copyright (c) HaCluster contributors. MIT License.
// Load balancer actions: create, describe, delete, apply changes, modify, EIP association (reference §4.1).

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.DataPlane;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Actions;

/// <summary>Load balancer lifecycle: pending/creating → active → (updating) → deleted.</summary>
internal static class LoadBalancerActions
{
    /// <summary>Most EIPs one LB can carry.</summary>
    public const int MaxEipsPerLoadBalancer = 4;

    private static readonly string[] Statuses = ["pending", "active", "stopped", "suspended", "deleted", "ceased"];

    /// <summary>Registers the handlers.</summary>
    /// <param name="table">The action table.</param>
    public static void Register(ActionTable table)
    {
        table.Add("CreateLoadBalancer", Create);
        table.Add("DescribeLoadBalancers", Describe);
        table.Add("DeleteLoadBalancers", Delete);
        table.Add("UpdateLoadBalancers", Update);
        table.Add("ModifyLoadBalancerAttributes", Modify);
        table.Add("AssociateEipsToLoadBalancer", AssociateEips);
        table.Add("DissociateEipsFromLoadBalancer", DissociateEips);
    }

    /// <summary>A live LB by id: 2100 when unknown or deleted.</summary>
    /// <param name="c">The call.</param>
    /// <param name="id">LB id.</param>
    /// <returns>The LB.</returns>
    public static LoadBalancer FindLive(ActionContext c, string id)
    {
        var lb = CloudState.Find(c.State.LoadBalancers, id, c.Zone);
        return CloudState.IsLive(lb) ? lb : throw ApiException.NotFound(id);
    }

    /// <summary>An LB whose configuration may change now (active): 1400 otherwise.</summary>
    /// <param name="c">The call.</param>
    /// <param name="id">LB id.</param>
    /// <returns>The LB.</returns>
    public static LoadBalancer FindActive(ActionContext c, string id)
    {
        var lb = FindLive(c, id);
        return lb.Status == "active"
            ? lb
            : throw ApiException.Denied($"loadbalancer [{id}] is [{lb.Status}], can not be modified now");
    }

    /// <summary>Marks an LB as having unapplied changes.</summary>
    /// <param name="lb">The LB.</param>
    public static void Touch(LoadBalancer lb)
    {
        lb.IsApplied = false;
        lb.Version++;
    }

    private static JsonObject Create(ActionContext c)
    {
        var p = c.Params;
        var eipIds = p.List("eips").Distinct().ToList();
        var vxnetId = p.Get("vxnet");
        var type = p.Int("loadbalancer_type", 0, 5, 0);
        var headerSize = p.Int("http_header_size", 1, 127, 15);
        var nodeCount = p.Int("node_count", 1, 10, 1);
        var mode = p.Int("mode", 0, 1, 0);
        var clusterMode = p.Int("cluster_mode", 0, 1, 0);
        var internalLb = vxnetId is not null && vxnetId != "vxnet-0";
        if (!internalLb && eipIds.Count == 0)
        {
            throw ApiException.Invalid("vxnet", vxnetId, "give eips.N for a public load balancer or vxnet for a private one");
        }

        if (eipIds.Count > MaxEipsPerLoadBalancer)
        {
            throw ApiException.Quota($"a load balancer takes at most {MaxEipsPerLoadBalancer} EIPs, got {eipIds.Count}");
        }

        var eips = eipIds.Select(id => EipActions.FindAvailable(c, id)).ToList();
        var vxnet = internalLb ? CloudState.Find(c.State.VxNets, vxnetId!, c.Zone) : null;
        var privateIp = p.Get("private_ip");
        if (privateIp is not null && vxnet is null)
        {
            throw ApiException.Invalid("private_ip", privateIp, "only a load balancer in a vxnet has a private address");
        }

        var sgId = p.Get("security_group");
        if (sgId is not null)
        {
            CloudState.Find(c.State.SecurityGroups, sgId, c.Zone);
        }

        if (c.State.LoadBalancers.Values.Count(l => l.Zone == c.Zone && CloudState.IsLive(l)) >= c.Options.Quotas.LoadBalancers)
        {
            throw ApiException.Quota($"load balancer quota ({c.Options.Quotas.LoadBalancers}) reached");
        }

        string? vip = null;
        if (vxnet is not null)
        {
            vip = privateIp is null
                ? c.State.AllocateVip(vxnet) ?? throw ApiException.Quota($"no free address left in vxnet [{vxnet.Id}]")
                : CheckPrivateIp(c, vxnet, privateIp);
        }

        var identity = c.NewIdentity("lb-");
        var id = identity.Id;
        sgId ??= c.State.DefaultSecurityGroup(c.Zone).Id;
        var lb = new LoadBalancer(identity)
        {
            Name = p.Get("loadbalancer_name") ?? string.Empty,
            Status = "pending",
            TransitionStatus = "creating",
            LoadBalancerType = type,
            VxNetId = vxnet?.Id,
            Vip = vip,
            SecurityGroupId = sgId,
            NodeCount = nodeCount,
            HttpHeaderSize = headerSize,
            Mode = mode,
            ClusterMode = clusterMode,
        };
        c.State.LoadBalancers[id] = lb;
        foreach (var eip in eips)
        {
            eip.TransitionStatus = "associating";
            eip.ResourceId = id;
        }

        var job = c.Jobs.Start("CreateLoadBalancer", c.Zone, c.Owner, [id],
            _ =>
            {
                lock (c.State.Gate)
                {
                    lb.Settle("active", CloudState.Now());
                    foreach (var eip in eips)
                    {
                        eip.Settle("associated", CloudState.Now());
                        lb.EipIds.Add(eip.Id);
                    }
                }

                return Task.CompletedTask;
            },
            () =>
            {
                lb.Settle("ceased", CloudState.Now());
                eips.ForEach(ReleaseToPool);
            });
        return new JsonObject { ["loadbalancer_id"] = id, ["job_id"] = job.Id };
    }

    private static string CheckPrivateIp(ActionContext c, VxNet vxnet, string ip)
    {
        if (!IPAddress.TryParse(ip, out var address) || !vxnet.Network.Contains(address) || !CloudState.Hosts(vxnet.Network).Contains(ip))
        {
            throw ApiException.Invalid("private_ip", ip, $"expected a host address inside {vxnet.Id} ({vxnet.IpNetwork})");
        }

        return c.State.AddressesInUse(vxnet.Id).Contains(ip)
            ? throw ApiException.Denied($"private ip [{ip}] is already in use in vxnet [{vxnet.Id}]")
            : ip;
    }

    private static void ReleaseToPool(Eip eip)
    {
        eip.ResourceId = null;
        eip.Settle("available", CloudState.Now());
    }

    private static JsonObject Describe(ActionContext c)
    {
        var verbose = Render.Verbose(c);
        var items = Render.Filter(c.State.LoadBalancers.Values, c, "loadbalancers", Statuses, ["deleted", "ceased"]);
        return Render.Page(items, c, "loadbalancer_set", lb => RenderLoadBalancer(c, lb, verbose));
    }

    private static JsonObject RenderLoadBalancer(ActionContext c, LoadBalancer lb, int verbose)
    {
        // As the real cloud sends them: a public (vxnet-0) LB lists its EIPs in "cluster" with the LB nodes serving
        // each, and "eips" stays []; private_ips holds the VIP (VxNet LBs) and then the LB nodes' 198.19.x addresses.
        var nodes = Enumerable.Range(0, lb.NodeCount)
            .Select(n => (Id: string.Create(CultureInfo.InvariantCulture, $"i-{lb.Id[3..^1]}{n}"), Ip: NodeAddress(lb, n), Gateway: string.Create(CultureInfo.InvariantCulture, $"100.64.0.{10 + n}")))
            .ToList();
        var cluster = Render.Array(lb.EipIds.Select(id => c.State.Eips[id]).Select(e => new JsonObject
        {
            ["eip_name"] = e.Name,
            ["eip_addr"] = e.Address,
            ["eip_id"] = e.Id,
            ["instances"] = Render.Array(nodes.Select(n => new JsonObject { ["instance_id"] = n.Id, ["vgw_mgmt_ip"] = n.Gateway })),
        }));
        var json = new JsonObject
        {
            ["loadbalancer_id"] = lb.Id,
            ["loadbalancer_name"] = lb.Name,
            ["description"] = lb.Description ?? string.Empty,
            ["loadbalancer_type"] = Render.OptionalInt(c, lb.LoadBalancerType),
            ["status"] = lb.Status,
            ["transition_status"] = lb.TransitionStatus,
            ["is_applied"] = lb.IsApplied ? 1 : 0,
            ["vxnet_id"] = lb.VxNetId ?? "vxnet-0",
            ["private_ips"] = Render.Strings((lb.Vip is null ? [] : new[] { lb.Vip }).Concat(nodes.Select(n => n.Ip))),
            ["eips"] = new JsonArray(),
            ["cluster"] = cluster,
            ["security_group_id"] = lb.SecurityGroupId,
            ["node_count"] = Render.OptionalInt(c, lb.NodeCount),
            ["http_header_size"] = Render.OptionalInt(c, lb.HttpHeaderSize),
            ["mode"] = lb.Mode,
            ["create_time"] = Render.Time(lb.CreateTime),
            ["status_time"] = Render.Time(lb.StatusTime),
            ["owner"] = lb.Owner,
            ["root_user_id"] = lb.Owner,
            ["console_id"] = "qingcloud",
            ["controller"] = "self",
            ["rsyslog"] = string.Empty,
            ["place_group_id"] = "plg-00000000",
            ["repl"] = "rpp-00000000",
            ["hypervisor"] = string.Empty,
            ["features"] = 0,
            ["sub_code"] = 0,
            ["cpu"] = 1,
            ["memory"] = 320,
            ["tags"] = Render.TagsOf(c.State, lb.Id),
        };
        if (verbose >= 1)
        {
            json["listeners"] = Render.Array(c.State.Listeners.Values
                .Where(l => l.LoadBalancerId == lb.Id)
                .OrderBy(l => l.Seq)
                .Select(l => ListenerActions.RenderListener(c, l, withBackends: true)));
        }

        return json;
    }

    // The LB's own node addresses in 198.19.0.0/16, stable per LB (the client must skip them when it picks the VIP).
    private static string NodeAddress(LoadBalancer lb, int node) =>
        string.Create(CultureInfo.InvariantCulture, $"198.19.{lb.Seq % 250}.{100 + node}");

    private static JsonObject Delete(ActionContext c)
    {
        var lbs = c.Params.RequiredList("loadbalancers").Distinct().Select(id => FindLive(c, id)).ToList();
        foreach (var lb in lbs)
        {
            if (lb.Status == "pending" || lb.TransitionStatus.Length > 0)
            {
                throw ApiException.Denied($"loadbalancer [{lb.Id}] is [{(lb.TransitionStatus.Length > 0 ? lb.TransitionStatus : lb.Status)}], can not be deleted now");
            }

            if ((c.Now - lb.CreateTime).TotalMilliseconds < c.Options.LeaseWindowMs)
            {
                throw ApiException.LeaseNotReady(lb.Id);
            }
        }

        lbs.ForEach(lb => lb.TransitionStatus = "deleting");
        var job = c.Jobs.Start("DeleteLoadBalancers", c.Zone, c.Owner, lbs.Select(l => l.Id),
            async token =>
            {
                foreach (var lb in lbs)
                {
                    await c.DataPlane.RemoveAsync(lb.Id).ConfigureAwait(false);
                    lock (c.State.Gate)
                    {
                        Erase(c.State, lb);
                    }
                }
            },
            () => lbs.ForEach(lb => lb.TransitionStatus = string.Empty));
        return new JsonObject { ["job_id"] = job.Id };
    }

    // A deleted LB keeps its record (status deleted) but loses listeners, backends, EIPs and VIP.
    private static void Erase(CloudState state, LoadBalancer lb)
    {
        foreach (var l in state.Listeners.Values.Where(l => l.LoadBalancerId == lb.Id).ToList())
        {
            ListenerActions.Remove(state, l);
        }

        foreach (var eipId in lb.EipIds)
        {
            ReleaseToPool(state.Eips[eipId]);
        }

        lb.EipIds.Clear();
        lb.Applied = null;
        lb.Settle("deleted", CloudState.Now());
    }

    private static JsonObject Update(ActionContext c)
    {
        var lbs = c.Params.RequiredList("loadbalancers").Distinct().Select(id => FindLive(c, id)).ToList();
        foreach (var lb in lbs)
        {
            if (lb.Status != "active" || lb.TransitionStatus.Length > 0)
            {
                throw ApiException.Denied($"loadbalancer [{lb.Id}] is [{(lb.TransitionStatus.Length > 0 ? lb.TransitionStatus : lb.Status)}], can not be updated now");
            }
        }

        // The job applies the configuration as it is now; later edits leave the LB unapplied again.
        var plans = lbs.Select(lb => (Lb: lb, Version: lb.Version, Specs: AppliedConfig.Snapshot(c.State, lb))).ToList();
        lbs.ForEach(lb => lb.TransitionStatus = "updating");
        var job = c.Jobs.Start("UpdateLoadBalancers", c.Zone, c.Owner, lbs.Select(l => l.Id),
            async token =>
            {
                foreach (var (lb, version, specs) in plans)
                {
                    var pushed = await AppliedConfig.PushAsync(c.State, c.DataPlane, lb, specs, token).ConfigureAwait(false);
                    lock (c.State.Gate)
                    {
                        lb.Applied = pushed;
                        lb.IsApplied = lb.Version == version;
                        lb.TransitionStatus = string.Empty;
                    }
                }
            },
            () => lbs.ForEach(lb => lb.TransitionStatus = string.Empty));
        return new JsonObject { ["job_id"] = job.Id };
    }

    private static JsonObject Modify(ActionContext c)
    {
        var p = c.Params;
        var lb = FindLive(c, p.Required("loadbalancer"));
        var sgId = p.Get("security_group");
        var privateIp = p.Get("private_ip");
        var nodeCount = p.Int("node_count", 1, 10);
        var headerSize = p.Int("http_header_size", 1, 127);
        if (sgId is not null)
        {
            CloudState.Find(c.State.SecurityGroups, sgId, c.Zone);
        }

        if (privateIp is not null && privateIp != lb.Vip)
        {
            var vxnet = lb.VxNetId is null
                ? throw ApiException.Invalid("private_ip", privateIp, "only a load balancer in a vxnet has a private address")
                : c.State.VxNets[lb.VxNetId];
            lb.Vip = CheckPrivateIp(c, vxnet, privateIp);
            Touch(lb);
        }

        lb.Name = p.Get("loadbalancer_name") ?? lb.Name;
        lb.Description = p.Get("description") ?? lb.Description;
        if ((sgId is not null && sgId != lb.SecurityGroupId) || (nodeCount is not null && nodeCount != lb.NodeCount) || (headerSize is not null && headerSize != lb.HttpHeaderSize))
        {
            lb.SecurityGroupId = sgId ?? lb.SecurityGroupId;
            lb.NodeCount = nodeCount ?? lb.NodeCount;
            lb.HttpHeaderSize = headerSize ?? lb.HttpHeaderSize;
            Touch(lb);
        }

        return [];
    }

    private static JsonObject AssociateEips(ActionContext c)
    {
        var lbId = c.Params.Required("loadbalancer");
        var eipIds = c.Params.RequiredList("eips").Distinct().ToList();
        var lb = FindActive(c, lbId);
        if (lb.TransitionStatus.Length > 0)
        {
            throw ApiException.Denied($"loadbalancer [{lb.Id}] is [{lb.TransitionStatus}], try later");
        }

        var eips = eipIds.Select(id => EipActions.FindAvailable(c, id)).ToList();
        var pending = c.State.Eips.Values.Count(e => e.ResourceId == lb.Id);
        if (pending + eips.Count > MaxEipsPerLoadBalancer)
        {
            throw ApiException.Quota($"a load balancer takes at most {MaxEipsPerLoadBalancer} EIPs; [{lb.Id}] has {pending}");
        }

        foreach (var eip in eips)
        {
            eip.TransitionStatus = "associating";
            eip.ResourceId = lb.Id;
        }

        var job = c.Jobs.Start("AssociateEipsToLoadBalancer", c.Zone, c.Owner, [lb.Id, .. eips.Select(e => e.Id)],
            token => ChangeEipsAsync(c, lb, token, () =>
            {
                foreach (var eip in eips)
                {
                    eip.Settle("associated", CloudState.Now());
                    lb.EipIds.Add(eip.Id);
                }
            }),
            () => eips.ForEach(e =>
            {
                lb.EipIds.Remove(e.Id);
                ReleaseToPool(e);
            }));
        return new JsonObject { ["job_id"] = job.Id };
    }

    private static JsonObject DissociateEips(ActionContext c)
    {
        var lbId = c.Params.Required("loadbalancer");
        var eipIds = c.Params.RequiredList("eips").Distinct().ToList();
        var lb = FindLive(c, lbId);
        var eips = eipIds.Select(id => CloudState.Find(c.State.Eips, id, c.Zone)).ToList();
        foreach (var eip in eips)
        {
            if (eip.Status != "associated" || eip.ResourceId != lb.Id || eip.TransitionStatus.Length > 0)
            {
                throw ApiException.Denied($"eip [{eip.Id}] is not associated with loadbalancer [{lb.Id}]");
            }
        }

        eips.ForEach(e => e.TransitionStatus = "dissociating");
        var job = c.Jobs.Start("DissociateEipsFromLoadBalancer", c.Zone, c.Owner, [lb.Id, .. eips.Select(e => e.Id)],
            token => ChangeEipsAsync(c, lb, token, () =>
            {
                foreach (var eip in eips)
                {
                    lb.EipIds.Remove(eip.Id);
                    ReleaseToPool(eip);
                }
            }),
            () => eips.ForEach(e => e.TransitionStatus = string.Empty));
        return new JsonObject { ["job_id"] = job.Id };
    }

    // EIP changes take effect without UpdateLoadBalancers: the applied listeners move to the new bind address.
    private static async Task ChangeEipsAsync(ActionContext c, LoadBalancer lb, System.Threading.CancellationToken token, System.Action commit)
    {
        IReadOnlyList<ListenerSpec>? applied;
        lock (c.State.Gate)
        {
            commit();
            applied = lb.Applied;
        }

        if (applied is not null)
        {
            var pushed = await AppliedConfig.PushAsync(c.State, c.DataPlane, lb, applied, token).ConfigureAwait(false);
            lock (c.State.Gate)
            {
                lb.Applied = pushed;
            }
        }
    }
}
