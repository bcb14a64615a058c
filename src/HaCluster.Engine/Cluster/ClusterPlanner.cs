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

    /// <summary>Error id: an instance is not in the VxNet (the rule Add-QcLbBackend applies too).</summary>
    public const string InstanceNotInVxNetErrorId = VxNetMembership.InstanceNotInVxNetErrorId;

    /// <summary>Error id: a node is stopped and the install needs it running.</summary>
    public const string InstanceStoppedErrorId = "HaClusterInstanceStopped";

    /// <summary>Error id: an instance is neither running nor stopped.</summary>
    public const string InstanceNotUsableErrorId = "HaClusterInstanceNotUsable";

    /// <summary>Error id: the taskbox is not one of the nodes.</summary>
    public const string TaskBoxUnknownErrorId = "HaClusterTaskBoxUnknown";

    /// <summary>Error id: a listener would get more backends than QingCloud allows.</summary>
    public const string TooManyBackendsErrorId = "HaClusterTooManyBackends";

    /// <summary>Error id: the local kk binary does not exist.</summary>
    public const string KubeKeyNotFoundErrorId = "HaClusterKubeKeyNotFound";

    /// <summary>Error id: the state file belongs to another cluster, zone, endpoint or network.</summary>
    public const string StateMismatchErrorId = ClusterStateFile.MismatchErrorId;

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

    // Config findings that depend on the request alone, not on which instances the nodes are.
    private static readonly string[] InputOnlyCodes =
    {
        ConfigFindingCode.KubernetesVersionInvalid, ConfigFindingCode.KubernetesVersionUnsupported, ConfigFindingCode.KubernetesVersionIncompatible,
        ConfigFindingCode.KubeSphereVersionUnsupported, ConfigFindingCode.ContainerManagerUnknown, ConfigFindingCode.NetworkPluginUnknown,
        ConfigFindingCode.CidrInvalid, ConfigFindingCode.CidrOverlap,
    };

    /// <summary>Checks the request and lays out the steps.</summary>
    /// <param name="request">What to build.</param>
    /// <param name="client">QingCloud (Describe calls only).</param>
    /// <param name="cancellationToken">Cancels the look-ups.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="HaClusterException">The first problem found (see the error id constants, the QingCloud look-ups' ids and the config validator's codes).</exception>
    public static async Task<ClusterPlan> PlanAsync(ClusterRequest request, QingCloudClient client, CancellationToken cancellationToken = default)
    {
        // Everything that needs no cloud call first: a bad version, component, file or name fails while nothing exists.
        // Which KubeSphere path first: a v4 version given to kk's path is told to use Helm, not that kk does not know it.
        KubeSpherePath.CheckPath(request);
        CheckInput(request);
        KubeSpherePath.Validate(request, client.Observer);
        ClusterStateFile.EnsureWritable(request.StatePath);
        var existing = ClusterStateFile.TryLoad(request.StatePath);
        if (existing is not null)
        {
            ClusterStateFile.CheckBelongs(existing, request.StatePath, request.Name, client.Context.Zone, client.Context.Endpoint);
        }

        // The look-ups that do not depend on one another go out together; their answers are checked in the order they
        // always were, so the first problem reported does not change.
        var lookup = new ResourceLookup(client);
        var vxnetTask = lookup.VxNetAsync(request.VxNet, cancellationToken);
        var instancesTask = client.DescribeInstancesAsync(cancellationToken: cancellationToken);
        var namesTask = existing?.TagId is null ? LookUpNamesAsync(request, client, cancellationToken) : null;
        // Not awaited when an earlier answer fails the plan.
        instancesTask.ObserveFaults();
        namesTask.ObserveFaults();
        var vxnet = await vxnetTask.ConfigureAwait(false);
        if (existing?.VxNetId is { } recorded && recorded != vxnet.VxNetId)
        {
            throw new HaClusterException(StateMismatchErrorId, FailureKind.InvalidOperation, $"The state file '{request.StatePath}' records cluster '{request.Name}' in VxNet {recorded}, not {vxnet.VxNetId}; remove the cluster first or use another -StatePath.", request.StatePath);
        }

        var nodes = ResolveNodes(request, await instancesTask.ConfigureAwait(false), client, vxnet);
        Validate(request, nodes, client.Observer);
        CheckQuotas(request, nodes);
        var taskBox = request.SkipInstall ? null : FindTaskBox(request, nodes);
        var eip = request.EipId is null ? null : await CheckEipAsync(request, lookup, client, cancellationToken).ConfigureAwait(false);

        // One cluster name, one owner: a run without the state file that made the cluster's live resources refuses them.
        var lookups = namesTask is null ? null : await namesTask.ConfigureAwait(false);
        var adopted = lookups is null ? new List<string>() : await FindLiveClusterAsync(request, lookups, client, cancellationToken).ConfigureAwait(false);
        var steps = Steps(request, vxnet, taskBox, eip);
        foreach (var step in steps)
        {
            step.Completed = existing?.IsCompleted(step.Id) == true;
        }

        var planned = new ClusterPlan(request, client.Context.Zone, client.Context.Endpoint.ToString(), vxnet, nodes, taskBox, eip, existing, steps) { LookedUp = lookups };
        foreach (var line in adopted)
        {
            planned.Adopted.Add(line);
        }

        foreach (var extra in await FindExtraBackendsAsync(planned, client, cancellationToken).ConfigureAwait(false))
        {
            planned.ExtraBackends.Add(extra);
        }

        return planned;
    }

    /// <summary>The backends on a listener that are not the path's nodes on its port (one rule for -WhatIf and the run).</summary>
    /// <param name="present">The listener's backends.</param>
    /// <param name="nodes">The nodes that belong there.</param>
    /// <param name="port">The port they listen on.</param>
    /// <returns>The others.</returns>
    internal static List<Backend> ExtraBackends(IEnumerable<Backend> present, IEnumerable<ClusterNode> nodes, int port) =>
        present.Where(b => b.Port != port || nodes.All(n => n.Instance.InstanceId != b.ResourceId)).ToList();

    // The cluster's tag, load balancers, security groups and EIP by name, asked at once (the build reuses the answers).
    private static async Task<NameLookups> LookUpNamesAsync(ClusterRequest request, QingCloudClient client, CancellationToken cancellationToken)
    {
        var name = request.Name;
        var tag = client.FindTagsByNameAsync(name, cancellationToken);
        var lbs = client.FindLoadBalancersByNamesAsync(new[] { ClusterNames.InternalLoadBalancer(name), ClusterNames.ExternalLoadBalancer(name) }, name, cancellationToken: cancellationToken);
        var groups = client.FindSecurityGroupsByNamesAsync(new[] { ClusterNames.SecurityGroup(name, external: false), ClusterNames.SecurityGroup(name, external: true) }, name, cancellationToken);
        var eips = client.FindEipsByNameAsync(ClusterNames.Eip(name), cancellationToken);
        await Task.WhenAll(tag, lbs, groups, eips).ConfigureAwait(false);
        return new NameLookups(tag.Result.FirstOrDefault(), lbs.Result, groups.Result, eips.Result);
    }

    // The live resources carrying the cluster's name or tag; refused (naming them and their state file) unless -Adopt.
    private static async Task<List<string>> FindLiveClusterAsync(ClusterRequest request, NameLookups lookups, QingCloudClient client, CancellationToken cancellationToken)
    {
        var name = request.Name;
        var tag = lookups.Tag;
        var found = lookups.LoadBalancers.Values.SelectMany(l => l).Select(l => $"load balancer {l.LoadBalancerId} ({l.LoadBalancerName})").ToList();
        if (tag is not null)
        {
            var tagged = await client.DescribeEipsAsync(status: new[] { "pending", "available", "associated", "suspended" }, tagIds: new[] { tag.TagId }, cancellationToken: cancellationToken).ConfigureAwait(false);
            found.AddRange(tagged.Select(e => $"EIP {e.EipId} ({e.EipName})"));
        }

        if (found.Count == 0)
        {
            return found;
        }

        var owner = tag is null ? null : ClusterOwnership.StateFileOf(tag);
        var ownerText = owner is null ? "no state file is recorded" : $"their state file is {owner}";
        if (!request.Adopt)
        {
            throw new HaClusterException(
                ClusterOwnership.NameInUseErrorId,
                FailureKind.ResourceExists,
                $"Cluster name '{name}' belongs to live resources that the state file {request.StatePath} did not make: {string.Join(", ", found)} ({ownerText}). Run New-HaCluster with that state file (-StatePath), choose another name, or give -Adopt to take them over (adoption removes nothing).",
                name);
        }

        client.Observer.Warning($"Adopting the live resources of cluster '{name}' ({ownerText}): {string.Join(", ", found)}. Nothing is removed from them{(request.Prune ? " except, with -Prune, backends that are not cluster nodes" : string.Empty)}.");
        return found;
    }

    // The listeners New-HaCluster will converge: recorded in the state file, or (adopting) found by the cluster's names.
    private static async Task<List<Backend>> FindExtraBackendsAsync(ClusterPlan plan, QingCloudClient client, CancellationToken cancellationToken)
    {
        var extras = new List<Backend>();
        foreach (var (section, lbName, port, nodes) in new[]
        {
            (plan.ExistingState?.Internal, ClusterNames.InternalLoadBalancer(plan.Name), ClusterNames.ApiPort, plan.ControlPlane),
            (plan.ExistingState?.External, ClusterNames.ExternalLoadBalancer(plan.Name), plan.Request.ConsoleNodePort, plan.Nodes),
        })
        {
            var lbId = section?.LoadBalancerId;
            if (lbId is null && plan.Adopted.Count > 0)
            {
                lbId = plan.LookedUp?.LoadBalancers[lbName].FirstOrDefault()?.LoadBalancerId;
            }

            if (lbId is null)
            {
                continue;
            }

            var listeners = await client.DescribeLoadBalancerListenersAsync(loadBalancerId: lbId, cancellationToken: cancellationToken).ConfigureAwait(false);
            var listener = listeners.FirstOrDefault(l => l.ListenerId == section?.ListenerId) ?? listeners.FirstOrDefault(l => l.ListenerPort == port);
            if (listener is not null)
            {
                var present = await client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId, cancellationToken: cancellationToken).ConfigureAwait(false);
                extras.AddRange(ExtraBackends(present, nodes, port));
            }
        }

        return extras;
    }

    /// <summary>
    /// Checks every input that needs no cloud call: the name, control characters, the kk source and version, the key
    /// file, and the versions and components of the KubeKey config (checked on stand-in hosts; the real hosts are checked
    /// again once the instances are known).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <exception cref="HaClusterException">The first problem.</exception>
    public static void CheckInput(ClusterRequest request)
    {
        if (!ClusterNames.IsValid(request.Name))
        {
            InputText.RequirePrintable("The cluster name", request.Name);
            throw new HaClusterException(NameInvalidErrorId, FailureKind.InvalidArgument, $"Cluster name '{request.Name}' must be 1-{ClusterNames.MaxNameLength} lowercase letters, digits and inner '-': it names the load balancers and is the QingCloud tag (shorter than 15 characters).", request.Name);
        }

        foreach (var (what, value) in Texts(request))
        {
            InputText.RequirePrintable(what, value);
        }

        foreach (var source in request.ApiSources.Concat(request.ConsoleSources))
        {
            if (!Cidr.TryParse(source, out _, out _))
            {
                throw new HaClusterException(SourceInvalidErrorId, FailureKind.InvalidArgument, $"Source '{source}' is not an IPv4 address or CIDR (e.g. 10.0.0.0/24 or 0.0.0.0/0).", source);
            }
        }

        if (request.KubeKeyPath is { } kk && !File.Exists(kk))
        {
            throw new HaClusterException(KubeKeyNotFoundErrorId, FailureKind.ObjectNotFound, $"The kk binary '{kk}' does not exist.", kk);
        }

        InstallPlan.CheckOptions(ClusterBuilder.InstallOptions(request, connect: null));
        if (request.PrivateKeyPath is { } key && !File.Exists(key))
        {
            throw new HaClusterException(SshErrorIds.KeyFileNotFound, FailureKind.ObjectNotFound, $"The private key file '{key}' does not exist.", key);
        }

        if (request.SshPort is < 1 or > 65535)
        {
            throw new HaClusterException(ConfigFindingCode.PortOutOfRange, FailureKind.InvalidArgument, $"The SSH port {request.SshPort} must be between 1 and 65535.", request.SshPort);
        }

        // Stand-in hosts in the numbers given: version, component and network findings do not depend on which hosts.
        var controlPlane = request.ControlPlane.Select((_, i) => $"control-{i + 1}").ToList();
        var workers = request.Workers.Select((_, i) => $"worker-{i + 1}").ToList();
        var config = ClusterConfigBuilder.Build(new ClusterConfigOptions
        {
            Name = request.Name,
            Hosts = controlPlane.Concat(workers).Select((n, i) => new HaHost(n, "192.0.2." + (i % 250 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList(),
            ControlPlane = controlPlane,
            Etcd = controlPlane,
            Worker = workers.Count == 0 ? controlPlane : workers,
            Port = ClusterNames.ApiPort,
            KubernetesVersion = request.KubernetesVersion,
            KubeSphereVersion = request.KubeSphereVersion,
            EnabledComponents = request.EnabledComponents.ToList(),
        });
        var kubeKey = request.KubeKeyVersion is { } asked ? KubeKeyVersions.Normalize(asked) : null;
        if (ClusterConfigValidator.Validate(config, kubeKey).FirstOrDefault(f => f.Severity == FindingSeverity.Error && InputOnlyCodes.Contains(f.Code)) is { } error)
        {
            throw new HaClusterException(error.Code, FailureKind.InvalidArgument, error.Message, error.Target);
        }
    }

    private static IEnumerable<(string What, string? Value)> Texts(ClusterRequest request) =>
        request.ControlPlane.Select(v => ("A control-plane instance", (string?)v))
            .Concat(request.Workers.Select(v => ("A worker instance", (string?)v)))
            .Concat(request.EnabledComponents.Select(v => ("A KubeSphere component", (string?)v)))
            .Concat(new (string, string?)[]
            {
                ("The VxNet", request.VxNet), ("The taskbox", request.TaskBox), ("The EIP", request.EipId), ("The SSH user", request.User),
                ("The KubeSphere version", request.KubeSphereVersion), ("The Kubernetes version", request.KubernetesVersion),
                ("The kk version", request.KubeKeyVersion), ("The kk path", request.KubeKeyPath), ("The private key path", request.PrivateKeyPath),
                ("The state file path", request.StatePath), ("The known_hosts path", request.KnownHostsPath), ("The failover master", request.FailoverMaster),
            });

    private static List<ClusterNode> ResolveNodes(ClusterRequest request, IReadOnlyList<Instance> all, QingCloudClient client, VxNet vxnet)
    {
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

            if (instance.Status == "stopped")
            {
                // kk cannot log in to a stopped node; the load balancers alone can be built around it.
                var message = $"Instance {instance.InstanceId} ({instance.InstanceName}) is stopped; start it (Start-QcInstance {instance.InstanceId}) before installing.";
                if (!request.SkipInstall)
                {
                    throw new HaClusterException(InstanceStoppedErrorId, FailureKind.InvalidOperation, message, instance.InstanceId);
                }

                client.Observer.Warning(message + " Its backends stay down until it runs.");
            }

            var nic = VxNetMembership.RequireAddressIn(instance, vxnet.VxNetId, $"{vxnet.VxNetId} ({vxnet.VxNetName})");
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
