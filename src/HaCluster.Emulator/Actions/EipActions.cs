// Copyright (c) HaCluster contributors. MIT License.
// EIP actions: allocate from the configured pool, describe, release (reference §4.4).

using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Actions;

/// <summary>EIP lifecycle: pending → available ⇄ associated → released.</summary>
internal static class EipActions
{
    private static readonly string[] Statuses = ["pending", "available", "associated", "suspended", "released", "ceased"];

    /// <summary>Registers the handlers.</summary>
    /// <param name="table">The action table.</param>
    public static void Register(ActionTable table)
    {
        table.Add("AllocateEips", Allocate);
        table.Add("DescribeEips", Describe);
        table.Add("ReleaseEips", Release);
    }

    /// <summary>An EIP that can be associated now (available, idle): 2100 / 1400 otherwise.</summary>
    /// <param name="c">The call.</param>
    /// <param name="id">EIP id.</param>
    /// <returns>The EIP.</returns>
    public static Eip FindAvailable(ActionContext c, string id)
    {
        var eip = FindLive(c, id);
        return eip.Status == "available" && eip.TransitionStatus.Length == 0 && eip.ResourceId is null
            ? eip
            : throw ApiException.Denied($"eip [{id}] is [{(eip.TransitionStatus.Length > 0 ? eip.TransitionStatus : eip.Status)}], only an available eip can be associated");
    }

    private static Eip FindLive(ActionContext c, string id)
    {
        var eip = CloudState.Find(c.State.Eips, id, c.Zone);
        return eip.Status is "released" or "ceased" ? throw ApiException.NotFound(id) : eip;
    }

    private static JsonObject Allocate(ActionContext c)
    {
        var p = c.Params;
        var bandwidth = p.RequiredInt("bandwidth", 1, 1000);
        var count = p.Int("count", 1, 100, 1);
        var billing = p.OneOf("billing_mode", "bandwidth", "bandwidth", "traffic");
        var needIcp = p.Int("need_icp", 0, 1, 0);
        var associateMode = p.Int("associate_mode", 0, 1, 0);
        var live = c.State.Eips.Values.Count(e => e.Zone == c.Zone && e.Status is not ("released" or "ceased"));
        if (live + count > c.Options.Quotas.Eips)
        {
            throw ApiException.Quota($"eip quota ({c.Options.Quotas.Eips}) reached: {live} allocated, {count} requested");
        }

        var addresses = c.State.FreeEipAddresses().Take(count).ToList();
        if (addresses.Count < count)
        {
            throw ApiException.Quota($"no free address left in eip_pool {c.Options.EipPool}: {addresses.Count} free, {count} requested");
        }

        var eips = new List<Eip>();
        foreach (var address in addresses)
        {
            var eip = new Eip(c.NewIdentity("eip-"))
            {
                Name = p.Get("eip_name") ?? string.Empty,
                Status = "pending",
                Address = address,
                Bandwidth = bandwidth,
                BillingMode = billing,
                NeedIcp = needIcp,
                AssociateMode = associateMode,
            };
            c.State.Eips[eip.Id] = eip;
            eips.Add(eip);
        }

        // AllocateEips is synchronous but the address becomes usable a moment later, as on QingCloud.
        c.Jobs.After(() => eips.Where(e => e.Status == "pending").ToList().ForEach(e => e.Settle("available", CloudState.Now())));
        return new JsonObject { ["eips"] = Render.Strings(eips.Select(e => e.Id)) };
    }

    private static JsonObject Describe(ActionContext c)
    {
        foreach (var id in c.Params.List("eips"))
        {
            // Unlike other Describe* actions, an unknown EIP id is an error (documented).
            CloudState.Find(c.State.Eips, id, c.Zone);
        }

        var instanceId = c.Params.Get("instance_id");
        var items = Render.Filter(c.State.Eips.Values, c, "eips", Statuses, ["released", "ceased"])
            .Where(e => instanceId is null || e.ResourceId == instanceId);
        return Render.Page(items, c, "eip_set", e =>
        {
            var lb = e.ResourceId is null || e.Status != "associated" ? null : c.State.LoadBalancers.GetValueOrDefault(e.ResourceId);
            return new JsonObject
            {
                ["eip_id"] = e.Id,
                ["eip_name"] = e.Name,
                ["description"] = e.Description,
                ["eip_addr"] = e.Address,
                ["bandwidth"] = Render.OptionalInt(c, e.Bandwidth),
                ["billing_mode"] = e.BillingMode,
                ["status"] = e.Status,
                ["transition_status"] = e.TransitionStatus,
                ["associate_mode"] = e.AssociateMode,
                ["need_icp"] = Render.OptionalInt(c, e.NeedIcp),
                ["icp_codes"] = string.Empty,
                ["sub_code"] = 0,
                ["alarm_status"] = string.Empty,
                ["create_time"] = Render.Time(e.CreateTime),
                ["status_time"] = Render.Time(e.StatusTime),
                ["tags"] = Render.TagsOf(c.State, e.Id),
                ["resource"] = new JsonObject
                {
                    ["resource_id"] = lb?.Id ?? string.Empty,
                    ["resource_name"] = lb?.Name ?? string.Empty,
                    ["resource_type"] = lb is null ? string.Empty : "loadbalancer",
                },
                ["eip_group"] = new JsonObject { ["eip_group_id"] = "eipg-00000000", ["eip_group_name"] = "BGP multi-line" },
            };
        });
    }

    private static JsonObject Release(ActionContext c)
    {
        var eips = c.Params.RequiredList("eips").Distinct().Select(id => FindLive(c, id)).ToList();
        foreach (var eip in eips)
        {
            if (eip.Status != "available" || eip.TransitionStatus.Length > 0 || eip.ResourceId is not null)
            {
                throw ApiException.Denied($"eip [{eip.Id}] is [{(eip.TransitionStatus.Length > 0 ? eip.TransitionStatus : eip.Status)}], only an available eip can be released (dissociate it first)");
            }

            if ((c.Now - eip.CreateTime).TotalMilliseconds < c.Options.LeaseWindowMs)
            {
                throw ApiException.LeaseNotReady(eip.Id);
            }
        }

        eips.ForEach(e => e.TransitionStatus = "releasing");
        var job = c.Jobs.Start("ReleaseEips", c.Zone, c.Owner, eips.Select(e => e.Id),
            _ =>
            {
                lock (c.State.Gate)
                {
                    eips.ForEach(e => e.Settle("released", CloudState.Now()));
                }

                return Task.CompletedTask;
            },
            () => eips.ForEach(e => e.TransitionStatus = string.Empty));
        return new JsonObject { ["job_id"] = job.Id };
    }
}
