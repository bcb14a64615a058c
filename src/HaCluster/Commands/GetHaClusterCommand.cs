// Copyright (c) HaCluster contributors. MIT License.
// Get-HaCluster: the cluster object rebuilt from its state file and what QingCloud reports now.

using System.IO;
using System.Management.Automation;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Reads a cluster's state file (written by New-HaCluster) and describes its load balancers, backends and EIP live, giving
/// the same object New-HaCluster returns, with the current Health. The hosts carry no credentials (the state file holds
/// none): give Test-HaCluster -Credential when piping it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "HaCluster", DefaultParameterSetName = NameSet)]
[OutputType(typeof(HaClusterInfo))]
public sealed class GetHaClusterCommand : HaClusterCmdlet
{
    private const string NameSet = "Name";
    private const string PathSet = "Path";

    /// <summary>Cluster name: reads &lt;Name&gt;.hacluster.json in the current directory.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The state file to read.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string StatePath { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = ParameterSetName == PathSet ? ResolveStatePath(string.Empty, StatePath) : ResolveStatePath(Name, null);
        ClusterState? state;
        try
        {
            state = ClusterStateFile.TryLoad(path);
            if (state is not null)
            {
                var context = ResolveContext();
                ClusterStateFile.CheckBelongs(state, path, null, context.Zone, context.Endpoint);
            }
        }
        catch (HaClusterException ex)
        {
            WriteError(ToErrorRecord(ex));
            return;
        }

        if (state is null)
        {
            WriteError(NewError("HaClusterStateNotFound", FailureKind.ObjectNotFound, $"There is no state file '{path}'; New-HaCluster writes it (give -StatePath if it is elsewhere).", path));
            return;
        }

        WriteVerbose($"Reading cluster '{state.Name}' from {path}.");
        WriteObject(RunQc($"Describing cluster '{state.Name}'", (client, token) => ClusterReader.ReadAsync(state, Path.GetFullPath(path), client, cancellationToken: token)));
    }
}
