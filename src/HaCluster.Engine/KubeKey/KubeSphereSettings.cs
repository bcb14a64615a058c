// Copyright (c) HaCluster contributors. MIT License.
// The KubeSphere ClusterConfiguration document: its version label and the pluggable components.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The second document of a kk config (<c>kind: ClusterConfiguration</c>). Its presence is what
/// makes kk install KubeSphere; the whole document is kept as read, so every setting round-trips.
/// </summary>
public sealed class KubeSphereSettings
{
    /// <summary>Default NodePort of the KubeSphere console.</summary>
    public const int DefaultConsolePort = 30880;

    private static readonly Component[] Components =
    {
        new("alerting", "alerting.enabled"),
        new("auditing", "auditing.enabled"),
        new("devops", "devops.enabled"),
        new("events", "events.enabled"),
        new("logging", "logging.enabled"),
        new("metrics_server", "metrics_server.enabled", "metrics-server"),
        new("networkpolicy", "network.networkpolicy.enabled"),
        new("ippool", "network.ippool.type", on: "calico", off: "none"),
        new("topology", "network.topology.type", on: "weave-scope", off: "none"),
        new("openpitrix", "openpitrix.store.enabled", "appstore"),
        new("servicemesh", "servicemesh.enabled"),
        new("edgeruntime", "edgeruntime.enabled", "kubeedge", also: "edgeruntime.kubeedge.enabled", since: "3.3.0"),
        new("gatekeeper", "gatekeeper.enabled", since: "3.4.0"),
        new("redis", "common.redis.enabled"),
        new("openldap", "common.openldap.enabled"),
    };

    internal KubeSphereSettings(YMap document) => Document = document;

    /// <summary>The component names <see cref="Enable"/> accepts.</summary>
    public static IReadOnlyList<string> ComponentNames { get; } = Components.Select(c => c.Name).ToList();

    /// <summary>KubeSphere version (<c>metadata.labels.version</c>), which selects the ks-installer release.</summary>
    public string Version
    {
        get => (Document.Find("metadata", "labels") as YMap)?.GetString("version") ?? string.Empty;
        set => Document.GetOrAddMap("metadata").GetOrAddMap("labels").Set("version", YScalar.String(value));
    }

    /// <summary>The pluggable components switched on, in a fixed order.</summary>
    public IReadOnlyList<string> EnabledComponents =>
        Components.Where(c => IsOn(c)).Select(c => c.Name).ToList();

    /// <summary>NodePort of the console (<c>common.core.console.port</c>; before v3.2 <c>console.port</c>; default 30880).</summary>
    public int ConsolePort
    {
        get => ConfigValues.ParseInt((Spec.Find(ConsolePath) as YMap)?.GetString("port")) ?? DefaultConsolePort;
        set => ConsolePath.Aggregate(Spec, (map, key) => map.GetOrAddMap(key)).Set("port", YScalar.Int(value));
    }

    /// <summary>The document as read or generated.</summary>
    internal YMap Document { get; }

    private YMap Spec => Document.GetOrAddMap("spec");

    // kk's templates before v3.2 (cc_v310.go, cc_v311.go) have the console at spec.console.
    private string[] ConsolePath => ParseRelease(Version) is { } release && release < new Version(3, 2)
        ? new[] { "console" }
        : new[] { "common", "core", "console" };

    /// <summary>The ClusterConfiguration kk v3.1 generates for <paramref name="version"/> (<c>--with-kubesphere</c>), that release's own shape.</summary>
    /// <param name="version">KubeSphere version, e.g. v3.4.1.</param>
    /// <returns>The settings with every component off.</returns>
    public static KubeSphereSettings CreateDefault(string version) => new(KubeSphereTemplate.For(version)) { Version = version };

    /// <summary>
    /// The enabled components that KubeSphere <paramref name="version"/> has no key for, each with the first release that
    /// has it. kk generates each version's own ClusterConfiguration (kubekey@v3.1.12 version/kubesphere/templates): v3.3
    /// has no <c>gatekeeper</c>, and before v3.3 KubeEdge is <c>kubeedge:</c>, not <c>edgeruntime:</c>; ks-installer
    /// reads only its own keys, so such a component would silently not be installed.
    /// </summary>
    /// <param name="version">The KubeSphere version, with or without its v.</param>
    /// <returns>(component, first version that has it) pairs; empty for development builds.</returns>
    public IReadOnlyList<(string Component, string Since)> ComponentsMissingIn(string version)
    {
        if (ParseRelease(version) is not { } parsed)
        {
            return Array.Empty<(string, string)>();
        }

        return Components.Where(c => c.Since is not null && parsed < c.Since && IsOn(c))
            .Select(c => (c.Name, "v" + c.Since!.ToString(3)))
            .ToList();
    }

    /// <summary>True when <paramref name="name"/> (or one of its aliases) names a component.</summary>
    /// <param name="name">Component name, case-insensitive.</param>
    /// <returns>Whether it is known.</returns>
    public static bool IsComponent(string name) => Lookup(name) is not null;

    /// <summary>Switches a component on.</summary>
    /// <param name="name">Component name (see <see cref="ComponentNames"/>).</param>
    public void Enable(string name) => Switch(name, on: true);

    /// <summary>Switches a component off.</summary>
    /// <param name="name">Component name (see <see cref="ComponentNames"/>).</param>
    public void Disable(string name) => Switch(name, on: false);

    /// <summary>version [components].</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var enabled = EnabledComponents;
        return enabled.Count == 0 ? Version : $"{Version} ({string.Join(", ", enabled)})";
    }

    // v3.4.1, 3.4.1 and v3.4.1-rc.0 are release 3.4.1; development builds (latest, nightly-…) are none.
    private static Version? ParseRelease(string version)
    {
        var text = version.TrimStart('v');
        var dash = text.IndexOf('-');
        return System.Version.TryParse(dash < 0 ? text : text.Substring(0, dash), out var parsed) ? parsed : null;
    }

    private static Component? Lookup(string name) =>
        Components.FirstOrDefault(c =>
            string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(c.Alias, name, StringComparison.OrdinalIgnoreCase));

    private void Switch(string name, bool on)
    {
        var component = Lookup(name) ?? throw new HaClusterException(
            "KubeSphereComponentUnknown",
            FailureKind.InvalidArgument,
            $"'{name}' is not a KubeSphere component. Known components: {string.Join(", ", ComponentNames)}.",
            name);
        Write(component.Path, on ? component.On : component.Off);
        if (component.Also is not null)
        {
            Write(component.Also, on ? component.On : component.Off);
        }
    }

    private bool IsOn(Component component)
    {
        var path = component.Path.Split('.');
        var text = (Spec.Find(path.Take(path.Length - 1).ToArray()) as YMap)?.GetString(path[path.Length - 1]);
        return component.On == "true" ? ConfigValues.ParseBool(text) == true : string.Equals(text, component.On, StringComparison.Ordinal);
    }

    private void Write(string dottedPath, string value)
    {
        var path = dottedPath.Split('.');
        var map = Spec;
        foreach (var key in path.Take(path.Length - 1))
        {
            map = map.GetOrAddMap(key);
        }

        map.Set(path[path.Length - 1], value is "true" or "false" ? YScalar.Bool(value == "true") : YScalar.String(value));
    }

    private sealed class Component
    {
        public Component(string name, string path, string? alias = null, string on = "true", string off = "false", string? also = null, string? since = null)
        {
            Since = since is null ? null : new Version(since);
            Name = name;
            Also = also;
            Path = path;
            Alias = alias;
            On = on;
            Off = off;
        }

        public string Name { get; }

        public string Path { get; }

        public string? Alias { get; }

        public string On { get; }

        public string Off { get; }

        public string? Also { get; }

        /// <summary>First KubeSphere release whose ClusterConfiguration has the key (kk's cc_vXYZ templates); null: all.</summary>
        public Version? Since { get; }
    }
}
