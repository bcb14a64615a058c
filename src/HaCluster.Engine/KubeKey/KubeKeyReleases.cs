// Copyright (c) HaCluster contributors. MIT License.
// Which exact Kubernetes versions each kk v3 release installs, and its default. Self-contained: the KubeKey
// simulator compiles this same file, so the lab's kk and the validator read one table.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// kk checks the Kubernetes version exactly, against the kubeadm hashes it ships (kubekey@v3.1.12
/// cmd/kk/pkg/bootstrap/confirm/tasks.go); <c>kk version --show-supported-k8s</c> prints the same list. This table is
/// the amd64 kubeadm keys of <c>version/components.json</c> at every v3.0.1–v3.1.12 tag, and each tag's
/// <c>DefaultKubeVersion</c> (cmd/kk/apis/kubekey/v1alpha2/default.go). v3.0.0 ships no components.json.
/// </summary>
internal static class KubeKeyReleases
{
    // Patch lists per minor, "minor:patches" with a-b ranges; identical lists are shared between releases.
    private const string V301 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-16 23:0-14 24:0-8 25:0-4";
    private const string V304 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-15 24:0-9 25:0-5 26:0";
    private const string V308 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-14 25:0-10 26:0-5 27:0-2";
    private const string V310 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-12 28:0-8 29:0-3";
    private const string V312 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-15 28:0-11 29:0-6 30:0-2";
    private const string V313 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-12 29:0-7 30:0-3";
    private const string V315 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-12 29:0-7 30:0-4 31:0";
    private const string V316 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-13 29:0-8 30:0-4 31:0";
    private const string V317 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-15 29:0-10 30:0-6 31:0-2";
    private const string V318 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-15 29:0-12,14-15 30:0-11 31:0-7 32:0-3";
    private const string V319 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-15 29:0-12,14-15 30:0-12 31:0-8 32:0-4 33:0";
    private const string V3110 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-15 29:0-12,14-15 30:0-13 31:0-9 32:0-5 33:0-1";
    private const string V3111 = "19:0,8-9,15 20:4,6,10 21:0-14 22:0-17 23:0-17 24:0-17 25:0-16 26:0-15 27:0-16 28:0-15 29:0-12,14-15 30:0-14 31:0-12 32:0-8 33:0-4";

    private static readonly Dictionary<string, (string Default, string Patches)> Table = new(StringComparer.Ordinal)
    {
        ["v3.0.1"] = ("v1.23.10", V301),
        ["v3.0.2"] = ("v1.23.10", V301),
        ["v3.0.3"] = ("v1.23.10", V301),
        ["v3.0.4"] = ("v1.23.10", V304),
        ["v3.0.5"] = ("v1.23.10", V304),
        ["v3.0.6"] = ("v1.23.10", V304),
        ["v3.0.7"] = ("v1.23.10", V304),
        ["v3.0.8"] = ("v1.23.10", V308),
        ["v3.0.9"] = ("v1.23.10", V308),
        ["v3.0.10"] = ("v1.23.10", V308),
        ["v3.0.11"] = ("v1.23.10", V308),
        ["v3.0.12"] = ("v1.23.10", V308),
        ["v3.0.13"] = ("v1.23.10", V308),
        ["v3.1.0"] = ("v1.23.15", V310),
        ["v3.1.1"] = ("v1.23.15", V310),
        ["v3.1.2"] = ("v1.23.15", V312),
        ["v3.1.3"] = ("v1.23.15", V313),
        ["v3.1.4"] = ("v1.23.15", V313),
        ["v3.1.5"] = ("v1.23.15", V315),
        ["v3.1.6"] = ("v1.23.17", V316),
        ["v3.1.7"] = ("v1.23.17", V317),
        ["v3.1.8"] = ("v1.23.17", V318),
        ["v3.1.9"] = ("v1.23.17", V319),
        ["v3.1.10"] = ("v1.23.17", V3110),
        ["v3.1.11"] = ("v1.23.17", V3111),
        ["v3.1.12"] = ("v1.23.17", V3111),
    };

    /// <summary>The newest kk v3 release in the table.</summary>
    public const string Newest = "v3.1.12";

    /// <summary>The kk releases the table knows, oldest first.</summary>
    public static IReadOnlyList<string> Known { get; } = Table.Keys.ToList();

    /// <summary>
    /// The Kubernetes versions <paramref name="kubeKeyVersion"/> installs, oldest first, as its
    /// <c>kk version --show-supported-k8s</c> prints them; null for a release the table does not know.
    /// </summary>
    /// <param name="kubeKeyVersion">A kk version such as <c>v3.1.12</c> (a <c>-dirty</c>/<c>+build</c> tail is ignored).</param>
    /// <returns>The list, or null.</returns>
    public static IReadOnlyList<string>? Supported(string kubeKeyVersion) =>
        Table.TryGetValue(Release(kubeKeyVersion), out var entry) ? Expand(entry.Patches) : null;

    /// <summary>The Kubernetes version <paramref name="kubeKeyVersion"/> installs when none is given; null when unknown.</summary>
    /// <param name="kubeKeyVersion">A kk version.</param>
    /// <returns>The default, or null.</returns>
    public static string? DefaultKubernetes(string kubeKeyVersion) =>
        Table.TryGetValue(Release(kubeKeyVersion), out var entry) ? entry.Default : null;

    /// <summary>The newest patch of <paramref name="kubernetesVersion"/>'s minor in <paramref name="supported"/>, or null.</summary>
    /// <param name="supported">A supported list.</param>
    /// <param name="kubernetesVersion">A version such as <c>v1.26.16</c>.</param>
    /// <returns>For example <c>v1.26.15</c>.</returns>
    public static string? NewestPatchOfMinor(IEnumerable<string> supported, string kubernetesVersion)
    {
        var minor = MinorPrefix(kubernetesVersion);
        return minor is null ? null : supported.LastOrDefault(v => v.StartsWith(minor, StringComparison.Ordinal));
    }

    private static string? MinorPrefix(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 3 ? parts[0] + "." + parts[1] + "." : null;
    }

    private static string Release(string version)
    {
        var text = version.Trim();
        var end = text.IndexOfAny(new[] { '-', '+' });
        return end > 0 ? text.Substring(0, end) : text;
    }

    private static IReadOnlyList<string> Expand(string patches)
    {
        var list = new List<string>();
        foreach (var group in patches.Split(' '))
        {
            var colon = group.IndexOf(':');
            var minor = group.Substring(0, colon);
            foreach (var run in group.Substring(colon + 1).Split(','))
            {
                var dash = run.IndexOf('-');
                var from = int.Parse(dash < 0 ? run : run.Substring(0, dash), CultureInfo.InvariantCulture);
                var to = dash < 0 ? from : int.Parse(run.Substring(dash + 1), CultureInfo.InvariantCulture);
                for (var patch = from; patch <= to; patch++)
                {
                    list.Add("v1." + minor + "." + patch.ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        return list;
    }
}
