// Copyright (c) HaCluster contributors. MIT License.
// Reads a -Config argument that is either a cluster config object or the path of a KubeKey config file.

using System.IO;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>Turns a <c>-Config</c> value into a <see cref="ClusterConfig"/> for cmdlets that accept both shapes.</summary>
internal static class ClusterConfigArgument
{
    /// <summary>ErrorId for a value that is neither a config nor a path.</summary>
    public const string TypeInvalidErrorId = "ConfigTypeInvalid";

    /// <summary>A <see cref="ClusterConfig"/> passes; a string or FileInfo is read as a config file (PowerShell paths resolved).</summary>
    /// <param name="cmdlet">The calling cmdlet (for path resolution).</param>
    /// <param name="value">The argument.</param>
    /// <returns>The config.</returns>
    /// <exception cref="HaClusterException"><c>ConfigTypeInvalid</c>, or the config file reader's errors.</exception>
    public static ClusterConfig Read(PSCmdlet cmdlet, object value)
    {
        var item = value is PSObject wrapper ? wrapper.BaseObject : value;
        return item switch
        {
            ClusterConfig config => config,
            FileInfo file => ClusterConfigFile.Read(file.FullName),
            string path => ClusterConfigFile.Read(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)),
            _ => throw new HaClusterException(
                TypeInvalidErrorId,
                FailureKind.InvalidArgument,
                $"-Config takes a cluster config (New-HaClusterConfig, Import-HaClusterConfig) or a config file path, not {item.GetType().Name}.",
                value),
        };
    }
}
