// Copyright (c) HaCluster contributors. MIT License.
// What Test-HaCluster checks: the two load balancers, the hosts by role, how to reach them, and the failover drill.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Input of <see cref="ClusterVerifier.VerifyAsync"/>. SSH logins come from each host (<see cref="HaHost.User"/>,
/// <see cref="HaHost.Password"/>, <see cref="HaHost.PrivateKeyPath"/>) unless <see cref="User"/>, <see cref="Password"/>
/// or <see cref="PrivateKeyPath"/> override them for every host.
/// </summary>
public sealed class ClusterVerificationRequest
{
    /// <summary>Default for <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Default for <see cref="RestartTimeout"/>.</summary>
    public static readonly TimeSpan DefaultRestartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The internal load balancer (API server VIP, TCP 6443).</summary>
    public string InternalLoadBalancerId { get; set; } = string.Empty;

    /// <summary>The external load balancer (EIP, HTTP 30880 to the KubeSphere console).</summary>
    public string ExternalLoadBalancerId { get; set; } = string.Empty;

    /// <summary>Control-plane hosts (KubeKey's <c>control-plane</c> role group).</summary>
    public IReadOnlyList<HaHost> ControlPlane { get; set; } = Array.Empty<HaHost>();

    /// <summary>Worker hosts (KubeKey's <c>worker</c> role group).</summary>
    public IReadOnlyList<HaHost> Workers { get; set; } = Array.Empty<HaHost>();

    /// <summary>Names of the etcd members (KubeKey's <c>etcd</c> role group); null means the control-plane hosts.</summary>
    public IReadOnlyList<string>? Etcd { get; set; }

    /// <summary>SSH user for every host instead of each host's own.</summary>
    public string? User { get; set; }

    /// <summary>SSH (and sudo) password for every host instead of each host's own credentials.</summary>
    public SecureString? Password { get; set; }

    /// <summary>Private key file for every host instead of each host's own credentials.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>Passphrase of <see cref="PrivateKeyPath"/>.</summary>
    public SecureString? Passphrase { get; set; }

    /// <summary>known_hosts file to verify host keys with; null means <c>~/.ssh/known_hosts</c>.</summary>
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust hosts whose key is not yet known, and record their keys (a changed key is still refused).</summary>
    public bool AcceptNewHostKey { get; set; }

    /// <summary>
    /// CA certificate (PEM or DER) the apiserver's certificate must chain to, e.g. <c>/etc/kubernetes/pki/ca.crt</c>;
    /// null means the API checks do not verify the certificate (as <c>curl -k</c>).
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Run the failover drill (stop one master, re-check, start it again) after the checks.</summary>
    public bool Failover { get; set; }

    /// <summary>Name of the control-plane host the drill stops; null means the first one.</summary>
    public string? FailoverMaster { get; set; }

    /// <summary>Longest time each wait of the drill (stop, backends down, start, backends up) may take; also caps each probe.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Longest time the drill spends restarting the master after a failure or a cancellation.</summary>
    public TimeSpan RestartTimeout { get; set; } = DefaultRestartTimeout;

    /// <summary>Port of the API server (the internal listener and each master).</summary>
    public int ApiPort { get; set; } = 6443;

    /// <summary>Port of the KubeSphere console (the external listener).</summary>
    public int ConsolePort { get; set; } = 30880;

    /// <summary>
    /// Whether KubeSphere 4 (Helm's ks-core) runs three replicas (<c>ha.enabled</c>); null when KubeSphere 4 is not
    /// installed, so its rollout is not checked. False makes the drill explain a console lost with its only replica.
    /// </summary>
    public bool? KubeSphereHighAvailability { get; set; }

    /// <summary>Names of the etcd members: <see cref="Etcd"/>, or the control-plane hosts' names.</summary>
    public IReadOnlyList<string> EtcdMembers => Etcd ?? ControlPlane.Select(h => h.Name).ToList();

    /// <summary>The host the drill stops (<see cref="FailoverMaster"/> or the first control-plane host).</summary>
    /// <returns>The host.</returns>
    public HaHost ResolveFailoverMaster()
    {
        Validate();
        return FailoverMaster is null
            ? ControlPlane[0]
            : ControlPlane.First(h => string.Equals(h.Name, FailoverMaster, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Checks the request before anything is contacted.</summary>
    /// <exception cref="HaClusterException">
    /// <c>HaClusterLoadBalancerMissing</c>, <c>HaClusterNoControlPlane</c>, <c>HaClusterDuplicateHost</c>,
    /// <c>HaClusterFailoverMasterNotFound</c>, <c>HaClusterEtcdMemberNotFound</c>, <c>HaClusterInvalidTimeout</c>,
    /// <c>HaClusterCaCertificateNotFound</c>, <c>SshKeyFileNotFound</c>.
    /// </exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(InternalLoadBalancerId) || string.IsNullOrWhiteSpace(ExternalLoadBalancerId))
        {
            var which = string.IsNullOrWhiteSpace(InternalLoadBalancerId) ? "internal" : "external";
            throw new HaClusterException("HaClusterLoadBalancerMissing", FailureKind.InvalidArgument, $"The {which} load balancer is not given; both the internal (API) and the external (console) load balancer are checked.", which);
        }

        KubeSphere.KubeSphereInstallOptions.CheckConsoleNodePort(ConsolePort);

        if (ControlPlane is null || ControlPlane.Count == 0 || ControlPlane.Any(h => h is null))
        {
            throw new HaClusterException("HaClusterNoControlPlane", FailureKind.InvalidArgument, "No control-plane hosts are given; the API, node and failover checks need them.", null);
        }

        var all = AllHosts();
        var duplicate = ControlPlane.Concat(Workers ?? Array.Empty<HaHost>()).Where(h => h is not null).GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Select(h => h.Address).Distinct(StringComparer.Ordinal).Count() > 1);
        if (duplicate is not null)
        {
            throw new HaClusterException("HaClusterDuplicateHost", FailureKind.InvalidArgument, $"Host name '{duplicate.Key}' is given for different addresses ({string.Join(", ", duplicate.Select(h => h.Address).Distinct(StringComparer.Ordinal))}).", duplicate.Key);
        }

        if (FailoverMaster is not null && !ControlPlane.Any(h => string.Equals(h.Name, FailoverMaster, StringComparison.OrdinalIgnoreCase)))
        {
            throw new HaClusterException("HaClusterFailoverMasterNotFound", FailureKind.InvalidArgument, $"'{FailoverMaster}' is not a control-plane host ({string.Join(", ", ControlPlane.Select(h => h.Name))}); the drill stops a master.", FailoverMaster);
        }

        var unknownMember = Etcd?.FirstOrDefault(n => !all.Any(h => string.Equals(h.Name, n, StringComparison.OrdinalIgnoreCase)));
        if (unknownMember is not null)
        {
            throw new HaClusterException("HaClusterEtcdMemberNotFound", FailureKind.InvalidArgument, $"etcd member '{unknownMember}' is not one of the given hosts.", unknownMember);
        }

        if (Timeout <= TimeSpan.Zero || RestartTimeout <= TimeSpan.Zero)
        {
            var bad = Timeout <= TimeSpan.Zero ? Timeout : RestartTimeout;
            throw new HaClusterException("HaClusterInvalidTimeout", FailureKind.InvalidArgument, $"The timeout must be positive (got {bad}).", bad);
        }

        if (CaCertificatePath is not null && !File.Exists(CaCertificatePath))
        {
            throw new HaClusterException("HaClusterCaCertificateNotFound", FailureKind.ObjectNotFound, $"The CA certificate file '{CaCertificatePath}' does not exist.", CaCertificatePath);
        }

        if (PrivateKeyPath is not null && !File.Exists(PrivateKeyPath))
        {
            throw new HaClusterException(SshErrorIds.KeyFileNotFound, FailureKind.ObjectNotFound, $"The private key file '{PrivateKeyPath}' does not exist.", PrivateKeyPath);
        }
    }

    /// <summary>Control-plane hosts then workers, each once (a host in both roles counts once).</summary>
    /// <returns>The hosts.</returns>
    public IReadOnlyList<HaHost> AllHosts()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return ControlPlane.Concat(Workers ?? Array.Empty<HaHost>()).Where(h => h is not null && seen.Add(h.Name)).ToList();
    }

    /// <summary>Where and as whom to SSH to a host: the host's own login unless this request overrides it.</summary>
    /// <param name="host">The host.</param>
    /// <returns>The endpoint.</returns>
    public SshEndpoint EndpointFor(HaHost host)
    {
        if (host is null)
        {
            throw new ArgumentNullException(nameof(host));
        }

        var own = HostEndpoints.For(host);
        var overridden = Password is not null || PrivateKeyPath is not null;
        if (!overridden && (User is null || User == own.User))
        {
            return own;
        }

        return new SshEndpoint(host.Address, host.Port, User ?? host.User)
        {
            Name = host.Name,
            Password = overridden ? Password : own.Password,
            PrivateKeyPath = overridden ? PrivateKeyPath : own.PrivateKeyPath,
            PrivateKey = overridden ? null : own.PrivateKey,
            Passphrase = overridden ? Passphrase : null,
        };
    }
}
