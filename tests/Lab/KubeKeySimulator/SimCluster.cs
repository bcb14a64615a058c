// Copyright (c) HaCluster contributors. MIT License.
// Reads a KubeKey config file the way kk v3 does (its own YAML reading, not the module's), with kk's defaults and checks.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>One entry of <c>spec.hosts</c> after kk's defaults.</summary>
internal sealed class SimHost
{
    public required string Name { get; init; }

    public required string Address { get; init; }

    public required string InternalAddress { get; init; }

    public int Port { get; init; } = 22;

    public string User { get; init; } = "root";

    public string? Password { get; init; }

    public string? PrivateKey { get; init; }

    public string? PrivateKeyPath { get; init; }

    public int TimeoutSeconds { get; init; } = 30;
}

/// <summary>The parts of a kk cluster config the simulator acts on.</summary>
internal sealed class SimCluster
{
    /// <summary>kk v3.1.12's DefaultKubeVersion.</summary>
    public const string DefaultKubeVersion = "v1.23.17";

    private static readonly string[] StableKubeSphereVersions =
    {
        "v2.1.1", "v3.0.0", "v3.1.0", "v3.1.1", "v3.2.0", "v3.2.1", "v3.3.0", "v3.3.1", "v3.3.2", "v3.4.0", "v3.4.1",
    };

    private static readonly Regex HostRange = new(@"\[(\d+):(\d+)\]", RegexOptions.CultureInvariant);

    public string Name { get; private set; } = "sample";

    public List<SimHost> Hosts { get; } = new();

    public List<SimHost> Etcd { get; } = new();

    public List<SimHost> Masters { get; } = new();

    public List<SimHost> Workers { get; } = new();

    /// <summary>Masters and workers: the Kubernetes nodes, each once, masters first.</summary>
    public List<SimHost> KubeNodes => Masters.Concat(Workers).Distinct().ToList();

    public string LbDomain { get; private set; } = "lb.kubesphere.local";

    public string LbAddress { get; private set; } = string.Empty;

    public int LbPort { get; private set; } = 6443;

    public string InternalLoadbalancer { get; private set; } = string.Empty;

    public bool ExternalDns { get; private set; }

    public string KubernetesVersion { get; set; } = DefaultKubeVersion;

    /// <summary>Whether the file names the version (else the simulated kk's own default applies).</summary>
    public bool KubernetesVersionGiven { get; set; }

    /// <summary>The minor number of <see cref="KubernetesVersion"/> (26 for v1.26.15).</summary>
    public int KubernetesMinor
    {
        get
        {
            var parts = KubernetesVersion.TrimStart('v').Split('.');
            return parts.Length > 1 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minor) ? minor : 0;
        }
    }

    public string ContainerManager { get; set; } = "docker";

    public string EtcdType { get; private set; } = "kubekey";

    public string NetworkPlugin { get; private set; } = "calico";

    public bool NtpConfigured { get; private set; }

    public bool AutoRenewCerts { get; private set; }

    public bool KubeSphere { get; set; }

    public string KubeSphereVersion { get; set; } = "v3.4.1";

    public int ConsolePort { get; private set; } = 30880;

    /// <summary>What the welcome block shows: the ClusterConfiguration's adminPassword, or ks-installer's default.</summary>
    public string AdminPassword { get; private set; } = "P@88w0rd";

    /// <summary>Lines kk prints on stdout while loading (defaulting warnings).</summary>
    public List<string> Notices { get; } = new();

    /// <summary>Loads and defaults the config; failures come out as kk would print them.</summary>
    /// <param name="path">Config path.</param>
    /// <returns>The cluster.</returns>
    public static SimCluster Load(string path)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw KkExit.Error("Unable to open the given cluster configuration file: open " + full + ": no such file or directory");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw KkExit.Error("Unable to unmarshal the given cluster configuration file: yaml: line " + ex.Start.Line + ": " + ex.Message);
        }

        var cluster = new SimCluster();
        YamlMappingNode? spec = null;
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            var kind = Scalar(root, "kind");
            if (kind == "Cluster")
            {
                cluster.Name = Scalar(Map(root, "metadata"), "name") ?? cluster.Name;
                spec = Map(root, "spec");
            }
            else if (kind is "ClusterConfiguration" or "ConfigMap")
            {
                cluster.ReadKubeSphere(root);
            }
        }

        cluster.ReadSpec(spec);
        return cluster;
    }

    /// <summary>Turns on KubeSphere as <c>--with-kubesphere [version]</c> does (replacing any ClusterConfiguration).</summary>
    /// <param name="version">Version argument, or null for kk's latest.</param>
    public void EnableKubeSphere(string? version)
    {
        KubeSphere = true;
        KubeSphereVersion = string.IsNullOrEmpty(version) ? "v3.4.1" : version!;
        ConsolePort = 30880;
        AdminPassword = "P@88w0rd";
    }

    private void ReadKubeSphere(YamlMappingNode root)
    {
        var labels = Map(Map(root, "metadata"), "labels");
        var version = Scalar(labels, "version") ?? throw KkExit.Error("Unknown version");
        var supported = StableKubeSphereVersions.Contains(version) || version is "latest" or "master"
            || version.StartsWith("nightly-", StringComparison.Ordinal) || version.Contains("release", StringComparison.Ordinal);
        if (!supported)
        {
            throw KkExit.Error("Unsupported KubeSphere version: " + version);
        }

        KubeSphere = true;
        KubeSphereVersion = version;
        var spec = Map(root, "spec");
        var console = Map(Map(Map(spec, "common"), "core"), "console");
        if (int.TryParse(Scalar(console, "port"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port))
        {
            ConsolePort = port;
        }

        var authentication = Map(spec, "authentication");
        if (authentication?.Children.ContainsKey(new YamlScalarNode("adminPassword")) == true)
        {
            // ks-installer: absent → P@88w0rd; present but empty → a random one.
            var configured = Scalar(authentication, "adminPassword");
            AdminPassword = string.IsNullOrEmpty(configured) ? "Ks" + Guid.NewGuid().ToString("N")[..10] + "1" : configured!;
        }
    }

    private void ReadSpec(YamlMappingNode? spec)
    {
        if (spec?.Children.TryGetValue(new YamlScalarNode("hosts"), out var hostsNode) == true && hostsNode is YamlSequenceNode hosts)
        {
            foreach (var entry in hosts.Children.OfType<YamlMappingNode>())
            {
                Hosts.Add(ReadHost(entry));
            }
        }

        var kubernetes = Map(spec, "kubernetes");
        KubernetesVersion = Scalar(kubernetes, "version") is { Length: > 0 } version ? version : DefaultKubeVersion;
        KubernetesVersionGiven = Scalar(kubernetes, "version") is { Length: > 0 };
        ContainerManager = Scalar(kubernetes, "containerManager") is { Length: > 0 } manager ? manager : "docker";
        AutoRenewCerts = Scalar(kubernetes, "autoRenewCerts") == "true";
        EtcdType = Scalar(Map(spec, "etcd"), "type") is { Length: > 0 } etcdType ? etcdType : "kubekey";
        NetworkPlugin = Scalar(Map(spec, "network"), "plugin") is { Length: > 0 } plugin ? plugin : "calico";
        var system = Map(spec, "system");
        NtpConfigured = system?.Children.ContainsKey(new YamlScalarNode("ntpServers")) == true
            || !string.IsNullOrEmpty(Scalar(system, "timezone"));

        GroupHosts(Map(spec, "roleGroups"));
        ReadEndpoint(Map(spec, "controlPlaneEndpoint"));
    }

    private static SimHost ReadHost(YamlMappingNode entry)
    {
        var name = Scalar(entry, "name") ?? string.Empty;
        var address = Scalar(entry, "address") ?? string.Empty;
        var internalAddress = Scalar(entry, "internalAddress") ?? string.Empty;
        return new SimHost
        {
            Name = name,
            Address = address.Length > 0 ? address : internalAddress,
            InternalAddress = internalAddress.Length > 0 ? internalAddress.Split(',')[0] : address,
            Port = Integer(entry, "port", "HostCfg.spec.hosts.port") ?? 22,
            User = Scalar(entry, "user") is { Length: > 0 } user ? user : "root",
            Password = Scalar(entry, "password") is { Length: > 0 } password ? password : null,
            PrivateKey = Scalar(entry, "privateKey") is { Length: > 0 } key ? key : null,
            PrivateKeyPath = Scalar(entry, "privateKeyPath") is { Length: > 0 } keyPath ? keyPath : null,
            TimeoutSeconds = Integer(entry, "timeout", "HostCfg.spec.hosts.timeout") ?? 30,
        };
    }

    // kk converts the Cluster document to JSON and unmarshals into int fields: a quoted number is a string there.
    private static int? Integer(YamlMappingNode? map, string key, string goField)
    {
        if (map is null || !map.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlScalarNode scalar)
        {
            return null;
        }

        var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
        if (quoted || !int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw KkExit.Error("Failed to unmarshal configuration: json: cannot unmarshal string into Go struct field " + goField + " of type int");
        }

        return value;
    }

    private void GroupHosts(YamlMappingNode? roleGroups)
    {
        var byName = new Dictionary<string, SimHost>(StringComparer.Ordinal);
        foreach (var host in Hosts)
        {
            byName[host.Name] = host; // kk keys hosts by name: the last duplicate wins
        }

        if (roleGroups is not null)
        {
            foreach (var (keyNode, valueNode) in roleGroups.Children)
            {
                var role = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                var members = valueNode is YamlSequenceNode sequence
                    ? sequence.Children.OfType<YamlScalarNode>().SelectMany(n => Expand(n.Value ?? string.Empty, role, byName)).ToList()
                    : new List<string>();
                var target = role switch
                {
                    "etcd" => Etcd,
                    "master" or "control-plane" => Masters,
                    "worker" => Workers,
                    _ => null,
                };
                foreach (var member in members)
                {
                    if (target is not null && !target.Contains(byName[member]))
                    {
                        target.Add(byName[member]);
                    }
                }
            }
        }

        if (Masters.Count == 0)
        {
            throw KkExit.Fatal("The number of master/control-plane cannot be 0");
        }

        if (Etcd.Count == 0 && EtcdType == "kubekey")
        {
            throw KkExit.Fatal("The number of etcd cannot be 0");
        }
    }

    // kk: an entry containing '[', ':' and ']' is a range "prefix[from:to]", expanded with Atoi (no zero padding).
    private static IEnumerable<string> Expand(string entry, string role, Dictionary<string, SimHost> byName)
    {
        var names = new List<string>();
        if (entry.Contains('[') && entry.Contains(']') && entry.Contains(':'))
        {
            var match = HostRange.Match(entry);
            var prefix = entry[..match.Index];
            var from = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var to = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            for (var i = from; i <= to; i++)
            {
                names.Add(prefix + i.ToString(CultureInfo.InvariantCulture));
            }
        }
        else
        {
            names.Add(entry);
        }

        foreach (var name in names)
        {
            if (!byName.ContainsKey(name))
            {
                throw KkExit.Fatal("[" + name + "] is in [" + role + "] group, but not in hosts list");
            }
        }

        return names;
    }

    private void ReadEndpoint(YamlMappingNode? endpoint)
    {
        InternalLoadbalancer = Scalar(endpoint, "internalLoadbalancer") ?? string.Empty;
        ExternalDns = Scalar(endpoint, "externalDNS") == "true";
        LbAddress = Scalar(endpoint, "address") ?? string.Empty;
        LbDomain = Scalar(endpoint, "domain") is { Length: > 0 } domain ? domain : "lb.kubesphere.local";
        LbPort = Integer(endpoint, "port", "ControlPlaneEndpoint.spec.controlPlaneEndpoint.port") is { } port and > 0 ? port : 6443;

        if (Masters.Count >= 2 && InternalLoadbalancer != "haproxy" && LbAddress.Length == 0 && !ExternalDns)
        {
            Notices.Add(string.Empty);
            Notices.Add("Warning: When there are at least two nodes in the control-plane, you should set the value of the LB address or enable the internal loadbalancer, or set 'controlPlaneEndpoint.externalDNS' to 'true' if the 'controlPlaneEndpoint.domain' can be resolved in your dns server.");
            Notices.Add(string.Empty);
        }

        if (InternalLoadbalancer == "haproxy" && LbAddress.Length > 0)
        {
            throw KkExit.Stdout("You cannot set up the internal load balancer and the LB address at the same time.", 0);
        }

        if ((LbAddress.Length == 0 && !ExternalDns) || LbAddress == "127.0.0.1")
        {
            LbAddress = Masters[0].InternalAddress;
        }
    }

    private static YamlMappingNode? Map(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node as YamlMappingNode : null;

    private static string? Scalar(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar
            ? scalar.Value
            : null;
}

/// <summary>How kk ends: a [FATA] log line, an <c>error:</c> line on stderr, or plain stdout text, with its exit code.</summary>
internal sealed class KkExit : Exception
{
    private KkExit(string message, KkExitKind kind, int exitCode)
        : base(message)
    {
        Kind = kind;
        ExitCode = exitCode;
    }

    public KkExitKind Kind { get; }

    public int ExitCode { get; }

    public static KkExit Error(string message) => new(message, KkExitKind.Error, 1);

    public static KkExit Fatal(string message) => new(message, KkExitKind.Fatal, 1);

    public static KkExit Stdout(string message, int exitCode) => new(message, KkExitKind.Stdout, exitCode);

    /// <summary>The run already printed its failure (for example the preflight table and [ERRO] lines).</summary>
    public static KkExit Silent(int exitCode) => new(string.Empty, KkExitKind.Silent, exitCode);
}

/// <summary>Where a <see cref="KkExit"/> prints its message.</summary>
internal enum KkExitKind
{
    Error,
    Fatal,
    Stdout,
    Silent,
}
