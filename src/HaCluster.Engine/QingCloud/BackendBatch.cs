// Copyright (c) HaCluster contributors. MIT License.
// The backends to add to one listener: what becomes one AddLoadBalancerBackends call.

using System;
using System.Collections.Generic;

namespace HaCluster.Engine.QingCloud;

/// <summary>Backends for one listener; <see cref="LoadBalancerService.AddBackendsAsync"/> sends each listener's in one call.</summary>
public sealed class BackendBatch
{
    /// <summary>Creates a batch.</summary>
    /// <param name="listenerId">The listener, <c>lbl-xxxxxxxx</c>.</param>
    /// <param name="backends">The backends to add to it.</param>
    public BackendBatch(string listenerId, IList<BackendSpec> backends)
    {
        ListenerId = listenerId;
        Backends = backends ?? throw new ArgumentNullException(nameof(backends));
    }

    /// <summary>The listener.</summary>
    public string ListenerId { get; }

    /// <summary>The backends to add.</summary>
    public IList<BackendSpec> Backends { get; }
}
