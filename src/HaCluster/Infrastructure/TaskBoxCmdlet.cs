// Copyright (c) HaCluster contributors. MIT License.
// Base of the cmdlets that work on a taskbox over SSH: its login and host-key parameters, handled once.

using System.Management.Automation;
using HaCluster.Engine.Ssh;

namespace HaCluster.Infrastructure;

/// <summary>
/// Shared parameters of Install-HaMaster, Install-HaKubeSphere and Uninstall-HaKubeSphere: <c>-Credential</c> (the
/// taskbox's login), <c>-KnownHostsPath</c> and <c>-AcceptNewHostKey</c>, turned into the endpoint and the connect options
/// by <see cref="SshLogin"/>. Each cmdlet declares <c>-TaskBox</c> itself: its position and help differ.
/// </summary>
public abstract class TaskBoxCmdlet : HaCmdlet
{
    /// <summary>User and password for the taskbox (overrides those of -TaskBox).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>known_hosts file for the taskbox's key (Install-HaMaster: and the hosts' keys). Default: ~/.ssh/known_hosts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust hosts whose key is not yet known and record their keys (a changed key is always refused).</summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary>The host-key policy of -KnownHostsPath and -AcceptNewHostKey.</summary>
    protected HostKeyPolicy HostKeys => SshLogin.HostKeys(this, KnownHostsPath, AcceptNewHostKey);

    /// <summary>The taskbox to connect to: -TaskBox, logged in as -Credential when it is given.</summary>
    /// <param name="taskBox">The cmdlet's -TaskBox.</param>
    /// <returns>The endpoint.</returns>
    protected SshEndpoint LogInTo(SshEndpoint taskBox) => SshLogin.WithCredential(taskBox, Credential);

    /// <summary>Connect options with the host-key policy.</summary>
    /// <returns>New options.</returns>
    protected SshConnectOptions NewConnectOptions() => new() { HostKeyPolicy = HostKeys };
}
