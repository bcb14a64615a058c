// Copyright (c) HaCluster contributors. MIT License.
// The JSON dump of every resource behind GET /_emulator/state.

using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace HaCluster.Emulator.State;

/// <summary>Serialises the whole state (including what was last applied to the data plane) for tests and debugging.</summary>
internal static class StateDump
{
    // The dump only serialises; `required` (meant for construction) must not make members mandatory here.
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NotRequired } },
    };

    /// <summary>Builds the dump. Takes the state lock.</summary>
    /// <param name="state">The state.</param>
    /// <returns>An object with one array per resource kind.</returns>
    public static JsonObject Build(CloudState state)
    {
        lock (state.Gate)
        {
            return new JsonObject
            {
                ["instances"] = List(state.Instances.Values),
                ["vxnets"] = List(state.VxNets.Values),
                ["loadbalancers"] = List(state.LoadBalancers.Values),
                ["listeners"] = List(state.Listeners.Values),
                ["backends"] = List(state.Backends.Values),
                ["eips"] = List(state.Eips.Values),
                ["security_groups"] = List(state.SecurityGroups.Values),
                ["security_group_rules"] = List(state.SecurityGroupRules.Values),
                ["tags"] = List(state.Tags.Values),
                ["tag_pairs"] = JsonSerializer.SerializeToNode(state.TagPairs, Options),
                ["jobs"] = List(state.Jobs.Values),
            };
        }
    }

    private static void NotRequired(JsonTypeInfo info)
    {
        foreach (var property in info.Properties)
        {
            property.IsRequired = false;
        }
    }

    private static JsonNode? List<T>(System.Collections.Generic.IEnumerable<T> items)
        where T : Resource =>
        JsonSerializer.SerializeToNode(items.OrderBy(i => i.Seq).ToList(), Options);
}
