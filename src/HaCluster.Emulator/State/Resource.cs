// Copyright (c) HaCluster contributors. MIT License.
// Base of every emulated resource: id, zone, owner, creation order and time.

using System;

namespace HaCluster.Emulator.State;

/// <summary>What every resource has. Mutable members are only touched under <see cref="CloudState.Gate"/>.</summary>
internal abstract class Resource
{
    /// <summary>Id such as <c>lb-1a2b3c4d</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Zone it lives in.</summary>
    public required string Zone { get; init; }

    /// <summary>Creation order; Describe* lists in this order.</summary>
    public required long Seq { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>Owning user id (<c>usr-…</c>).</summary>
    public string Owner { get; init; } = string.Empty;

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
