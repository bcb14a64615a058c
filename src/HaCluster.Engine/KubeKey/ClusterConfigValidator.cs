// Copyright (c) HaCluster contributors. MIT License.
// Checks a cluster config for what kk would reject and for what would not be highly available.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// Validates a <see cref="ClusterConfig"/>. Covers kk's own load-time checks (reference/kubekey.md §2)
/// and the ones kk v3 does not make but a production HA cluster needs (odd etcd, unique names and
/// addresses, an LB address for several control planes, CIDRs, version support).
/// </summary>
public static class ClusterConfigValidator
{
    private static readonly Regex Rfc1123 = new(
        @"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$",
        RegexOptions.CultureInvariant);

    private static readonly string[] Arches = { "amd64", "arm64" };
    private static readonly string[] EtcdTypes = { "kubekey", "kubeadm", "external" };
    private static readonly string[] InternalLoadBalancers = { "haproxy", "kube-vip" };

    /// <summary>Container runtimes kk installs.</summary>
    public static IReadOnlyList<string> ContainerManagers { get; } = new[] { "docker", "containerd", "crio", "isula" };

    /// <summary>CNI plugins kk installs.</summary>
    public static IReadOnlyList<string> NetworkPlugins { get; } = new[] { "calico", "flannel", "cilium", "kubeovn", "hybridnet", "none" };

    /// <summary>KubeSphere releases kk v3 installs, oldest first.</summary>
    public static IReadOnlyList<string> KubeSphereVersions => KubeKeyVersions.KubeSphereVersions;

    /// <summary>Returns every problem found, errors and warnings, in a stable order.</summary>
    /// <param name="config">The config.</param>
    /// <returns>The findings (empty when the config is fine).</returns>
    public static IReadOnlyList<ConfigFinding> Validate(ClusterConfig config) => Validate(config, null);

    /// <summary>Returns every problem found, with the Kubernetes version checked against a given kk release.</summary>
    /// <param name="config">The config.</param>
    /// <param name="kubeKeyVersion">The kk release that will install it; null for <see cref="KubeKeyBinary.DefaultVersion"/>.</param>
    /// <returns>The findings (empty when the config is fine).</returns>
    public static IReadOnlyList<ConfigFinding> Validate(ClusterConfig config, string? kubeKeyVersion)
    {
        var findings = new List<ConfigFinding>();
        void Error(string code, string target, string message) => findings.Add(new ConfigFinding(FindingSeverity.Error, code, message, target));
        void Warn(string code, string target, string message) => findings.Add(new ConfigFinding(FindingSeverity.Warning, code, message, target));

        CheckName(config, Error);
        CheckHosts(config, Error, Warn);
        CheckRoles(config, Error, Warn);
        CheckEndpoint(config, Error);
        CheckNetwork(config, Error);
        CheckVersions(config, kubeKeyVersion ?? KubeKeyBinary.DefaultVersion, Error, Warn);
        return findings;
    }

    /// <summary>True for a lowercase RFC 1123 name (what Kubernetes accepts as a node name).</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidNodeName(string? name) => name is { Length: > 0 and <= 253 } && Rfc1123.IsMatch(name);

    private static void CheckName(ClusterConfig config, Action<string, string, string> error)
    {
        if (!IsValidNodeName(config.Name))
        {
            error(ConfigFindingCode.ClusterNameInvalid, config.Name, $"Cluster name '{config.Name}' must be a lowercase RFC 1123 name (a-z, 0-9, '-', '.'); kk stores the kubeconfig as configmap '<name>-kubeconfig'.");
        }
    }

    /// <summary>The checks of one host on its own (name, addresses, port, arch, credentials).</summary>
    /// <param name="host">The host.</param>
    /// <returns>The findings.</returns>
    public static IReadOnlyList<ConfigFinding> ValidateHost(HaHost host)
    {
        var findings = new List<ConfigFinding>();
        CheckHost(
            host,
            (code, target, message) => findings.Add(new ConfigFinding(FindingSeverity.Error, code, message, target)),
            (code, target, message) => findings.Add(new ConfigFinding(FindingSeverity.Warning, code, message, target)));
        return findings;
    }

    private static void CheckHosts(ClusterConfig config, Action<string, string, string> error, Action<string, string, string> warn)
    {
        foreach (var host in config.Hosts)
        {
            CheckHost(host, error, warn);
        }

        CheckDuplicates(config, error);
    }

    private static void CheckHost(HaHost host, Action<string, string, string> error, Action<string, string, string> warn)
    {
        var label = host.Name.Length == 0 ? $"host {host.Address}" : $"host '{host.Name}'";
        if (host.Name.Length == 0)
        {
            error(ConfigFindingCode.HostNameMissing, host.Address, $"The host with address '{host.Address}' has no name.");
        }
        else if (!IsValidNodeName(host.Name))
        {
            error(ConfigFindingCode.HostNameInvalid, host.Name, $"Host name '{host.Name}' must be a lowercase RFC 1123 name (a-z, 0-9, '-', '.', at most 63 characters per label): kk sets it as hostname and Kubernetes node name, and uppercase breaks the install.");
        }

        if (!IpPrefix.TryParseAddress(host.Address, out _))
        {
            error(ConfigFindingCode.HostAddressInvalid, host.Address, $"The address of {label} ('{host.Address}') is not an IP address.");
        }

        // Dual stack is written "IPv4,IPv6". A defaulted internal address was checked as the address.
        if (host.InternalAddress != host.Address && !host.InternalAddress.Split(',').All(a => IpPrefix.TryParseAddress(a, out _)))
        {
            error(ConfigFindingCode.HostAddressInvalid, host.InternalAddress, $"The internal address of {label} ('{host.InternalAddress}') is not an IP address (dual stack: 'IPv4,IPv6').");
        }

        if (host.Port is < 1 or > 65535)
        {
            error(ConfigFindingCode.PortOutOfRange, host.Port.ToString(CultureInfo.InvariantCulture), $"The SSH port of {label} ({host.Port.ToString(CultureInfo.InvariantCulture)}) must be between 1 and 65535.");
        }

        if (!Arches.Contains(host.Arch, StringComparer.Ordinal))
        {
            error(ConfigFindingCode.HostArchUnknown, host.Arch, $"The arch of {label} ('{host.Arch}') must be amd64 or arm64.");
        }

        if (host.AuthenticationMethod == "DefaultKey")
        {
            warn(ConfigFindingCode.HostCredentialMissing, host.Name, $"{Capitalize(label)} has no password or private key; kk will try ~/.ssh/id_rsa of the taskbox user.");
        }
    }

    private static void CheckDuplicates(ClusterConfig config, Action<string, string, string> error)
    {
        foreach (var name in Duplicates(config.Hosts.Select(h => h.Name).Where(n => n.Length > 0)))
        {
            error(ConfigFindingCode.HostNameDuplicate, name, $"Host name '{name}' is used more than once; kk would silently keep only the last entry.");
        }

        var addresses = Duplicates(config.Hosts.Select(h => h.Address).Where(a => a.Length > 0))
            .Union(Duplicates(config.Hosts.Select(h => h.InternalAddress).Where(a => a.Length > 0)));
        foreach (var address in addresses)
        {
            var names = string.Join(", ", config.Hosts.Where(h => h.Address == address || h.InternalAddress == address).Select(h => h.Name));
            error(ConfigFindingCode.HostAddressDuplicate, address, $"Address {address} is used by more than one host ({names}).");
        }
    }

    private static void CheckRoles(ClusterConfig config, Action<string, string, string> error, Action<string, string, string> warn)
    {
        var groups = config.RoleGroups;
        var names = new HashSet<string>(config.Hosts.Select(h => h.Name), StringComparer.Ordinal);
        foreach (var (group, members) in new[] { ("etcd", groups.Etcd), ("control-plane", groups.ControlPlane), ("worker", groups.Worker) })
        {
            foreach (var member in members.Where(m => !names.Contains(m)).Distinct(StringComparer.Ordinal))
            {
                error(ConfigFindingCode.RoleMemberNotInHosts, member, $"'{member}' is in role group '{group}' but not in the hosts list.");
            }
        }

        if (groups.ControlPlane.Count == 0)
        {
            error(ConfigFindingCode.ControlPlaneMissing, "control-plane", "No control-plane node: list at least one host (three for HA) in roleGroups.control-plane.");
        }

        if (groups.Worker.Count == 0 && groups.ControlPlane.Count > 0)
        {
            warn(ConfigFindingCode.WorkerMissing, "worker", "No worker node: workloads (and KubeSphere) can only run if control-plane nodes are also listed as workers.");
        }

        CheckEtcd(config, error, warn);

        var assigned = new HashSet<string>(groups.Etcd.Concat(groups.ControlPlane).Concat(groups.Worker), StringComparer.Ordinal);
        foreach (var host in config.Hosts.Where(h => h.Name.Length > 0 && !assigned.Contains(h.Name)))
        {
            warn(ConfigFindingCode.HostWithoutRole, host.Name, $"Host '{host.Name}' is in no role group; kk installs nothing on it.");
        }
    }

    private static void CheckEtcd(ClusterConfig config, Action<string, string, string> error, Action<string, string, string> warn)
    {
        var groups = config.RoleGroups;
        var type = config.Etcd.EffectiveType;
        if (!EtcdTypes.Contains(type, StringComparer.Ordinal))
        {
            error(ConfigFindingCode.EtcdTypeUnknown, type, $"etcd.type '{type}' must be kubekey, kubeadm or external.");
            return;
        }

        if (type == "external")
        {
            return;
        }

        // kubeadm stacks etcd on every control-plane node; kubekey runs it on the etcd group.
        var members = type == "kubeadm" ? groups.ControlPlane : groups.Etcd;
        var count = members.Distinct(StringComparer.Ordinal).Count();
        if (type == "kubekey" && count == 0)
        {
            error(ConfigFindingCode.EtcdMissing, "etcd", "No etcd node: list the control-plane nodes in roleGroups.etcd (an odd number: 1, 3, 5 or 7).");
        }
        else if (count > 0 && count % 2 == 0)
        {
            error(ConfigFindingCode.EtcdCountEven, count.ToString(CultureInfo.InvariantCulture), $"etcd has {count.ToString(CultureInfo.InvariantCulture)} members; use an odd number (1, 3, 5 or 7): an even number tolerates no more failures than one member fewer.");
        }
        else if (count > 7)
        {
            warn(ConfigFindingCode.EtcdCountLarge, count.ToString(CultureInfo.InvariantCulture), $"etcd has {count.ToString(CultureInfo.InvariantCulture)} members; more than 7 slows every write without adding useful fault tolerance.");
        }

        var controlPlanes = new HashSet<string>(groups.ControlPlane, StringComparer.Ordinal);
        foreach (var member in members.Where(m => groups.Worker.Contains(m) && !controlPlanes.Contains(m)).Distinct(StringComparer.Ordinal))
        {
            warn(ConfigFindingCode.EtcdOnWorker, member, $"etcd runs on worker node '{member}'; etcd uses a lot of memory, put it on the control-plane nodes instead.");
        }
    }

    private static void CheckEndpoint(ClusterConfig config, Action<string, string, string> error)
    {
        var endpoint = config.ControlPlaneEndpoint;
        var address = endpoint.Address;
        var internalLb = endpoint.InternalLoadBalancer;
        if (endpoint.Port is < 1 or > 65535)
        {
            error(ConfigFindingCode.PortOutOfRange, endpoint.Port.ToString(CultureInfo.InvariantCulture), $"controlPlaneEndpoint.port ({endpoint.Port.ToString(CultureInfo.InvariantCulture)}) must be between 1 and 65535.");
        }

        if (!IsValidNodeName(endpoint.Domain.ToLowerInvariant()))
        {
            error(ConfigFindingCode.EndpointDomainInvalid, endpoint.Domain, $"controlPlaneEndpoint.domain '{endpoint.Domain}' is not a DNS name.");
        }

        if (internalLb is not null && !InternalLoadBalancers.Contains(internalLb, StringComparer.Ordinal))
        {
            error(ConfigFindingCode.InternalLoadBalancerUnknown, internalLb, $"controlPlaneEndpoint.internalLoadbalancer '{internalLb}' must be haproxy or kube-vip (or empty for an external load balancer).");
        }
        else if (internalLb == "haproxy" && address.Length > 0)
        {
            error(ConfigFindingCode.InternalLoadBalancerConflict, address, $"controlPlaneEndpoint sets both internalLoadbalancer haproxy and address {address}; kk refuses both. Remove one.");
        }
        else if (internalLb == "kube-vip" && address.Length == 0)
        {
            error(ConfigFindingCode.KubeVipAddressMissing, "kube-vip", "internalLoadbalancer kube-vip needs its VIP in controlPlaneEndpoint.address.");
        }

        var controlPlanes = config.RoleGroups.ControlPlane.Distinct(StringComparer.Ordinal).Count();
        if (address.Length == 0)
        {
            if (controlPlanes > 1 && internalLb is null && !endpoint.ExternalDns)
            {
                error(ConfigFindingCode.EndpointAddressMissing, endpoint.Domain, $"{controlPlanes.ToString(CultureInfo.InvariantCulture)} control-plane nodes but no load balancer address: kk would point every node at the first control plane, so the cluster is not highly available. Set controlPlaneEndpoint.address to the internal load balancer's VIP.");
            }

            return;
        }

        if (!IpPrefix.TryParseAddress(address, out _))
        {
            error(ConfigFindingCode.EndpointAddressInvalid, address, $"controlPlaneEndpoint.address '{address}' is not an IP address.");
            return;
        }

        foreach (var host in config.Hosts.Where(h => h.Address == address || h.InternalAddress.Split(',').Contains(address)))
        {
            error(ConfigFindingCode.EndpointAddressIsNode, address, $"controlPlaneEndpoint.address {address} is the address of node '{host.Name}'; it must be the load balancer's VIP, or every node depends on that one machine.");
        }
    }

    private static void CheckNetwork(ClusterConfig config, Action<string, string, string> error)
    {
        var network = config.Network;
        var plugin = network.Plugin ?? "calico";
        if (!NetworkPlugins.Contains(plugin, StringComparer.Ordinal))
        {
            error(ConfigFindingCode.NetworkPluginUnknown, plugin, $"Network plugin '{plugin}' is not one kk installs ({string.Join(", ", NetworkPlugins)}).");
        }

        var pods = ParseCidrs("kubePodsCIDR", network.PodCidr ?? NetworkSettings.DefaultPodCidr, error);
        var services = ParseCidrs("kubeServiceCIDR", network.ServiceCidr ?? NetworkSettings.DefaultServiceCidr, error);
        foreach (var (podText, pod) in pods)
        {
            foreach (var (serviceText, _) in services.Where(s => s.Prefix.Overlaps(pod)))
            {
                error(ConfigFindingCode.CidrOverlap, serviceText, $"Pod CIDR {podText} and service CIDR {serviceText} overlap.");
            }
        }

        var addresses = config.Hosts
            .SelectMany(h => new[] { (Owner: h.Name, Address: h.Address) }.Concat(h.InternalAddress.Split(',').Select(a => (Owner: h.Name, Address: a))))
            .Append((Owner: "the control-plane endpoint", Address: config.ControlPlaneEndpoint.Address))
            .Distinct()
            .ToList();
        foreach (var (text, prefix) in pods.Concat(services))
        {
            var inside = addresses
                .Where(a => IpPrefix.TryParseAddress(a.Address, out var ip) && prefix.Contains(ip))
                .Select(a => $"{a.Address} ({a.Owner})")
                .ToList();
            if (inside.Count > 0)
            {
                error(ConfigFindingCode.CidrContainsAddress, text, $"CIDR {text} contains {string.Join(", ", inside)}; pod and service networks must not overlap the node network.");
            }
        }
    }

    private static List<(string Text, IpPrefix Prefix)> ParseCidrs(string key, string value, Action<string, string, string> error)
    {
        var result = new List<(string, IpPrefix)>();
        foreach (var part in value.Split(','))
        {
            if (IpPrefix.TryParse(part, out var prefix))
            {
                result.Add((part, prefix));
            }
            else
            {
                error(ConfigFindingCode.CidrInvalid, part, $"network.{key} '{part}' is not a CIDR such as 10.233.64.0/18.");
            }
        }

        return result;
    }

    private static void CheckVersions(ClusterConfig config, string kubeKeyVersion, Action<string, string, string> error, Action<string, string, string> warn)
    {
        var kubernetes = config.Kubernetes;
        var manager = kubernetes.EffectiveContainerManager;
        if (!ContainerManagers.Contains(manager, StringComparer.Ordinal))
        {
            error(ConfigFindingCode.ContainerManagerUnknown, manager, $"containerManager '{manager}' must be docker, containerd, crio or isula.");
        }

        var versionText = kubernetes.EffectiveVersion;
        var known = KubernetesVersion.TryParse(versionText, out var version);
        if (!known)
        {
            error(ConfigFindingCode.KubernetesVersionInvalid, versionText, $"Kubernetes version '{versionText}' must look like v1.23.17.");
        }
        else if (KubernetesSupport(kubeKeyVersion, versionText) is { } unsupported)
        {
            error(ConfigFindingCode.KubernetesVersionUnsupported, versionText, unsupported);
        }

        // kk reads every kind: ConfigMap document as KubeSphere's config (kubekey@v3.1.12 cmd/kk/pkg/common/loader.go).
        foreach (var stray in config.OtherDocuments.OfType<Yaml.YMap>().Where(d => d.GetString("kind") == "ConfigMap"))
        {
            var name = (stray.Find("metadata") as Yaml.YMap)?.GetString("name") ?? "(no name)";
            error(ConfigFindingCode.ConfigMapDocumentStray, name, $"The file has a ConfigMap document '{name}'; kk takes any ConfigMap for KubeSphere's ClusterConfiguration and fails on it ('Unknown version'). Remove it from the kk config.");
        }

        if (config.KubeSphere is not { } kubeSphere)
        {
            return;
        }

        foreach (var (component, since) in kubeSphere.ComponentsMissingIn(kubeSphere.Version))
        {
            error(ConfigFindingCode.KubeSphereComponentUnsupported, component, $"KubeSphere {KubeKeyVersions.Normalize(kubeSphere.Version)} has no {component} (its ClusterConfiguration has that key from {since}); choose KubeSphere {since} or later, or leave {component} off.");
        }

        var ks = KubeKeyVersions.Normalize(kubeSphere.Version); // kk reads 3.4.1 as v3.4.1
        if (KubeKeyVersions.IsDevelopmentKubeSphere(ks))
        {
            warn(ConfigFindingCode.KubeSphereVersionUnpinned, ks, $"KubeSphere '{ks}' is a development build; pin a release such as {KubeKeyVersions.LatestKubeSphere} for a reproducible install.");
        }
        else if (!KubeKeyVersions.TryGetKubernetesRange(ks, out var min, out var max))
        {
            error(ConfigFindingCode.KubeSphereVersionUnsupported, ks, $"KubeSphere version '{ks}' is not one kk v3 installs ({string.Join(", ", KubeKeyVersions.KubeSphereVersions)}).");
        }
        else if (known && (version.Major != 1 || version.Minor < min || version.Minor > max))
        {
            error(ConfigFindingCode.KubernetesVersionIncompatible, versionText, $"KubeSphere {ks} supports Kubernetes v1.{min.ToString(CultureInfo.InvariantCulture)}.x to v1.{max.ToString(CultureInfo.InvariantCulture)}.x, not {versionText}.");
        }
    }

    /// <summary>
    /// Null when <paramref name="kubeKeyVersion"/> installs exactly <paramref name="kubernetesVersion"/>, else why not
    /// (kk checks the exact patch against the list <c>kk version --show-supported-k8s</c> prints). Distributions
    /// (<c>-k3s</c>/<c>-k8e</c>) and kk releases the table does not know are left to kk.
    /// </summary>
    /// <param name="kubeKeyVersion">The kk release.</param>
    /// <param name="kubernetesVersion">The Kubernetes version.</param>
    /// <param name="supported">The release's list; null to use the embedded table.</param>
    /// <returns>The reason, or null.</returns>
    internal static string? KubernetesSupport(string kubeKeyVersion, string kubernetesVersion, IReadOnlyList<string>? supported = null)
    {
        supported ??= KubeKeyReleases.Supported(kubeKeyVersion);
        if (supported is null || kubernetesVersion.IndexOf('-') >= 0 || supported.Contains(kubernetesVersion, StringComparer.Ordinal))
        {
            return null;
        }

        var nearest = KubeKeyReleases.NewestPatchOfMinor(supported, kubernetesVersion);
        return $"kk {kubeKeyVersion} does not install Kubernetes {kubernetesVersion}; "
            + (nearest is null
                ? $"it installs {supported[0]} to {supported[supported.Count - 1]} (see 'kk version --show-supported-k8s')."
                : $"the newest patch of that minor it installs is {nearest} (see 'kk version --show-supported-k8s').");
    }

    private static IEnumerable<string> Duplicates(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
}
