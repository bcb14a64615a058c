// Copyright (c) HaCluster contributors. MIT License.
// What CreateLoadBalancer answers: the new id and the job that brings the load balancer up.

namespace HaCluster.Engine.QingCloud;

/// <summary>The reply of CreateLoadBalancer.</summary>
public sealed class CreateLoadBalancerResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="loadBalancerId">The new load balancer.</param>
    /// <param name="jobId">The creation job.</param>
    public CreateLoadBalancerResult(string loadBalancerId, string jobId)
    {
        LoadBalancerId = loadBalancerId;
        JobId = jobId;
    }

    /// <summary>The new load balancer, <c>lb-xxxxxxxx</c>.</summary>
    public string LoadBalancerId { get; }

    /// <summary>The creation job, <c>j-xxxxxxxx</c>.</summary>
    public string JobId { get; }

    /// <summary>Returns the load balancer id.</summary>
    /// <returns>The id.</returns>
    public override string ToString() => LoadBalancerId;
}
