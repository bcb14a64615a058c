// Copyright (c) HaCluster contributors. MIT License.
// The error ApplyAsync throws when a listener cannot bind its loopback endpoint.

using System;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// A listener could not bind its address and port (in use, not a local address, not permitted).
/// Thrown by <see cref="ILoadBalancerDataPlane.ApplyAsync"/>; nothing of that apply stays bound.
/// </summary>
public sealed class DataPlaneBindException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="listenerId">The listener that failed to bind.</param>
    /// <param name="endpoint">The <c>address:port</c> it asked for.</param>
    /// <param name="reason">Why binding failed, e.g. the socket error.</param>
    /// <param name="innerException">The socket error.</param>
    public DataPlaneBindException(string listenerId, string endpoint, string reason, Exception? innerException)
        : base($"Listener {listenerId} cannot bind {endpoint}: {reason}", innerException)
    {
        ListenerId = listenerId;
        Endpoint = endpoint;
    }

    /// <summary>The listener that failed to bind.</summary>
    public string ListenerId { get; }

    /// <summary>The <c>address:port</c> the listener asked for.</summary>
    public string Endpoint { get; }
}
