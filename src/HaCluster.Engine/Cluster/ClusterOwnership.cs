// Copyright (c) HaCluster contributors. MIT License.
// The one rule for "this resource is the cluster's": it carries the cluster's tag and has the name the cluster gives it.

using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Ownership is proven, not assumed: an id in a state file can be edited, copied or stale, so before Remove-HaCluster
/// touches a resource (load balancer, EIP, security group, firewall rule, tag) it must carry the cluster's tag — a
/// tag named after the cluster — and have the name the cluster gives that resource. Every kind of resource goes through
/// <see cref="WhyNotOwned"/>; anything else is reported as <see cref="NotOwnedErrorId"/> and left alone.
/// </summary>
public static class ClusterOwnership
{
    /// <summary>Error id: a resource the state file names is not provably the cluster's; it was left alone.</summary>
    public const string NotOwnedErrorId = "HaClusterResourceNotOwned";

    /// <summary>Error id: the cluster name belongs to live resources that another state file (or none) made.</summary>
    public const string NameInUseErrorId = "HaClusterNameInUse";

    private const string StateFilePrefix = "HaCluster state file ";

    /// <summary>The description New-HaCluster gives the tag it creates: the state file that owns the cluster.</summary>
    /// <param name="statePath">The state file.</param>
    /// <returns>The description.</returns>
    public static string TagDescription(string statePath) => StateFilePrefix + statePath;

    /// <summary>The state file a tag's description records, or null.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The path, or null.</returns>
    public static string? StateFileOf(Tag tag) =>
        tag.Description is { } text && text.StartsWith(StateFilePrefix, System.StringComparison.Ordinal) ? text.Substring(StateFilePrefix.Length) : null;

    /// <summary>Why a resource is not the cluster's, or null when it is.</summary>
    /// <param name="actualName">The resource's name as QingCloud reports it.</param>
    /// <param name="tags">The tags it carries (null for a resource that cannot carry tags, such as a firewall rule, whose name is the proof).</param>
    /// <param name="expectedName">The name the cluster gives it.</param>
    /// <param name="tagId">The cluster's tag, or null when there is none.</param>
    /// <returns>The reason, or null.</returns>
    public static string? WhyNotOwned(string? actualName, IEnumerable<Tag>? tags, string expectedName, string? tagId)
    {
        if (actualName != expectedName)
        {
            return $"its name is '{actualName}', not '{expectedName}'";
        }

        if (tags is not null && (tagId is null || !tags.Any(t => t.TagId == tagId)))
        {
            return tagId is null ? "the cluster has no tag to prove it" : $"it does not carry the cluster's tag {tagId}";
        }

        return null;
    }
}

/// <summary>A resource named by a state file (or found by the cluster's name) that is not provably the cluster's: left alone.</summary>
public sealed class NotOwnedResource
{
    internal NotOwnedResource(string kind, string id, string? name, string reason)
    {
        Kind = kind;
        Id = id;
        Name = name;
        Reason = reason;
    }

    /// <summary><c>loadbalancer</c>, <c>eip</c>, <c>security_group</c>, <c>firewall rule</c> or <c>tag</c>.</summary>
    public string Kind { get; }

    /// <summary>Its id.</summary>
    public string Id { get; }

    /// <summary>Its name, if known.</summary>
    public string? Name { get; }

    /// <summary>Why it is not the cluster's.</summary>
    public string Reason { get; }

    /// <summary>One line for the user.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{Kind} {Id}{(Name is null ? string.Empty : $" ({Name})")} is not the cluster's ({Reason}); left alone";
}
