// Copyright (c) HaCluster contributors. MIT License.
// Base of New-, Get- and Remove-HaCluster: -Name and -StatePath, resolved the same way by all three.

using System.Management.Automation;
using HaCluster.Engine.Cluster;

namespace HaCluster.Infrastructure;

/// <summary>
/// Gives the cluster cmdlets their shared notion of where a cluster's state lives: <c>-StatePath</c>, else
/// <c>&lt;Name&gt;.hacluster.json</c> in the current directory.
/// </summary>
public abstract class HaClusterCmdlet : QcCmdlet
{
    /// <summary>The full path of the state file: <paramref name="statePath"/> resolved, or the default beside the current directory.</summary>
    /// <param name="name">The cluster name.</param>
    /// <param name="statePath">The -StatePath value, or null.</param>
    /// <returns>The full path.</returns>
    protected string ResolveStatePath(string name, string? statePath) =>
        string.IsNullOrEmpty(statePath)
            ? ClusterStateFile.DefaultPath(SessionState.Path.CurrentFileSystemLocation.ProviderPath, name)
            : SessionState.Path.GetUnresolvedProviderPathFromPSPath(statePath);

    /// <summary>Resolves a user-given file path against the current location; null stays null.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The full path, or null.</returns>
    protected string? ResolvePath(string? path) =>
        string.IsNullOrEmpty(path) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
