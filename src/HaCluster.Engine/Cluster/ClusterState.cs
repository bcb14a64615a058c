// Copyright (c) HaCluster contributors. MIT License.
// What New-HaCluster has made so far, as written to <Name>.hacluster.json: ids, addresses, completed steps; never a secret.

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// The state file's content. Every id is recorded the moment QingCloud returns it, so a re-run after a crash adopts what
/// exists instead of creating it again, and Remove-HaCluster knows exactly what the module created. Holds no password,
/// key or secret: hosts are recorded by name, address, port and user only.
/// </summary>
public sealed class ClusterState
{
    /// <summary>The schema version this code writes.</summary>
    public const int CurrentSchema = 1;

    /// <summary>Schema version of the file.</summary>
    [JsonPropertyName("schema")]
    public int Schema { get; set; } = CurrentSchema;

    /// <summary>Cluster name (prefix of every resource name, and the tag).</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    /// <summary>QingCloud zone the resources live in.</summary>
    [JsonPropertyName("zone")]
    public string? Zone { get; set; }

    /// <summary>The VxNet of the nodes and the internal load balancer.</summary>
    [JsonPropertyName("vxnet_id")]
    public string? VxNetId { get; set; }

    /// <summary>The tag named after the cluster.</summary>
    [JsonPropertyName("tag_id")]
    public string? TagId { get; set; }

    /// <summary>True when this module created the tag.</summary>
    [JsonPropertyName("tag_created")]
    public bool TagCreated { get; set; }

    /// <summary>When the first run started.</summary>
    [JsonPropertyName("created")]
    public DateTime Created { get; set; }

    /// <summary>When the file was last written.</summary>
    [JsonPropertyName("updated")]
    public DateTime Updated { get; set; }

    /// <summary>The internal path: load balancer in the VxNet, TCP 6443 to the control plane.</summary>
    [JsonPropertyName("internal")]
    public LoadBalancerState Internal { get; set; } = new();

    /// <summary>The external path: EIP, load balancer on it, HTTP 30880 to every node.</summary>
    [JsonPropertyName("external")]
    public LoadBalancerState External { get; set; } = new();

    /// <summary>The nodes, control plane first.</summary>
    [JsonPropertyName("nodes")]
    public List<NodeState> Nodes { get; set; } = new();

    /// <summary>Name of the node kk runs on.</summary>
    [JsonPropertyName("taskbox")]
    public string? TaskBox { get; set; }

    /// <summary>KubeSphere version installed, or null for Kubernetes only.</summary>
    [JsonPropertyName("kubesphere_version")]
    public string? KubeSphereVersion { get; set; }

    /// <summary>The ks-core chart version Helm installed (KubeSphere 4.x), or null.</summary>
    [JsonPropertyName("kubesphere_chart_version")]
    public string? KubeSphereChartVersion { get; set; }

    /// <summary>Whether KubeSphere 4.x runs three replicas (ha.enabled), or null when it is not installed with Helm.</summary>
    [JsonPropertyName("kubesphere_ha")]
    public bool? KubeSphereHighAvailability { get; set; }

    /// <summary>Install progress and outcome.</summary>
    [JsonPropertyName("install")]
    public InstallState Install { get; set; } = new();

    /// <summary>Outcome of the last verification.</summary>
    [JsonPropertyName("verification")]
    public VerificationState? Verification { get; set; }

    /// <summary>Ids of the completed steps (see <see cref="ClusterStepIds"/>), in completion order.</summary>
    [JsonPropertyName("completed_steps")]
    public List<string> CompletedSteps { get; set; } = new();

    /// <summary>Whether a step has completed.</summary>
    /// <param name="stepId">The step.</param>
    /// <returns>True when recorded as completed.</returns>
    public bool IsCompleted(string stepId) => CompletedSteps.Contains(stepId);

    /// <summary>Records a step as completed (once).</summary>
    /// <param name="stepId">The step.</param>
    public void Complete(string stepId)
    {
        if (!CompletedSteps.Contains(stepId))
        {
            CompletedSteps.Add(stepId);
        }
    }
}

/// <summary>One load balancer path's resources.</summary>
public sealed class LoadBalancerState
{
    /// <summary>The load balancer.</summary>
    [JsonPropertyName("loadbalancer_id")]
    public string? LoadBalancerId { get; set; }

    /// <summary>Its name (<c>&lt;cluster&gt;-internal</c> or <c>-external</c>).</summary>
    [JsonPropertyName("loadbalancer_name")]
    public string? LoadBalancerName { get; set; }

    /// <summary>The listener.</summary>
    [JsonPropertyName("listener_id")]
    public string? ListenerId { get; set; }

    /// <summary>The listener's port.</summary>
    [JsonPropertyName("port")]
    public int Port { get; set; }

    /// <summary>The backends on the listener.</summary>
    [JsonPropertyName("backend_ids")]
    public List<string> BackendIds { get; set; } = new();

    /// <summary>The load balancer's security group.</summary>
    [JsonPropertyName("security_group_id")]
    public string? SecurityGroupId { get; set; }

    /// <summary>The firewall rule this module added for the port (null when a rule already admitted it).</summary>
    [JsonPropertyName("firewall_rule_id")]
    public string? FirewallRuleId { get; set; }

    /// <summary>Whether the module created <see cref="SecurityGroupId"/> (the cluster's own group, removed with it).</summary>
    [JsonPropertyName("security_group_created")]
    public bool SecurityGroupCreated { get; set; }

    /// <summary>The rules of the cluster's own group that admit the listener port.</summary>
    [JsonPropertyName("firewall_rule_ids")]
    public List<string> FirewallRuleIds { get; set; } = new();

    /// <summary>The VIP (internal) or the EIP's address (external).</summary>
    [JsonPropertyName("address")]
    public string? Address { get; set; }

    /// <summary>External path only: the EIP.</summary>
    [JsonPropertyName("eip_id")]
    public string? EipId { get; set; }

    /// <summary>External path only: true when this module allocated the EIP (a given one is never released).</summary>
    [JsonPropertyName("eip_created")]
    public bool EipCreated { get; set; }
}

/// <summary>A node as recorded (no credentials).</summary>
public sealed class NodeState
{
    /// <summary>Node name (the instance name).</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The QingCloud instance.</summary>
    [JsonPropertyName("instance_id")]
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>Its private address in the VxNet.</summary>
    [JsonPropertyName("address")]
    public string Address { get; set; } = string.Empty;

    /// <summary>SSH port.</summary>
    [JsonPropertyName("port")]
    public int Port { get; set; } = 22;

    /// <summary>SSH user.</summary>
    [JsonPropertyName("user")]
    public string? User { get; set; }

    /// <summary>Private key file used to log in, if any (the path, never the key).</summary>
    [JsonPropertyName("private_key_path")]
    public string? PrivateKeyPath { get; set; }

    /// <summary>Roles: <c>control-plane</c>, <c>etcd</c>, <c>worker</c>.</summary>
    [JsonPropertyName("roles")]
    public List<string> Roles { get; set; } = new();
}

/// <summary>Install progress.</summary>
public sealed class InstallState
{
    /// <summary>When kk was first started (a re-run then reattaches instead of starting it again).</summary>
    [JsonPropertyName("started")]
    public DateTime? Started { get; set; }

    /// <summary>When the install succeeded.</summary>
    [JsonPropertyName("succeeded")]
    public DateTime? Succeeded { get; set; }

    /// <summary>kk's log on the taskbox.</summary>
    [JsonPropertyName("log_path")]
    public string? LogPath { get; set; }
}

/// <summary>Outcome of the last verification.</summary>
public sealed class VerificationState
{
    /// <summary>When it ran.</summary>
    [JsonPropertyName("time")]
    public DateTime Time { get; set; }

    /// <summary>Checks that passed.</summary>
    [JsonPropertyName("passed")]
    public int Passed { get; set; }

    /// <summary>Checks that failed.</summary>
    [JsonPropertyName("failed")]
    public int Failed { get; set; }

    /// <summary>Whether the failover drill ran.</summary>
    [JsonPropertyName("failover")]
    public bool Failover { get; set; }
}
