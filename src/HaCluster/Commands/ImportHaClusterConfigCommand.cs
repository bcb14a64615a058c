// Copyright (c) HaCluster contributors. MIT License.
// Import-HaClusterConfig: reads a KubeKey config file (kk v1 or v3 format) into a ClusterConfig.

using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Reads a KubeKey config file (config-sample.yaml) into a cluster config.</para>
/// <para type="description">Accepts kk v3 files (v1alpha2), kk v1 files such as the tutorial's
/// (master:, quoted ports) and role ranges like node[1:3]. Keys the module does not model are kept.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "HaClusterConfig")]
[OutputType(typeof(ClusterConfig))]
public sealed class ImportHaClusterConfigCommand : HaCmdlet
{
    #region Parameters

    /// <summary>Config file(s) to read; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = System.Array.Empty<string>();

    #endregion

    #region Method overrides

    /// <summary>Reads each file; a file that fails is reported and the others still load.</summary>
    protected override void ProcessRecord()
    {
        foreach (var pattern in Path)
        {
            foreach (var path in Resolve(pattern))
            {
                try
                {
                    var config = ClusterConfigFile.Read(path);
                    WriteVerbose($"Read '{path}': cluster '{config.Name}', {config.Hosts.Count} hosts, {config.SourceApiVersion ?? "no apiVersion"}{(config.KubeSphere is null ? string.Empty : ", KubeSphere " + config.KubeSphere.Version)}.");
                    WriteObject(config);
                }
                catch (HaClusterException ex)
                {
                    WriteError(ToErrorRecord(ex));
                }
            }
        }
    }

    #endregion

    #region Private methods

    private string[] Resolve(string pattern)
    {
        try
        {
            return GetResolvedProviderPathFromPSPath(pattern, out _).ToArray();
        }
        catch (ItemNotFoundException)
        {
            WriteError(NewError(ClusterConfigFile.NotFoundErrorId, FailureKind.ObjectNotFound, $"Config file '{pattern}' does not exist.", pattern));
            return System.Array.Empty<string>();
        }
    }

    #endregion
}
