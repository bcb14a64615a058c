// Copyright (c) HaCluster contributors. MIT License.
// Base of every emulated resource: id, zone, owner, creation order and time.

using System;

namespace HaCluster.Emulator.State;

/// <summary>What a resource is born with.</summary>
/// <param name="Id">Id such as <c>lb-1a2b3c4d</c>.</param>
/// <param name="Zone">Zone it lives in.</param>
/// <param name="Owner">Owning user id (<c>usr-…</c>).</param>
/// <param name="Seq">Creation order.</param>
/// <param name="CreateTime">When it was created.</param>
internal sealed record ResourceIdentity(string Id, string Zone, string Owner, long Seq, DateTimeOffset CreateTime);

/// <summary>What every resource has. Mutable members are only touched under <see cref="CloudState.Gate"/>.</summary>
internal abstract class Resource
{
    /// <summary>Initialises the identity; the status time starts at the creation time.</summary>
    /// <param name="identity">The identity.</param>
    protected Resource(ResourceIdentity identity)
    {
        Id = identity.Id;
        Zone = identity.Zone;
        Owner = identity.Owner;
        Seq = identity.Seq;
        CreateTime = identity.CreateTime;
        StatusTime = identity.CreateTime;
    }

    /// <summary>Id such as <c>lb-1a2b3c4d</c>.</summary>
    public string Id { get; }

    /// <summary>Zone it lives in.</summary>
    public string Zone { get; }

    /// <summary>Creation order; Describe* lists in this order.</summary>
    public long Seq { get; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreateTime { get; }

    /// <summary>Owning user id (<c>usr-…</c>).</summary>
    public string Owner { get; }

    /// <summary>Display name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Description, null when unset (the API sends null).</summary>
    public string? Description { get; set; }

    /// <summary>Lifecycle status, e.g. <c>active</c>.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>Transition in progress, <c>""</c> when idle.</summary>
    public string TransitionStatus { get; set; } = string.Empty;

    /// <summary>When <see cref="Status"/> last changed.</summary>
    public DateTimeOffset StatusTime { get; set; }

    /// <summary>Sets a status and its time, clearing the transition.</summary>
    /// <param name="status">New status.</param>
    /// <param name="now">Current time.</param>
    public void Settle(string status, DateTimeOffset now)
    {
        if (Status != status)
        {
            StatusTime = now;
        }

        Status = status;
        TransitionStatus = string.Empty;
    }
}
