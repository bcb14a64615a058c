// Copyright (c) HaCluster contributors. MIT License.
// The emulator's load-balancer data plane: applied listeners bound on loopback, health-checked backends.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// Real traffic for the emulator's load balancers. Each applied listener binds <c>BindAddress:Port</c>
/// on loopback: <c>tcp</c> and <c>https</c> relay bytes (half-close passed through), <c>http</c> proxies
/// HTTP/1.1 request by request (X-Forwarded-For when asked, 503 when no backend is up). Backends are
/// health-checked per listener and only <c>up</c> backends receive traffic.
/// </summary>
public sealed class LoopbackDataPlane : ILoadBalancerDataPlane
{
    private readonly double _timeScale;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, LoadBalancerRuntime> _loadBalancers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BackendRuntime> _backends = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _stoppedInstances = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates an empty data plane.</summary>
    /// <param name="healthCheckTimeScale">
    /// Multiplies health-check intervals and timeouts (and the backend connect timeout): 1.0 is real
    /// time, 0.05 turns the API's default <c>10|5|2|5</c> into checks every 0.5 s.
    /// </param>
    /// <param name="log">Receives one line per bind, close and backend status change, from any thread; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The scale is not a positive finite number.</exception>
    public LoopbackDataPlane(double healthCheckTimeScale = 1.0, Action<string>? log = null)
    {
        if (!(healthCheckTimeScale > 0) || double.IsInfinity(healthCheckTimeScale))
        {
            throw new ArgumentOutOfRangeException(nameof(healthCheckTimeScale), healthCheckTimeScale, "The time scale must be a positive number.");
        }

        _timeScale = healthCheckTimeScale;
        _log = log ?? (_ => { });
    }

    /// <inheritdoc />
    /// <remarks>
    /// Every spec is validated and every new socket bound before anything else changes, so an
    /// <see cref="ArgumentException"/> or <see cref="DataPlaneBindException"/> leaves the load balancer
    /// as it was (except an old listener whose endpoint a new listener of the same apply wanted: it is
    /// closed before the bind is tried). A listener with the same id, endpoint and protocol family keeps its socket and open
    /// connections; a backend with the same id and address:port keeps its health state.
    /// </remarks>
    /// <exception cref="ArgumentException">A spec is invalid (non-loopback address, unknown protocol, mode or check method, duplicate ids).</exception>
    /// <exception cref="DataPlaneBindException">A listener's endpoint cannot be bound.</exception>
    public async Task ApplyAsync(string loadBalancerId, IReadOnlyList<ListenerSpec> listeners, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loadBalancerId);
        ArgumentNullException.ThrowIfNull(listeners);
        var plans = listeners.Select(l => ListenerPlan.Parse(l, _timeScale)).ToList();
        ThrowOnDuplicates(plans);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_loadBalancers.TryGetValue(loadBalancerId, out var lb))
            {
                lb = new LoadBalancerRuntime();
                _loadBalancers[loadBalancerId] = lb;
            }

            var kept = plans.Where(p => lb.Listeners.TryGetValue(p.Spec.ListenerId, out var r) && r.CanKeep(p)).ToList();
            var fresh = plans.Except(kept).ToList();
            var leaving = lb.Listeners.Values.Where(r => !kept.Exists(p => p.Spec.ListenerId == r.Id)).ToList();

            // A moved or re-typed listener may want the endpoint its old self holds: release those first.
            foreach (var old in leaving.Where(r => fresh.Exists(p => p.Endpoint.Equals(r.Plan.Endpoint))).ToList())
            {
                await CloseListenerAsync(lb, old).ConfigureAwait(false);
                leaving.Remove(old);
            }

            var bound = BindAll(fresh);
            foreach (var old in leaving)
            {
                await CloseListenerAsync(lb, old).ConfigureAwait(false);
            }

            var backends = ReconcileBackends(lb, plans, out var created, out var retired);
            foreach (var plan in kept)
            {
                lb.Listeners[plan.Spec.ListenerId].Update(plan, BackendsOf(plan, backends));
            }

            foreach (var (plan, socket) in bound)
            {
                lb.Listeners[plan.Spec.ListenerId] = new ListenerRuntime(plan, socket, BackendsOf(plan, backends), _log);
            }

            // Register before retiring, so a status query never sees a live backend missing.
            foreach (var backend in created)
            {
                _backends[backend.Id] = backend;
                backend.Start();
            }

            foreach (var backend in retired)
            {
                _backends.TryRemove(new KeyValuePair<string, BackendRuntime>(backend.Id, backend));
                await backend.DisposeAsync().ConfigureAwait(false);
            }

            lb.Backends = backends;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string loadBalancerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(loadBalancerId);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_loadBalancers.Remove(loadBalancerId, out var lb))
            {
                await CloseAsync(lb).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public string GetBackendStatus(string backendId) =>
        backendId is not null && _backends.TryGetValue(backendId, out var backend) ? backend.Status : BackendRuntime.Down;

    /// <inheritdoc />
    public void SetInstanceRunning(string instanceId, bool running)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        if (running)
        {
            if (_stoppedInstances.TryRemove(instanceId, out _))
            {
                _log($"instance {instanceId} running; its backends rise through health checks");
            }

            return;
        }

        // Mark first: a check finishing concurrently then sees the instance stopped and is discarded.
        if (_stoppedInstances.TryAdd(instanceId, 0))
        {
            foreach (var backend in _backends.Values.Where(b => b.InstanceId == instanceId))
            {
                backend.InstanceStopped();
            }
        }
    }

    /// <summary>Closes every listener and stops every health check; all ports are free when this completes.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var lb in _loadBalancers.Values)
            {
                await CloseAsync(lb).ConfigureAwait(false);
            }

            _loadBalancers.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The live runtime of a backend, for tests that wait on check counts or connection counts.</summary>
    internal BackendRuntime? FindBackend(string backendId) => _backends.GetValueOrDefault(backendId);

    private static void ThrowOnDuplicates(List<ListenerPlan> plans)
    {
        var listenerIds = new HashSet<string>(StringComparer.Ordinal);
        var backendIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            if (!listenerIds.Add(plan.Spec.ListenerId))
            {
                throw new ArgumentException($"Listener {plan.Spec.ListenerId} appears twice.", nameof(plans));
            }

            foreach (var backend in plan.Spec.Backends ?? [])
            {
                if (backend is null || string.IsNullOrEmpty(backend.BackendId) || !backendIds.Add(backend.BackendId))
                {
                    throw new ArgumentException($"Listener {plan.Spec.ListenerId} has a backend without an id or with a duplicate id ({backend?.BackendId}).", nameof(plans));
                }
            }
        }
    }

    // All or nothing: a failed bind releases the sockets this apply already bound.
    private static List<(ListenerPlan Plan, Socket Socket)> BindAll(List<ListenerPlan> plans)
    {
        var bound = new List<(ListenerPlan, Socket)>();
        try
        {
            foreach (var plan in plans)
            {
                bound.Add((plan, ListenerRuntime.Bind(plan)));
            }

            return bound;
        }
        catch (DataPlaneBindException)
        {
            foreach (var (_, socket) in bound)
            {
                socket.Dispose();
            }

            throw;
        }
    }

    private static IReadOnlyList<BackendRuntime> BackendsOf(ListenerPlan plan, Dictionary<string, BackendRuntime> backends) =>
        (plan.Spec.Backends ?? []).Select(b => backends[b.BackendId]).ToArray();

    private static async Task CloseListenerAsync(LoadBalancerRuntime lb, ListenerRuntime listener)
    {
        await listener.DisposeAsync().ConfigureAwait(false);
        lb.Listeners.Remove(listener.Id);
    }

    private Dictionary<string, BackendRuntime> ReconcileBackends(
        LoadBalancerRuntime lb, List<ListenerPlan> plans, out List<BackendRuntime> created, out List<BackendRuntime> retired)
    {
        var backends = new Dictionary<string, BackendRuntime>(StringComparer.Ordinal);
        created = new List<BackendRuntime>();
        foreach (var plan in plans)
        {
            foreach (var spec in plan.Spec.Backends ?? [])
            {
                if (lb.Backends.TryGetValue(spec.BackendId, out var existing) && existing.ListenerId == plan.Spec.ListenerId && existing.SameTarget(spec))
                {
                    existing.Update(spec, plan.Health);
                    backends[spec.BackendId] = existing;
                }
                else
                {
                    var backend = new BackendRuntime(spec, plan.Spec.ListenerId, plan.Health, IsStopped, _log);
                    backends[spec.BackendId] = backend;
                    created.Add(backend);
                }
            }
        }

        retired = lb.Backends.Values.Where(b => !backends.TryGetValue(b.Id, out var now) || now != b).ToList();
        return backends;
    }

    private bool IsStopped(string? instanceId) => instanceId is not null && _stoppedInstances.ContainsKey(instanceId);

    private async Task CloseAsync(LoadBalancerRuntime lb)
    {
        foreach (var listener in lb.Listeners.Values.ToList())
        {
            await CloseListenerAsync(lb, listener).ConfigureAwait(false);
        }

        foreach (var backend in lb.Backends.Values)
        {
            _backends.TryRemove(new KeyValuePair<string, BackendRuntime>(backend.Id, backend));
            await backend.DisposeAsync().ConfigureAwait(false);
        }

        lb.Backends = new Dictionary<string, BackendRuntime>(StringComparer.Ordinal);
    }

    private sealed class LoadBalancerRuntime
    {
        public Dictionary<string, ListenerRuntime> Listeners { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, BackendRuntime> Backends { get; set; } = new(StringComparer.Ordinal);
    }
}
