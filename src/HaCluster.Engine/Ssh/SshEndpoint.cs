// Copyright (c) HaCluster contributors. MIT License.
// Where and as whom to connect: address, port, user and the credentials (password, key file or key content).

using System;
using System.Globalization;
using System.Security;

namespace HaCluster.Engine.Ssh;

/// <summary>
/// One SSH destination with its credentials. Secrets are <see cref="SecureString"/>s and are never part of
/// <see cref="ToString"/> or any message. A password is also what sudo is given when it asks.
/// </summary>
public sealed class SshEndpoint
{
    /// <summary>Creates an endpoint.</summary>
    /// <param name="address">Host name or IP address.</param>
    /// <param name="port">SSH port (22 by default).</param>
    /// <param name="user">User name; null means the current user, as OpenSSH does.</param>
    public SshEndpoint(string address, int port = 22, string? user = null)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new ArgumentException("The address must not be empty.", nameof(address));
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The port must be between 1 and 65535.");
        }

        Address = address.Trim();
        Port = port;
        User = string.IsNullOrWhiteSpace(user) ? Environment.UserName : user!.Trim();
    }

    /// <summary>Display name (a node name); defaults to the address.</summary>
    public string? Name { get; set; }

    /// <summary>Host name or IP address.</summary>
    public string Address { get; }

    /// <summary>SSH port.</summary>
    public int Port { get; }

    /// <summary>User name.</summary>
    public string User { get; }

    /// <summary>Password for password authentication and for sudo.</summary>
    public SecureString? Password { get; set; }

    /// <summary>Path of a private key file (OpenSSH, PEM or PuTTY format).</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>Private key content, for keys that are not in a file.</summary>
    public SecureString? PrivateKey { get; set; }

    /// <summary>Passphrase of the private key, if it is encrypted.</summary>
    public SecureString? Passphrase { get; set; }

    /// <summary>The name shown in results: <see cref="Name"/> or the address.</summary>
    public string DisplayName => string.IsNullOrEmpty(Name) ? Address : Name!;

    /// <summary>True when some credential (password or key) is set.</summary>
    public bool HasCredential => Password is not null || PrivateKey is not null || !string.IsNullOrEmpty(PrivateKeyPath);

    /// <summary><c>user@address:port</c>; never includes a secret.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => User + "@" + Address + ":" + Port.ToString(CultureInfo.InvariantCulture);
}
