// Copyright (c) HaCluster contributors. MIT License.
// Uninstall-HaKubeSphere: helm uninstall ks-core from the taskbox; Remove-HaCluster never touches workloads.

using System.Management.Automation;
using HaCluster.Engine.KubeSphere;
using HaCluster.Engine.Ssh;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Removes KubeSphere (helm uninstall ks-core -n kubesphere-system) from the cluster.</para>
/// <para type="description">Runs helm on the taskbox and waits until the release's resources are gone. The cluster and its
/// other workloads stay; Remove-HaCluster never removes KubeSphere, so this is the one way the module does.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "HaKubeSphere", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(string))]
public sealed class UninstallHaKubeSphereCommand : TaskBoxCmdlet
{
    /// <summary>A control-plane node with helm and a kubeconfig: an address ([user@]host[:port]) or a New-HaHost object.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SshEndpointTransformation]
    [ValidateNotNull]
    public SshEndpoint TaskBox { get; set; } = null!;

    /// <summary>Uninstalls the release.</summary>
    protected override void ProcessRecord()
    {
        var taskBox = LogInTo(TaskBox);

        if (!ShouldProcess($"release {KubeSphereInstallOptions.ReleaseName} in {KubeSphereInstallOptions.Namespace} (from {taskBox})", "Uninstall KubeSphere (helm uninstall); its data and the console go away"))
        {
            return;
        }

        var connect = NewConnectOptions();
        var output = RunEngine((observer, token) =>
        {
            connect.Observer = observer;
            return KubeSphereInstaller.UninstallAsync(taskBox, connect, token);
        });
        if (output is null)
        {
            WriteWarning($"There is no release {KubeSphereInstallOptions.ReleaseName} in {KubeSphereInstallOptions.Namespace}; nothing to uninstall.");
            return;
        }

        WriteObject(output);
    }
}
