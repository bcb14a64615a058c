// Copyright (c) HaCluster contributors. MIT License.
// Contract between the emulator's API (control plane) and its traffic-forwarding data plane.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// Binds applied listeners on loopback and forwards traffic to healthy backends. The control plane
/// calls <see cref="ApplyAsync"/> on UpdateLoadBalancers with the complete applied configuration of
/// one load balancer; the data plane converges sockets and health checks to it.
/// </summary>
public interface ILoadBalancerDataPlane : IAsyncDisposable
{
    /// <summary>Replaces the applied listener set of a load balancer (bind new, rebind changed, close removed).</summary>
    /// <param name="loadBalancerId">The LB id, e.g. <c>lb-1234abcd</c>.</param>
    /// <param name="listeners">Every listener of the LB as applied.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes once sockets are bound (or binding failed and threw).</returns>
    Task ApplyAsync(string loadBalancerId, IReadOnlyList<ListenerSpec> listeners, CancellationToken cancellationToken);

    /// <summary>Closes every socket and stops every health check of a load balancer.</summary>
    /// <param name="loadBalancerId">The LB id.</param>
    /// <returns>A task that completes once the ports are released.</returns>
    Task RemoveAsync(string loadBalancerId);

    /// <summary>Status of a backend as health checks see it: <c>up</c>, <c>down</c> or <c>abnormal</c>; <c>down</c> when unknown or unapplied.</summary>
    /// <param name="backendId">The backend id, e.g. <c>lbb-1234abcd</c>.</param>
    /// <returns>The status word the API reports.</returns>
    string GetBackendStatus(string backendId);

    /// <summary>Marks an instance stopped or running: backends of a stopped instance are <c>down</c> and get no traffic.</summary>
    /// <param name="instanceId">The instance id.</param>
    /// <param name="running">False when stopped.</param>
    void SetInstanceRunning(string instanceId, bool running);
}

/// <summary>One applied listener.</summary>
/// <param name="ListenerId">Listener id (<c>lbl-…</c>).</param>
/// <param name="BindAddress">VIP (internal LB) or EIP address (external LB), a loopback address.</param>
/// <param name="Port">Listener port.</param>
/// <param name="Protocol"><c>tcp</c>, <c>http</c> or <c>https</c> (https is forwarded as tcp).</param>
/// <param name="BalanceMode"><c>roundrobin</c>, <c>leastconn</c> or <c>source</c>.</param>
/// <param name="HealthCheckMethod"><c>tcp</c> or <c>http|/path</c> (API's <c>healthy_check_method</c>).</param>
/// <param name="HealthCheck">Interval/timeout/fall/rise (API's <c>healthy_check_option</c>).</param>
/// <param name="ForwardFor">HTTP only: add X-Forwarded-For.</param>
/// <param name="Backends">Applied backends.</param>
public sealed record ListenerSpec(
    string ListenerId,
    string BindAddress,
    int Port,
    string Protocol,
    string BalanceMode,
    string HealthCheckMethod,
    HealthCheckOption HealthCheck,
    bool ForwardFor,
    IReadOnlyList<BackendSpec> Backends);

/// <summary>One applied backend.</summary>
/// <param name="BackendId">Backend id (<c>lbb-…</c>).</param>
/// <param name="Address">The instance's private IP.</param>
/// <param name="Port">Backend port.</param>
/// <param name="Weight">Weight 1-100.</param>
/// <param name="InstanceId">The instance behind it, for stop/start.</param>
public sealed record BackendSpec(string BackendId, string Address, int Port, int Weight, string? InstanceId);

/// <summary>The API's <c>healthy_check_option</c> <c>inter|timeout|fall|rise</c>, in seconds / counts.</summary>
/// <param name="IntervalSeconds">Seconds between checks (the API's default 10; the emulator may scale it).</param>
/// <param name="TimeoutSeconds">Check timeout.</param>
/// <param name="Fall">Consecutive failures before down.</param>
/// <param name="Rise">Consecutive successes before up.</param>
public sealed record HealthCheckOption(double IntervalSeconds, double TimeoutSeconds, int Fall, int Rise);
