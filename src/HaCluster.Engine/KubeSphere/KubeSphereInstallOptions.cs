// Copyright (c) HaCluster contributors. MIT License.
// What Install-HaKubeSphere installs: the ks-core chart and version, registries, console NodePort, HA, admin password, values.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeSphere;

/// <summary>Stable error ids of the KubeSphere (Helm) install.</summary>
public static class KubeSphereErrorIds
{
    /// <summary>An option is invalid (chart reference, version, port, values).</summary>
    public const string OptionInvalid = "KubeSphereOptionInvalid";

    /// <summary>The chart (or the version of it) cannot be fetched from where the nodes are.</summary>
    public const string ChartNotFound = "KubeSphereChartNotFound";

    /// <summary>The first image the chart pulls is not in its registry (checked from the taskbox before the install).</summary>
    public const string ImageNotFound = "KubeSphereImageNotFound";

    /// <summary>The registry holding the chart or the images does not answer from the taskbox.</summary>
    public const string RegistryUnreachable = "KubeSphereRegistryUnreachable";

    /// <summary>No helm on the taskbox (kk v3.1.11+ installs Helm 3.18 on the control plane).</summary>
    public const string HelmMissing = "KubeSphereHelmMissing";

    /// <summary>helm upgrade --install failed, or KubeSphere's workloads did not become ready.</summary>
    public const string InstallFailed = "KubeSphereInstallFailed";

    /// <summary>A helm run is still going in the working directory.</summary>
    public const string InstallRunning = "KubeSphereInstallRunning";

    /// <summary>The release is stuck in a pending state and could not be recovered.</summary>
    public const string ReleasePending = "KubeSphereReleasePending";

    /// <summary>helm uninstall failed.</summary>
    public const string UninstallFailed = "KubeSphereUninstallFailed";

    /// <summary>-KubeSphereVersion v3.x without a registry that still holds its images (v3.4 is end of life).</summary>
    public const string EndOfLife = "KubeSphereVersionEndOfLife";

    /// <summary>The cluster's Kubernetes version is outside the range the chart's KubeSphere line supports.</summary>
    public const string KubernetesUnsupported = "KubeSphereKubernetesUnsupported";

    /// <summary>A KubeSphere 4.x version given where kk's ClusterConfiguration path expects v3.x.</summary>
    public const string VersionNeedsHelm = "KubeSphereVersionNeedsHelm";
}

/// <summary>Named chart sources: <c>CommunityEdition</c> fills the documented 4.2 chart and registries.</summary>
public enum KubeSpherePreset
{
    /// <summary>No preset: -Chart and -ChartVersion are required.</summary>
    None,

    /// <summary>
    /// KubeSphere Community Edition 4.2: <c>oci://hub.kubesphere.com.cn/kse/ks-core</c> 1.2.4 with images from
    /// <c>hub.kubesphere.com.cn</c>. Free, not open source: each cluster needs a license the module does not obtain.
    /// </summary>
    CommunityEdition,
}

/// <summary>The options of <see cref="KubeSphereInstaller"/>.</summary>
public sealed class KubeSphereInstallOptions
{
    /// <summary>The release name Helm records (the chart's own docs use it).</summary>
    public const string ReleaseName = "ks-core";

    /// <summary>The namespace the chart insists on (templates/kubesphere-config.yaml fails elsewhere).</summary>
    public const string Namespace = "kubesphere-system";

    /// <summary>The Community Edition chart (kubesphere-4-2026-12.md §2.1).</summary>
    public const string CommunityEditionChart = "oci://hub.kubesphere.com.cn/kse/ks-core";

    /// <summary>The chart version the 4.2 documentation pins (kubekey docs @243c6cee).</summary>
    public const string CommunityEditionChartVersion = "1.2.4";

    /// <summary>Where the Community Edition images come from.</summary>
    public const string CommunityEditionRegistry = "hub.kubesphere.com.cn";

    /// <summary>The license note -Verbose and the help repeat.</summary>
    public const string LicenseNote = "KubeSphere Community Edition is free but not open source: each cluster must be activated with a license requested for its cluster ID (Platform Settings > Licenses), which this module does not obtain; until then the console shows it as unlicensed.";

    /// <summary>Default working directory on the taskbox (a kubesphere/ folder is made below it).</summary>
    public const string DefaultWorkingDirectory = KubeKeyInstallOptions.DefaultWorkingDirectory;

    private static readonly Regex ChartVersionPattern = new(@"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$", RegexOptions.CultureInvariant);
    private static readonly Regex RegistryPattern = new(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._/-]+)?$", RegexOptions.CultureInvariant);

    /// <summary>Chart reference: <c>oci://…</c>, an <c>https://…tgz</c> URL, or the path of a .tgz on the taskbox.</summary>
    public string? Chart { get; set; }

    /// <summary>The chart version to pin (chart versions, not KubeSphere versions: 1.2.4 is KubeSphere 4.2.1).</summary>
    public string? ChartVersion { get; set; }

    /// <summary>A preset that fills the chart, version and registries.</summary>
    public KubeSpherePreset Preset { get; set; }

    /// <summary>Registry for KubeSphere's images (global.imageRegistry and extension.imageRegistry).</summary>
    public string? ImageRegistry { get; set; }

    /// <summary>The console's NodePort (console.nodePort); the external listener and backends follow it.</summary>
    public int ConsoleNodePort { get; set; } = KubeSphereSettings.DefaultConsolePort;

    /// <summary>ha.enabled and redisHA.enabled (three replicas); null: on when there are three or more control-plane nodes.</summary>
    public bool? HighAvailability { get; set; }

    /// <summary>The initial admin password (authentication.adminPassword); null keeps the chart's P@88w0rd.</summary>
    public SecureString? AdminPassword { get; set; }

    /// <summary>Extra chart values (nested dictionaries or dotted keys), applied before the module's own.</summary>
    public IDictionary? Values { get; set; }

    /// <summary>Extra values as YAML text (the content of a values file), applied before the module's own.</summary>
    public string? ValuesYaml { get; set; }

    /// <summary>The folder on the taskbox; the helm run's log, pid and exit files go to its kubesphere/ subfolder.</summary>
    public string WorkingDirectory { get; set; } = DefaultWorkingDirectory;

    /// <summary>Helm's --timeout (how long --wait waits for the workloads).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Leave the uploaded values files on the taskbox.</summary>
    public bool KeepValues { get; set; }

    /// <summary>SSH settings (host keys, observer).</summary>
    public SshConnectOptions Connect { get; set; } = new();

    /// <summary>The chart after the preset.</summary>
    public string ResolvedChart => Chart ?? (Preset == KubeSpherePreset.CommunityEdition ? CommunityEditionChart : string.Empty);

    /// <summary>The chart version after the preset.</summary>
    public string ResolvedChartVersion => ChartVersion ?? (Preset == KubeSpherePreset.CommunityEdition ? CommunityEditionChartVersion : string.Empty);

    /// <summary>The image registry after the preset (null: the chart's default, docker.io, whose KubeSphere images are gone).</summary>
    public string? ResolvedImageRegistry => ImageRegistry ?? (Preset == KubeSpherePreset.CommunityEdition ? CommunityEditionRegistry : null);

    /// <summary>The registry host the chart comes from (oci:// or https://), or null for a file on the taskbox.</summary>
    public string? ChartRegistry
    {
        get
        {
            var chart = ResolvedChart;
            var scheme = chart.IndexOf("://", StringComparison.Ordinal);
            return scheme < 0 ? null : chart.Substring(scheme + 3).Split('/')[0];
        }
    }

    /// <summary>Checks every option before anything is contacted.</summary>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.OptionInvalid"/> with the offending value.</exception>
    public void Validate()
    {
        var chart = ResolvedChart;
        if (chart.Length == 0)
        {
            throw Invalid("Name the chart: -Chart (oci://…, https://….tgz or a .tgz on the taskbox) with -ChartVersion, or -Preset CommunityEdition. There is no silent default: the open-source charts were withdrawn in July 2025.", chart);
        }

        if (chart.IndexOfAny(new[] { ' ', '\'', '"', '\n', '`', '$', ';' }) >= 0
            || !(chart.StartsWith("oci://", StringComparison.Ordinal) || chart.StartsWith("https://", StringComparison.Ordinal) || chart.StartsWith("http://", StringComparison.Ordinal) || chart.EndsWith(".tgz", StringComparison.Ordinal)))
        {
            throw Invalid($"-Chart '{chart}' is not an OCI reference (oci://host/path), an https:// URL of a .tgz, or the path of a .tgz on the taskbox.", chart);
        }

        if (chart.StartsWith("oci://", StringComparison.Ordinal) && chart.Substring(6).Split('/').Skip(1).Any(p => p.Contains(':')))
        {
            throw Invalid($"-Chart '{chart}' carries a tag; give the version with -ChartVersion instead (Helm refuses oci references with a tag and --version together).", chart);
        }

        var version = ResolvedChartVersion;
        if (version.Length == 0 && !chart.EndsWith(".tgz", StringComparison.Ordinal))
        {
            throw Invalid("Pin the chart version with -ChartVersion (e.g. 1.2.4): an unpinned chart installs whatever the registry serves that day.", chart);
        }

        if (version.Length > 0 && !ChartVersionPattern.IsMatch(version))
        {
            throw Invalid($"-ChartVersion '{version}' is not a chart version (semantic version such as 1.2.4 or 1.2.3-20251118). Chart versions are not KubeSphere versions: ks-core 1.2.4 installs KubeSphere 4.2.1.", version);
        }

        if (ResolvedImageRegistry is { } registry && !RegistryPattern.IsMatch(registry))
        {
            throw Invalid($"-ImageRegistry '{registry}' is not a registry host (host[:port][/path], e.g. hub.kubesphere.com.cn).", registry);
        }

        CheckConsoleNodePort(ConsoleNodePort);

        if (Timeout <= TimeSpan.Zero)
        {
            throw Invalid("-Timeout must be positive.", Timeout);
        }
    }

    /// <summary>The module's own values file: registries, console port, HA, password.</summary>
    /// <param name="controlPlaneCount">How many control-plane nodes the cluster has (HA default).</param>
    /// <returns>YAML text (holds the admin password: upload as 0600).</returns>
    internal string ModuleValuesYaml(int controlPlaneCount)
    {
        var values = new SortedDictionary<string, object>(StringComparer.Ordinal);
        if (ResolvedImageRegistry is { } registry)
        {
            values["global.imageRegistry"] = registry;
            values["extension.imageRegistry"] = registry;
        }

        values["console.nodePort"] = ConsoleNodePort;
        var ha = IsHighAvailability(controlPlaneCount);
        values["ha.enabled"] = ha;
        values["redisHA.enabled"] = ha;
        if (AdminPassword is { Length: > 0 } password)
        {
            values["authentication.adminPassword"] = Secrets.Reveal(password);
        }

        return ToYaml(values);
    }

    /// <summary>The user's -Values hashtable as YAML, or null.</summary>
    /// <returns>YAML text.</returns>
    internal string? UserValuesYaml()
    {
        if (Values is null || Values.Count == 0)
        {
            return ValuesYaml is { Length: > 0 } text ? text : null;
        }

        return ToYaml(FlatValues());
    }

    /// <summary>The user's -Values hashtable with dotted keys (global.tag), empty without one.</summary>
    /// <returns>Dotted key to value.</returns>
    internal SortedDictionary<string, object> FlatValues()
    {
        var flat = new SortedDictionary<string, object>(StringComparer.Ordinal);
        if (Values is not null)
        {
            Flatten(Values, string.Empty, flat);
        }

        return flat;
    }

    /// <summary>Whether ha.enabled is set: the explicit choice, else three or more control-plane nodes.</summary>
    /// <param name="controlPlaneCount">Control-plane nodes.</param>
    /// <returns>True for three replicas.</returns>
    public bool IsHighAvailability(int controlPlaneCount) => HighAvailability ?? controlPlaneCount >= 3;

    private static void Flatten(IDictionary map, string prefix, SortedDictionary<string, object> into)
    {
        foreach (DictionaryEntry entry in map)
        {
            var key = prefix + Convert.ToString(entry.Key, CultureInfo.InvariantCulture);
            var value = entry.Value;
            if (value is IDictionary nested)
            {
                Flatten(nested, key + ".", into);
            }
            else
            {
                into[key] = value ?? string.Empty;
            }
        }
    }

    // Nested YAML from dotted keys; strings double-quoted with JSON escapes (valid YAML), numbers and booleans bare.
    private static string ToYaml(SortedDictionary<string, object> flat)
    {
        var root = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in flat.Select(p => (p.Key, p.Value)))
        {
            var parts = key.Split('.');
            var map = root;
            foreach (var part in parts.Take(parts.Length - 1))
            {
                if (!map.TryGetValue(part, out var next) || next is not SortedDictionary<string, object> child)
                {
                    map[part] = child = new SortedDictionary<string, object>(StringComparer.Ordinal);
                }

                map = child;
            }

            map[parts[parts.Length - 1]] = value;
        }

        var text = new StringBuilder("# Written by HaCluster (Install-HaKubeSphere); removed after helm has read it.\n");
        Write(root, 0, text);
        return text.ToString();
    }

    private static void Write(SortedDictionary<string, object> map, int indent, StringBuilder text)
    {
        foreach (var pair in map)
        {
            text.Append(' ', indent).Append(Scalar(pair.Key)).Append(':');
            if (pair.Value is SortedDictionary<string, object> child)
            {
                text.Append('\n');
                Write(child, indent + 2, text);
            }
            else
            {
                text.Append(' ').Append(Scalar(pair.Value)).Append('\n');
            }
        }
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int or long or short or byte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s when Regex.IsMatch(s, "^[A-Za-z_][A-Za-z0-9_-]*$") && s is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off") => s,
        _ => System.Text.Json.JsonSerializer.Serialize(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    /// <summary>Refuses a console port outside Kubernetes' NodePort range (the one home of that rule).</summary>
    /// <param name="port">The port.</param>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.OptionInvalid"/>.</exception>
    public static void CheckConsoleNodePort(int port)
    {
        if (port < 30000 || port > 32767)
        {
            throw Invalid($"-ConsoleNodePort {port.ToString(CultureInfo.InvariantCulture)} is outside Kubernetes' NodePort range 30000-32767.", port);
        }
    }

    private static HaClusterException Invalid(string message, object? target) => new(KubeSphereErrorIds.OptionInvalid, FailureKind.InvalidArgument, message, target);
}
