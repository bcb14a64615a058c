// Copyright (c) HaCluster contributors. MIT License.
// Which Kubernetes and KubeSphere versions KubeKey v3 accepts, and which pairs KubeSphere supports.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace HaCluster.Engine.KubeKey;

/// <summary>A Kubernetes version as kk spells it: <c>v1.23.17</c>, optionally <c>-k3s</c>/<c>-k8e</c>.</summary>
internal readonly struct KubernetesVersion
{
    private static readonly Regex Pattern = new(@"^v(\d+)\.(\d+)\.(\d+)(-k3s|-k8e)?$", RegexOptions.CultureInvariant);

    private KubernetesVersion(int major, int minor, int patch)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
    }

    public int Major { get; }

    public int Minor { get; }

    public int Patch { get; }

    public static bool TryParse(string? text, out KubernetesVersion version)
    {
        var match = Pattern.Match(text ?? string.Empty);
        version = match.Success
            ? new KubernetesVersion(ToInt(match.Groups[1].Value), ToInt(match.Groups[2].Value), ToInt(match.Groups[3].Value))
            : default;
        return match.Success;
    }

    private static int ToInt(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : int.MaxValue;
}

/// <summary>
/// The KubeSphere facts the validator checks: the versions kk v3 knows and, for each, the Kubernetes minors
/// KubeSphere documents as supported (KubeSphere docs "Support Matrix" / "Prerequisites" of each release).
/// Exact Kubernetes versions per kk release are in <see cref="KubeKeyReleases"/>.
/// </summary>
internal static class KubeKeyVersions
{
    /// <summary>The newest KubeSphere release kk v3 installs.</summary>
    public const string LatestKubeSphere = "v3.4.1";

    private static readonly Dictionary<string, (int Min, int Max)> KubeSphereMatrix = new(StringComparer.Ordinal)
    {
        ["v2.1.1"] = (13, 15),
        ["v3.0.0"] = (15, 18),
        ["v3.1.0"] = (17, 20),
        ["v3.1.1"] = (17, 20),
        ["v3.2.0"] = (19, 22),
        ["v3.2.1"] = (19, 22),
        ["v3.3.0"] = (19, 23),
        ["v3.3.1"] = (19, 23),
        ["v3.3.2"] = (20, 24),
        ["v3.4.0"] = (20, 26),
        ["v3.4.1"] = (20, 26),
    };

    /// <summary>The KubeSphere versions kk v3 installs, oldest first.</summary>
    public static IReadOnlyList<string> KubeSphereVersions { get; } = KubeSphereMatrix.Keys.ToList();

    /// <summary>
    /// Development builds kk also accepts (<c>latest</c>, <c>master</c>, <c>nightly-*</c>, <c>*release*</c>);
    /// they have no documented Kubernetes range.
    /// </summary>
    public static bool IsDevelopmentKubeSphere(string version) =>
        version is "latest" or "master" ||
        version.StartsWith("nightly-", StringComparison.Ordinal) ||
        version.IndexOf("release", StringComparison.Ordinal) >= 0;

    /// <summary>The supported Kubernetes minors of a released KubeSphere version.</summary>
    public static bool TryGetKubernetesRange(string kubeSphereVersion, out int minMinor, out int maxMinor)
    {
        var found = KubeSphereMatrix.TryGetValue(kubeSphereVersion, out var range);
        (minMinor, maxMinor) = range;
        return found;
    }

    /// <summary>Adds the <c>v</c> kk expects when the user typed <c>3.4.1</c> or <c>1.23.17</c>.</summary>
    public static string Normalize(string version)
    {
        var trimmed = version.Trim();
        return trimmed.Length > 0 && char.IsDigit(trimmed[0]) ? "v" + trimmed : trimmed;
    }
}
