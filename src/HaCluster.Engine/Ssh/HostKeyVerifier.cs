// Copyright (c) HaCluster contributors. MIT License.
// Checks the key a server presents during key exchange against known_hosts, records it on first use if allowed.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using HaCluster.Engine.Common;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>One verification per connection attempt; the verdict is read back after the connect fails or succeeds.</summary>
internal sealed class HostKeyVerifier
{
    private readonly SshEndpoint _endpoint;
    private readonly SshConnectOptions _options;

    public HostKeyVerifier(SshEndpoint endpoint, SshConnectOptions options)
    {
        _endpoint = endpoint;
        _options = options;
    }

    /// <summary>Why the key was refused; null when it was accepted or not seen yet.</summary>
    public HaClusterException? Failure { get; private set; }

    /// <summary>The accepted key.</summary>
    public SshHostKey? Accepted { get; private set; }

    private string HostLabel => KnownHostsFile.HostPattern(_endpoint.Address, _endpoint.Port);

    /// <summary>Asks the server for a key type known_hosts already holds for it (as OpenSSH does), so a known host is not misread as changed.</summary>
    public static void PreferKnownAlgorithms(ConnectionInfo info, SshEndpoint endpoint, HostKeyPolicy policy)
    {
        IReadOnlyList<string> types;
        try
        {
            types = KnownHostsFile.Load(policy.KnownHostsPath).KnownKeyTypes(endpoint.Address, endpoint.Port);
        }
        catch (IOException)
        {
            return; // Reported properly when the key is verified.
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        var algorithms = info.HostKeyAlgorithms;
        foreach (var type in Enumerable.Reverse(types))
        {
            var names = type == "ssh-rsa" ? new[] { "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa" } : new[] { type };
            foreach (var name in Enumerable.Reverse(names).Where(algorithms.ContainsKey))
            {
                algorithms.SetPosition(name, 0);
            }
        }
    }

    public void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        try
        {
            e.CanTrust = Verify(new SshHostKey(e.HostKey));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Failure = new HaClusterException(
                SshErrorIds.ConnectionFailed,
                FailureKind.ConnectionError,
                $"{_endpoint}: cannot use the known_hosts file '{_options.HostKeyPolicy.KnownHostsPath}' ({ex.Message}).",
                _options.HostKeyPolicy.KnownHostsPath,
                ex);
            e.CanTrust = false;
        }
    }

    private bool Verify(SshHostKey key)
    {
        var policy = _options.HostKeyPolicy;
        var lookup = KnownHostsFile.Load(policy.KnownHostsPath).Lookup(_endpoint.Address, _endpoint.Port, key);
        switch (lookup.Match)
        {
            case HostKeyMatch.Match:
                Accepted = key;
                return true;
            case HostKeyMatch.Unknown when policy.AcceptNewHostKey:
                KnownHostsFile.Append(policy.KnownHostsPath, _endpoint.Address, _endpoint.Port, key);
                _options.Observer.Warning($"Permanently added '{HostLabel}' ({key.KeyType} {key.Fingerprint}) to {policy.KnownHostsPath} (trust on first use).");
                Accepted = key;
                return true;
            case HostKeyMatch.Unknown:
                Failure = new HaClusterException(
                    SshErrorIds.HostKeyUnknown,
                    FailureKind.SecurityError,
                    $"The host key of '{HostLabel}' is not known: {key.KeyType} {key.Fingerprint} is not in {policy.KnownHostsPath}. "
                    + "Check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then connect with AcceptNewHostKey (-AcceptNewHostKey) to trust it on first use.",
                    HostLabel);
                return false;
            case HostKeyMatch.Revoked:
                Failure = new HaClusterException(
                    SshErrorIds.HostKeyRevoked,
                    FailureKind.SecurityError,
                    $"The host key of '{HostLabel}' ({key.KeyType} {key.Fingerprint}) is marked @revoked in {policy.KnownHostsPath}.",
                    HostLabel);
                return false;
            default:
                var known = string.Join(", ", lookup.KnownKeys.Select(k => k.KeyType + " " + k.Fingerprint));
                Failure = new HaClusterException(
                    SshErrorIds.HostKeyChanged,
                    FailureKind.SecurityError,
                    $"HOST KEY CHANGED for '{HostLabel}': the server presented {key.KeyType} {key.Fingerprint}, but {policy.KnownHostsPath} records {known}. "
                    + "Someone may be intercepting the connection, or the host was reinstalled. After verifying the new key, remove the old entry "
                    + $"(ssh-keygen -R '{HostLabel}' -f '{policy.KnownHostsPath}') and connect again.",
                    HostLabel);
                return false;
        }
    }
}
