// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: SecurityGroup (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>A QingCloud security group (DescribeSecurityGroups item).</summary>
public sealed class SecurityGroup
{
    /// <summary>The id, <c>sg-xxxxxxxx</c>.</summary>
    [JsonPropertyName("security_group_id")]
    public string SecurityGroupId { get; set; } = string.Empty;

    /// <summary>The name.</summary>
    [JsonPropertyName("security_group_name")]
    public string? SecurityGroupName { get; set; }

    /// <summary>The description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>False while rule changes wait for ApplySecurityGroup.</summary>
    [JsonPropertyName("is_applied")]
    public bool IsApplied { get; set; }

    /// <summary>True for the account's default group.</summary>
    [JsonPropertyName("is_default")]
    public bool IsDefault { get; set; }

    /// <summary>Resources using the group (verbose describe only).</summary>
    [JsonPropertyName("resources")]
    public IReadOnlyList<ResourceReference> Resources { get; set; } = Array.Empty<ResourceReference>();

    /// <summary>The tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<Tag> Tags { get; set; } = Array.Empty<Tag>();

    /// <summary>When the group was created (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>Returns the SecurityGroupId.</summary>
    /// <returns>The SecurityGroupId.</returns>
    public override string ToString() => SecurityGroupId ?? string.Empty;
}
