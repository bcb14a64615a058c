// Copyright (c) HaCluster contributors. MIT License.
// Connection settings shared by every session: timeouts, attempts, keep-alive, host-key policy, narration.

using System;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>How sessions connect.</summary>
public sealed class SshConnectOptions
{
    /// <summary>Time allowed for one connect attempt: TCP connect, SSH banner, key exchange and authentication together. Default 30 s (KubeKey's default).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts one connect makes when the host refuses, resets or does not answer within <see cref="ConnectTimeout"/>
    /// (a host that is restarting its sshd); a rejected credential or host key is never tried again. Default 2.
    /// </summary>
    public int ConnectAttempts { get; set; } = 2;

    /// <summary>Pause between connect attempts. Default 1 s.</summary>
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Interval of SSH keep-alive messages on idle sessions; zero or negative turns them off. Default 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Host-key verification. Default: <c>~/.ssh/known_hosts</c>, unknown hosts refused.</summary>
    public HostKeyPolicy HostKeyPolicy { get; set; } = new();

    /// <summary>Receives narration (connects, trusted keys, reconnects). Never given secrets.</summary>
    public IOperationObserver Observer { get; set; } = NullOperationObserver.Instance;

    /// <summary>
    /// The bound of one connect end to end, every attempt and pause included:
    /// <see cref="ConnectTimeout"/> × <see cref="ConnectAttempts"/> + <see cref="ConnectRetryDelay"/> × (attempts − 1);
    /// 61 s by default. A host that accepts TCP but never sends an SSH banner fails with <c>SshConnectTimeout</c> then.
    /// </summary>
    public TimeSpan ConnectBound =>
        TimeSpan.FromTicks((ConnectTimeout.Ticks * Attempts) + (Math.Max(0, ConnectRetryDelay.Ticks) * (Attempts - 1)));

    /// <summary>The attempts actually made (at least one).</summary>
    internal int Attempts => Math.Max(1, ConnectAttempts);

    /// <summary>The same settings, narrated to another observer.</summary>
    /// <param name="observer">The observer.</param>
    /// <returns>A copy.</returns>
    public SshConnectOptions WithObserver(IOperationObserver observer) => new()
    {
        ConnectTimeout = ConnectTimeout,
        ConnectAttempts = ConnectAttempts,
        ConnectRetryDelay = ConnectRetryDelay,
        KeepAliveInterval = KeepAliveInterval,
        HostKeyPolicy = HostKeyPolicy,
        Observer = observer,
    };
}
