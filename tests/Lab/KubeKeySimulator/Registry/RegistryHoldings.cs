// Copyright (c) HaCluster contributors. MIT License.
// What the lab's registries hold: one home, read by the registry stand-in (the preflight's view) and the helm stand-in (the pods' pulls).

using System;
using System.Collections.Generic;
using System.Linq;

namespace HaCluster.Lab.KubeKeySimulator.Registry;

/// <summary>
/// The KubeSphere images the lab's registries hold. <c>docker.io/kubesphere/*</c> is gone, as it is for real since July
/// 2025 (kubesphere#6543: Docker Hub answers an anonymous pull of it with 401 "authentication required"); every other
/// registry host holds <c>kubesphere/&lt;component&gt;</c> at the KubeSphere 4 tags the chart catalog names, at the
/// registry's root (a path under the host, such as <c>registry.lab.test/gone</c>, holds nothing).
/// </summary>
internal static class RegistryHoldings
{
    /// <summary>Hosts the registry stand-in's certificate names (the lab's curl reaches them all at the stand-in).</summary>
    public static readonly string[] Hosts = { "hub.kubesphere.com.cn", "registry-1.docker.io", "auth.docker.io", "registry.lab.test" };

    /// <summary>The tags every held repository has: KubeSphere releases with a ks-core chart in the helm stand-in's catalog.</summary>
    public static readonly string[] Tags = { "v4.1.3", "v4.2.0", "v4.2.1", "v4.3.0" };

    /// <summary>
    /// The charts the registries hold, by reference, then chart version to appVersion (kubesphere-4-2026-12.md §1.2). The
    /// 1.1.x tgz URLs of charts.kubesphere.io were withdrawn in July 2025. The helm stand-in reads this (plus
    /// <c>HELM_SIM_CHARTS</c>); the registry stand-in serves the OCI ones as Helm pushes them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Charts = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
    {
        ["oci://hub.kubesphere.com.cn/kse/ks-core"] = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["1.2.1"] = "v4.2.0",
            ["1.2.3-20251118"] = "v4.2.0",
            ["1.2.4"] = "v4.2.1",
            ["1.2.5"] = "v4.3.0",
        },
    };

    private static readonly string[] Components = { "ks-apiserver", "ks-console", "ks-controller-manager", "extensions-museum", "kubectl", "redis", "haproxy" };

    /// <summary>How a registry answers a pull of <paramref name="repository"/>:<paramref name="tag"/>.</summary>
    /// <param name="host">The registry's API host (registry-1.docker.io for docker.io).</param>
    /// <param name="repository">The repository name (path under the host).</param>
    /// <param name="tag">The tag.</param>
    /// <returns>What is there.</returns>
    public static Holding Find(string host, string repository, string tag)
    {
        if (host is "registry-1.docker.io" or "docker.io" or "index.docker.io")
        {
            return repository.StartsWith("kubesphere/", StringComparison.Ordinal) ? Holding.Withdrawn : Holding.NoRepository;
        }

        if (Charts.TryGetValue("oci://" + host + "/" + repository, out var chart))
        {
            return chart.ContainsKey(tag) ? Holding.Present : Holding.NoTag;
        }

        if (!Components.Any(c => repository == "kubesphere/" + c))
        {
            return Holding.NoRepository;
        }

        return Tags.Contains(tag, StringComparer.Ordinal) ? Holding.Present : Holding.NoTag;
    }

    /// <summary>The chart's appVersion when <paramref name="host"/>/<paramref name="repository"/> is a chart the registry holds.</summary>
    /// <param name="host">The registry host.</param>
    /// <param name="repository">The repository.</param>
    /// <param name="version">The chart version (the OCI tag).</param>
    /// <returns>The appVersion, or null for an image or a version not held.</returns>
    public static string? ChartAppVersion(string host, string repository, string version) =>
        Charts.TryGetValue("oci://" + host + "/" + repository, out var chart) && chart.TryGetValue(version, out var app) ? app : null;

    /// <summary>Whether a node can pull <paramref name="image"/> (<c>registry/repository:tag</c>).</summary>
    /// <param name="image">The image reference.</param>
    /// <returns>True when the registry holds it.</returns>
    public static bool Pullable(string image)
    {
        var colon = image.LastIndexOf(':');
        var slash = image.IndexOf('/');
        if (slash < 0 || colon < slash)
        {
            return false;
        }

        var host = image[..slash];
        return Find(host, image[(slash + 1)..colon], image[(colon + 1)..]) == Holding.Present;
    }

    /// <summary>What a registry has of one image.</summary>
    internal enum Holding
    {
        /// <summary>The manifest is there.</summary>
        Present,

        /// <summary>The repository is there, the tag is not (404 MANIFEST_UNKNOWN).</summary>
        NoTag,

        /// <summary>No such repository (404 NAME_UNKNOWN).</summary>
        NoRepository,

        /// <summary>Taken down on Docker Hub: an anonymous token grants nothing (401 UNAUTHORIZED, insufficient_scope).</summary>
        Withdrawn,
    }
}
