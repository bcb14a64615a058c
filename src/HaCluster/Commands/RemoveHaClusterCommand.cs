// Copyright (c) HaCluster contributors. MIT License.
// Remove-HaCluster: removes what New-HaCluster created, in reverse order, and last the state file.

using System;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Removes a cluster's QingCloud resources that New-HaCluster created — firewall rules, load balancers with their listeners
/// and backends, the EIP (unless -KeepEip or it was given with -Eip) — in reverse order, retrying QingCloud's lease window,
/// then deletes the state file. Without a state file it finds the resources by the cluster's names and tag. Instances and
/// resources the module did not create are never touched: every resource must carry the cluster's tag and name, else it
/// is reported (HaClusterResourceNotOwned) and left alone, and the state file stays. Running it again is harmless.
/// On the taskbox the state records, it first removes the SSH key copies a killed install left in the cluster's working
/// directory (logging in with -Credential or the recorded key); without a login it warns, and the cloud removal goes on.
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

    /// <summary>Remove without asking for confirmation. Never removes anything that is not provably the cluster's.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>SSH user and password of the taskbox (as given to New-HaCluster), to remove leftover SSH key copies there; default the state's user with its recorded key.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>known_hosts file for the taskbox's key. Default: ~/.ssh/known_hosts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust a taskbox whose key is not yet known and record it (a changed key is always refused).</summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = ResolveStatePath(Name, StatePath);
        var plan = RunQc($"Finding the resources of cluster '{Name}'", (client, token) => new ClusterRemover(client).FindAsync(Name, path, KeepEip, token));

        // Read before the removal deletes the state file; FindAsync has checked the file belongs to this cluster.
        var keyCopies = TaskBoxKeyCleanup.For(ClusterStateFile.TryLoad(path));

        // Ownership is proven, not assumed: what the state file names but the cluster cannot be shown to own stays, -Force or not.
        foreach (var stranger in plan.NotOwned)
        {
            WriteError(NewError(ClusterOwnership.NotOwnedErrorId, FailureKind.SecurityError, $"Cluster '{Name}': {stranger}.", stranger.Id));
        }

        var lines = plan.Describe().ToList();
        if (keyCopies is not null)
        {
            lines.Add(keyCopies.Describe());
        }

        if (lines.Count == 0)
        {
            WriteWarning(plan.NotOwned.Count == 0
                ? $"Cluster '{Name}' has nothing to remove: no state file at {path} and no load balancer, EIP or rule with its name and tag."
                : $"Cluster '{Name}' has nothing of its own to remove; the state file {path} stays because it names resources that were left alone.");
            return;
        }

        var list = string.Join(Environment.NewLine, lines.Select(l => "  " + l));
        var description = $"Remove cluster '{Name}':{Environment.NewLine}{list}";
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) && ((SwitchParameter)value).IsPresent;
        if (!(Force && !whatIf) && !ShouldProcess(description, $"Remove cluster '{Name}', these {lines.Count} item(s)?{Environment.NewLine}{list}{Environment.NewLine}", "Remove-HaCluster"))
        {
            return;
        }

        if (keyCopies is not null)
        {
            var login = SshLogin.WithCredential(keyCopies.Endpoint, Credential);
            var connect = new SshConnectOptions { HostKeyPolicy = SshLogin.HostKeys(this, KnownHostsPath, AcceptNewHostKey) };
            RunEngine((observer, token) =>
            {
                connect.Observer = observer;
                return keyCopies.RemoveAsync(login, connect, observer, token);
            });
        }

        RunQc($"Removing cluster '{Name}'", async (client, token) =>
        {
            await new ClusterRemover(client).RemoveAsync(plan, token).ConfigureAwait(false);
            return true;
        });
    }
}
