// Copyright (c) HaCluster contributors. MIT License.
// Connection settings shared by every session: timeouts, keep-alive, host-key policy, narration.

using System;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>How sessions connect.</summary>
public sealed class SshConnectOptions
{
    /// <summary>Time allowed for TCP connect, key exchange and authentication together. Default 30 s (KubeKey's default).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Interval of SSH keep-alive messages on idle sessions; zero or negative turns them off. Default 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Host-key verification. Default: <c>~/.ssh/known_hosts</c>, unknown hosts refused.</summary>
    public HostKeyPolicy HostKeyPolicy { get; set; } = new();

    /// <summary>Receives narration (connects, trusted keys, reconnects). Never given secrets.</summary>
    public IOperationObserver Observer { get; set; } = NullOperationObserver.Instance;
}
