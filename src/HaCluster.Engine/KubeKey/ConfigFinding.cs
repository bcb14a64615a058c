// Copyright (c) HaCluster contributors. MIT License.
// One problem the validator found in a cluster config, and the stable codes it uses.

namespace HaCluster.Engine.KubeKey;

/// <summary>How bad a finding is: errors make kk fail or the cluster not HA; warnings are advice.</summary>
public enum FindingSeverity
{
    /// <summary>The config must be fixed (cmdlets refuse it unless forced).</summary>
    Error,

    /// <summary>The config works but probably not as intended.</summary>
    Warning,
}

/// <summary>A validation finding: severity, stable code, message, and the offending value.</summary>
public sealed class ConfigFinding
{
    /// <summary>Creates a finding.</summary>
    /// <param name="severity">Error or warning.</param>
    /// <param name="code">Stable PascalCase code (see <see cref="ConfigFindingCode"/>); cmdlets use it as ErrorId.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="target">The offending value: a host name, an address, a CIDR, a version.</param>
    public ConfigFinding(FindingSeverity severity, string code, string message, string target)
    {
        Severity = severity;
        Code = code;
        Message = message;
        Target = target;
    }

    /// <summary>Error or warning.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>Stable code, e.g. EtcdCountEven.</summary>
    public string Code { get; }

    /// <summary>What is wrong and how to fix it. Never contains secrets.</summary>
    public string Message { get; }

    /// <summary>The offending value.</summary>
    public string Target { get; }

    /// <summary>Severity Code: Message.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Severity} {Code}: {Message}";
}

/// <summary>The codes <see cref="ClusterConfigValidator"/> reports. They are part of the public contract: never rename one.</summary>
public static class ConfigFindingCode
{
    /// <summary>metadata.name is empty or not a lowercase RFC 1123 name.</summary>
    public const string ClusterNameInvalid = nameof(ClusterNameInvalid);

    /// <summary>A host has no name.</summary>
    public const string HostNameMissing = nameof(HostNameMissing);

    /// <summary>A host name is not a lowercase RFC 1123 name (kk sets it as hostname and node name).</summary>
    public const string HostNameInvalid = nameof(HostNameInvalid);

    /// <summary>Two hosts have the same name (kk silently keeps the last).</summary>
    public const string HostNameDuplicate = nameof(HostNameDuplicate);

    /// <summary>A host address or internal address is not an IP address.</summary>
    public const string HostAddressInvalid = nameof(HostAddressInvalid);

    /// <summary>Two hosts share an address or an internal address.</summary>
    public const string HostAddressDuplicate = nameof(HostAddressDuplicate);

    /// <summary>An SSH or endpoint port is outside 1-65535.</summary>
    public const string PortOutOfRange = nameof(PortOutOfRange);

    /// <summary>A host's arch is neither amd64 nor arm64.</summary>
    public const string HostArchUnknown = nameof(HostArchUnknown);

    /// <summary>A host has neither a password nor a key (kk falls back to ~/.ssh/id_rsa).</summary>
    public const string HostCredentialMissing = nameof(HostCredentialMissing);

    /// <summary>A host belongs to no role group, so kk installs nothing on it.</summary>
    public const string HostWithoutRole = nameof(HostWithoutRole);

    /// <summary>No control-plane node.</summary>
    public const string ControlPlaneMissing = nameof(ControlPlaneMissing);

    /// <summary>No etcd node while kk manages etcd.</summary>
    public const string EtcdMissing = nameof(EtcdMissing);

    /// <summary>An even number of etcd members (no quorum gain, kk v2/v3 does not check it).</summary>
    public const string EtcdCountEven = nameof(EtcdCountEven);

    /// <summary>More than seven etcd members (slower writes, no availability gain).</summary>
    public const string EtcdCountLarge = nameof(EtcdCountLarge);

    /// <summary>etcd on a worker-only node (the tutorial warns of etcd's memory use).</summary>
    public const string EtcdOnWorker = nameof(EtcdOnWorker);

    /// <summary>etcd.type is not kubekey, kubeadm or external.</summary>
    public const string EtcdTypeUnknown = nameof(EtcdTypeUnknown);

    /// <summary>A role group names a host that is not in spec.hosts.</summary>
    public const string RoleMemberNotInHosts = nameof(RoleMemberNotInHosts);

    /// <summary>No worker node: workloads only run if control-plane nodes are listed as workers.</summary>
    public const string WorkerMissing = nameof(WorkerMissing);

    /// <summary>Several control-plane nodes but no load balancer address: not highly available.</summary>
    public const string EndpointAddressMissing = nameof(EndpointAddressMissing);

    /// <summary>The endpoint address is not an IP address.</summary>
    public const string EndpointAddressInvalid = nameof(EndpointAddressInvalid);

    /// <summary>The endpoint address is a node's address, so that node is a single point of failure.</summary>
    public const string EndpointAddressIsNode = nameof(EndpointAddressIsNode);

    /// <summary>The endpoint domain is not a DNS name.</summary>
    public const string EndpointDomainInvalid = nameof(EndpointDomainInvalid);

    /// <summary>internalLoadbalancer is neither haproxy nor kube-vip.</summary>
    public const string InternalLoadBalancerUnknown = nameof(InternalLoadBalancerUnknown);

    /// <summary>internalLoadbalancer haproxy together with an LB address (kk refuses both).</summary>
    public const string InternalLoadBalancerConflict = nameof(InternalLoadBalancerConflict);

    /// <summary>kube-vip without its VIP in the endpoint address.</summary>
    public const string KubeVipAddressMissing = nameof(KubeVipAddressMissing);

    /// <summary>A pod or service CIDR is not valid CIDR notation.</summary>
    public const string CidrInvalid = nameof(CidrInvalid);

    /// <summary>The pod and service CIDRs overlap.</summary>
    public const string CidrOverlap = nameof(CidrOverlap);

    /// <summary>A node or endpoint address lies inside the pod or service CIDR.</summary>
    public const string CidrContainsAddress = nameof(CidrContainsAddress);

    /// <summary>The Kubernetes version is not written like v1.23.17.</summary>
    public const string KubernetesVersionInvalid = nameof(KubernetesVersionInvalid);

    /// <summary>kk v3.1 cannot install this Kubernetes version.</summary>
    public const string KubernetesVersionUnsupported = nameof(KubernetesVersionUnsupported);

    /// <summary>The KubeSphere version does not support this Kubernetes version.</summary>
    public const string KubernetesVersionIncompatible = nameof(KubernetesVersionIncompatible);

    /// <summary>containerManager is not docker, containerd, crio or isula.</summary>
    public const string ContainerManagerUnknown = nameof(ContainerManagerUnknown);

    /// <summary>The network plugin is not one kk installs.</summary>
    public const string NetworkPluginUnknown = nameof(NetworkPluginUnknown);

    /// <summary>kk v3 does not know this KubeSphere version.</summary>
    public const string KubeSphereVersionUnsupported = nameof(KubeSphereVersionUnsupported);

    /// <summary>A development KubeSphere build (latest, master, nightly) with no documented Kubernetes range.</summary>
    public const string KubeSphereVersionUnpinned = nameof(KubeSphereVersionUnpinned);

    /// <summary>A KubeSphere component is switched on that the chosen KubeSphere version does not have.</summary>
    public const string KubeSphereComponentUnsupported = nameof(KubeSphereComponentUnsupported);

    /// <summary>A <c>kind: ConfigMap</c> document other than ks-installer's: kk takes any ConfigMap for KubeSphere's config.</summary>
    public const string ConfigMapDocumentStray = nameof(ConfigMapDocumentStray);
}
