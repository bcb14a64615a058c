// Copyright (c) HaCluster contributors. MIT License.
// Shared pieces of Describe* handling: id/status/search/tag filters, paging, time format, tag lists.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Api;

/// <summary>Filtering, paging and JSON helpers shared by the action handlers.</summary>
internal static class Render
{
    /// <summary>Default page size.</summary>
    public const int DefaultLimit = 20;

    /// <summary>Largest page size; larger limits are capped.</summary>
    public const int MaxLimit = 100;

    /// <summary>ISO 8601 UTC without fractions, as the API sends.</summary>
    /// <param name="time">The time.</param>
    /// <returns>e.g. <c>2013-09-24T15:41:49Z</c>.</returns>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A JSON array of strings.</summary>
    /// <param name="values">The strings.</param>
    /// <returns>The array.</returns>
    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    /// <summary>A JSON array of nodes.</summary>
    /// <param name="nodes">The nodes.</param>
    /// <returns>The array.</returns>
    public static JsonArray Array(IEnumerable<JsonNode> nodes) => new([.. nodes.Cast<JsonNode?>()]);

    /// <summary>The <c>tags</c> array of a resource.</summary>
    /// <param name="state">State.</param>
    /// <param name="resourceId">Resource id.</param>
    /// <returns>Tag objects.</returns>
    public static JsonArray TagsOf(CloudState state, string resourceId) =>
        Array(state.TagsOf(resourceId).Select(t => new JsonObject
        {
            ["tag_id"] = t.Id,
            ["tag_name"] = t.Name,
            ["color"] = t.Color,
        }));

    /// <summary>
    /// The common Describe* filters: zone, <c>{idsParam}.N</c>, <c>status.N</c> (validated), <c>search_word</c>
    /// (id or name only, case-insensitive, as every Describe page documents) and <c>tags.N</c>. Items whose status is in <paramref name="hiddenStatuses"/>
    /// (deleted, released …) only show when asked for by id or by status.
    /// </summary>
    /// <typeparam name="T">Resource type.</typeparam>
    /// <param name="items">Candidates.</param>
    /// <param name="c">The request.</param>
    /// <param name="idsParam">Name of the id list, e.g. <c>loadbalancers</c>.</param>
    /// <param name="statuses">Valid status values, or null when the resource has no status filter.</param>
    /// <param name="hiddenStatuses">Statuses hidden from unfiltered listings.</param>
    /// <returns>The matching items in creation order.</returns>
    public static IEnumerable<T> Filter<T>(
        IEnumerable<T> items,
        ActionContext c,
        string idsParam,
        string[]? statuses,
        string[]? hiddenStatuses = null)
        where T : Resource
    {
        var ids = c.Params.List(idsParam);
        var wanted = statuses is null ? [] : c.Params.List("status");
        foreach (var s in wanted)
        {
            if (!statuses!.Contains(s, StringComparer.Ordinal))
            {
                throw ApiException.Invalid("status", s, "expected one of " + string.Join(", ", statuses!));
            }
        }

        var search = c.Params.Get("search_word");
        // In DescribeTags, tags.N names the tags themselves rather than filtering by tag.
        var tags = idsParam == "tags" ? [] : c.Params.List("tags");
        var result = items.Where(i => i.Zone == c.Zone);
        if (ids.Count > 0)
        {
            result = result.Where(i => ids.Contains(i.Id, StringComparer.Ordinal));
        }

        if (wanted.Count > 0)
        {
            result = result.Where(i => wanted.Contains(i.Status, StringComparer.Ordinal));
        }
        else if (ids.Count == 0 && hiddenStatuses is not null)
        {
            result = result.Where(i => !hiddenStatuses.Contains(i.Status, StringComparer.Ordinal));
        }

        if (search is not null)
        {
            result = result.Where(i => Contains(i.Id, search) || Contains(i.Name, search));
        }

        if (tags.Count > 0)
        {
            var tagged = c.State.TagPairs.Where(p => tags.Contains(p.TagId, StringComparer.Ordinal)).Select(p => p.ResourceId).ToHashSet(StringComparer.Ordinal);
            result = result.Where(i => tagged.Contains(i.Id));
        }

        return result.OrderBy(i => i.Seq);
    }

    /// <summary>Applies <c>offset</c>/<c>limit</c> (default 20, capped at 100) and builds <c>{setName: [...], total_count}</c> (<c>total_count</c> left out with <c>omit_total_count</c>).</summary>
    /// <typeparam name="T">Item type.</typeparam>
    /// <param name="items">All matching items.</param>
    /// <param name="c">The request.</param>
    /// <param name="setName">e.g. <c>loadbalancer_set</c>.</param>
    /// <param name="render">Item → JSON.</param>
    /// <returns>The response fields.</returns>
    public static JsonObject Page<T>(IEnumerable<T> items, ActionContext c, string setName, Func<T, JsonNode> render)
    {
        var offset = c.Params.Int("offset", 0, int.MaxValue, 0);
        var limit = Math.Min(c.Params.Int("limit", 0, int.MaxValue, DefaultLimit), MaxLimit);
        var all = items.ToList();
        var page = new JsonObject { [setName] = Array(all.Skip(offset).Take(limit).Select(render)) };
        if (!c.Options.OmitTotalCount)
        {
            page["total_count"] = all.Count;
        }

        return page;
    }

    /// <summary>An optional integer field: its value, or <c>null</c> when the emulator plays the API's nulls.</summary>
    /// <param name="c">The request.</param>
    /// <param name="value">The value.</param>
    /// <returns>The JSON value or null.</returns>
    public static JsonNode? OptionalInt(ActionContext c, int value) => c.Options.NullOptionalIntegers ? null : JsonValue.Create(value);

    /// <summary>The <c>verbose</c> level (0 when absent).</summary>
    /// <param name="c">The request.</param>
    /// <returns>0, 1 or 2.</returns>
    public static int Verbose(ActionContext c) => c.Params.Int("verbose", 0, 2, 0);

    private static bool Contains(string? text, string word) =>
        text is not null && text.Contains(word, StringComparison.OrdinalIgnoreCase);
}
