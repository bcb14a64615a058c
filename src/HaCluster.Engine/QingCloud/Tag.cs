// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: Tag (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A QingCloud tag (DescribeTags item, or an entry of a resource's <c>tags</c>).</summary>
public sealed class Tag
{
    /// <summary>The tag id, <c>tag-xxxxxxxx</c>.</summary>
    [JsonPropertyName("tag_id")]
    public string TagId { get; set; } = string.Empty;

    /// <summary>The tag name.</summary>
    [JsonPropertyName("tag_name")]
    public string TagName { get; set; } = string.Empty;

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>The colour, e.g. <c>#9f9bb7</c>.</summary>
    [JsonPropertyName("color")]
    public string? Color { get; set; }

    /// <summary>How many resources carry the tag.</summary>
    [JsonPropertyName("resource_count")]
    public int ResourceCount { get; set; }

    /// <summary>The tagged resources (verbose describe only).</summary>
    [JsonPropertyName("resource_tag_pairs")]
    public IReadOnlyList<ResourceTagPair> ResourceTagPairs { get; set; } = Array.Empty<ResourceTagPair>();

    /// <summary>The owner, <c>usr-xxxxxxxx</c>.</summary>
    [JsonPropertyName("owner")]
    public string? Owner { get; set; }

    /// <summary>When the tag was created (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>Returns the TagId.</summary>
    /// <returns>The TagId.</returns>
    public override string ToString() => TagId ?? string.Empty;
}
