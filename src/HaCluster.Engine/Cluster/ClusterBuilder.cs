// Copyright (c) HaCluster contributors. MIT License.
// New-HaCluster's orchestrator: tag, both load balancer paths at once, config from the VIP, install, backends up, verify.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Runs a <see cref="ClusterPlan"/>. The state file is written before the first change and after every step (and as soon
/// as each resource id exists), so running the same plan again after a failure, a crash or Ctrl+C at any point resumes:
/// completed work is checked and adopted, never repeated.
/// </summary>
public sealed partial class ClusterBuilder
{
    private const int InternalBarId = 6101;
    private const int ExternalBarId = 6102;
    private const int ClusterBarId = 6103;

    private readonly QingCloudClient _client;

    /// <summary>Creates the builder.</summary>
    /// <param name="client">QingCloud, with the observer that receives narration and progress.</param>
    public ClusterBuilder(QingCloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    private IOperationObserver Observer => _client.Observer;

    /// <summary>Builds (or resumes building) the cluster.</summary>
    /// <param name="plan">The plan from <see cref="ClusterPlanner.PlanAsync"/>.</param>
    /// <param name="cancellationToken">Ctrl+C: stops between calls; the state file stays consistent.</param>
    /// <returns>The cluster.</returns>
    /// <exception cref="HaClusterException">The first failure; the state file records everything done until then.</exception>
    public async Task<HaClusterInfo> BuildAsync(ClusterPlan plan, CancellationToken cancellationToken = default)
    {
        var request = plan.Request;
        var store = new ClusterStateStore(request.StatePath, plan.ExistingState ?? new ClusterState { Name = plan.Name, Created = DateTime.UtcNow });
        store.Update(s => Record(s, plan));
        Observer.Verbose($"State file: {request.StatePath}.");
        var progress = new ClusterProgress(Observer, plan.Name, plan.Steps.Count, plan.Steps.Count(s => s.Completed));
        var clusterBar = progress.Child(ClusterBarId, "Cluster", plan.Steps.Count(s => s.Path == "Cluster"));
        progress.Start();
        IReadOnlyList<HaCheckResult> checks = Array.Empty<HaCheckResult>();
        IReadOnlyList<LoadBalancer>? applied = null;
        var createdBoth = false;
        try
        {
            if (request.UsesHelm && !request.SkipInstall && !store.IsCompleted(ClusterStepIds.KubeSphere))
            {
                // Before anything is created and long before kk: a chart or registry that is gone fails now, not in 30 minutes.
                clusterBar.Starting("KubeSphere chart preflight");
                var options = KubeSpherePath.Options(request);
                options.Connect = new Ssh.SshConnectOptions { HostKeyPolicy = new Ssh.HostKeyPolicy(request.KnownHostsPath, request.AcceptNewHostKey), Observer = Observer };
                await KubeSphere.KubeSphereInstaller.PreflightAsync(TaskBoxEndpoint(plan), options, Observer, cancellationToken).ConfigureAwait(false);
                store.Complete(ClusterStepIds.KubeSpherePreflight);
                clusterBar.Done("KubeSphere chart preflight");
            }

            clusterBar.Starting("tag", $"tag '{plan.Name}'");
            var tagId = await EnsureTagAsync(store, plan, cancellationToken).ConfigureAwait(false);
            store.Complete(ClusterStepIds.Tag);
            clusterBar.Done("tag");

            // The cluster steps go on after the load balancers: their bar is not left standing while the paths run.
            clusterBar.Complete();

            var internalPath = new LoadBalancerPath(_client, store, plan, external: false, tagId, progress.Child(InternalBarId, "Internal load balancer " + ClusterNames.InternalLoadBalancer(plan.Name), 5));
            var externalPath = new LoadBalancerPath(_client, store, plan, external: true, tagId, progress.Child(ExternalBarId, "External load balancer " + ClusterNames.ExternalLoadBalancer(plan.Name), 6));
            Observer.Verbose("Building the internal and the external load balancer paths concurrently.");
            applied = await Task.WhenAll(internalPath.RunAsync(cancellationToken), externalPath.RunAsync(cancellationToken)).ConfigureAwait(false);
            createdBoth = internalPath.CreatedLoadBalancer && externalPath.CreatedLoadBalancer;

            if (!request.SkipInstall)
            {
                checks = await InstallAndVerifyAsync(plan, store, clusterBar, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Every bar still shown goes, on success and on failure alike.
            progress.Complete();
        }

        // Without the install the load balancers were described a moment ago, right after their update, and when this run
        // created both, their backends are the ones it added (read in one call).
        var described = request.SkipInstall ? applied : null;
        var ownBackends = described is not null && createdBoth ? store.State.Internal.BackendIds.Concat(store.State.External.BackendIds).ToList() : null;
        var info = await ClusterReader.ReadAsync(store.State, request.StatePath, _client, plan.Nodes.Select(n => n.Host).ToList(), described, ownBackends, cancellationToken).ConfigureAwait(false);
        info.Checks = checks;
        return info;
    }

    private static void Record(ClusterState state, ClusterPlan plan)
    {
        var request = plan.Request;
        state.Zone = plan.Zone;
        state.Endpoint = plan.Endpoint;
        state.VxNetId = plan.VxNet.VxNetId;
        state.TaskBox = plan.TaskBox?.Name ?? state.TaskBox;
        state.KubeSphereVersion = request.KubeSphereVersion;
        state.Internal.LoadBalancerName = ClusterNames.InternalLoadBalancer(plan.Name);
        state.Internal.Port = ClusterNames.ApiPort;
        state.External.LoadBalancerName = ClusterNames.ExternalLoadBalancer(plan.Name);
        state.External.Port = request.ConsoleNodePort;
        state.KubeSphereChartVersion = request.KubeSphereChartVersion ?? state.KubeSphereChartVersion;
        state.Nodes = plan.Nodes.Select(n => new NodeState
        {
            Name = n.Name,
            InstanceId = n.Instance.InstanceId,
            Address = n.Host.Address,
            Port = n.Host.Port,
            User = n.Host.User,
            PrivateKeyPath = n.Host.PrivateKeyPath,
            Roles = n.Roles.ToList(),
        }).ToList();
    }

    // The tag named after the cluster marks what it created, so Remove-HaCluster finds it even without the state file.
    private async Task<string> EnsureTagAsync(ClusterStateStore store, ClusterPlan plan, CancellationToken cancellationToken)
    {
        var name = plan.Name;
        if (store.Read(s => s.TagId) is { } recorded)
        {
            var known = await _client.DescribeTagsAsync(new[] { recorded }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (known.Any(t => t.TagId == recorded))
            {
                return recorded;
            }
        }

        // The planner looked the name up a moment ago when no state file recorded the tag.
        var tag = plan.LookedUp is { } lookedUp ? lookedUp.Tag : (await _client.FindTagsByNameAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (tag is null)
        {
            // Recorded before CreateTag: a run killed between the create and recording the id must not make the re-run
            // take our tag for one that existed before (Remove-HaCluster would then leave it behind).
            store.Update(s => s.TagCreated = true);
        }

        var created = store.Read(s => s.TagCreated);
        var id = tag?.TagId ?? await _client.CreateOnceAsync(
            $"tag '{name}'",
            ct => _client.CreateTagAsync(name, cancellationToken: ct),
            async ct => (await _client.FindTagsByNameAsync(name, ct).ConfigureAwait(false)).FirstOrDefault()?.TagId,
            cancellationToken).ConfigureAwait(false);
        Observer.Verbose(created ? $"Created tag '{name}' ({id})." : $"Using tag '{name}' ({id}).");
        if (created)
        {
            // The tag says which state file owns the cluster, so a New-HaCluster elsewhere can name it when it refuses.
            await _client.ModifyTagDescriptionAsync(id, ClusterOwnership.TagDescription(store.Path), cancellationToken).ConfigureAwait(false);
        }

        store.Update(s => s.TagId = id);
        return id;
    }
}
