// Copyright (c) HaCluster contributors. MIT License.
// What CreateLoadBalancer takes (reference/qingcloud-api.md §4.1).

using System.Collections.Generic;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>A load balancer to create: internal (in <see cref="VxNetId"/>) or external (on <see cref="EipIds"/>).</summary>
public sealed class LoadBalancerSpec
{
    /// <summary>The name; also what a re-run looks the load balancer up by.</summary>
    public string? Name { get; set; }

    /// <summary>The VxNet of an internal load balancer.</summary>
    public string? VxNetId { get; set; }

    /// <summary>Up to four <c>available</c> EIPs of an external load balancer.</summary>
    public IList<string> EipIds { get; set; } = new List<string>();

    /// <summary>The VIP of an internal load balancer; assigned automatically when null.</summary>
    public string? PrivateIp { get; set; }

    /// <summary>Capacity: 0 = 5k connections (default) … 5 = 500k.</summary>
    public int? LoadBalancerType { get; set; }

    /// <summary>The security group; the account's default when null.</summary>
    public string? SecurityGroupId { get; set; }

    /// <summary>Number of load-balancer nodes.</summary>
    public int? NodeCount { get; set; }

    /// <summary>HTTP header buffer in KB, 1-127.</summary>
    public int? HttpHeaderSize { get; set; }

    /// <summary>Checks the spec and returns the wire parameters.</summary>
    /// <returns>The parameters.</returns>
    /// <exception cref="HaClusterException">A value is missing or out of range.</exception>
    public QingCloudParameters ToParameters()
    {
        if (string.IsNullOrWhiteSpace(VxNetId) && EipIds.Count == 0)
        {
            throw new HaClusterException("QingCloudLoadBalancerNetworkMissing", FailureKind.InvalidArgument, $"Load balancer '{Name}' needs a VxNet (internal) or at least one EIP (external).", Name);
        }

        QingCloudValidation.Count("QingCloudTooManyEips", "EIPs per load balancer", EipIds.Count, 0, 4);
        if (LoadBalancerType is { } type)
        {
            QingCloudValidation.Range("QingCloudInvalidLoadBalancerType", "Load balancer type", type, 0, 5);
        }

        if (HttpHeaderSize is { } size)
        {
            QingCloudValidation.Range("QingCloudInvalidHttpHeaderSize", "HTTP header size (KB)", size, 1, 127);
        }

        return new QingCloudParameters()
            .Add("loadbalancer_name", Name)
            .Add("vxnet", string.IsNullOrWhiteSpace(VxNetId) ? null : VxNetId)
            .AddList("eips", EipIds)
            .Add("private_ip", PrivateIp)
            .Add("loadbalancer_type", LoadBalancerType)
            .Add("security_group", SecurityGroupId)
            .Add("node_count", NodeCount)
            .Add("http_header_size", HttpHeaderSize);
    }
}
