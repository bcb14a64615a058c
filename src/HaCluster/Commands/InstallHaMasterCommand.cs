// Copyright (c) HaCluster contributors. MIT License.
// Install-HaMaster: runs KubeKey from a taskbox over SSH with preflight, progress, a verdict and resume after a drop.

using System;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Installs the cluster with KubeKey (kk create cluster) from a taskbox over SSH.</para>
/// <para type="description">Checks every host, puts kk v3 and the config (0600) on the taskbox, runs kk detached so a dropped
/// connection does not stop it, shows its modules as progress and returns the install result; -Resume reattaches.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "HaMaster", SupportsShouldProcess = true, DefaultParameterSetName = FindSet)]
[OutputType(typeof(KubeKeyInstallResult))]
public sealed class InstallHaMasterCommand : TaskBoxRunCmdlet
{
    private const string FindSet = "FindKubeKey";
    private const string UploadSet = "UploadKubeKey";
    private const string DownloadSet = "DownloadKubeKey";

    /// <summary>The cluster config: an object from New-HaClusterConfig/Import-HaClusterConfig, or the path of a config file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Config { get; set; } = null!;

    /// <summary>The machine kk runs on: an address ([user@]host[:port]), a New-HaHost object, or an object with Address, Port, User, Credential, PrivateKeyPath.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [SshEndpointTransformation]
    [ValidateNotNull]
    public SshEndpoint TaskBox { get; set; } = null!;

    /// <summary>Local kk v3 binary to upload to the taskbox (mode 0755).</summary>
    [Parameter(Mandatory = true, ParameterSetName = UploadSet)]
    [ValidateNotNullOrEmpty]
    public string KubeKeyPath { get; set; } = string.Empty;

    /// <summary>kk v3 release to download on the taskbox with the official script, e.g. v3.1.12.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DownloadSet)]
    [ValidateNotNullOrEmpty]
    public string KubeKeyVersion { get; set; } = string.Empty;

    /// <summary>cn: download kk and let kk fetch binaries and images from the mirrors in China (KKZONE=cn).</summary>
    [Parameter]
    [ValidateSet(KubeKeyBinary.ChinaZone)]
    public string? KkZone { get; set; }

    /// <summary>How long kk may run before it is stopped and the install fails. Default: 2 hours.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = KubeKeyInstallOptions.DefaultTimeout;

    /// <summary>Reattach to the kk run in the working directory (running or finished) instead of starting one.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Leave the uploaded config (it holds the SSH passwords) on the taskbox after kk has finished.</summary>
    [Parameter]
    public SwitchParameter KeepConfig { get; set; }

    /// <summary>Do not check the hosts from this machine first (when only the taskbox can reach them).</summary>
    [Parameter]
    public SwitchParameter SkipPreflight { get; set; }

    /// <summary>Installs (or reattaches to) the cluster of one config.</summary>
    protected override void ProcessRecord()
    {
        ClusterConfig config;
        try
        {
            config = ClusterConfigArgument.Read(this, Config);
        }
        catch (HaClusterException ex)
        {
            WriteError(ToErrorRecord(ex));
            return;
        }

        var taskBox = LogInTo(TaskBox);
        var options = new KubeKeyInstallOptions
        {
            KubeKeyPath = ParameterSetName == UploadSet ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(KubeKeyPath) : null,
            KubeKeyVersion = ParameterSetName == DownloadSet ? KubeKeyVersion : null,
            KkZone = KkZone,
            WorkingDirectory = WorkingDirectory,
            Timeout = Timeout,
            Mode = Resume ? KubeKeyInstallMode.Resume : KubeKeyInstallMode.Start,
            KeepConfig = KeepConfig,
            SkipPreflight = SkipPreflight,
            Connect = NewConnectOptions(),
        };

        var target = $"cluster '{config.Name}' ({config.Hosts.Count} hosts) from taskbox {taskBox}, working directory {WorkingDirectory}";
        var action = Resume ? "Reattach to the KubeKey install" : "Install Kubernetes" + (config.KubeSphere is null ? string.Empty : " and KubeSphere " + config.KubeSphere.Version) + " with KubeKey";
        if (!ShouldProcess(target, action))
        {
            return;
        }

        WriteVerbose($"{action}: {target}; host keys from {options.Connect.HostKeyPolicy.KnownHostsPath}.");
        WriteObject(RunEngine((observer, token) => KubeKeyInstaller.InstallAsync(config, taskBox, options, observer, token)));
    }
}
