// Copyright (c) HaCluster contributors. MIT License.
// The module order of kk's CreateClusterPipeline (kubekey.md §4.4), used to turn module names into a percentage.

using System;
using System.Collections.Generic;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The modules of kk v3's <c>CreateClusterPipeline</c> in the order kk runs them, optional ones included
/// (kk prints nothing for a skipped module). A module's position in this list gives the install's percentage.
/// </summary>
public static class KkPipelineOrder
{
    /// <summary>Module names exactly as kk prints them, in pipeline order.</summary>
    public static IReadOnlyList<string> CreateCluster { get; } = new[]
    {
        "GreetingsModule",
        "CustomScriptsModule Phase:PreInstall",
        "NodePreCheckModule",
        "ConfirmModule",
        "UnArchiveArtifactModule",
        "RepositoryModule",
        "NodeBinariesModule",
        "ConfigureOSModule",
        "KubernetesStatusModule",
        "InstallContainerModule",
        "InstallCriDockerdModule",
        "CopyImagesToRegistryModule",
        "PullModule",
        "ETCDPreCheckModule",
        "CertsModule",
        "InstallETCDBinaryModule",
        "ETCDConfigureModule",
        "ETCDBackupModule",
        "InstallKubeBinariesModule",
        "InternalLoadbalancerModule",
        "InitKubernetesModule",
        "ClusterDNSModule",
        "KubernetesStatusModule",
        "JoinNodesModule",
        "InternalLoadbalancerModule",
        "InternalLoadbalancerModule",
        "DeployNetworkPluginModule",
        "ConfigureKubernetesModule",
        "ChownModule",
        "AutoRenewCertsModule",
        "SecurityEnhancementModule",
        "SaveKubeConfigModule",
        "DeployPluginsModule",
        "CustomScriptsModule Phase:PostClusterInstall",
        "AddonsModule",
        "DeployStorageClassModule",
        "DeployKubeSphereModule",
        "CheckResultModule",
        "CustomScriptsModule Phase:PostInstall",
    };
}

/// <summary>Walks <see cref="KkPipelineOrder.CreateCluster"/> as modules appear, so repeated names map to their next slot.</summary>
internal sealed class KkModuleCursor
{
    private readonly IReadOnlyList<string> _order = KkPipelineOrder.CreateCluster;
    private int _next;
    private int _current = -1;

    /// <summary>Moves to <paramref name="module"/>; returns the percentage at its start, or -1 when it is not in the order.</summary>
    /// <param name="module">Module name as printed.</param>
    /// <returns>Percent complete when the module starts.</returns>
    public int Start(string module)
    {
        var index = Find(module, _next);
        if (index < 0)
        {
            // kk never goes back, but a different pipeline (add nodes) may reorder: look from the top before giving up.
            index = Find(module, 0);
        }

        _current = index;
        if (index < 0)
        {
            return -1;
        }

        _next = index + 1;
        return index * 100 / _order.Count;
    }

    /// <summary>Index of the current module in <see cref="KkPipelineOrder.CreateCluster"/>, or -1.</summary>
    public int Index => _current;

    /// <summary>Percentage once the current module has finished, or -1 when unknown.</summary>
    /// <returns>Percent complete.</returns>
    public int Complete() => _current < 0 ? -1 : (_current + 1) * 100 / _order.Count;

    private int Find(string module, int from)
    {
        for (var i = from; i < _order.Count; i++)
        {
            if (string.Equals(_order[i], module, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
