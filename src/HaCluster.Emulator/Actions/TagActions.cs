// Copyright (c) HaCluster contributors. MIT License.
// Tag actions: CreateTag, ModifyTagAttributes, AttachTags, DetachTags, DescribeTags, DeleteTags (reference §4.8).

using System.Linq;
using System.Text.Json.Nodes;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Actions;

/// <summary>Tags and their attachment to resources.</summary>
internal static class TagActions
{
    private static readonly string[] ResourceTypes =
        ["instance", "volume", "keypair", "security_group", "vxnet", "eip", "router", "loadbalancer", "s2_server", "snapshot", "rdb", "mongo", "cache", "zookeeper", "queue", "spark"];

    /// <summary>Registers the handlers.</summary>
    /// <param name="table">The action table.</param>
    public static void Register(ActionTable table)
    {
        table.Add("CreateTag", Create);
        table.Add("ModifyTagAttributes", Modify);
        table.Add("AttachTags", Attach);
        table.Add("DetachTags", Detach);
        table.Add("DescribeTags", Describe);
        table.Add("DeleteTags", Delete);
    }

    private static JsonObject Create(ActionContext c)
    {
        var name = c.Params.Required("tag_name");
        if (name.Length >= 15)
        {
            throw ApiException.Invalid("tag_name", name, "must be shorter than 15 characters");
        }

        if (c.State.Tags.Values.Any(t => t.Zone == c.Zone && t.Name == name))
        {
            throw ApiException.AlreadyExists($"tag [{name}]");
        }

        var tag = new Tag(c.NewIdentity("tag-"))
        {
            Name = name,
            Description = c.Params.Get("description"),
            Color = c.Params.Get("color") ?? "#9f9bb7",
        };
        c.State.Tags[tag.Id] = tag;
        return new JsonObject { ["tag_id"] = tag.Id };
    }

    // One tag at a time: `tag` (id), optional `tag_name` and `description` (docs.qingcloud.com/api/tag/modify_tag_attributes).
    private static JsonObject Modify(ActionContext c)
    {
        var tag = CloudState.Find(c.State.Tags, c.Params.Required("tag"), c.Zone);
        if (c.Params.Get("tag_name") is { } name)
        {
            if (name.Length >= 15)
            {
                throw ApiException.Invalid("tag_name", name, "must be shorter than 15 characters");
            }

            tag.Name = name;
        }

        tag.Description = c.Params.Get("description") ?? tag.Description;
        return [];
    }

    private static JsonObject Attach(ActionContext c)
    {
        var pairs = c.Params.RequiredObjects("resource_tag_pairs").Select(p =>
        {
            var tag = CloudState.Find(c.State.Tags, p.Required("tag_id"), c.Zone);
            p.Required("resource_type");
            var type = p.OneOf("resource_type", string.Empty, ResourceTypes);
            var id = p.Required("resource_id");
            var exists = type switch
            {
                "instance" => c.State.Instances.TryGetValue(id, out var i) && i.Zone == c.Zone,
                "vxnet" => c.State.VxNets.TryGetValue(id, out var v) && v.Zone == c.Zone,
                "loadbalancer" => c.State.LoadBalancers.TryGetValue(id, out var l) && l.Zone == c.Zone && CloudState.IsLive(l),
                "eip" => c.State.Eips.TryGetValue(id, out var e) && e.Zone == c.Zone && e.Status != "released",
                "security_group" => c.State.SecurityGroups.TryGetValue(id, out var s) && s.Zone == c.Zone,
                _ => false,
            };
            return exists ? new TagPair(tag.Id, type, id) : throw ApiException.NotFound(id);
        }).ToList();
        foreach (var pair in pairs.Where(p => !c.State.TagPairs.Contains(p)))
        {
            c.State.TagPairs.Add(pair);
        }

        return [];
    }

    // Removing a pair that is not there is not an error; an unknown tag is.
    private static JsonObject Detach(ActionContext c)
    {
        var pairs = c.Params.RequiredObjects("resource_tag_pairs").Select(p =>
        {
            var tag = CloudState.Find(c.State.Tags, p.Required("tag_id"), c.Zone);
            return new TagPair(tag.Id, p.OneOf("resource_type", string.Empty, ResourceTypes), p.Required("resource_id"));
        }).ToList();
        c.State.TagPairs.RemoveAll(pairs.Contains);
        return [];
    }

    // Deleting a tag detaches it from everything it marks; every id must exist, else nothing is deleted.
    private static JsonObject Delete(ActionContext c)
    {
        var tags = c.Params.RequiredList("tags").Select(id => CloudState.Find(c.State.Tags, id, c.Zone)).ToList();
        foreach (var tag in tags)
        {
            c.State.Tags.Remove(tag.Id);
            c.State.TagPairs.RemoveAll(p => p.TagId == tag.Id);
        }

        return [];
    }

    private static JsonObject Describe(ActionContext c)
    {
        var verbose = Render.Verbose(c);
        var items = Render.Filter(c.State.Tags.Values, c, "tags", statuses: null);
        return Render.Page(items, c, "tag_set", t =>
        {
            var pairs = c.State.TagPairs.Where(p => p.TagId == t.Id).ToList();
            var json = new JsonObject
            {
                ["tag_id"] = t.Id,
                ["tag_name"] = t.Name,
                ["description"] = t.Description,
                ["color"] = t.Color,
                ["resource_count"] = pairs.Count,
                ["resource_type_count"] = Render.Array(pairs.GroupBy(p => p.ResourceType).OrderBy(g => g.Key, System.StringComparer.Ordinal)
                    .Select(g => new JsonObject { ["count"] = g.Count(), ["resource_type"] = g.Key })),
                ["create_time"] = Render.Time(t.CreateTime),
                ["owner"] = t.Owner,
            };
            if (verbose >= 1)
            {
                json["resource_tag_pairs"] = Render.Array(pairs.Select(p => new JsonObject
                {
                    ["tag_id"] = p.TagId,
                    ["resource_type"] = p.ResourceType,
                    ["resource_id"] = p.ResourceId,
                }));
            }

            return json;
        });
    }
}
