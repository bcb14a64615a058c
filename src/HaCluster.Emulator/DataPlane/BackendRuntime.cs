// Copyright (c) HaCluster contributors. MIT License.
// One applied backend: its health-check loop, the up/down/abnormal state machine, and its live connections.

using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// Health state of one backend. The settled state is healthy or not: <see cref="HealthSettings.Rise"/>
/// consecutive passes make it healthy, <see cref="HealthSettings.Fall"/> consecutive failures unhealthy.
/// The API's <c>abnormal</c> is the in-between state the reference describes: healthy with a failing
/// streak (going down) or unhealthy with a passing streak (coming up). Only <c>up</c> gets traffic.
/// </summary>
internal sealed class BackendRuntime : IAsyncDisposable
{
    public const string Up = "up";
    public const string Down = "down";
    public const string Abnormal = "abnormal";

    private readonly object _gate = new();
    private readonly Func<string?, bool> _isInstanceStopped;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private BackendSpec _spec;
    private HealthSettings _health;
    private Task _loop = Task.CompletedTask;
    private bool _healthy;
    private int _successes;
    private int _failures;
    private int _generation;
    private long _checks;
    private int _active;
    private int _disposed;

    public BackendRuntime(BackendSpec spec, string listenerId, HealthSettings health, Func<string?, bool> isInstanceStopped, Action<string> log)
    {
        _spec = spec;
        _health = health;
        _isInstanceStopped = isInstanceStopped;
        _log = log;
        ListenerId = listenerId;
        Target = ParseTarget(spec);
        if (Target is null)
        {
            // Traffic must stay on this machine: a non-loopback backend is never contacted and stays down.
            _log($"backend {spec.BackendId}: {spec.Address}:{spec.Port} is not a loopback endpoint; it stays down");
        }
    }

    public string Id => _spec.BackendId;

    public string ListenerId { get; }

    /// <summary>Where checks and traffic go; null when the address is not a loopback IP.</summary>
    public IPEndPoint? Target { get; }

    public int Weight => Math.Clamp(Volatile.Read(ref _spec).Weight, 1, 100);

    public string? InstanceId => Volatile.Read(ref _spec).InstanceId;

    /// <summary>Connections to this backend now open (for leastconn).</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Checks completed so far (lets tests wait for "enough checks ran" instead of sleeping).</summary>
    public long CompletedChecks => Interlocked.Read(ref _checks);

    /// <summary>Live backend sockets, cut when the instance stops.</summary>
    public SocketSet Connections { get; } = new();

    /// <summary>Smooth weighted round-robin counter; only the owning listener's balancer touches it, under its lock.</summary>
    public long SmoothWeight { get; set; }

    public string Status
    {
        get
        {
            lock (_gate)
            {
                return StatusLocked();
            }
        }
    }

    public bool IsUp => Status == Up;

    /// <summary>True when a re-apply of <paramref name="spec"/> can keep this runtime and its health state.</summary>
    public bool SameTarget(BackendSpec spec)
    {
        var target = ParseTarget(spec);
        return target is null ? Target is null && spec.Address == _spec.Address && spec.Port == _spec.Port : target.Equals(Target);
    }

    /// <summary>Takes new weight, instance and check settings; the health state stays.</summary>
    public void Update(BackendSpec spec, HealthSettings health)
    {
        Volatile.Write(ref _spec, spec);
        Volatile.Write(ref _health, health);
    }

    public void Start()
    {
        if (Target is not null)
        {
            _loop = Task.Run(() => RunChecksAsync(_stop.Token));
        }
    }

    /// <summary>The instance stopped: down at once, streaks forgotten, open connections cut.</summary>
    public void InstanceStopped()
    {
        lock (_gate)
        {
            _generation++;
            _healthy = false;
            _successes = 0;
            _failures = 0;
        }

        _log($"backend {Id}: instance {InstanceId} stopped; down");
        Connections.AbortAll();
    }

    public void BeginConnection() => Interlocked.Increment(ref _active);

    public void EndConnection() => Interlocked.Decrement(ref _active);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static IPEndPoint? ParseTarget(BackendSpec spec) =>
        IPAddress.TryParse(spec.Address, out var address) && IPAddress.IsLoopback(address) && spec.Port is > 0 and <= 65535
            ? new IPEndPoint(address, spec.Port)
            : null;

    private string StatusLocked()
    {
        if (_isInstanceStopped(InstanceId))
        {
            return Down;
        }

        if (_healthy)
        {
            return _failures > 0 ? Abnormal : Up;
        }

        return _successes > 0 ? Abnormal : Down;
    }

    private async Task RunChecksAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var health = Volatile.Read(ref _health);
                if (!_isInstanceStopped(InstanceId))
                {
                    int generation;
                    lock (_gate)
                    {
                        generation = _generation;
                    }

                    var passed = await HealthProbe.CheckAsync(Target!, health, cancellationToken).ConfigureAwait(false);
                    Record(passed, generation, health);
                }

                await Task.Delay(health.Interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Backend removed or data plane disposed.
        }
    }

    private void Record(bool passed, int generation, HealthSettings health)
    {
        string before;
        string after;
        lock (_gate)
        {
            // A check that started before the instance stopped says nothing about the instance now.
            if (generation != _generation || _isInstanceStopped(InstanceId))
            {
                return;
            }

            before = StatusLocked();
            if (passed)
            {
                _failures = 0;
                _successes++;
                _healthy |= _successes >= health.Rise;
            }
            else
            {
                _successes = 0;
                _failures++;
                _healthy &= _failures < health.Fall;
            }

            after = StatusLocked();
        }

        Interlocked.Increment(ref _checks);
        if (before != after)
        {
            _log($"backend {Id} ({Target}): {before} -> {after}");
        }
    }
}
