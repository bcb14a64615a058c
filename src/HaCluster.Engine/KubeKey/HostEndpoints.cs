// Copyright (c) HaCluster contributors. MIT License.
// Maps a config host to the SSH endpoint this machine uses to reach it (preflight, verification).

using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>SSH endpoints for the hosts of a <see cref="ClusterConfig"/>, with kk's credentials.</summary>
public static class HostEndpoints
{
    /// <summary>
    /// The endpoint of <paramref name="host"/>: its address, port, user, password, key file (read on this machine;
    /// <c>~/</c> is this user's home) or inline key. The node name is the endpoint's display name.
    /// </summary>
    /// <param name="host">The host.</param>
    /// <returns>The endpoint.</returns>
    public static SshEndpoint For(HaHost host)
    {
        var endpoint = new SshEndpoint(host.Address, host.Port, host.User)
        {
            Name = host.Name,
            Password = host.Password,
            PrivateKeyPath = host.PrivateKeyPath,
        };
        var inline = host.Extra.GetString(HaHost.PrivateKeyKey);
        if (!string.IsNullOrEmpty(inline))
        {
            endpoint.PrivateKey = Secrets.Protect(inline!);
        }

        return endpoint;
    }
}
