// Copyright (c) HaCluster contributors. MIT License.
// Start-QcInstance: starts stopped instances and waits until they are running.

using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Starts instances (StartInstances, all in one call) and waits until they are running; their load-balancer backends
/// then rise to up as health checks pass again.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "QcInstance", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Instance))]
public sealed class StartQcInstanceCommand : QcInstancePowerCmdlet
{
    /// <inheritdoc />
    protected override string ActionText => "Start instance";

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Instance>> ChangeAsync(InstanceService service, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        service.StartAsync(instanceIds, NoWait, null, cancellationToken);
}
