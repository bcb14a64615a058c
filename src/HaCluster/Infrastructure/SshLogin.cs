// Copyright (c) HaCluster contributors. MIT License.
// How a cmdlet logs in over SSH: -Credential over an endpoint's own login, host keys from -KnownHostsPath.

using System.Management.Automation;
using HaCluster.Engine.Ssh;

namespace HaCluster.Infrastructure;

/// <summary>
/// The one home of the SSH login rules the cmdlets share: a <c>-Credential</c> replaces the endpoint's user and password
/// (its key stays), and <c>-KnownHostsPath</c> (resolved against the PowerShell location) with <c>-AcceptNewHostKey</c>
/// makes the host-key policy.
/// </summary>
public static class SshLogin
{
    /// <summary>The endpoint logged in to as <paramref name="credential"/>'s user and password.</summary>
    /// <param name="endpoint">The endpoint as given (-TaskBox).</param>
    /// <param name="credential">-Credential, or null to keep the endpoint's login.</param>
    /// <returns>The endpoint to connect to.</returns>
    public static SshEndpoint WithCredential(SshEndpoint endpoint, PSCredential? credential) => credential is null
        ? endpoint
        : new SshEndpoint(endpoint.Address, endpoint.Port, credential.UserName.TrimStart('\\'))
        {
            Name = endpoint.Name,
            Password = credential.Password,
            PrivateKeyPath = endpoint.PrivateKeyPath,
        };

    /// <summary>The known_hosts file the user named, as a full path; null (the policy's default) when none was named.</summary>
    /// <param name="cmdlet">The cmdlet, for its current location.</param>
    /// <param name="knownHostsPath">-KnownHostsPath, or null.</param>
    /// <returns>The full path, or null.</returns>
    public static string? KnownHostsFile(PSCmdlet cmdlet, string? knownHostsPath) =>
        string.IsNullOrEmpty(knownHostsPath) ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(knownHostsPath);

    /// <summary>The host-key policy of -KnownHostsPath and -AcceptNewHostKey.</summary>
    /// <param name="cmdlet">The cmdlet, for its current location.</param>
    /// <param name="knownHostsPath">-KnownHostsPath, or null for ~/.ssh/known_hosts.</param>
    /// <param name="acceptNewHostKey">-AcceptNewHostKey.</param>
    /// <returns>The policy.</returns>
    public static HostKeyPolicy HostKeys(PSCmdlet cmdlet, string? knownHostsPath, bool acceptNewHostKey) =>
        new(KnownHostsFile(cmdlet, knownHostsPath), acceptNewHostKey);
}
