// Copyright (c) HaCluster contributors. MIT License.
// Remove-HaCluster: removes what New-HaCluster created, in reverse order, and last the state file.

using System;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Cluster;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Removes a cluster's QingCloud resources that New-HaCluster created — firewall rules, load balancers with their listeners
/// and backends, the EIP (unless -KeepEip or it was given with -Eip) — in reverse order, retrying QingCloud's lease window,
/// then deletes the state file. Without a state file it finds the resources by the cluster's names and tag. Instances and
/// resources the module did not create are never touched. Running it again is harmless.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "HaCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveHaClusterCommand : HaClusterCmdlet
{
    /// <summary>Cluster name; binds by property name from New-HaCluster and Get-HaCluster objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The state file; default &lt;Name&gt;.hacluster.json in the current directory. Binds by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary>Keep the EIP (a later New-HaCluster with the same name adopts it again).</summary>
    [Parameter]
    public SwitchParameter KeepEip { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = ResolveStatePath(Name, StatePath);
        var plan = RunQc($"Finding the resources of cluster '{Name}'", (client, token) => new ClusterRemover(client).FindAsync(Name, path, KeepEip, token));
        var lines = plan.Describe();
        if (lines.Count == 0)
        {
            WriteWarning($"Cluster '{Name}' has nothing to remove: no state file at {path} and no load balancer, EIP or rule with its name and tag.");
            return;
        }

        var description = $"Remove cluster '{Name}':{Environment.NewLine}{string.Join(Environment.NewLine, lines.Select(l => "  " + l))}";
        if (!ShouldProcess(description, $"Remove cluster '{Name}' ({lines.Count} item(s))?", "Remove-HaCluster"))
        {
            return;
        }

        RunQc($"Removing cluster '{Name}'", async (client, token) =>
        {
            await new ClusterRemover(client).RemoveAsync(plan, token).ConfigureAwait(false);
            return true;
        });
    }
}
