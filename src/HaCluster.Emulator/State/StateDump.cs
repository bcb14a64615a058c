// Copyright (c) HaCluster contributors. MIT License.
// The JSON dump of every resource behind GET /_emulator/state.

using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HaCluster.Emulator.State;

/// <summary>Serialises the whole state (including what was last applied to the data plane) for tests and debugging.</summary>
internal static class StateDump
{
    // Serialisation only: `required` members (e.g. VxNet.Network, init-only) must not make the contract invalid.
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => { foreach (var p in info.Properties) { p.IsRequired = false; } } },
        },
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

    private static JsonNode? List<T>(System.Collections.Generic.IEnumerable<T> items)
        where T : Resource =>
        JsonSerializer.SerializeToNode(items.OrderBy(i => i.Seq).ToList(), Options);
}
