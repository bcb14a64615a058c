// Copyright (c) HaCluster contributors. MIT License.
// Everything an action handler needs: parameters, caller, state, job runner, data plane.

using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using HaCluster.Emulator.DataPlane;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Api;

/// <summary>One authenticated API call being handled (under <see cref="CloudState.Gate"/>).</summary>
/// <param name="Params">Request parameters.</param>
/// <param name="Zone">The validated zone.</param>
/// <param name="Owner">The caller's user id.</param>
/// <param name="State">The cloud.</param>
/// <param name="Jobs">Job runner.</param>
/// <param name="DataPlane">Traffic forwarding.</param>
internal sealed record ActionContext(ApiParams Params, string Zone, string Owner, CloudState State, JobRunner Jobs, ILoadBalancerDataPlane DataPlane)
{
    /// <summary>The request time.</summary>
    public DateTimeOffset Now { get; } = CloudState.Now();

    /// <summary>Identity for a resource created by this call: a new id with the prefix, the caller's zone and owner, now.</summary>
    /// <param name="prefix">e.g. <c>lb-</c>.</param>
    /// <returns>The identity.</returns>
    public ResourceIdentity NewIdentity(string prefix) => State.Identify(State.NewId(prefix), Zone, Owner, Now);

    /// <summary>Options.</summary>
    public EmulatorOptions Options => State.Options;
}

/// <summary>An action handler: validates, mutates state, returns the response fields (without action/ret_code).</summary>
/// <param name="context">The call.</param>
/// <returns>Response fields.</returns>
internal delegate JsonObject ActionHandler(ActionContext context);

/// <summary>Maps action names to handlers.</summary>
internal sealed class ActionTable
{
    private readonly Dictionary<string, ActionHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Adds a handler.</summary>
    /// <param name="action">Action name, e.g. <c>CreateLoadBalancer</c>.</param>
    /// <param name="handler">The handler.</param>
    public void Add(string action, ActionHandler handler) => _handlers.Add(action, handler);

    /// <summary>Looks a handler up.</summary>
    /// <param name="action">Action name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>True when known.</returns>
    public bool TryGet(string action, out ActionHandler handler) => _handlers.TryGetValue(action, out handler!);

    /// <summary>Every supported action.</summary>
    public IEnumerable<string> Actions => _handlers.Keys;
}
