// Copyright (c) HaCluster contributors. MIT License.
// Finds the resources an operation names (by id or by name) and fails with a specific error before anything changes.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Read-only look-ups shared by the QingCloud services. Each one either returns the resource or throws a
/// <see cref="HaClusterException"/> whose ErrorId names what is missing (<c>QcVxNetNotFound</c>,
/// <c>QcLoadBalancerNotFound</c>, <c>QcLoadBalancerDeleted</c>, …) and whose target is the value given.
/// </summary>
public sealed class ResourceLookup
{
    private static readonly string[] DeletedLoadBalancerStatuses = { "deleted", "ceased" };

    private readonly QingCloudClient _client;

    /// <summary>Creates the look-ups.</summary>
    /// <param name="client">The client to describe with.</param>
    public ResourceLookup(QingCloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>A VxNet by id (<c>vxnet-…</c>) or by exact name.</summary>
    /// <param name="idOrName">The id or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The VxNet.</returns>
    /// <exception cref="HaClusterException"><c>QcVxNetNotFound</c>, or <c>QcVxNetAmbiguous</c> when several VxNets carry the name.</exception>
    public async Task<VxNet> VxNetAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var all = await _client.DescribeVxNetsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return Single(all, idOrName, v => v.VxNetId, v => v.VxNetName, "QcVxNet", "VxNet");
    }

    /// <summary>A security group by id (<c>sg-…</c>) or by exact name.</summary>
    /// <param name="idOrName">The id or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The security group.</returns>
    /// <exception cref="HaClusterException"><c>QcSecurityGroupNotFound</c> or <c>QcSecurityGroupAmbiguous</c>.</exception>
    public async Task<SecurityGroup> SecurityGroupAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var all = await _client.DescribeSecurityGroupsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return Single(all, idOrName, g => g.SecurityGroupId, g => g.SecurityGroupName, "QcSecurityGroup", "security group");
    }

    /// <summary>Load balancers that exist and are not deleted, in the order asked for.</summary>
    /// <param name="loadBalancerIds">The ids.</param>
    /// <param name="verbose">Include listeners and their backends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The load balancers.</returns>
    /// <exception cref="HaClusterException"><c>QcLoadBalancerNotFound</c> (unknown id) or <c>QcLoadBalancerDeleted</c>.</exception>
    public async Task<IReadOnlyList<LoadBalancer>> LiveLoadBalancersAsync(IEnumerable<string> loadBalancerIds, bool verbose = false, CancellationToken cancellationToken = default)
    {
        var ids = loadBalancerIds.Distinct(StringComparer.Ordinal).ToList();
        var found = await _client.DescribeLoadBalancersAsync(ids, verbose: verbose, cancellationToken: cancellationToken).ConfigureAwait(false);
        var lbs = InOrder(ids, found, l => l.LoadBalancerId, "QcLoadBalancerNotFound", "load balancer");
        var deleted = lbs.FirstOrDefault(lb => Array.IndexOf(DeletedLoadBalancerStatuses, lb.Status) >= 0);
        return deleted is null
            ? lbs
            : throw new HaClusterException("QcLoadBalancerDeleted", FailureKind.ObjectNotFound, $"Load balancer '{deleted.LoadBalancerId}' ({deleted.LoadBalancerName}) is {deleted.Status}.", deleted.LoadBalancerId);
    }

    /// <summary>One live load balancer that accepts configuration changes (status <c>active</c>).</summary>
    /// <param name="loadBalancerId">The id.</param>
    /// <param name="verbose">Include listeners and their backends.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The load balancer.</returns>
    /// <exception cref="HaClusterException">As <see cref="LiveLoadBalancersAsync"/>, or <c>QcLoadBalancerNotActive</c>.</exception>
    public async Task<LoadBalancer> ActiveLoadBalancerAsync(string loadBalancerId, bool verbose = false, CancellationToken cancellationToken = default)
    {
        var lb = (await LiveLoadBalancersAsync(new[] { loadBalancerId }, verbose, cancellationToken).ConfigureAwait(false))[0];
        return lb.Status == "active"
            ? lb
            : throw new HaClusterException("QcLoadBalancerNotActive", FailureKind.InvalidOperation, $"Load balancer '{loadBalancerId}' is {lb.Status}; only an active load balancer can be changed.", loadBalancerId);
    }

    /// <summary>Listeners by id, with their backends, in the order asked for.</summary>
    /// <param name="listenerIds">The ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The listeners.</returns>
    /// <exception cref="HaClusterException"><c>QcListenerNotFound</c>.</exception>
    public async Task<IReadOnlyList<Listener>> ListenersAsync(IEnumerable<string> listenerIds, CancellationToken cancellationToken = default)
    {
        var ids = listenerIds.Distinct(StringComparer.Ordinal).ToList();
        var found = await _client.DescribeLoadBalancerListenersAsync(ids, verbose: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        return InOrder(ids, found, l => l.ListenerId, "QcListenerNotFound", "load-balancer listener");
    }

    /// <summary>Backends by id, in the order asked for.</summary>
    /// <param name="backendIds">The ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The backends.</returns>
    /// <exception cref="HaClusterException"><c>QcBackendNotFound</c>.</exception>
    public async Task<IReadOnlyList<Backend>> BackendsAsync(IEnumerable<string> backendIds, CancellationToken cancellationToken = default)
    {
        var ids = backendIds.Distinct(StringComparer.Ordinal).ToList();
        var found = await _client.DescribeLoadBalancerBackendsAsync(ids, cancellationToken: cancellationToken).ConfigureAwait(false);
        return InOrder(ids, found, b => b.BackendId, "QcBackendNotFound", "load-balancer backend");
    }

    /// <summary>Instances by id, in the order asked for.</summary>
    /// <param name="instanceIds">The ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instances.</returns>
    /// <exception cref="HaClusterException"><c>QcInstanceNotFound</c>.</exception>
    public async Task<IReadOnlyList<Instance>> InstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var ids = instanceIds.Distinct(StringComparer.Ordinal).ToList();
        var found = await _client.DescribeInstancesAsync(ids, cancellationToken: cancellationToken).ConfigureAwait(false);
        return InOrder(ids, found, i => i.InstanceId, "QcInstanceNotFound", "instance");
    }

    /// <summary>EIPs by id, in the order asked for (QingCloud answers an unknown EIP id with 2100).</summary>
    /// <param name="eipIds">The ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The EIPs.</returns>
    /// <exception cref="HaClusterException"><c>QcEipNotFound</c> (also for a released EIP).</exception>
    public async Task<IReadOnlyList<Eip>> EipsAsync(IEnumerable<string> eipIds, CancellationToken cancellationToken = default)
    {
        var ids = eipIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            // DescribeEips without ids would list every EIP of the account.
            return Array.Empty<Eip>();
        }

        IReadOnlyList<Eip> found;
        try
        {
            found = await _client.DescribeEipsAsync(ids, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (QingCloudApiException ex) when (ex.RetCode == 2100)
        {
            // The reply does not say which id is unknown: ask one by one to name it.
            found = await DescribeEachEipAsync(ids, cancellationToken).ConfigureAwait(false);
        }

        return InOrder(ids, found.Where(e => e.Status is not ("released" or "ceased")).ToList(), e => e.EipId, "QcEipNotFound", "EIP");
    }

    private static T Single<T>(IReadOnlyList<T> all, string idOrName, Func<T, string> idOf, Func<T, string?> nameOf, string errorPrefix, string noun)
    {
        var byId = all.Where(i => idOf(i) == idOrName).ToList();
        var matches = byId.Count > 0 ? byId : all.Where(i => string.Equals(nameOf(i), idOrName, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new HaClusterException(errorPrefix + "NotFound", FailureKind.ObjectNotFound, $"No {noun} has the id or name '{idOrName}'.", idOrName),
            _ => throw new HaClusterException(errorPrefix + "Ambiguous", FailureKind.InvalidArgument, $"{matches.Count} {noun}s are named '{idOrName}' ({string.Join(", ", matches.Select(idOf))}); give the id.", idOrName),
        };
    }

    private List<T> InOrder<T>(List<string> ids, IReadOnlyList<T> found, Func<T, string> idOf, string errorId, string noun) =>
        ids.Select(id => found.FirstOrDefault(item => idOf(item) == id) ?? throw NotFound(errorId, noun, id, null)).ToList();

    private HaClusterException NotFound(string errorId, string noun, string id, Exception? inner) =>
        new(errorId, FailureKind.ObjectNotFound, $"QingCloud zone {_client.Context.Zone} has no {noun} '{id}'.", id, inner);

    private async Task<IReadOnlyList<Eip>> DescribeEachEipAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var found = new List<Eip>();
        foreach (var id in ids)
        {
            try
            {
                found.AddRange(await _client.DescribeEipsAsync(new[] { id }, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            catch (QingCloudApiException ex) when (ex.RetCode == 2100)
            {
                throw NotFound("QcEipNotFound", "EIP", id, ex);
            }
        }

        return found;
    }
}
