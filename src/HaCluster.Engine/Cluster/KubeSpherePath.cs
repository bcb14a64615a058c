// Copyright (c) HaCluster contributors. MIT License.
// Which KubeSphere New-HaCluster installs, and how: v4.x with Helm after kk, v3.x through kk (end of life), or none.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.KubeSphere;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// The one home of New-HaCluster's KubeSphere rules: a 4.x version never reaches kk v3 (it knows KubeSphere only up to
/// v3.4.1, kubesphere-4-2026-12.md §3.1), v3.x needs a registry that still holds its withdrawn images, and the Helm
/// path's options are checked before any API call.
/// </summary>
public static class KubeSpherePath
{
    /// <summary>What users read about v3.4 (and why -ImageRegistry is required for it).</summary>
    public const string EndOfLifeMessage = "KubeSphere v3.4 reached end of life on 2025-12-25, and its public images (docker.io/kubesphere/ks-*, ks-installer) were withdrawn in July 2025: kk's install of it hangs pulling ks-installer.";

    /// <summary>Checks the KubeSphere parameters of <paramref name="request"/>; warns about v3.x.</summary>
    /// <param name="request">The request.</param>
    /// <param name="observer">Receives the end-of-life warning.</param>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.VersionNeedsHelm"/>, <see cref="KubeSphereErrorIds.EndOfLife"/>, <see cref="KubeSphereErrorIds.OptionInvalid"/>, <see cref="KubeSphereErrorIds.KubernetesUnsupported"/>.</exception>
    public static void Validate(ClusterRequest request, IOperationObserver observer)
    {
        CheckPath(request);
        var v3 = request.KubeSphereVersion;

        // Only v3.x is end of life here; anything else kk's own version check refuses (KubeSphereVersionUnsupported).
        if (v3 is not null && (v3.StartsWith("v3", StringComparison.OrdinalIgnoreCase) || v3.StartsWith("3", StringComparison.Ordinal)))
        {
            if (request.ImageRegistry is null && !request.Force)
            {
                throw new HaClusterException(KubeSphereErrorIds.EndOfLife, FailureKind.InvalidArgument, $"{EndOfLifeMessage} Give -ImageRegistry with a registry that still holds the v3.4 images, -Force to try anyway, or install KubeSphere 4 with -KubeSphereChartVersion.", v3);
            }

            observer.Warning(EndOfLifeMessage + (request.ImageRegistry is null ? " Installing it anyway (-Force)." : $" Its images come from {request.ImageRegistry}."));
        }

        if (request.UsesHelm)
        {
            var options = Options(request);
            options.Validate();
            KubeSphereCompatibility.Check(options.ResolvedChartVersion, request.KubernetesVersion ?? KubernetesSettings.DefaultVersion);
        }
        else if (request.ConsoleNodePort != ClusterNames.ConsolePort || request.ImageRegistry is not null)
        {
            // The port and registry rules are the Helm options' own; the chart is irrelevant here.
            Options(request).Validate();
        }
    }

    /// <summary>Checks that the KubeSphere version and chart version name one path: v3.x through kk, 4.x through Helm.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.VersionNeedsHelm"/>, <see cref="KubeSphereErrorIds.OptionInvalid"/>.</exception>
    public static void CheckPath(ClusterRequest request)
    {
        var v3 = request.KubeSphereVersion;
        if (v3 is not null && request.KubeSphereChartVersion is not null)
        {
            throw new HaClusterException(KubeSphereErrorIds.OptionInvalid, FailureKind.InvalidArgument, "Give -KubeSphereVersion (v3.x, installed by kk) or -KubeSphereChartVersion (4.x, installed with Helm), not both.", v3);
        }

        if (v3 is not null && (v3.StartsWith("v4", StringComparison.OrdinalIgnoreCase) || v3.StartsWith("4", StringComparison.Ordinal)))
        {
            throw new HaClusterException(KubeSphereErrorIds.VersionNeedsHelm, FailureKind.InvalidArgument, $"KubeSphere {v3} is a Helm chart installed after kk builds Kubernetes; kk v3 knows KubeSphere only up to v3.4.1. Use -KubeSphereChartVersion with the chart version (e.g. {KubeSphereInstallOptions.CommunityEditionChartVersion} for KubeSphere 4.2.1).", v3);
        }
    }

    /// <summary>The Helm install's options for the cluster (its working directory is the cluster's).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The options.</returns>
    public static KubeSphereInstallOptions Options(ClusterRequest request)
    {
        var communityEdition = request.KubeSphereChart is null;
        return new KubeSphereInstallOptions
        {
            Chart = request.KubeSphereChart ?? KubeSphereInstallOptions.CommunityEditionChart,
            ChartVersion = request.KubeSphereChartVersion ?? KubeSphereInstallOptions.CommunityEditionChartVersion,
            Preset = communityEdition ? KubeSpherePreset.CommunityEdition : KubeSpherePreset.None,
            ImageRegistry = request.ImageRegistry,
            ConsoleNodePort = request.ConsoleNodePort,
            HighAvailability = request.KubeSphereHighAvailability,
            AdminPassword = request.KubeSphereAdminPassword,
            Timeout = request.KubeSphereTimeout,
            WorkingDirectory = ClusterNames.WorkingDirectory(request.Name),
        };
    }

    /// <summary>How -WhatIf and the config step name the path.</summary>
    /// <param name="request">The request.</param>
    /// <returns>E.g. "KubeSphere 4 with Helm: oci://… 1.2.4 after kk builds Kubernetes".</returns>
    public static string Describe(ClusterRequest request)
    {
        if (request.UsesHelm)
        {
            var options = Options(request);
            return $"Kubernetes only from kk (with local storage); KubeSphere 4 with Helm: {options.ResolvedChart} {options.ResolvedChartVersion}, images from {options.ResolvedImageRegistry ?? "docker.io"}";
        }

        return request.KubeSphereVersion is { } v3
            ? $"KubeSphere {v3} through kk's ClusterConfiguration (end of life)"
            : "Kubernetes only";
    }
}
