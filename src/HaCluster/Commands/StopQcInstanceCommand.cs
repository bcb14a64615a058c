// Copyright (c) HaCluster contributors. MIT License.
// Stop-QcInstance: shuts instances down (or powers them off with -Force) and waits until they are stopped.

using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Stops instances (StopInstances, all in one call) and waits until they are stopped: the tutorial's HA check shuts a
/// master down and expects the cluster to keep answering. A stopped instance's backends go down and get no traffic.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "QcInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Instance))]
public sealed class StopQcInstanceCommand : QcInstancePowerCmdlet
{
    /// <summary>Force a power-off instead of a clean shutdown (it does not skip confirmation: use -Confirm:$false).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override string ActionText => Force ? "Power off instance (forced stop)" : "Stop instance";

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Instance>> ChangeAsync(InstanceService service, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        service.StopAsync(instanceIds, Force, NoWait, null, cancellationToken);
}
