// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: ResourceReference (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A resource another resource points at (an EIP's holder, a security group's members).</summary>
public sealed class ResourceReference
{
    /// <summary>The resource id.</summary>
    [JsonPropertyName("resource_id")]
    public string ResourceId { get; set; } = string.Empty;

    /// <summary>The resource name.</summary>
    [JsonPropertyName("resource_name")]
    public string? ResourceName { get; set; }

    /// <summary>The resource type, e.g. <c>instance</c> or <c>loadbalancer</c>.</summary>
    [JsonPropertyName("resource_type")]
    public string? ResourceType { get; set; }

    /// <summary>Returns the ResourceId.</summary>
    /// <returns>The ResourceId.</returns>
    public override string ToString() => ResourceId ?? string.Empty;
}
