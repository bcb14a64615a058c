// Copyright (c) HaCluster contributors. MIT License.
// The validated plan of New-HaCluster: resolved nodes, naming, and the ordered steps with the API actions each calls.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Cluster;

/// <summary>How a cluster's resources are named and which ports they use.</summary>
public static class ClusterNames
{
    /// <summary>The Kubernetes API port (internal listener and backends).</summary>
    public const int ApiPort = 6443;

    /// <summary>The KubeSphere console NodePort (external listener and backends).</summary>
    public const int ConsolePort = 30880;

    /// <summary>Longest cluster name: it is also a QingCloud tag name, which must be shorter than 15 characters.</summary>
    public const int MaxNameLength = 14;

    private static readonly Regex NamePattern = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="name"/> can name a cluster.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True for 1-14 lowercase letters, digits and inner dashes.</returns>
    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxNameLength } && NamePattern.IsMatch(name);

    /// <summary>The internal load balancer's name.</summary>
    /// <param name="cluster">The cluster name.</param>
    /// <returns><c>&lt;cluster&gt;-internal</c>.</returns>
    public static string InternalLoadBalancer(string cluster) => cluster + "-internal";

    /// <summary>The external load balancer's name.</summary>
    /// <param name="cluster">The cluster name.</param>
    /// <returns><c>&lt;cluster&gt;-external</c>.</returns>
    public static string ExternalLoadBalancer(string cluster) => cluster + "-external";

    /// <summary>The EIP's name.</summary>
    /// <param name="cluster">The cluster name.</param>
    /// <returns><c>&lt;cluster&gt;-eip</c>.</returns>
    public static string Eip(string cluster) => cluster + "-eip";

    /// <summary>The name of the security group guarding one of the cluster's load balancers (the load balancer's own name).</summary>
    /// <param name="cluster">The cluster name.</param>
    /// <param name="external">The external (console) group rather than the internal (API) one.</param>
    /// <returns><c>&lt;cluster&gt;-internal</c> or <c>&lt;cluster&gt;-external</c>.</returns>
    public static string SecurityGroup(string cluster, bool external) => external ? ExternalLoadBalancer(cluster) : InternalLoadBalancer(cluster);

    /// <summary>The firewall rule's name.</summary>
    /// <param name="cluster">The cluster name.</param>
    /// <param name="port">The port it opens.</param>
    /// <returns><c>&lt;cluster&gt;-tcp-&lt;port&gt;</c>.</returns>
    public static string FirewallRule(string cluster, int port) => cluster + "-tcp-" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The cluster's working directory on the taskbox: kk, its config, log and key copies, helm's log.</summary>
    /// <param name="cluster">The cluster name.</param>
    /// <returns><c>~/hacluster/&lt;cluster&gt;</c>.</returns>
    public static string WorkingDirectory(string cluster) => KubeKey.KubeKeyInstallOptions.DefaultWorkingDirectory + "/" + cluster;

    /// <summary>The console URL behind an EIP address.</summary>
    /// <param name="address">The EIP's address.</param>
    /// <returns><c>http://&lt;address&gt;:30880</c>, or null.</returns>
    public static string? ConsoleUrl(string? address) => ConsoleUrl(address, ConsolePort);

    /// <summary>The console URL behind an EIP address on a NodePort.</summary>
    /// <param name="address">The EIP's address.</param>
    /// <param name="port">The console's NodePort (the external listener's port).</param>
    /// <returns><c>http://&lt;address&gt;:&lt;port&gt;</c>, or null.</returns>
    public static string? ConsoleUrl(string? address, int port) => string.IsNullOrEmpty(address) ? null : $"http://{address}:{port.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>The stable ids of New-HaCluster's steps, recorded in the state file as they complete.</summary>
public static class ClusterStepIds
{
    /// <summary>The tag named after the cluster.</summary>
    public const string Tag = "tag";

    /// <summary>Internal load balancer created and active.</summary>
    public const string InternalLoadBalancer = "internal.loadbalancer";

    /// <summary>TCP 6443 listener.</summary>
    public const string InternalListener = "internal.listener";

    /// <summary>Control-plane backends.</summary>
    public const string InternalBackends = "internal.backends";

    /// <summary>Firewall admits 6443.</summary>
    public const string InternalFirewall = "internal.firewall";

    /// <summary>Changes applied.</summary>
    public const string InternalApply = "internal.apply";

    /// <summary>EIP allocated (or the given one checked).</summary>
    public const string Eip = "external.eip";

    /// <summary>External load balancer on the EIP created and active.</summary>
    public const string ExternalLoadBalancer = "external.loadbalancer";

    /// <summary>HTTP 30880 listener.</summary>
    public const string ExternalListener = "external.listener";

    /// <summary>Every node as backend.</summary>
    public const string ExternalBackends = "external.backends";

    /// <summary>Firewall admits 30880.</summary>
    public const string ExternalFirewall = "external.firewall";

    /// <summary>Changes applied.</summary>
    public const string ExternalApply = "external.apply";

    /// <summary>KubeKey config with the VIP as controlPlaneEndpoint.</summary>
    public const string Config = "config";

    /// <summary>The KubeSphere 4 chart proved fetchable from the taskbox (before anything is created).</summary>
    public const string KubeSpherePreflight = "kubesphere.preflight";

    /// <summary>KubeSphere 4 installed with Helm.</summary>
    public const string KubeSphere = "kubesphere";

    /// <summary>kk create cluster on the taskbox.</summary>
    public const string Install = "install";

    /// <summary>Every backend up.</summary>
    public const string BackendsUp = "backends-up";

    /// <summary>The HA checks.</summary>
    public const string Verify = "verify";
}

/// <summary>One step of the plan, as -WhatIf shows it.</summary>
public sealed class ClusterPlanStep
{
    /// <summary>Creates a step.</summary>
    /// <param name="order">1-based position.</param>
    /// <param name="id">Stable id (<see cref="ClusterStepIds"/>).</param>
    /// <param name="path"><c>Cluster</c>, <c>Internal</c> or <c>External</c>.</param>
    /// <param name="description">What it does.</param>
    /// <param name="target">What it acts on.</param>
    /// <param name="actions">The QingCloud API actions (or SSH work) it calls.</param>
    public ClusterPlanStep(int order, string id, string path, string description, string target, IReadOnlyList<string> actions)
    {
        Order = order;
        Id = id;
        Path = path;
        Description = description;
        Target = target;
        Actions = actions;
    }

    /// <summary>1-based position; Internal and External steps run concurrently with each other.</summary>
    public int Order { get; }

    /// <summary>Stable id.</summary>
    public string Id { get; }

    /// <summary><c>Cluster</c>, <c>Internal</c> or <c>External</c>.</summary>
    public string Path { get; }

    /// <summary>What the step does.</summary>
    public string Description { get; }

    /// <summary>What it acts on (a resource name, a node).</summary>
    public string Target { get; }

    /// <summary>The API actions it calls.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>True when the state file records it as done (a re-run skips it after checking).</summary>
    public bool Completed { get; internal set; }

    /// <summary>One line: order, path, description and actions.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        $"{Order.ToString(CultureInfo.InvariantCulture)}. [{Path}] {Description}{(Completed ? " (done)" : string.Empty)}: {string.Join(", ", Actions)}";
}

/// <summary>A node of the plan: the instance and the host kk logs in to.</summary>
public sealed class ClusterNode
{
    internal ClusterNode(Instance instance, HaHost host, IReadOnlyList<string> roles)
    {
        Instance = instance;
        Host = host;
        Roles = roles;
    }

    /// <summary>The QingCloud instance.</summary>
    public Instance Instance { get; }

    /// <summary>The host (name = instance name, address = private IP).</summary>
    public HaHost Host { get; }

    /// <summary>Roles: <c>control-plane</c>, <c>etcd</c>, <c>worker</c>.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>Node name.</summary>
    public string Name => Host.Name;

    /// <summary>The node name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}

/// <summary>What <see cref="ClusterPlanner"/> decided: everything checked, nothing created.</summary>
public sealed class ClusterPlan
{
    internal ClusterPlan(ClusterRequest request, string zone, string endpoint, VxNet vxnet, IReadOnlyList<ClusterNode> nodes, ClusterNode? taskBox, Eip? givenEip, ClusterState? existing, IReadOnlyList<ClusterPlanStep> steps)
    {
        ApiSources = ClusterPlanner.ApiSourcesOf(request, vxnet);
        ConsoleSources = ClusterPlanner.ConsoleSourcesOf(request);
        Request = request;
        Zone = zone;
        Endpoint = endpoint;
        VxNet = vxnet;
        Nodes = nodes;
        TaskBox = taskBox;
        GivenEip = givenEip;
        ExistingState = existing;
        Steps = steps;
    }

    /// <summary>The request.</summary>
    public ClusterRequest Request { get; }

    /// <summary>Cluster name.</summary>
    public string Name => Request.Name;

    /// <summary>The zone.</summary>
    public string Zone { get; }

    /// <summary>The QingCloud API endpoint.</summary>
    public string Endpoint { get; }

    /// <summary>The VxNet.</summary>
    public VxNet VxNet { get; }

    /// <summary>Every node, control plane first.</summary>
    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>Control-plane (and etcd) nodes.</summary>
    public IReadOnlyList<ClusterNode> ControlPlane => Nodes.Where(n => n.Roles.Contains(ClusterRoles.ControlPlane)).ToList();

    /// <summary>Worker nodes.</summary>
    public IReadOnlyList<ClusterNode> Workers => Nodes.Where(n => n.Roles.Contains(ClusterRoles.Worker) && !n.Roles.Contains(ClusterRoles.ControlPlane)).ToList();

    /// <summary>The node kk runs on (null with SkipInstall).</summary>
    public ClusterNode? TaskBox { get; }

    /// <summary>The EIP given with -Eip, if any.</summary>
    public Eip? GivenEip { get; }

    /// <summary>The state a previous run left, if any.</summary>
    public ClusterState? ExistingState { get; }

    /// <summary>The ordered steps.</summary>
    public IReadOnlyList<ClusterPlanStep> Steps { get; }

    /// <summary>Live resources of the cluster's name that another state file made and <c>-Adopt</c> takes over (one line each).</summary>
    public IList<string> Adopted { get; } = new List<string>();

    /// <summary>Backends on the cluster's listeners that are not cluster nodes: removed with <c>-Prune</c>, else left alone.</summary>
    public IList<Backend> ExtraBackends { get; } = new List<Backend>();

    /// <summary>Where the internal security group admits the API port from (default: the VxNet's CIDR).</summary>
    public IReadOnlyList<string> ApiSources { get; }

    /// <summary>Where the external security group admits the console port from (default: anywhere).</summary>
    public IReadOnlyList<string> ConsoleSources { get; }

    /// <summary>
    /// The planner's look-ups by the cluster's name (made when no state file records the tag), so the build does not ask
    /// QingCloud the same questions again a moment later: null when not looked up.
    /// </summary>
    internal NameLookups? LookedUp { get; set; }
}

/// <summary>
/// What the planner found by the cluster's names (its tag, load balancers, security groups and EIP), asked at once when
/// no state file recorded the cluster's tag; the build uses the answers instead of asking again.
/// </summary>
internal sealed class NameLookups
{
    public NameLookups(Tag? tag, IReadOnlyDictionary<string, IReadOnlyList<LoadBalancer>> loadBalancers, IReadOnlyDictionary<string, IReadOnlyList<SecurityGroup>> securityGroups, IReadOnlyList<Eip> eips)
    {
        Tag = tag;
        LoadBalancers = loadBalancers;
        SecurityGroups = securityGroups;
        Eips = eips;
    }

    /// <summary>The tag named after the cluster, or null when there is none.</summary>
    public Tag? Tag { get; }

    /// <summary>The live load balancers, by name (both names present, lists possibly empty).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<LoadBalancer>> LoadBalancers { get; }

    /// <summary>The security groups, by name (both names present, lists possibly empty).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SecurityGroup>> SecurityGroups { get; }

    /// <summary>The live EIPs named after the cluster.</summary>
    public IReadOnlyList<Eip> Eips { get; }
}

/// <summary>Role names as recorded in the state file.</summary>
public static class ClusterRoles
{
    /// <summary>Control plane (kk: master / control-plane).</summary>
    public const string ControlPlane = "control-plane";

    /// <summary>etcd member.</summary>
    public const string Etcd = "etcd";

    /// <summary>Worker.</summary>
    public const string Worker = "worker";
}
