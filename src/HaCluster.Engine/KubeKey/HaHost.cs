// Copyright (c) HaCluster contributors. MIT License.
// One machine of the cluster as KubeKey's spec.hosts[] describes it.

using System;
using System.Collections.Generic;
using System.Security;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// A cluster machine: the address KubeKey SSHes to, the cluster-internal address, and how to log in.
/// The password is a <see cref="SecureString"/> so it never prints; it is revealed only when the
/// config file (which must hold it) is written.
/// </summary>
public sealed class HaHost
{
    /// <summary>KubeKey's default SSH port.</summary>
    public const int DefaultPort = 22;

    /// <summary>KubeKey's default SSH user.</summary>
    public const string DefaultUser = "root";

    /// <summary>KubeKey's default architecture.</summary>
    public const string DefaultArch = "amd64";

    /// <summary>kk's key for inline private key content.</summary>
    internal const string PrivateKeyKey = "privateKey";

    private string? _internalAddress;

    /// <summary>Creates a host.</summary>
    /// <param name="name">Node name (lowercase RFC 1123; kk sets it as the hostname).</param>
    /// <param name="address">Address KubeKey connects to over SSH.</param>
    public HaHost(string name, string address)
    {
        Name = name;
        Address = address;
    }

    /// <summary>Node name; also the Kubernetes node name.</summary>
    public string Name { get; set; }

    /// <summary>Address KubeKey SSHes to from the taskbox (kk: <c>address</c>).</summary>
    public string Address { get; set; }

    /// <summary>Cluster-internal address (kk: <c>internalAddress</c>); defaults to <see cref="Address"/>.</summary>
    public string InternalAddress
    {
        get => _internalAddress ?? Address;
        set => _internalAddress = string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>SSH port (default 22).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>SSH user (default root; a non-root user needs sudo).</summary>
    public string User { get; set; } = DefaultUser;

    /// <summary>SSH and sudo password, or null for key authentication. Internal so that no output of the host shows it.</summary>
    internal SecureString? Password { get; set; }

    /// <summary>True when the host has a password (the password itself is never exposed).</summary>
    public bool HasPassword => Password is not null;

    /// <summary>Private key file on the taskbox (kk: <c>privateKeyPath</c>), or null.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>CPU architecture: amd64 (default) or arm64.</summary>
    public string Arch { get; set; } = DefaultArch;

    /// <summary>Node labels KubeKey applies.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How KubeKey will log in: Password, PrivateKey, or DefaultKey (kk falls back to ~/.ssh/id_rsa).</summary>
    public string AuthenticationMethod =>
        Password is not null ? "Password"
        : PrivateKeyPath is not null || Extra.Contains(PrivateKeyKey) ? "PrivateKey"
        : "DefaultKey";

    /// <summary>True when writing this host puts a secret into the file (password or inline key).</summary>
    internal bool HoldsSecret => Password is not null || Extra.Contains(PrivateKeyKey);

    /// <summary>Keys of the source entry this model does not know (timeout, privateKey, ...), kept for round trips.</summary>
    internal YMap Extra { get; } = new(flow: true);

    /// <summary>The node name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}
