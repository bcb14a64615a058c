// Copyright (c) HaCluster contributors. MIT License.
// The install's gate: the SSH engine's preflight on every host of the config, failing fast with a table of what is missing.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>Checks the config's hosts before kk is started (kubekey.md §5) and refuses the install when a required check fails.</summary>
internal static class InstallPreflight
{
    // Host-key refusals outrank everything else: they are security decisions, not missing packages.
    private static readonly string[] HostKeyErrorIds = { SshErrorIds.HostKeyChanged, SshErrorIds.HostKeyRevoked, SshErrorIds.HostKeyUnknown };

    /// <summary>Runs the preflight; returns the results when every Required check passed, else throws.</summary>
    /// <param name="config">The cluster.</param>
    /// <param name="connect">How to connect (host-key policy).</param>
    /// <param name="throttleLimit">Hosts checked at once.</param>
    /// <param name="observer">Progress, narration and the warnings for failed Recommended checks.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <param name="earlierRun">What this cluster's earlier kk run in the working directory brought up, or null.</param>
    /// <param name="hints">The recovery hints of the command that runs the install; null means Install-HaMaster's.</param>
    /// <returns>All results.</returns>
    public static async Task<IReadOnlyList<PreflightResult>> RunAsync(
        ClusterConfig config,
        SshConnectOptions connect,
        int throttleLimit,
        IOperationObserver observer,
        CancellationToken cancellationToken,
        EarlierKubeKeyRun? earlierRun = null,
        InstallRecoveryHints? hints = null)
    {
        var targets = config.Hosts.Select(h =>
        {
            var target = new PreflightTarget(HostEndpoints.For(h), Roles(config, h.Name)) { InternalAddress = h.InternalAddress };
            foreach (var port in earlierRun?.Ports(config, h.Name) ?? Array.Empty<int>())
            {
                target.KubeKeyPorts[port] = earlierRun!.Description;
            }

            return target;
        }).ToList();
        var results = await NodePreflight.RunAsync(
            targets,
            new PreflightOptions { Connect = connect, ThrottleLimit = throttleLimit },
            observer,
            cancellationToken).ConfigureAwait(false);
        var failure = Verdict(results, observer, hints ?? InstallRecoveryHints.InstallHaMaster);
        if (failure is not null)
        {
            throw failure;
        }

        return results;
    }

    /// <summary>The error for failed Required checks (null when there are none); failed Recommended checks become warnings.</summary>
    /// <param name="results">Preflight results.</param>
    /// <param name="observer">Receives the warnings.</param>
    /// <param name="hints">The recovery hints of the command that runs the install; null means Install-HaMaster's.</param>
    /// <returns>The error, or null.</returns>
    internal static HaClusterException? Verdict(IReadOnlyList<PreflightResult> results, IOperationObserver observer, InstallRecoveryHints? hints = null)
    {
        foreach (var group in results.Where(r => !r.Passed && r.Severity == PreflightSeverity.Recommended).GroupBy(r => r.Check))
        {
            var hosts = string.Join(", ", group.Select(r => r.Host));
            observer.Warning($"Preflight: {group.Key} (recommended) fails on {hosts}: {group.First().Detail}.");
        }

        var failed = results.Where(r => !r.Passed && r.Severity == PreflightSeverity.Required).ToList();
        if (failed.Count == 0)
        {
            return null;
        }

        var hostKey = HostKeyErrorIds
            .Select(id => failed.Where(r => r.ErrorId == id).ToList())
            .FirstOrDefault(list => list.Count > 0);
        if (hostKey is not null)
        {
            var message = "The SSH host key check refused " + (hostKey.Count == 1 ? "a host" : hostKey.Count.ToString(CultureInfo.InvariantCulture) + " hosts")
                + " of the cluster; nothing was installed.\n" + string.Join("\n", hostKey.Select(r => "  " + r.Host + ": " + r.Detail));
            return new HaClusterException(hostKey[0].ErrorId!, FailureKind.SecurityError, message, failed);
        }

        var hostCount = failed.Select(r => r.Host).Distinct().Count();
        var total = results.Select(r => r.Host).Distinct().Count();
        var text = new StringBuilder()
            .Append("Preflight failed on ").Append(hostCount.ToString(CultureInfo.InvariantCulture)).Append(" of ")
            .Append(total.ToString(CultureInfo.InvariantCulture)).Append(" hosts, so kk was not started and nothing was installed.\n")
            .Append(Table(failed))
            .Append("Fix these (Test-HaNode shows every check)")
            .Append((hints ?? InstallRecoveryHints.InstallHaMaster).SkipPreflight is { } skip ? ", " + skip + "." : ".");
        return new HaClusterException(KubeKeyInstallErrorIds.PreflightFailed, FailureKind.ResourceUnavailable, text.ToString(), failed);
    }

    private static NodeRole Roles(ClusterConfig config, string name)
    {
        var roles = NodeRole.None;
        roles |= config.RoleGroups.ControlPlane.Contains(name) ? NodeRole.ControlPlane : NodeRole.None;
        roles |= config.RoleGroups.Etcd.Contains(name) ? NodeRole.Etcd : NodeRole.None;
        roles |= config.RoleGroups.Worker.Contains(name) ? NodeRole.Worker : NodeRole.None;

        // A host in no group still gets kubelet's port checked, not every role's.
        return roles == NodeRole.None ? NodeRole.Worker : roles;
    }

    private static string Table(IReadOnlyList<PreflightResult> failed)
    {
        var hostWidth = Math.Max(4, failed.Max(r => r.Host.Length));
        var checkWidth = Math.Max(5, failed.Max(r => r.Check.Length));
        var table = new StringBuilder();
        table.Append("  ").Append("Host".PadRight(hostWidth)).Append("  ").Append("Check".PadRight(checkWidth)).Append("  Detail\n");
        foreach (var r in failed)
        {
            table.Append("  ").Append(r.Host.PadRight(hostWidth)).Append("  ").Append(r.Check.PadRight(checkWidth)).Append("  ").Append(r.Detail).Append('\n');
        }

        return table.ToString();
    }
}
