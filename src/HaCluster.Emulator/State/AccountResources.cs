// Copyright (c) HaCluster contributors. MIT License.
// Tags and asynchronous jobs.

namespace HaCluster.Emulator.State;

/// <summary>A tag that resources can carry.</summary>
internal sealed class Tag : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public Tag(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>Colour such as <c>#9f9bb7</c>.</summary>
    public string Color { get; set; } = "#9f9bb7";
}

/// <summary>One tag attachment.</summary>
/// <param name="TagId">The tag.</param>
/// <param name="ResourceType">e.g. <c>loadbalancer</c>.</param>
/// <param name="ResourceId">The resource.</param>
internal sealed record TagPair(string TagId, string ResourceType, string ResourceId);

/// <summary>An asynchronous job; <see cref="Resource.Status"/> is pending, working, successful or failed.</summary>
internal sealed class Job : Resource
{
    /// <summary>Creates it.</summary>
    /// <param name="identity">Id, zone, owner, order, time.</param>
    public Job(ResourceIdentity identity)
        : base(identity)
    {
    }

    /// <summary>The action that started it.</summary>
    public required string JobAction { get; init; }

    /// <summary>Resource ids it works on.</summary>
    public required string[] ResourceIds { get; init; }

    /// <summary>Error code text of a failed job, <c>""</c> otherwise.</summary>
    public string ErrorCodes { get; set; } = string.Empty;

    /// <summary>Why it failed, for the state dump.</summary>
    public string? Error { get; set; }
}
