// Copyright (c) HaCluster contributors. MIT License.
// Which Kubernetes versions each ks-core chart line supports: one home, read by New-HaCluster and Install-HaKubeSphere.

using System;
using System.Globalization;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Engine.KubeSphere;

/// <summary>
/// The Kubernetes range of each KubeSphere 4 line, by the ks-core chart version that installs it
/// (kubesphere-4-2026-12.md §4): chart 1.1.x is KubeSphere 4.1, tested on Kubernetes 1.21–1.30 (4.1.3 docs); chart 1.2.x
/// is KubeSphere 4.2, supported on 1.23–1.34 (4.2 docs). Charts of other lines are not checked.
/// </summary>
public static class KubeSphereCompatibility
{
    private static readonly ChartLine[] Lines =
    {
        new("1.1.", "4.1", 21, 30),
        new("1.2.", "4.2", 23, 34),
    };

    /// <summary>The line a chart version belongs to, or null when the module knows no range for it.</summary>
    /// <param name="chartVersion">The ks-core chart version (1.2.4, 1.2.3-20251118).</param>
    /// <returns>The line.</returns>
    public static ChartLine? ForChart(string? chartVersion)
    {
        var version = (chartVersion ?? string.Empty).TrimStart('v');
        return Lines.FirstOrDefault(l => version.StartsWith(l.ChartPrefix, StringComparison.Ordinal));
    }

    /// <summary>Refuses a Kubernetes version outside the range of the chart's KubeSphere line, naming both versions.</summary>
    /// <param name="chartVersion">The ks-core chart version.</param>
    /// <param name="kubernetesVersion">The Kubernetes version (v1.28.12; a server's gitVersion is read the same way).</param>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.KubernetesUnsupported"/>, target the Kubernetes version.</exception>
    public static void Check(string? chartVersion, string? kubernetesVersion)
    {
        if (ForChart(chartVersion) is not { } line || kubernetesVersion is null)
        {
            return;
        }

        var text = KubeKeyVersions.Normalize(kubernetesVersion.Split('+')[0]);
        if (!KubernetesVersion.TryParse(text, out var version) || (version.Major == 1 && version.Minor >= line.MinMinor && version.Minor <= line.MaxMinor))
        {
            return;
        }

        throw new HaClusterException(
            KubeSphereErrorIds.KubernetesUnsupported,
            FailureKind.InvalidArgument,
            $"The ks-core chart {chartVersion} installs KubeSphere {line.KubeSphere}, which supports Kubernetes {line.Range}, not Kubernetes {text}. "
                + $"Choose a Kubernetes version in that range (-KubernetesVersion), or a chart of a KubeSphere line that supports {text}.",
            kubernetesVersion);
    }

    /// <summary>One KubeSphere 4 line: its chart versions and its Kubernetes range.</summary>
    public sealed class ChartLine
    {
        /// <summary>Initializes the line.</summary>
        /// <param name="chartPrefix">The chart versions' prefix (1.2.).</param>
        /// <param name="kubeSphere">The KubeSphere line (4.2).</param>
        /// <param name="minMinor">The oldest Kubernetes 1.x minor supported.</param>
        /// <param name="maxMinor">The newest Kubernetes 1.x minor supported.</param>
        public ChartLine(string chartPrefix, string kubeSphere, int minMinor, int maxMinor)
        {
            ChartPrefix = chartPrefix;
            KubeSphere = kubeSphere;
            MinMinor = minMinor;
            MaxMinor = maxMinor;
        }

        /// <summary>The chart versions' prefix.</summary>
        public string ChartPrefix { get; }

        /// <summary>The KubeSphere line.</summary>
        public string KubeSphere { get; }

        /// <summary>The oldest Kubernetes minor.</summary>
        public int MinMinor { get; }

        /// <summary>The newest Kubernetes minor.</summary>
        public int MaxMinor { get; }

        /// <summary>E.g. "v1.23 to v1.34".</summary>
        public string Range => "v1." + MinMinor.ToString(CultureInfo.InvariantCulture) + " to v1." + MaxMinor.ToString(CultureInfo.InvariantCulture);
    }
}
