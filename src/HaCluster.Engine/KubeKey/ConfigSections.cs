// Copyright (c) HaCluster contributors. MIT License.
// Typed views over the sections of the Cluster document; unknown keys stay in the document untouched.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// Base of the typed sections (<c>spec.controlPlaneEndpoint</c>, <c>spec.kubernetes</c>, ...). Each
/// property reads and writes the config's document directly, so keys the model does not know are
/// kept in place and a file read and written again loses nothing.
/// </summary>
public abstract class ConfigSection
{
    private readonly YMap _spec;
    private readonly string _key;

    internal ConfigSection(YMap spec, string key)
    {
        _spec = spec;
        _key = key;
    }

    /// <summary>True when the section exists in the document.</summary>
    internal bool Exists => _spec[_key] is YMap;

    /// <summary>The section's mapping, or null when the document has none.</summary>
    internal YMap? Map => _spec[_key] as YMap;

    /// <summary>The text of a key, or null when absent or null.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    private protected string? GetString(string key) => Map?.GetString(key);

    /// <summary>Writes a string (null removes the key).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="alwaysQuote">Double-quote it as kk does for addresses and paths.</param>
    private protected void SetString(string key, string? value, bool alwaysQuote = false)
    {
        SetScalar(key, value is null ? null : alwaysQuote ? YScalar.Quoted(value) : YScalar.String(value));
    }

    /// <summary>An integer key, read from plain or quoted text (kk v1 wrote <c>port: "6443"</c>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null when absent or not an integer.</returns>
    private protected int? GetInt(string key) => ConfigValues.ParseInt(GetString(key));

    /// <summary>Writes an unquoted integer.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (null removes the key).</param>
    private protected void SetInt(string key, int? value) => SetScalar(key, value is null ? null : YScalar.Int(value.Value));

    /// <summary>A boolean key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null when absent or not a boolean.</returns>
    private protected bool? GetBool(string key) => ConfigValues.ParseBool(GetString(key));

    /// <summary>Writes an unquoted boolean (null removes the key).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    private protected void SetBool(string key, bool? value) => SetScalar(key, value is null ? null : YScalar.Bool(value.Value));

    /// <summary>A list of strings.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The items (empty when absent).</returns>
    private protected string[] GetList(string key) =>
        Map?[key] is YSeq seq ? seq.Items.OfType<YScalar>().Where(s => !s.IsNull).Select(s => s.Value).ToArray() : Array.Empty<string>();

    /// <summary>Writes a list of strings; empty lists are written as <c>[]</c> like kk's template.</summary>
    /// <param name="key">The key.</param>
    /// <param name="values">The items.</param>
    private protected void SetList(string key, IEnumerable<string>? values)
    {
        var items = (values ?? Array.Empty<string>()).Select(v => (YNode)YScalar.String(v)).ToList();
        Section().Set(key, new YSeq(items, flow: items.Count == 0));
    }

    private YMap Section() => _spec.GetOrAddMap(_key);

    // Null removes the key; a value replaces it in place or appends it.
    private void SetScalar(string key, YScalar? value)
    {
        if (value is null)
        {
            Map?.Remove(key);
        }
        else
        {
            Section().Set(key, value);
        }
    }
}

/// <summary>
/// <c>spec.controlPlaneEndpoint</c>: the name and address every node and kubeconfig uses for the
/// API server. For HA, <see cref="Address"/> is the internal load balancer's VIP.
/// </summary>
public sealed class ControlPlaneEndpoint : ConfigSection
{
    /// <summary>kk's default endpoint domain.</summary>
    public const string DefaultDomain = "lb.kubesphere.local";

    /// <summary>kk's default endpoint (LB frontend) port.</summary>
    public const int DefaultPort = 6443;

    internal ControlPlaneEndpoint(YMap spec)
        : base(spec, "controlPlaneEndpoint")
    {
    }

    /// <summary>Name used as kubeadm's controlPlaneEndpoint (default lb.kubesphere.local).</summary>
    public string Domain
    {
        get => GetString("domain") ?? DefaultDomain;
        set => SetString("domain", value);
    }

    /// <summary>Load balancer VIP; empty means kk uses the first control-plane node (not HA).</summary>
    public string Address
    {
        get => GetString("address") ?? string.Empty;
        set => SetString("address", value ?? string.Empty, alwaysQuote: true);
    }

    /// <summary>Load balancer frontend port (default 6443); the API servers always listen on 6443.</summary>
    public int Port
    {
        get => GetInt("port") ?? DefaultPort;
        set => SetInt("port", value);
    }

    /// <summary>kk's built-in load balancer (haproxy or kube-vip), or null for an external one.</summary>
    public string? InternalLoadBalancer
    {
        get => NullIfEmpty(GetString("internalLoadbalancer"));
        set => SetString("internalLoadbalancer", NullIfEmpty(value));
    }

    /// <summary>True when <see cref="Domain"/> resolves through external DNS (kk 3.0.8+ <c>externalDNS</c>).</summary>
    public bool ExternalDns
    {
        get => GetBool("externalDNS") ?? false;
        set => SetBool("externalDNS", value ? true : null);
    }

    /// <summary>domain (address:port).</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        Address.Length == 0 ? $"{Domain}:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Domain} ({Address}:{Port.ToString(CultureInfo.InvariantCulture)})";

    /// <summary>Rewrites the three keys kk's template always has, in kk's types (v1 files quoted the port).</summary>
    internal void Normalize()
    {
        var (domain, address, port) = (Domain, Address, Port);
        Domain = domain;
        Address = address;
        Port = port;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary><c>spec.kubernetes</c>: version, cluster name and container runtime.</summary>
public sealed class KubernetesSettings : ConfigSection
{
    /// <summary>The Kubernetes version kk v3.1.8+ installs when none is given.</summary>
    public const string DefaultVersion = "v1.23.17";

    internal KubernetesSettings(YMap spec)
        : base(spec, "kubernetes")
    {
    }

    /// <summary>Kubernetes version such as v1.23.17; null when the file does not say (kk's default applies).</summary>
    public string? Version
    {
        get => GetString("version");
        set => SetString("version", value);
    }

    /// <summary>Cluster DNS name, usually cluster.local.</summary>
    public string? ClusterName
    {
        get => GetString("clusterName");
        set => SetString("clusterName", value);
    }

    /// <summary>Whether kk installs a certificate renewal timer.</summary>
    public bool? AutoRenewCerts
    {
        get => GetBool("autoRenewCerts");
        set => SetBool("autoRenewCerts", value);
    }

    /// <summary>Container runtime: docker, containerd, crio or isula; null means kk's default (docker).</summary>
    public string? ContainerManager
    {
        get => GetString("containerManager");
        set => SetString("containerManager", value);
    }

    /// <summary>The version actually installed: <see cref="Version"/> or kk's default.</summary>
    public string EffectiveVersion => Version ?? DefaultVersion;

    /// <summary>The runtime actually used: <see cref="ContainerManager"/> or kk's default, docker.</summary>
    public string EffectiveContainerManager => ContainerManager ?? "docker";

    /// <summary>version (runtime).</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{EffectiveVersion} ({EffectiveContainerManager})";

    /// <summary>kk's template default runtime for a version: containerd from v1.24 (dockershim removal), else docker.</summary>
    /// <param name="version">Kubernetes version.</param>
    /// <returns>The runtime name.</returns>
    public static string DefaultContainerManagerFor(string version) =>
        KubernetesVersion.TryParse(version, out var v) && v.Minor >= 24 && v.Major == 1 ? "containerd" : "docker";
}

/// <summary><c>spec.etcd</c>: where etcd runs.</summary>
public sealed class EtcdSettings : ConfigSection
{
    internal EtcdSettings(YMap spec)
        : base(spec, "etcd")
    {
    }

    /// <summary>kubekey (systemd etcd on the etcd role), kubeadm (stacked on control planes) or external; null means kubekey.</summary>
    public string? Type
    {
        get => GetString("type");
        set => SetString("type", value);
    }

    /// <summary>The type actually used.</summary>
    public string EffectiveType => Type ?? "kubekey";

    /// <summary>The type.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => EffectiveType;
}

/// <summary><c>spec.network</c>: CNI plugin and the pod and service ranges.</summary>
public sealed class NetworkSettings : ConfigSection
{
    /// <summary>kk's default pod CIDR.</summary>
    public const string DefaultPodCidr = "10.233.64.0/18";

    /// <summary>kk's default service CIDR.</summary>
    public const string DefaultServiceCidr = "10.233.0.0/18";

    internal NetworkSettings(YMap spec)
        : base(spec, "network")
    {
    }

    /// <summary>CNI plugin: calico, flannel, cilium, kubeovn, hybridnet or none; null means calico.</summary>
    public string? Plugin
    {
        get => GetString("plugin");
        set => SetString("plugin", value);
    }

    /// <summary>Pod network (kk: <c>kubePodsCIDR</c>).</summary>
    public string? PodCidr
    {
        get => GetString("kubePodsCIDR");
        set => SetString("kubePodsCIDR", value);
    }

    /// <summary>Service network (kk: <c>kubeServiceCIDR</c>).</summary>
    public string? ServiceCidr
    {
        get => GetString("kubeServiceCIDR");
        set => SetString("kubeServiceCIDR", value);
    }

    /// <summary>plugin pods/services.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"{Plugin ?? "calico"} pods {PodCidr ?? DefaultPodCidr} services {ServiceCidr ?? DefaultServiceCidr}";
}

/// <summary><c>spec.registry</c>: where images come from.</summary>
public sealed class RegistrySettings : ConfigSection
{
    internal RegistrySettings(YMap spec)
        : base(spec, "registry")
    {
    }

    /// <summary>Private registry that replaces docker.io and friends, or empty.</summary>
    public string? PrivateRegistry
    {
        get => GetString("privateRegistry");
        set => SetString("privateRegistry", value, alwaysQuote: value?.Length == 0);
    }

    /// <summary>Namespace that replaces the image namespace in the private registry, or empty.</summary>
    public string? NamespaceOverride
    {
        get => GetString("namespaceOverride");
        set => SetString("namespaceOverride", value, alwaysQuote: value?.Length == 0);
    }

    /// <summary>Registry mirrors for docker.io.</summary>
    public string[] RegistryMirrors
    {
        get => GetList("registryMirrors");
        set => SetList("registryMirrors", value);
    }

    /// <summary>Registries reached over plain HTTP.</summary>
    public string[] InsecureRegistries
    {
        get => GetList("insecureRegistries");
        set => SetList("insecureRegistries", value);
    }

    /// <summary>The private registry, or "default".</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => string.IsNullOrEmpty(PrivateRegistry) ? "default" : PrivateRegistry!;

    /// <summary>True when the section holds registry credentials (<c>auths</c>).</summary>
    internal bool HoldsSecret => Map?["auths"] is YMap auths && auths.Count > 0;
}

/// <summary>Parsing of scalar text the way kk's YAML 1.1 reader understands it.</summary>
internal static class ConfigValues
{
    public static int? ParseInt(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static bool? ParseBool(string? text) => text?.Trim() switch
    {
        "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => null,
    };
}
