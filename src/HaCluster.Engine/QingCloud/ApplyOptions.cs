// Copyright (c) HaCluster contributors. MIT License.
// How LoadBalancerService.ApplyAsync applies changes and what it waits for.

namespace HaCluster.Engine.QingCloud;

/// <summary>Options of <see cref="LoadBalancerService.ApplyAsync"/> (the console's "Apply Changes").</summary>
public sealed class ApplyOptions
{
    /// <summary>Send UpdateLoadBalancers even for load balancers without unapplied changes.</summary>
    public bool Force { get; set; }

    /// <summary>Return right after UpdateLoadBalancers (no job, transition or backend wait).</summary>
    public bool NoWait { get; set; }

    /// <summary>Afterwards wait until every backend reports <c>up</c>.</summary>
    public bool WaitForBackendsUp { get; set; }

    /// <summary>Timeout and progress of the job and transition waits; null means the defaults.</summary>
    public WaitOptions? Wait { get; set; }

    /// <summary>Timeout and progress of the backend wait; null means the defaults.</summary>
    public WaitOptions? BackendWait { get; set; }
}
