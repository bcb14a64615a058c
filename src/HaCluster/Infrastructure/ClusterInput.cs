// Copyright (c) HaCluster contributors. MIT License.
// Reads a cluster object (New-HaCluster, Get-HaCluster, or any look-alike) into the verifier's request.

using System;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>
/// Takes the properties of a cluster object by name: <c>InternalLoadBalancer</c> and <c>ExternalLoadBalancer</c>
/// (load balancer objects or ids), <c>ControlPlane</c> and <c>Workers</c> (hosts, instances or objects with Name and
/// Address) and, if present, <c>Etcd</c> (hosts or names).
/// </summary>
internal static class ClusterInput
{
    /// <summary>Builds a request from a cluster object.</summary>
    /// <param name="cluster">The object.</param>
    /// <returns>The request (credentials and options still to be set).</returns>
    /// <exception cref="HaClusterException"><c>HaClusterInvalidInput</c>, <c>HaClusterInvalidHost</c>.</exception>
    public static ClusterVerificationRequest ToRequest(PSObject cluster)
    {
        object? Property(params string[] names) => names.Select(n => cluster.Properties[n]?.Value).FirstOrDefault(v => v is not null);
        var ids = new QcIdTransformationAttribute("LoadBalancerId", "loadbalancer_id");
        var request = new ClusterVerificationRequest
        {
            InternalLoadBalancerId = ids.Transform(null!, Property("InternalLoadBalancer", "InternalLoadBalancerId")) as string ?? string.Empty,
            ExternalLoadBalancerId = ids.Transform(null!, Property("ExternalLoadBalancer", "ExternalLoadBalancerId")) as string ?? string.Empty,
            ControlPlane = Hosts(Property("ControlPlane")),
            Workers = Hosts(Property("Workers", "Worker")),
        };
        // The console's NodePort travels in the console URL (New-HaCluster -ConsoleNodePort).
        if (Property("ConsoleUrl") is string url && Uri.TryCreate(url, UriKind.Absolute, out var console) && console.Port > 0)
        {
            request.ConsolePort = console.Port;
        }

        // Get-HaCluster and New-HaCluster say whether KubeSphere 4 was installed with Helm, and with how many replicas.
        if (Property("KubeSphereHighAvailability") is bool ha)
        {
            request.KubeSphereHighAvailability = ha;
        }

        if (Property("Etcd") is { } etcd)
        {
            request.Etcd = (string[])new HostNameTransformationAttribute().Transform(null!, etcd);
        }

        if (request.InternalLoadBalancerId.Length == 0 || request.ExternalLoadBalancerId.Length == 0 || request.ControlPlane.Count == 0)
        {
            throw new HaClusterException(
                "HaClusterInvalidInput",
                FailureKind.InvalidArgument,
                "The cluster object needs InternalLoadBalancer, ExternalLoadBalancer and ControlPlane properties (as New-HaCluster and Get-HaCluster return); otherwise use -InternalLoadBalancer, -ExternalLoadBalancer and -ControlPlane.",
                cluster);
        }

        return request;
    }

    private static HaHost[] Hosts(object? value)
    {
        var transformed = new HaHostTransformationAttribute().Transform(null!, value);
        var items = transformed is object[] array ? array : transformed is null ? Array.Empty<object>() : new[] { transformed };
        var bad = items.FirstOrDefault(i => i is not HaHost);
        if (bad is not null)
        {
            throw new HaClusterException("HaClusterInvalidHost", FailureKind.InvalidArgument, $"'{bad}' is not a host: give New-HaHost objects, instances, or objects with Name and Address.", bad);
        }

        return items.Cast<HaHost>().ToArray();
    }
}
