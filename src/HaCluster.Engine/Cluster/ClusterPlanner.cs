// Copyright (c) HaCluster contributors. MIT License.
// Checks a New-HaCluster request against QingCloud and KubeKey's rules and lays out the steps; creates nothing.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.KubeSphere;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Turns a <see cref="ClusterRequest"/> into a <see cref="ClusterPlan"/>. Only Describe calls are made, so a bad input
/// fails with a specific error before anything exists, and -WhatIf can show the plan without changing anything.
/// </summary>
public static class ClusterPlanner
{
    /// <summary>Error id: the cluster name is not usable.</summary>
    public const string NameInvalidErrorId = "HaClusterNameInvalid";

    /// <summary>Error id: an instance given does not exist.</summary>
    public const string InstanceNotFoundErrorId = "HaClusterInstanceNotFound";

    /// <summary>Error id: several instances have the name given.</summary>
    public const string InstanceAmbiguousErrorId = "HaClusterInstanceAmbiguous";

    /// <summary>Error id: an instance is given twice (in one role or in both).</summary>
    public const string InstanceDuplicateErrorId = "HaClusterInstanceDuplicate";

    /// <summary>Error id: an instance is not in the VxNet.</summary>
    public const string InstanceNotInVxNetErrorId = "HaClusterInstanceNotInVxNet";

    /// <summary>Error id: an instance is neither running nor stopped.</summary>
    public const string InstanceNotUsableErrorId = "HaClusterInstanceNotUsable";

    /// <summary>Error id: the taskbox is not one of the nodes.</summary>
    public const string TaskBoxUnknownErrorId = "HaClusterTaskBoxUnknown";

    /// <summary>Error id: a listener would get more backends than QingCloud allows.</summary>
    public const string TooManyBackendsErrorId = "HaClusterTooManyBackends";

    /// <summary>Error id: the local kk binary does not exist.</summary>
    public const string KubeKeyNotFoundErrorId = "HaClusterKubeKeyNotFound";

    /// <summary>Error id: the state file belongs to another cluster or network.</summary>
    public const string StateMismatchErrorId = "HaClusterStateMismatch";

    /// <summary>Error id: the given EIP is bound to something else.</summary>
    public const string EipNotAvailableErrorId = "HaClusterEipNotAvailable";

    /// <summary>ErrorId of an -ApiSource or -ConsoleSource that is not an IPv4 address or CIDR.</summary>
    public const string SourceInvalidErrorId = "HaClusterSourceInvalid";

    /// <summary>Where the internal security group admits the API port from: the given sources, else the VxNet's CIDR.</summary>
    /// <param name="request">The request.</param>
    /// <param name="vxnet">The cluster's VxNet.</param>
    /// <returns>The sources.</returns>
    public static IReadOnlyList<string> ApiSourcesOf(ClusterRequest request, VxNet vxnet) =>
        request.ApiSources.Count > 0 ? request.ApiSources.ToList()
        : new[] { vxnet.IpNetwork ?? SecurityGroupService.Anywhere };

    /// <summary>Where the external security group admits the console port from: the given sources, else anywhere.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The sources.</returns>
    public static IReadOnlyList<string> ConsoleSourcesOf(ClusterRequest request) =>
        request.ConsoleSources.Count > 0 ? request.ConsoleSources.ToList() : new[] { SecurityGroupService.Anywhere };

    private static readonly string[] UsableInstanceStatuses = { "running", "stopped", "pending" };

    /// <summary>Checks the request and lays out the steps.</summary>
    /// <param name="request">What to build.</param>
    /// <param name="client">QingCloud (Describe calls only).</param>
    /// <param name="cancellationToken">Cancels the look-ups.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="HaClusterException">The first problem found (see the error id constants, the QingCloud look-ups' ids and the config validator's codes).</exception>
    public static async Task<ClusterPlan> PlanAsync(ClusterRequest request, QingCloudClient client, CancellationToken cancellationToken = default)
    {
        if (!ClusterNames.IsValid(request.Name))
        {
            throw new HaClusterException(NameInvalidErrorId, FailureKind.InvalidArgument, $"Cluster name '{request.Name}' must be 1-{ClusterNames.MaxNameLength} lowercase letters, digits and inner '-': it names the load balancers and is the QingCloud tag (shorter than 15 characters).", request.Name);
        }

        KubeSpherePath.Validate(request, client.Observer);
        foreach (var source in request.ApiSources.Concat(request.ConsoleSources))
        {
            if (!Cidr.TryParse(source, out _, out _))
            {
                throw new HaClusterException(SourceInvalidErrorId, FailureKind.InvalidArgument, $"Source '{source}' is not an IPv4 address or CIDR (e.g. 10.0.0.0/24 or 0.0.0.0/0).", source);
            }
        }

        var existing = ClusterStateFile.TryLoad(request.StatePath);
        CheckStateBelongs(request, existing, client.Context.Zone);
        if (request.KubeKeyPath is { } kk && !File.Exists(kk))
        {
            throw new HaClusterException(KubeKeyNotFoundErrorId, FailureKind.ObjectNotFound, $"The kk binary '{kk}' does not exist.", kk);
        }

        if (request.PrivateKeyPath is { } key && !File.Exists(key))
        {
            throw new HaClusterException(SshErrorIds.KeyFileNotFound, FailureKind.ObjectNotFound, $"The private key file '{key}' does not exist.", key);
        }

        var lookup = new ResourceLookup(client);
        var vxnet = await lookup.VxNetAsync(request.VxNet, cancellationToken).ConfigureAwait(false);
        if (existing?.VxNetId is { } recorded && recorded != vxnet.VxNetId)
        {
            throw new HaClusterException(StateMismatchErrorId, FailureKind.InvalidOperation, $"The state file '{request.StatePath}' records cluster '{request.Name}' in VxNet {recorded}, not {vxnet.VxNetId}; remove the cluster first or use another -StatePath.", request.StatePath);
        }

        var nodes = await ResolveNodesAsync(request, client, vxnet, cancellationToken).ConfigureAwait(false);
        Validate(request, nodes, client.Observer);
        CheckQuotas(request, nodes);
        var taskBox = request.SkipInstall ? null : FindTaskBox(request, nodes);
        var eip = request.EipId is null ? null : await CheckEipAsync(request, lookup, client, cancellationToken).ConfigureAwait(false);
        var steps = Steps(request, vxnet, taskBox, eip);
        foreach (var step in steps)
        {
            step.Completed = existing?.IsCompleted(step.Id) == true;
        }

        return new ClusterPlan(request, client.Context.Zone, vxnet, nodes, taskBox, eip, existing, steps);
    }

    private static void CheckStateBelongs(ClusterRequest request, ClusterState? existing, string zone)
    {
        if (existing is null)
        {
            return;
        }

        if (existing.Name != request.Name)
        {
            throw new HaClusterException(StateMismatchErrorId, FailureKind.InvalidOperation, $"The state file '{request.StatePath}' belongs to cluster '{existing.Name}', not '{request.Name}'.", request.StatePath);
        }

        if (existing.Zone is { } recorded && recorded != zone)
        {
            throw new HaClusterException(StateMismatchErrorId, FailureKind.InvalidOperation, $"The state file '{request.StatePath}' records cluster '{request.Name}' in zone {recorded}, but the QingCloud context is in zone {zone}.", request.StatePath);
        }
    }

    private static async Task<List<ClusterNode>> ResolveNodesAsync(ClusterRequest request, QingCloudClient client, VxNet vxnet, CancellationToken cancellationToken)
    {
        var all = await client.DescribeInstancesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var noWorkers = request.Workers.Count == 0;
        var controlRoles = noWorkers
            ? new[] { ClusterRoles.ControlPlane, ClusterRoles.Etcd, ClusterRoles.Worker }
            : new[] { ClusterRoles.ControlPlane, ClusterRoles.Etcd };
        var nodes = new List<ClusterNode>();
        foreach (var (given, roles) in request.ControlPlane.Select(g => (g, controlRoles)).Concat(request.Workers.Select(g => (g, new[] { ClusterRoles.Worker }))))
        {
            var instance = FindInstance(all, given);
            if (nodes.FirstOrDefault(n => n.Instance.InstanceId == instance.InstanceId) is { } twice)
            {
                throw new HaClusterException(InstanceDuplicateErrorId, FailureKind.InvalidArgument, $"Instance {instance.InstanceId} ({instance.InstanceName}) is given more than once; each node has one place (control plane or worker).", given);
            }

            if (!UsableInstanceStatuses.Contains(instance.Status))
            {
                throw new HaClusterException(InstanceNotUsableErrorId, FailureKind.InvalidOperation, $"Instance {instance.InstanceId} ({instance.InstanceName}) is {instance.Status}.", instance.InstanceId);
            }

            var nic = instance.VxNets.FirstOrDefault(v => v.VxNetId == vxnet.VxNetId);
            if (nic is null || string.IsNullOrEmpty(nic.PrivateIp))
            {
                throw new HaClusterException(InstanceNotInVxNetErrorId, FailureKind.InvalidArgument, $"Instance {instance.InstanceId} ({instance.InstanceName}) has no address in VxNet {vxnet.VxNetId} ({vxnet.VxNetName}); the load balancers reach backends there.", instance.InstanceId);
            }

            var host = new HaHost(instance.InstanceName, nic.PrivateIp!)
            {
                InternalAddress = nic.PrivateIp!,
                Port = request.SshPort,
                User = request.User,
                Password = request.Password,
                PrivateKeyPath = request.PrivateKeyPath,
            };
            nodes.Add(new ClusterNode(instance, host, roles));
        }

        return nodes;
    }

    private static Instance FindInstance(IReadOnlyList<Instance> all, string given)
    {
        var byId = all.Where(i => i.InstanceId == given).ToList();
        var matches = byId.Count > 0 ? byId : all.Where(i => i.InstanceName == given).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new HaClusterException(InstanceNotFoundErrorId, FailureKind.ObjectNotFound, $"No instance has the id or name '{given}'.", given),
            _ => throw new HaClusterException(InstanceAmbiguousErrorId, FailureKind.InvalidArgument, $"{matches.Count} instances are named '{given}' ({string.Join(", ", matches.Select(m => m.InstanceId))}); give the id.", given),
        };
    }

    // The same checks as Test-HaClusterConfig; the VIP does not exist yet, so endpoint findings wait for the config step.
    private static void Validate(ClusterRequest request, IReadOnlyList<ClusterNode> nodes, IOperationObserver observer)
    {
        var config = BuildConfig(request, nodes, endpointAddress: null);
        var findings = ClusterConfigValidator.Validate(config)
            .Where(f => f.Code is not (ConfigFindingCode.EndpointAddressMissing or ConfigFindingCode.EndpointAddressInvalid or ConfigFindingCode.EndpointAddressIsNode))
            .ToList();
        // With -SkipInstall kk never runs, so its logins and the config's other warnings do not matter.
        foreach (var warning in findings.Where(f => f.Severity == FindingSeverity.Warning && !request.SkipInstall))
        {
            observer.Warning(warning.Message);
        }

        if (findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error) is { } error)
        {
            throw new HaClusterException(error.Code, FailureKind.InvalidArgument, error.Message, error.Target);
        }
    }

    /// <summary>The KubeKey config of the cluster: hosts, roles and the VIP as controlPlaneEndpoint.</summary>
    /// <param name="request">The request.</param>
    /// <param name="nodes">The nodes.</param>
    /// <param name="endpointAddress">The internal load balancer's VIP.</param>
    /// <returns>The config.</returns>
    internal static ClusterConfig BuildConfig(ClusterRequest request, IReadOnlyList<ClusterNode> nodes, string? endpointAddress)
    {
        var config = ClusterConfigBuilder.Build(new ClusterConfigOptions
        {
            Name = request.Name,
            Hosts = nodes.Select(n => n.Host).ToList(),
            ControlPlane = nodes.Where(n => n.Roles.Contains(ClusterRoles.ControlPlane)).Select(n => n.Name).ToList(),
            Etcd = nodes.Where(n => n.Roles.Contains(ClusterRoles.Etcd)).Select(n => n.Name).ToList(),
            Worker = nodes.Where(n => n.Roles.Contains(ClusterRoles.Worker)).Select(n => n.Name).ToList(),
            EndpointAddress = endpointAddress,
            Port = ClusterNames.ApiPort,
            KubernetesVersion = request.KubernetesVersion,
            // The Helm path gives kk no KubeSphere at all: a 4.x version or its config never reaches kk v3.
            KubeSphereVersion = request.UsesHelm ? null : request.KubeSphereVersion,
            EnabledComponents = request.EnabledComponents.ToList(),
        });
        if (config.KubeSphere is not null)
        {
            config.KubeSphere.ConsolePort = request.ConsoleNodePort;
            if (request.ImageRegistry is not null)
            {
                config.Registry.PrivateRegistry = request.ImageRegistry;
            }
        }

        return config;
    }

    private static void CheckQuotas(ClusterRequest request, IReadOnlyList<ClusterNode> nodes)
    {
        var controlPlanes = nodes.Count(n => n.Roles.Contains(ClusterRoles.ControlPlane));
        foreach (var (listener, count) in new[] { ($"the internal listener ({ClusterNames.ApiPort})", controlPlanes), ($"the external listener ({request.ConsoleNodePort})", nodes.Count) })
        {
            if (count > LoadBalancerService.MaxBackendsPerListener)
            {
                throw new HaClusterException(TooManyBackendsErrorId, FailureKind.LimitsExceeded, $"{count} nodes would be backends of {listener}; QingCloud allows {LoadBalancerService.MaxBackendsPerListener} per listener.", count);
            }
        }
    }

    private static ClusterNode FindTaskBox(ClusterRequest request, IReadOnlyList<ClusterNode> nodes)
    {
        if (string.IsNullOrEmpty(request.TaskBox))
        {
            return nodes[0];
        }

        return nodes.FirstOrDefault(n => n.Name == request.TaskBox || n.Host.Address == request.TaskBox || n.Instance.InstanceId == request.TaskBox)
            ?? throw new HaClusterException(TaskBoxUnknownErrorId, FailureKind.InvalidArgument, $"The taskbox '{request.TaskBox}' is not one of the cluster's nodes ({string.Join(", ", nodes.Select(n => n.Name))}); kk runs on one of them.", request.TaskBox);
    }

    // The given EIP must be free, or already ours (a re-run after the external load balancer took it).
    private static async Task<Eip> CheckEipAsync(ClusterRequest request, ResourceLookup lookup, QingCloudClient client, CancellationToken cancellationToken)
    {
        var eip = (await lookup.EipsAsync(new[] { request.EipId! }, cancellationToken).ConfigureAwait(false))[0];
        LoadBalancerService.RequireLoadBalancerMode(eip);
        var holder = eip.Resource?.ResourceId;
        if (string.IsNullOrEmpty(holder) && eip.Status is "available" or "pending")
        {
            return eip;
        }

        var ours = await client.FindLoadBalancersByNameAsync(ClusterNames.ExternalLoadBalancer(request.Name), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (ours.Any(lb => lb.LoadBalancerId == holder))
        {
            return eip;
        }

        throw new HaClusterException(EipNotAvailableErrorId, FailureKind.InvalidOperation, $"EIP {eip.EipId} ({eip.EipAddr}) is {eip.Status}{(string.IsNullOrEmpty(holder) ? string.Empty : " with " + holder)}; the external load balancer needs an available EIP.", eip.EipId);
    }

    private static List<ClusterPlanStep> Steps(ClusterRequest request, VxNet vxnet, ClusterNode? taskBox, Eip? eip)
    {
        string Group(bool external, int port, IReadOnlyList<string> sources) =>
            $"Security group {ClusterNames.SecurityGroup(request.Name, external)} admits TCP {port.ToString(CultureInfo.InvariantCulture)} from {string.Join(", ", sources)}";
        string[] groupActions = { "DescribeSecurityGroups", "CreateSecurityGroup", "AttachTags", "AddSecurityGroupRules", "ApplySecurityGroup" };
        var name = request.Name;
        var steps = new List<ClusterPlanStep>();
        void Add(string id, string path, string description, string target, params string[] actions) =>
            steps.Add(new ClusterPlanStep(steps.Count + 1, id, path, description, target, actions));

        const string Internal = "Internal";
        const string External = "External";
        const string Cluster = "Cluster";
        var apiPort = ClusterNames.ApiPort;
        var consolePort = request.ConsoleNodePort;
        if (request.UsesHelm && !request.SkipInstall)
        {
            var ks = KubeSpherePath.Options(request);
            Add(ClusterStepIds.KubeSpherePreflight, Cluster, $"Preflight before anything is created or installed: chart {ks.ResolvedChart} {ks.ResolvedChartVersion} fetchable from the taskbox", taskBox!.Name, "SSH: " + KubeSphereInstaller.ShowChartCommand(ks) + " (or the registry answering, before kk brings helm)");
        }

        Add(ClusterStepIds.Tag, Cluster, $"Tag '{name}' for every resource the cluster creates", name, "DescribeTags", "CreateTag");
        Add(ClusterStepIds.InternalFirewall, Internal, Group(false, apiPort, ApiSourcesOf(request, vxnet)), ClusterNames.SecurityGroup(name, false), groupActions);
        Add(ClusterStepIds.InternalLoadBalancer, Internal, $"Internal load balancer in VxNet {vxnet.VxNetName ?? vxnet.VxNetId}, in its security group", ClusterNames.InternalLoadBalancer(name), "DescribeLoadBalancers", "CreateLoadBalancer", "DescribeJobs", "AttachTags");
        Add(ClusterStepIds.InternalListener, Internal, $"TCP listener on {apiPort}, round robin", ClusterNames.InternalLoadBalancer(name), "DescribeLoadBalancerListeners", "AddLoadBalancerListeners");
        Add(ClusterStepIds.InternalBackends, Internal, $"Control-plane nodes as backends on {apiPort}", ClusterNames.InternalLoadBalancer(name), "DescribeLoadBalancerBackends", "AddLoadBalancerBackends");
        Add(ClusterStepIds.InternalApply, Internal, "Apply changes; record the VIP", ClusterNames.InternalLoadBalancer(name), "UpdateLoadBalancers", "DescribeJobs", "DescribeLoadBalancers");
        Add(ClusterStepIds.ExternalFirewall, External, Group(true, consolePort, ConsoleSourcesOf(request)), ClusterNames.SecurityGroup(name, true), groupActions);
        if (eip is null)
        {
            Add(ClusterStepIds.Eip, External, "Allocate an EIP", ClusterNames.Eip(name), "DescribeEips", "AllocateEips", "AttachTags");
        }
        else
        {
            Add(ClusterStepIds.Eip, External, $"Use EIP {eip.EipId} ({eip.EipAddr})", eip.EipId, "DescribeEips");
        }

        Add(ClusterStepIds.ExternalLoadBalancer, External, "External load balancer on the EIP, in its security group", ClusterNames.ExternalLoadBalancer(name), "DescribeLoadBalancers", "CreateLoadBalancer", "DescribeJobs", "AttachTags");
        Add(ClusterStepIds.ExternalListener, External, $"HTTP listener on {consolePort}", ClusterNames.ExternalLoadBalancer(name), "DescribeLoadBalancerListeners", "AddLoadBalancerListeners");
        Add(ClusterStepIds.ExternalBackends, External, $"Every node as backend on {consolePort}", ClusterNames.ExternalLoadBalancer(name), "DescribeLoadBalancerBackends", "AddLoadBalancerBackends");
        Add(ClusterStepIds.ExternalApply, External, "Apply changes", ClusterNames.ExternalLoadBalancer(name), "UpdateLoadBalancers", "DescribeJobs", "DescribeLoadBalancers");
        if (request.SkipInstall)
        {
            return steps;
        }

        var box = taskBox!.Name;
        Add(ClusterStepIds.Config, Cluster, $"KubeKey config with the VIP as controlPlaneEndpoint ({KubeSpherePath.Describe(request)})", name, "(local)");
        Add(ClusterStepIds.Install, Cluster, request.UsesHelm ? "Install Kubernetes with KubeKey from the taskbox" : "Install with KubeKey from the taskbox", box, "SSH: preflight", request.KubeKeyPath is null ? "SSH: download kk" : "SFTP: upload kk", "SFTP: upload config (0600)", request.UsesHelm ? "SSH: kk create cluster -f <config> -y --with-local-storage" : "SSH: kk create cluster -f <config> -y");
        if (request.UsesHelm)
        {
            var ks = KubeSpherePath.Options(request);
            Add(ClusterStepIds.KubeSphere, Cluster, $"Install KubeSphere 4 with Helm (chart {ks.ResolvedChartVersion}, console NodePort {consolePort})", box, "SFTP: upload values (0600)", $"SSH: helm upgrade --install ks-core {ks.ResolvedChart} --version {ks.ResolvedChartVersion} -n kubesphere-system --wait");
        }

        Add(ClusterStepIds.BackendsUp, Cluster, "Wait until every backend is up", name, "DescribeLoadBalancerBackends");
        Add(ClusterStepIds.Verify, Cluster, request.Failover ? "Verify, with the failover drill (stop a master, check, start it)" : "Verify", name, request.Failover
            ? new[] { "DescribeLoadBalancers", "DescribeLoadBalancerBackends", "DescribeSecurityGroupRules", "StopInstances", "StartInstances", "HTTPS /readyz", "HTTP console", "SSH: kubectl get nodes" }
            : new[] { "DescribeLoadBalancers", "DescribeLoadBalancerBackends", "DescribeSecurityGroupRules", "HTTPS /readyz", "HTTP console", "SSH: kubectl get nodes" });
        return steps;
    }
}
