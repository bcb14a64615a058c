// Copyright (c) HaCluster contributors. MIT License.
// Builds the data plane's view of a load balancer (ListenerSpec) from the API state and pushes it.

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator.DataPlane;

namespace HaCluster.Emulator.State;

/// <summary>Translation between stored listeners/backends and <see cref="ListenerSpec"/>.</summary>
internal static class AppliedConfig
{
    /// <summary>The address listeners bind: the first associated EIP, else the VIP; null when there is none.</summary>
    /// <param name="state">State (under the lock).</param>
    /// <param name="lb">The LB.</param>
    /// <returns>The address.</returns>
    public static string? BindAddress(CloudState state, LoadBalancer lb) =>
        lb.EipIds.Select(id => state.Eips.GetValueOrDefault(id)?.Address).FirstOrDefault(a => a is not null) ?? lb.Vip;

    /// <summary>Every listener of the LB with its backends, as they are now. Call under the lock.</summary>
    /// <param name="state">State.</param>
    /// <param name="lb">The LB.</param>
    /// <returns>Specs in creation order, health-check times in the API's seconds (the data plane applies <c>health_check_time_scale</c>).</returns>
    public static IReadOnlyList<ListenerSpec> Snapshot(CloudState state, LoadBalancer lb)
    {
        var address = BindAddress(state, lb) ?? string.Empty;
        return state.Listeners.Values
            .Where(l => l.LoadBalancerId == lb.Id)
            .OrderBy(l => l.Seq)
            .Select(l =>
            {
                var o = l.HealthCheckOption.Split('|').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                var backends = state.Backends.Values
                    .Where(b => b.ListenerId == l.Id)
                    .OrderBy(b => b.Seq)
                    .Select(b => new BackendSpec(b.Id, state.Instances[b.ResourceId].PrivateIp, b.Port, b.Weight, b.ResourceId))
                    .ToList();
                return new ListenerSpec(
                    l.Id,
                    address,
                    l.Port,
                    l.Protocol,
                    l.BalanceMode,
                    l.HealthCheckMethod,
                    new HealthCheckOption(o[0], o[1], o[2], o[3]),
                    (l.ForwardFor & 1) != 0,
                    backends);
            })
            .ToList();
    }

    /// <summary>Pushes the applied listeners of an LB to the data plane at its current bind address (or removes them when it has none).</summary>
    /// <param name="state">State.</param>
    /// <param name="dataPlane">Data plane.</param>
    /// <param name="lb">The LB.</param>
    /// <param name="applied">Listeners to apply.</param>
    /// <param name="token">Cancellation.</param>
    /// <returns>The listeners as pushed (with the bind address used), to record as applied.</returns>
    public static async Task<IReadOnlyList<ListenerSpec>> PushAsync(CloudState state, ILoadBalancerDataPlane dataPlane, LoadBalancer lb, IReadOnlyList<ListenerSpec> applied, CancellationToken token)
    {
        string? address;
        lock (state.Gate)
        {
            address = BindAddress(state, lb);
        }

        if (address is null)
        {
            await dataPlane.RemoveAsync(lb.Id).ConfigureAwait(false);
            return applied;
        }

        IReadOnlyList<ListenerSpec> pushed = [.. applied.Select(l => l with { BindAddress = address })];
        await dataPlane.ApplyAsync(lb.Id, pushed, token).ConfigureAwait(false);
        return pushed;
    }
}
