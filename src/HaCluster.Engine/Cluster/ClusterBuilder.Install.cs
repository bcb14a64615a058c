// Copyright (c) HaCluster contributors. MIT License.
// New-HaCluster after the load balancers: config from the VIP, install with kk, backends up, verification.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.Cluster;

/// <content>Steps 2-4 of the tutorial: the config with the VIP, the install from the taskbox, the HA checks.</content>
public sealed partial class ClusterBuilder
{
    /// <summary>Error id: the config built from the nodes and the VIP is not valid.</summary>
    public const string ConfigInvalidErrorId = "HaClusterConfigInvalid";

    private async Task<IReadOnlyList<HaCheckResult>> InstallAndVerifyAsync(ClusterPlan plan, ClusterStateStore store, ClusterProgress.Bar bar, CancellationToken cancellationToken)
    {
        var request = plan.Request;
        var vip = store.Read(s => s.Internal.Address)!;
        bar.Starting($"KubeKey config with controlPlaneEndpoint {vip}:{ClusterNames.ApiPort}");
        var config = ClusterPlanner.BuildConfig(request, plan.Nodes, vip);
        if (ClusterConfigValidator.Validate(config).FirstOrDefault(f => f.Severity == FindingSeverity.Error) is { } error)
        {
            throw new HaClusterException(error.Code, FailureKind.InvalidArgument, $"The KubeKey config for the VIP {vip} is not valid: {error.Message}", error.Target);
        }

        store.Complete(ClusterStepIds.Config);
        bar.Done("config");

        var connect = new SshConnectOptions { HostKeyPolicy = new HostKeyPolicy(request.KnownHostsPath, request.AcceptNewHostKey), Observer = Observer };
        await InstallAsync(plan, store, bar, config, connect, cancellationToken).ConfigureAwait(false);
        if (request.UsesHelm)
        {
            await InstallKubeSphereAsync(plan, store, bar, connect, cancellationToken).ConfigureAwait(false);
        }

        bar.Starting("waiting until every backend is up");
        var ids = store.Read(s => new[] { s.Internal.LoadBalancerId!, s.External.LoadBalancerId! });
        var wait = ClusterProgress.WaitUnder(bar, request.WaitTimeout);
        await new LoadBalancerService(_client).WaitForBackendsUpAsync(ids, wait, cancellationToken).ConfigureAwait(false);
        store.Complete(ClusterStepIds.BackendsUp);
        bar.Done("backends up");

        var last = store.Read(s => s.Verification);
        if (store.IsCompleted(ClusterStepIds.Verify) && last is { Failed: 0 } && (last.Failover || !request.Failover))
        {
            Observer.Verbose($"The cluster passed its checks at {last.Time:u}{(last.Failover ? " (with the failover drill)" : string.Empty)}; not running them again. Run Test-HaCluster to check now.");
            bar.Done("verified earlier");
            return Array.Empty<HaCheckResult>();
        }

        bar.Starting(request.Failover ? "HA checks with the failover drill" : "HA checks");
        var verification = new ClusterVerificationRequest
        {
            InternalLoadBalancerId = ids[0],
            ExternalLoadBalancerId = ids[1],
            ControlPlane = plan.ControlPlane.Select(n => n.Host).ToList(),
            Workers = plan.Workers.Select(n => n.Host).ToList(),
            Etcd = plan.Nodes.Where(n => n.Roles.Contains(ClusterRoles.Etcd)).Select(n => n.Name).ToList(),
            KnownHostsPath = request.KnownHostsPath,
            AcceptNewHostKey = request.AcceptNewHostKey,
            CaCertificatePath = request.CaCertificatePath,
            Failover = request.Failover,
            FailoverMaster = request.FailoverMaster,
            ConsolePort = request.ConsoleNodePort,
            KubeSphereHighAvailability = store.Read(s => s.KubeSphereHighAvailability),
        };
        var results = await new ClusterVerifier(_client).VerifyAsync(verification, r => Observer.Verbose("Check " + r), new NestedObserver(Observer), cancellationToken).ConfigureAwait(false);
        var failed = results.Count(r => !r.Passed);
        store.Update(s =>
        {
            s.Verification = new VerificationState { Time = DateTime.UtcNow, Passed = results.Count - failed, Failed = failed, Failover = request.Failover };
            s.Complete(ClusterStepIds.Verify);
        });
        bar.Done("verified");
        return results;
    }

    // kk keeps running on the taskbox when this process dies: a re-run reattaches to it (or starts again after a failed run).
    private async Task InstallAsync(ClusterPlan plan, ClusterStateStore store, ClusterProgress.Bar bar, ClusterConfig config, SshConnectOptions connect, CancellationToken cancellationToken)
    {
        if (store.Read(s => s.Install.Succeeded) is { } done)
        {
            Observer.Verbose($"KubeKey installed the cluster at {done:u}; not installing again.");
            bar.Done("installed earlier");
            return;
        }

        var request = plan.Request;
        var taskBox = plan.TaskBox!.Host;
        var resuming = store.Read(s => s.Install.Started) is not null;
        bar.Starting($"{(resuming ? "reattaching to" : "running")} kk create cluster on {taskBox.Name}");
        store.Update(s => s.Install.Started ??= DateTime.UtcNow);
        var options = InstallOptions(request, connect);
        var result = await KubeKeyInstaller.InstallAsync(config, TaskBoxEndpoint(plan), options, new NestedObserver(Observer), cancellationToken).ConfigureAwait(false);
        store.Update(s =>
        {
            s.Install.Succeeded = DateTime.UtcNow;
            s.Install.LogPath = result.LogPath;
            s.Complete(ClusterStepIds.Install);
        });
        bar.Done("installed");
    }

    /// <summary>The install's options for a request: one place, so the planner checks exactly what the install will use.</summary>
    /// <param name="request">The request.</param>
    /// <param name="connect">SSH options, or null when only checking.</param>
    /// <returns>The options.</returns>
    internal static KubeKeyInstallOptions InstallOptions(ClusterRequest request, SshConnectOptions? connect) => new()
    {
        KubeKeyPath = request.KubeKeyPath,
        KubeKeyVersion = request.KubeKeyVersion,
        WorkingDirectory = ClusterNames.WorkingDirectory(request.Name),
        Timeout = request.InstallTimeout,
        Mode = KubeKeyInstallMode.ResumeOrStart,
        Connect = connect ?? new SshConnectOptions(),
        WithLocalStorage = request.UsesHelm,
        Hints = InstallRecoveryHints.NewHaCluster,
    };

    private static SshEndpoint TaskBoxEndpoint(ClusterPlan plan)
    {
        var taskBox = plan.TaskBox!.Host;
        return new SshEndpoint(taskBox.Address, taskBox.Port, taskBox.User)
        {
            Name = taskBox.Name,
            Password = taskBox.Password,
            PrivateKeyPath = taskBox.PrivateKeyPath,
        };
    }

    // helm keeps running on the taskbox when this process dies: a re-run reattaches, or recovers a release it left pending.
    private async Task InstallKubeSphereAsync(ClusterPlan plan, ClusterStateStore store, ClusterProgress.Bar bar, SshConnectOptions connect, CancellationToken cancellationToken)
    {
        if (store.IsCompleted(ClusterStepIds.KubeSphere))
        {
            Observer.Verbose($"Helm installed KubeSphere (chart {store.Read(s => s.KubeSphereChartVersion)}) earlier; not installing again.");
            bar.Done("KubeSphere installed earlier");
            return;
        }

        var options = KubeSpherePath.Options(plan.Request);
        options.Connect = connect;
        bar.Starting($"helm upgrade --install ks-core {options.ResolvedChart} {options.ResolvedChartVersion} on {plan.TaskBox!.Name}");
        var result = await KubeSphere.KubeSphereInstaller.InstallAsync(TaskBoxEndpoint(plan), plan.ControlPlane.Select(n => n.Host).ToList(), options, new NestedObserver(Observer), cancellationToken).ConfigureAwait(false);
        store.Update(s =>
        {
            s.KubeSphereChartVersion = result.ChartVersion;
            s.KubeSphereHighAvailability = result.HighAvailability;
            s.Complete(ClusterStepIds.KubeSphere);
        });
        bar.Done($"KubeSphere {result.AppVersion} installed");
    }

    /// <summary>Hangs the install's and the checks' progress bars under New-HaCluster's parent bar.</summary>
    private sealed class NestedObserver : IOperationObserver
    {
        private readonly IOperationObserver _inner;

        public NestedObserver(IOperationObserver inner) => _inner = inner;

        public void Verbose(string message) => _inner.Verbose(message);

        public void Debug(string message) => _inner.Debug(message);

        public void Warning(string message) => _inner.Warning(message);

        public void Progress(OperationProgress progress)
        {
            if (progress.ParentActivityId < 0)
            {
                progress.ParentActivityId = ClusterProgress.ParentId;
            }

            _inner.Progress(progress);
        }
    }
}
