// Copyright (c) HaCluster contributors. MIT License.
// The one rule for "this instance can be a backend of a load balancer in that VxNet".

using System.Linq;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// A load balancer in a VxNet (an internal one) reaches its backends only through that VxNet: an instance without an
/// address there would be added without complaint and stay <c>down</c> forever. New-HaCluster and Add-QcLbBackend both
/// ask this class.
/// </summary>
public static class VxNetMembership
{
    /// <summary>Error id: the instance has no address in the load balancer's VxNet.</summary>
    public const string InstanceNotInVxNetErrorId = "QcInstanceNotInVxNet";

    /// <summary>The base network's id: a load balancer there is public, not in a VxNet of the user.</summary>
    public const string BaseNetwork = "vxnet-0";

    /// <summary>The VxNet a load balancer's backends must be in, or null for a public load balancer.</summary>
    /// <param name="loadBalancer">The load balancer.</param>
    /// <returns>Its VxNet id, or null.</returns>
    public static string? BackendVxNet(LoadBalancer loadBalancer) =>
        string.IsNullOrEmpty(loadBalancer.VxNetId) || loadBalancer.VxNetId == BaseNetwork ? null : loadBalancer.VxNetId;

    /// <summary>The instance's interface in the VxNet.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="vxnetId">The VxNet.</param>
    /// <param name="vxnetLabel">How to name the VxNet in the message (e.g. <c>vxnet-1 (pn)</c>).</param>
    /// <returns>The interface, with its private address.</returns>
    /// <exception cref="HaClusterException"><c>QcInstanceNotInVxNet</c>.</exception>
    public static InstanceVxNet RequireAddressIn(Instance instance, string vxnetId, string vxnetLabel) =>
        instance.VxNets.FirstOrDefault(v => v.VxNetId == vxnetId && !string.IsNullOrEmpty(v.PrivateIp))
        ?? throw new HaClusterException(InstanceNotInVxNetErrorId, FailureKind.InvalidArgument, $"Instance {instance.InstanceId} ({instance.InstanceName}) has no address in VxNet {vxnetLabel}; a load balancer there reaches its backends only through that VxNet.", instance.InstanceId);
}
