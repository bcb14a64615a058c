// Copyright (c) HaCluster contributors. MIT License.
// Test-HaClusterConfig: the validation findings of a config, or $true/$false with -Quiet.

using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Checks a cluster config and returns one finding per problem.</para>
/// <para type="description">Reports what kk would reject and what would not be highly available
/// (even etcd, no LB address, overlapping CIDRs, unsupported versions, ...).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HaClusterConfig", DefaultParameterSetName = ConfigSet)]
[OutputType(typeof(ConfigFinding), typeof(bool))]
public sealed class TestHaClusterConfigCommand : HaCmdlet
{
    private const string ConfigSet = "Config";
    private const string PathSet = "Path";

    #region Parameters

    /// <summary>The config to check.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ConfigSet)]
    [Alias("InputObject")]
    public ClusterConfig Config { get; set; } = null!;

    /// <summary>A config file to read and check.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Return only $true (no errors; warnings allowed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    #endregion

    #region Method overrides

    /// <summary>Validates one config.</summary>
    protected override void ProcessRecord()
    {
        var config = ParameterSetName == PathSet ? Load() : Config;
        if (config is null)
        {
            if (Quiet)
            {
                WriteObject(false);
            }

            return;
        }

        var findings = ClusterConfigValidator.Validate(config);
        WriteVerbose($"Cluster '{config.Name}': {findings.Count(f => f.Severity == FindingSeverity.Error)} errors, {findings.Count(f => f.Severity == FindingSeverity.Warning)} warnings.");
        if (Quiet)
        {
            WriteObject(findings.All(f => f.Severity != FindingSeverity.Error));
        }
        else
        {
            WriteObject(findings, enumerateCollection: true);
        }
    }

    #endregion

    #region Private methods

    // A file that cannot be read is an error record (or just $false with -Quiet).
    private ClusterConfig? Load()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        try
        {
            return ClusterConfigFile.Read(path);
        }
        catch (HaClusterException ex)
        {
            if (Quiet)
            {
                WriteVerbose(ex.Message);
            }
            else
            {
                WriteError(ToErrorRecord(ex));
            }

            return null;
        }
    }

    #endregion
}
