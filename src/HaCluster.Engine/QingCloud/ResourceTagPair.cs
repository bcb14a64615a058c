// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: ResourceTagPair (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A tag attached to one resource, as AttachTags takes it and DescribeTags returns it.</summary>
public sealed class ResourceTagPair : IQingCloudParameterObject
{
    /// <summary>The tag id.</summary>
    [JsonPropertyName("tag_id")]
    public string TagId { get; set; } = string.Empty;

    /// <summary>The resource type, e.g. <c>instance</c>, <c>loadbalancer</c>, <c>eip</c>, <c>security_group</c>.</summary>
    [JsonPropertyName("resource_type")]
    public string ResourceType { get; set; } = string.Empty;

    /// <summary>The resource id.</summary>
    [JsonPropertyName("resource_id")]
    public string ResourceId { get; set; } = string.Empty;

    /// <inheritdoc />
    public void WriteTo(QingCloudParameters target) =>
        target.Add("tag_id", TagId).Add("resource_type", ResourceType).Add("resource_id", ResourceId);

    /// <summary>Returns the ResourceId.</summary>
    /// <returns>The ResourceId.</returns>
    public override string ToString() => ResourceId ?? string.Empty;
}
