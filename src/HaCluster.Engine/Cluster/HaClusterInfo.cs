// Copyright (c) HaCluster contributors. MIT License.
// The cluster object New-HaCluster and Get-HaCluster return; its property names bind to Test-HaCluster's parameters.

using System;
using System.Collections.Generic;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// An HA cluster: its load balancers, EIP, nodes and state file, with a health summary. The hosts carry the password
/// given to New-HaCluster (as a SecureString, never printed); a cluster read back by Get-HaCluster has none, because the
/// state file holds no secrets.
/// </summary>
public sealed class HaClusterInfo
{
    /// <summary>Cluster name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The internal load balancer's VIP: the control-plane endpoint.</summary>
    public string? Vip { get; set; }

    /// <summary>The KubeSphere console through the external load balancer: <c>http://&lt;EIP&gt;:30880</c>.</summary>
    public string? ConsoleUrl { get; set; }

    /// <summary>Whether KubeSphere 4 runs three replicas (the state file's <c>kubesphere_ha</c>); null when it was not installed with Helm.</summary>
    public bool? KubeSphereHighAvailability { get; set; }

    /// <summary>The internal load balancer as last described (null when it does not exist).</summary>
    public LoadBalancer? InternalLoadBalancer { get; set; }

    /// <summary>The external load balancer as last described.</summary>
    public LoadBalancer? ExternalLoadBalancer { get; set; }

    /// <summary>The internal load balancer's id.</summary>
    public string? InternalLoadBalancerId { get; set; }

    /// <summary>The external load balancer's id.</summary>
    public string? ExternalLoadBalancerId { get; set; }

    /// <summary>The EIP of the external load balancer.</summary>
    public Eip? Eip { get; set; }

    /// <summary>The EIP's id.</summary>
    public string? EipId { get; set; }

    /// <summary>Control-plane nodes.</summary>
    public IReadOnlyList<HaHost> ControlPlane { get; set; } = Array.Empty<HaHost>();

    /// <summary>Worker nodes (control-plane nodes that also run workloads are listed under <see cref="ControlPlane"/> only).</summary>
    public IReadOnlyList<HaHost> Workers { get; set; } = Array.Empty<HaHost>();

    /// <summary>etcd members.</summary>
    public IReadOnlyList<HaHost> Etcd { get; set; } = Array.Empty<HaHost>();

    /// <summary>The node kk ran on.</summary>
    public string? TaskBox { get; set; }

    /// <summary>QingCloud zone.</summary>
    public string? Zone { get; set; }

    /// <summary>The QingCloud API endpoint the cluster was built through.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The VxNet.</summary>
    public string? VxNetId { get; set; }

    /// <summary>The state file.</summary>
    public string StatePath { get; set; } = string.Empty;

    /// <summary>
    /// <c>Healthy</c> (everything built and every backend up, checks passed), <c>Degraded</c> (some backends down or a
    /// check failed), <c>Down</c> (no backend up), <c>NotInstalled</c> (load balancers only), <c>Incomplete</c> (a step
    /// has not completed or a resource is missing).
    /// </summary>
    public string Health { get; set; } = ClusterHealth.Incomplete;

    /// <summary>Backends up, of all backends of both load balancers.</summary>
    public string? Backends { get; set; }

    /// <summary>The steps recorded as completed.</summary>
    public IReadOnlyList<string> CompletedSteps { get; set; } = Array.Empty<string>();

    /// <summary>The verification results of New-HaCluster (empty from Get-HaCluster).</summary>
    public IReadOnlyList<HaCheckResult> Checks { get; set; } = Array.Empty<HaCheckResult>();

    /// <summary>The cluster name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}

/// <summary>The values of <see cref="HaClusterInfo.Health"/>.</summary>
public static class ClusterHealth
{
    /// <summary>Everything built; every backend up; no check failed.</summary>
    public const string Healthy = "Healthy";

    /// <summary>Some backends are not up, or a check failed.</summary>
    public const string Degraded = "Degraded";

    /// <summary>No backend is up.</summary>
    public const string Down = "Down";

    /// <summary>Load balancers built, Kubernetes not installed (-SkipInstall).</summary>
    public const string NotInstalled = "NotInstalled";

    /// <summary>A step has not completed, or a recorded resource no longer exists.</summary>
    public const string Incomplete = "Incomplete";
}
