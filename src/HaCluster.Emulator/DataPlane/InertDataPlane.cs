// Copyright (c) HaCluster contributors. MIT License.
// Placeholder data plane that binds nothing and reports every backend down.

using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>A data plane that forwards no traffic: applies succeed, every backend is <c>down</c>.</summary>
public sealed class InertDataPlane : ILoadBalancerDataPlane
{
    /// <inheritdoc/>
    public Task ApplyAsync(string loadBalancerId, IReadOnlyList<ListenerSpec> listeners, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task RemoveAsync(string loadBalancerId) => Task.CompletedTask;

    /// <inheritdoc/>
    public string GetBackendStatus(string backendId) => "down";

    /// <inheritdoc/>
    public void SetInstanceRunning(string instanceId, bool running)
    {
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
