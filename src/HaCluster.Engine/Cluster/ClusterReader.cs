// Copyright (c) HaCluster contributors. MIT License.
// Get-HaCluster: the cluster object from the state file plus what QingCloud reports now.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>Builds <see cref="HaClusterInfo"/> from a state file and live Describe calls.</summary>
public static class ClusterReader
{
    private static readonly string[] LoadBalancerSteps =
    {
        ClusterStepIds.InternalFirewall, ClusterStepIds.InternalLoadBalancer, ClusterStepIds.InternalListener, ClusterStepIds.InternalBackends, ClusterStepIds.InternalApply,
        ClusterStepIds.ExternalFirewall, ClusterStepIds.Eip, ClusterStepIds.ExternalLoadBalancer, ClusterStepIds.ExternalListener, ClusterStepIds.ExternalBackends, ClusterStepIds.ExternalApply,
    };

    /// <summary>Reads the cluster.</summary>
    /// <param name="state">The state file's content.</param>
    /// <param name="statePath">Where the state file is.</param>
    /// <param name="client">QingCloud (Describe calls only).</param>
    /// <param name="hosts">The hosts with credentials (New-HaCluster), or null to rebuild them from the state (no credentials).</param>
    /// <param name="described">The load balancers as the caller described them a moment ago (New-HaCluster right after applying them), or null to describe them.</param>
    /// <param name="ownBackendIds">Every backend of those load balancers, when the caller created them and added these (read in one call), or null to list each load balancer's backends.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The cluster.</returns>
    public static async Task<HaClusterInfo> ReadAsync(ClusterState state, string statePath, QingCloudClient client, IReadOnlyList<HaHost>? hosts = null, IReadOnlyList<LoadBalancer>? described = null, IReadOnlyList<string>? ownBackendIds = null, CancellationToken cancellationToken = default)
    {
        var lbIds = new[] { state.Internal.LoadBalancerId, state.External.LoadBalancerId }.Where(id => !string.IsNullOrEmpty(id)).Select(id => id!).ToList();
        IReadOnlyList<LoadBalancer> lbs = lbIds.Count == 0
            ? Array.Empty<LoadBalancer>()
            : described is not null && lbIds.All(id => described.Any(l => l.LoadBalancerId == id))
            ? described.Where(l => lbIds.Contains(l.LoadBalancerId)).ToList()
            : (await client.DescribeLoadBalancersAsync(lbIds, cancellationToken: cancellationToken).ConfigureAwait(false)).Where(IsLive).ToList();
        var internalLb = lbs.FirstOrDefault(l => l.LoadBalancerId == state.Internal.LoadBalancerId);
        var externalLb = lbs.FirstOrDefault(l => l.LoadBalancerId == state.External.LoadBalancerId);
        var backends = new List<Backend>();
        if (ownBackendIds is { Count: > 0 })
        {
            // At most a page of ids per call, as every id list the client sends.
            for (var start = 0; start < ownBackendIds.Count; start += QingCloudClient.PageSize)
            {
                backends.AddRange(await client.DescribeLoadBalancerBackendsAsync(ownBackendIds.Skip(start).Take(QingCloudClient.PageSize), cancellationToken: cancellationToken).ConfigureAwait(false));
            }
        }
        else
        {
            foreach (var lb in lbs)
            {
                backends.AddRange(await client.DescribeLoadBalancerBackendsAsync(loadBalancerId: lb.LoadBalancerId, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
        }

        var eip = await FindEipAsync(state.External.EipId, client, cancellationToken).ConfigureAwait(false);
        var all = hosts ?? state.Nodes.Select(ToHost).ToList();
        HaHost[] InRole(string role) => state.Nodes.Where(n => n.Roles.Contains(role)).Select(n => all.First(h => h.Name == n.Name)).ToArray();
        var controlPlane = InRole(ClusterRoles.ControlPlane);
        var up = backends.Count(b => b.Status == "up");
        var eipAddress = eip?.EipAddr ?? externalLb?.EipAddress ?? state.External.Address;
        return new HaClusterInfo
        {
            Name = state.Name,
            Vip = internalLb?.Vip ?? state.Internal.Address,
            ConsoleUrl = ClusterNames.ConsoleUrl(eipAddress, state.External.Port > 0 ? state.External.Port : ClusterNames.ConsolePort),
            KubeSphereHighAvailability = state.KubeSphereHighAvailability,
            InternalLoadBalancer = internalLb,
            ExternalLoadBalancer = externalLb,
            InternalLoadBalancerId = state.Internal.LoadBalancerId,
            ExternalLoadBalancerId = state.External.LoadBalancerId,
            Eip = eip,
            EipId = state.External.EipId,
            ControlPlane = controlPlane,
            Workers = InRole(ClusterRoles.Worker).Where(h => !controlPlane.Contains(h)).ToArray(),
            Etcd = InRole(ClusterRoles.Etcd),
            TaskBox = state.TaskBox,
            Zone = state.Zone,
            Endpoint = state.Endpoint,
            VxNetId = state.VxNetId,
            StatePath = statePath,
            Backends = string.Format(CultureInfo.InvariantCulture, "{0}/{1} up", up, backends.Count),
            Health = HealthOf(state, internalLb, externalLb, eip, backends),
            CompletedSteps = state.CompletedSteps.ToArray(),
        };
    }

    /// <summary>The host of a recorded node (no credentials).</summary>
    /// <param name="node">The node.</param>
    /// <returns>The host.</returns>
    internal static HaHost ToHost(NodeState node) => new(node.Name, node.Address)
    {
        Port = node.Port,
        User = node.User ?? HaHost.DefaultUser,
        PrivateKeyPath = node.PrivateKeyPath,
    };

    private static bool IsLive(LoadBalancer lb) => lb.Status is not ("deleted" or "ceased");

    private static string HealthOf(ClusterState state, LoadBalancer? internalLb, LoadBalancer? externalLb, Eip? eip, IReadOnlyList<Backend> backends)
    {
        if (LoadBalancerSteps.Any(s => !state.IsCompleted(s)) || internalLb is null || externalLb is null || eip is null)
        {
            return ClusterHealth.Incomplete;
        }

        if (state.Install.Succeeded is null)
        {
            return state.Install.Started is null ? ClusterHealth.NotInstalled : ClusterHealth.Incomplete;
        }

        var up = backends.Count(b => b.Status == "up");
        if (up == 0)
        {
            return ClusterHealth.Down;
        }

        return up < backends.Count || state.Verification is { Failed: > 0 } ? ClusterHealth.Degraded : ClusterHealth.Healthy;
    }

    private static async Task<Eip?> FindEipAsync(string? eipId, QingCloudClient client, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(eipId))
        {
            return null;
        }

        try
        {
            var found = await client.DescribeEipsAsync(new[] { eipId! }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return found.FirstOrDefault(e => e.Status is not ("released" or "ceased"));
        }
        catch (QingCloudApiException ex) when (ex.RetCode == 2100)
        {
            return null;
        }
    }
}
