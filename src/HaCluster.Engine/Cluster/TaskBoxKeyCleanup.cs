// Copyright (c) HaCluster contributors. MIT License.
// Remove-HaCluster's last word on the taskbox: SSH key copies a killed install left in the cluster's working directory.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// kk reads <c>privateKeyPath</c> on the taskbox, so a key-based install copies the key there
/// (<c>~/hacluster/&lt;cluster&gt;/kk-ssh-key-N</c>, 0600) and removes the copy when kk exits. A run whose shell was killed
/// leaves it behind; this removes it when the cluster is removed. It touches nothing but regular files named with the key-copy
/// prefix directly in that directory, leaves them while kk still runs there (kk reads them), and never fails the removal of
/// the cluster: every problem is a warning that names the taskbox and the path.
/// </summary>
public sealed class TaskBoxKeyCleanup
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly NodeState _taskBox;

    private TaskBoxKeyCleanup(string cluster, NodeState taskBox)
    {
        _taskBox = taskBox;
        Directory = ClusterNames.WorkingDirectory(cluster);
    }

    /// <summary>The cluster's working directory on the taskbox.</summary>
    public string Directory { get; }

    /// <summary>What is removed, as a shell pattern (for messages and -WhatIf).</summary>
    public string Pattern => Directory + "/" + InstallWorkspace.KeyFilePrefix + "*";

    /// <summary>
    /// The taskbox as the state file records it: address, port, user, and the private key when its file is on this
    /// machine. A -Credential replaces the user and adds the password.
    /// </summary>
    public SshEndpoint Endpoint
    {
        get
        {
            var key = _taskBox.PrivateKeyPath is { Length: > 0 } path && File.Exists(HostKeyPolicy.ExpandHome(path)) ? path : null;
            return new SshEndpoint(_taskBox.Address, _taskBox.Port, _taskBox.User) { Name = _taskBox.Name, PrivateKeyPath = key };
        }
    }

    /// <summary>The cleanup of a cluster whose state records a taskbox that kk ran on; null when there is nothing to look at.</summary>
    /// <param name="state">The state file's content, or null when there is none.</param>
    /// <returns>The cleanup, or null.</returns>
    public static TaskBoxKeyCleanup? For(ClusterState? state)
    {
        if (state?.TaskBox is not { Length: > 0 } name || state.Install.Started is null)
        {
            return null;
        }

        var node = state.Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.Ordinal));
        return node is null || node.Address.Length == 0 ? null : new TaskBoxKeyCleanup(state.Name, node);
    }

    /// <summary>The -WhatIf and confirmation line.</summary>
    /// <returns>The line.</returns>
    public string Describe() => $"leftover SSH key copies {Pattern} on taskbox {_taskBox.Name} ({_taskBox.Address})";

    /// <summary>Removes the key copies; every failure is a warning.</summary>
    /// <param name="login">How to log in (see <see cref="Endpoint"/>); one without password or key is reported, not tried.</param>
    /// <param name="connect">Host-key policy and timeouts.</param>
    /// <param name="observer">Narration and warnings.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The names of the files removed.</returns>
    public async Task<IReadOnlyList<string>> RemoveAsync(SshEndpoint login, SshConnectOptions connect, IOperationObserver observer, CancellationToken cancellationToken)
    {
        if (login.PrivateKeyPath is null && login.Password is not { Length: > 0 })
        {
            observer.Warning($"No SSH login for taskbox {_taskBox.Name} ({_taskBox.Address}): SSH key copies a killed install may have left ({Pattern}) were not looked for; remove them by hand (the state file that names the taskbox goes with this removal), or give Remove-HaCluster -Credential.");
            return Array.Empty<string>();
        }

        try
        {
            using var session = await SshSession.ConnectAsync(login, connect, cancellationToken).ConfigureAwait(false);
            var directory = InstallWorkspace.ShellPath(Directory);
            var options = new SshRunOptions { Timeout = CommandTimeout };
            var probe = InstallWorkspace.ParseProbe((await session.RunAsync(InstallWorkspace.ProbeScript(directory), options, cancellationToken).ConfigureAwait(false)).Stdout);
            if (probe.RunState == InstallRunState.Running)
            {
                observer.Warning($"kk is still running in {Directory} on taskbox {_taskBox.Name} (pid {probe.Pid}) and reads its SSH key copies; they stay ({Pattern}) and are removed when kk exits.");
                return Array.Empty<string>();
            }

            var run = await session.RunAsync(InstallWorkspace.RemoveKeyCopiesScript(directory), options, cancellationToken).ConfigureAwait(false);
            if (!run.Succeeded)
            {
                observer.Warning($"Could not remove the SSH key copies {Pattern} on taskbox {_taskBox.Name}: {run.Stderr.Trim()}");
                return Array.Empty<string>();
            }

            var removed = run.Stdout.Split('\n')
                .Select(l => l.TrimEnd('\r'))
                .Where(l => l.StartsWith("removed=", StringComparison.Ordinal))
                .Select(l => l.Substring("removed=".Length))
                .ToList();
            observer.Verbose(removed.Count == 0
                ? $"No SSH key copies left in {Directory} on taskbox {_taskBox.Name}."
                : $"Removed {removed.Count} SSH key copies left in {Directory} on taskbox {_taskBox.Name}: {string.Join(", ", removed)}.");
            return removed;
        }
        catch (HaClusterException ex)
        {
            observer.Warning($"Could not remove the SSH key copies {Pattern} on taskbox {_taskBox.Name} ({_taskBox.Address}): {ex.Message}");
            return Array.Empty<string>();
        }
    }
}
