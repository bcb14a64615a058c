// Copyright (c) HaCluster contributors. MIT License.
// DescribeInstances, StopInstances, StartInstances, DescribeVxnets and DescribeJobs.

using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Actions;

/// <summary>Instance, VxNet and job actions (reference §4.6, §4.7, §3.2).</summary>
internal static class ComputeActions
{
    private static readonly string[] InstanceStatuses = ["pending", "running", "stopped", "suspended", "terminated", "ceased"];
    private static readonly string[] JobStatuses = ["pending", "working", "failed", "successful", "done with failure"];

    /// <summary>Registers the handlers.</summary>
    /// <param name="table">The action table.</param>
    public static void Register(ActionTable table)
    {
        table.Add("DescribeInstances", DescribeInstances);
        table.Add("StopInstances", c => ChangePower(c, "StopInstances", from: "running", transition: "stopping", to: "stopped"));
        table.Add("StartInstances", c => ChangePower(c, "StartInstances", from: "stopped", transition: "starting", to: "running"));
        table.Add("DescribeVxnets", DescribeVxnets);
        table.Add("DescribeJobs", DescribeJobs);
    }

    private static JsonObject DescribeInstances(ActionContext c)
    {
        var verbose = Render.Verbose(c);
        var types = c.Params.List("instance_type");
        var items = Render.Filter(c.State.Instances.Values, c, "instances", InstanceStatuses, ["terminated", "ceased"])
            .Where(i => types.Count == 0 || types.Contains(i.InstanceType));
        return Render.Page(items, c, "instance_set", i => RenderInstance(c, i, verbose));
    }

    private static JsonObject RenderInstance(ActionContext c, Instance i, int verbose)
    {
        var vxnet = c.State.VxNets[i.VxNetId];
        var json = new JsonObject
        {
            ["instance_id"] = i.Id,
            ["instance_name"] = i.Name,
            ["description"] = i.Description,
            ["instance_type"] = i.InstanceType,
            ["vcpus_current"] = Render.OptionalInt(c, i.Vcpus),
            ["memory_current"] = Render.OptionalInt(c, i.MemoryMb),
            ["status"] = i.Status,
            ["transition_status"] = i.TransitionStatus,
            ["create_time"] = Render.Time(i.CreateTime),
            ["status_time"] = Render.Time(i.StatusTime),
            ["image"] = new JsonObject
            {
                ["image_id"] = "centos79x64",
                ["image_name"] = "CentOS 7.9 64bit",
                ["os_family"] = "centos",
                ["platform"] = "linux",
                ["processor_type"] = "64bit",
                ["image_size"] = 20,
                ["provider"] = "system",
            },
            ["vxnets"] = new JsonArray(new JsonObject
            {
                ["vxnet_id"] = vxnet.Id,
                ["vxnet_name"] = vxnet.Name,
                ["vxnet_type"] = 1,
                ["nic_id"] = MacOf(i.PrivateIp),
                ["private_ip"] = i.PrivateIp,
            }),
            ["eip"] = new JsonObject { ["eip_id"] = string.Empty, ["eip_addr"] = string.Empty, ["bandwidth"] = "0" }, // a string, as the docs' example sends it
            ["tags"] = Render.TagsOf(c.State, i.Id),
            ["sub_code"] = 0,
            ["graphics_protocol"] = "vnc",
            ["graphics_passwd"] = string.Empty,
            ["zone_id"] = i.Zone,
        };
        if (verbose >= 1)
        {
            var sg = i.SecurityGroupId is { } sgId ? c.State.SecurityGroups.GetValueOrDefault(sgId) : null;
            json["security_group"] = new JsonObject { ["is_default"] = sg?.IsDefault == true ? 1 : 0, ["security_group_id"] = sg?.Id ?? string.Empty };
            json["volume_ids"] = new JsonArray();
            json["keypair_ids"] = new JsonArray();
        }

        return json;
    }

    // A stable, locally administered MAC per address, the shape QingCloud uses for nic_id.
    private static string MacOf(string ip) =>
        "52:54:" + string.Join(":", ip.Split('.').Select(o => int.Parse(o, System.Globalization.CultureInfo.InvariantCulture).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static JsonObject ChangePower(ActionContext c, string action, string from, string transition, string to)
    {
        c.Params.Int("force", 0, 1);
        var instances = c.Params.RequiredList("instances").Distinct().Select(id => CloudState.Find(c.State.Instances, id, c.Zone)).ToList();
        foreach (var i in instances)
        {
            if (i.Status != from || i.TransitionStatus.Length > 0)
            {
                var verb = to == "stopped" ? "stopped" : "started";
                var state = i.TransitionStatus.Length > 0 ? i.TransitionStatus : i.Status;
                throw ApiException.Denied($"instance [{i.Id}] is [{state}], can not be {verb}");
            }
        }

        foreach (var i in instances)
        {
            i.TransitionStatus = transition;
        }

        var job = c.Jobs.Start(action, c.Zone, c.Owner, instances.Select(i => i.Id),
            _ =>
            {
                lock (c.State.Gate)
                {
                    instances.ForEach(i => i.Settle(to, CloudState.Now()));
                }

                // Outside the lock: the data plane must never wait on the API's state.
                instances.ForEach(i => c.DataPlane.SetInstanceRunning(i.Id, to == "running"));

                return System.Threading.Tasks.Task.CompletedTask;
            },
            () => instances.ForEach(i => i.TransitionStatus = string.Empty));
        return new JsonObject { ["job_id"] = job.Id };
    }

    private static JsonObject DescribeVxnets(ActionContext c)
    {
        var verbose = Render.Verbose(c);
        var type = c.Params.Int("vxnet_type", 0, 2);
        var items = Render.Filter(c.State.VxNets.Values, c, "vxnets", statuses: null)
            .Where(v => type is null or 1);
        return Render.Page(items, c, "vxnet_set", v =>
        {
            var members = c.State.Instances.Values.Where(i => i.VxNetId == v.Id).OrderBy(i => i.Seq).ToList();
            var hosts = CloudState.Hosts(v.Network).Count();
            var json = new JsonObject
            {
                ["vxnet_id"] = v.Id,
                ["vxnet_name"] = v.Name,
                ["vxnet_type"] = 1,
                ["description"] = v.Description,
                ["create_time"] = Render.Time(v.CreateTime),
                ["available_ip_count"] = Render.OptionalInt(c, hosts - c.State.AddressesInUse(v.Id).Count),
                ["owner"] = v.Owner,
                ["tags"] = Render.TagsOf(c.State, v.Id),
                ["vpc_router_id"] = v.RouterId,
                ["zone_id"] = v.Zone,
                ["router"] = new JsonObject
                {
                    ["router_id"] = v.RouterId,
                    ["router_name"] = "router-" + v.Name,
                    ["manager_ip"] = CloudState.Hosts(v.Network).First(),
                    ["ip_network"] = v.IpNetwork,
                    ["dyn_ip_start"] = CloudState.Hosts(v.Network).Skip(1).FirstOrDefault() ?? string.Empty,
                    ["dyn_ip_end"] = CloudState.Hosts(v.Network).Reverse().Skip(1).FirstOrDefault() ?? string.Empty,
                    ["mode"] = 0,
                },
            };
            if (verbose >= 1)
            {
                json["instance_ids"] = Render.Strings(members.Select(i => i.Id));
            }

            return json;
        });
    }

    private static JsonObject DescribeJobs(ActionContext c)
    {
        var items = Render.Filter(c.State.Jobs.Values, c, "jobs", JobStatuses);
        return Render.Page(items, c, "job_set", j => new JsonObject
        {
            ["job_id"] = j.Id,
            ["job_action"] = j.JobAction,
            ["create_time"] = Render.Time(j.CreateTime),
            ["status_time"] = Render.Time(j.StatusTime),
            ["resource_ids"] = string.Join(" ", j.ResourceIds),
            ["owner"] = j.Owner,
            ["status"] = j.Status,
            ["directive"] = string.Empty,
            ["error_codes"] = j.ErrorCodes,
        });
    }
}
