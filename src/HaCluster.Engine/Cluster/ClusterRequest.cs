// Copyright (c) HaCluster contributors. MIT License.
// What New-HaCluster is asked to build: the instances by role, the network, how to log in, what to install.

using System;
using System.Collections.Generic;
using System.Security;

namespace HaCluster.Engine.Cluster;

/// <summary>The input of <see cref="ClusterPlanner"/> and <see cref="ClusterBuilder"/>.</summary>
public sealed class ClusterRequest
{
    /// <summary>Cluster name: lowercase letters, digits and '-', at most 14 characters (it is also the tag name).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Control-plane (and etcd) instances: ids (<c>i-…</c>) or instance names.</summary>
    public IList<string> ControlPlane { get; set; } = new List<string>();

    /// <summary>Worker instances: ids or instance names.</summary>
    public IList<string> Workers { get; set; } = new List<string>();

    /// <summary>The VxNet (id or name) the instances are in; the internal load balancer goes there.</summary>
    public string VxNet { get; set; } = string.Empty;

    /// <summary>The node kk runs on (node name or address); default the first control-plane node.</summary>
    public string? TaskBox { get; set; }

    /// <summary>An existing EIP for the external load balancer; null allocates <c>&lt;cluster&gt;-eip</c>.</summary>
    public string? EipId { get; set; }

    /// <summary>SSH (and sudo) user on every node.</summary>
    public string User { get; set; } = "root";

    /// <summary>SSH and sudo password, or null for key authentication.</summary>
    public SecureString? Password { get; set; }

    /// <summary>Private key file for SSH, or null.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>SSH port of every node.</summary>
    public int SshPort { get; set; } = 22;

    /// <summary>KubeSphere version to install, or null for Kubernetes only.</summary>
    public string? KubeSphereVersion { get; set; }

    /// <summary>The ks-core chart version: selects the Helm path (KubeSphere 4.x installed after kk builds Kubernetes).</summary>
    public string? KubeSphereChartVersion { get; set; }

    /// <summary>The ks-core chart for the Helm path; null: the Community Edition chart (oci://hub.kubesphere.com.cn/kse/ks-core).</summary>
    public string? KubeSphereChart { get; set; }

    /// <summary>Registry of KubeSphere's images: global/extension.imageRegistry on the Helm path, kk's privateRegistry on the v3 path.</summary>
    public string? ImageRegistry { get; set; }

    /// <summary>The console's NodePort: the external listener, its backends and its firewall rule use it.</summary>
    public int ConsoleNodePort { get; set; } = ClusterNames.ConsolePort;

    /// <summary>KubeSphere 4's ha.enabled; null: on with three or more control-plane nodes.</summary>
    public bool? KubeSphereHighAvailability { get; set; }

    /// <summary>KubeSphere 4's initial admin password, or null for the chart's default.</summary>
    public SecureString? KubeSphereAdminPassword { get; set; }

    /// <summary>Helm's --timeout for KubeSphere 4.</summary>
    public TimeSpan KubeSphereTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Go ahead with KubeSphere v3.x (end of life) without -ImageRegistry.</summary>
    public bool Force { get; set; }

    /// <summary>True when KubeSphere 4.x is installed with Helm after kk.</summary>
    public bool UsesHelm => KubeSphereChartVersion is not null;

    /// <summary>Kubernetes version, or null for kk's default.</summary>
    public string? KubernetesVersion { get; set; }

    /// <summary>KubeSphere components to enable.</summary>
    public IList<string> EnabledComponents { get; set; } = new List<string>();

    /// <summary>A local kk binary to upload to the taskbox.</summary>
    public string? KubeKeyPath { get; set; }

    /// <summary>The kk version to download on the taskbox when <see cref="KubeKeyPath"/> is not given.</summary>
    public string? KubeKeyVersion { get; set; }

    /// <summary>Full path of the state file.</summary>
    public string StatePath { get; set; } = string.Empty;

    /// <summary>Create the load balancers only: no install, no verification.</summary>
    public bool SkipInstall { get; set; }

    /// <summary>Run the failover drill when verifying.</summary>
    public bool Failover { get; set; }

    /// <summary>The master the drill stops (name); default the first.</summary>
    public string? FailoverMaster { get; set; }

    /// <summary>known_hosts file for SSH host keys; null means ~/.ssh/known_hosts.</summary>
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust and record unknown SSH host keys.</summary>
    public bool AcceptNewHostKey { get; set; }

    /// <summary>CA certificate to verify the API server with, or null to skip certificate checks.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Longest the install may take.</summary>
    public TimeSpan InstallTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Longest any QingCloud wait or the backend wait may take.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>CIDRs or addresses the internal load balancer's security group admits TCP 6443 from; empty means the VxNet's CIDR.</summary>
    public IList<string> ApiSources { get; set; } = new List<string>();

    /// <summary>CIDRs or addresses the external load balancer's security group admits the console port from; empty means anywhere (0.0.0.0/0).</summary>
    public IList<string> ConsoleSources { get; set; } = new List<string>();
}
