// Copyright (c) HaCluster contributors. MIT License.
// Export-HaClusterConfig: writes the config as kk's v1alpha2 YAML, owner-only when it holds passwords.

using System.IO;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Writes a cluster config to a KubeKey config file (kk v3, v1alpha2).</para>
/// <para type="description">The file is what kk create cluster -f reads. It is created with mode 0600
/// when it holds passwords; an existing file is only replaced with -Force.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "HaClusterConfig", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHaClusterConfigCommand : ClusterConfigCmdlet
{
    #region Parameters

    /// <summary>The config (from New-HaClusterConfig or Import-HaClusterConfig).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [Alias("InputObject")]
    public ClusterConfig Config { get; set; } = null!;

    /// <summary>File to write, e.g. ./config-sample.yaml.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Overwrite an existing file, and write even a config with validation errors.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    #region Method overrides

    /// <summary>Validates and writes one config.</summary>
    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        RefuseInvalid(Config, Force, FailureKind.InvalidData);

        var privacy = Config.HoldsSecrets ? "owner-only (0600): it holds passwords" : "default permissions: no passwords";
        if (!ShouldProcess(path, $"Write KubeKey config '{Config.Name}' ({privacy})"))
        {
            return;
        }

        WriteVerbose($"Writing KubeKey config '{Config.Name}' ({Config.Hosts.Count} hosts) to '{path}', {privacy}.");
        try
        {
            ClusterConfigFile.Write(path, Config, overwrite: Force);
        }
        catch (HaClusterException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
        }

        if (PassThru)
        {
            // Through the provider, so the object carries UnixMode and the other provider properties.
            WriteObject(InvokeProvider.Item.Get(path), enumerateCollection: true);
        }
    }

    #endregion
}
