// Copyright (c) HaCluster contributors. MIT License.
// Loads the private keys of an endpoint before any connection is made, so key problems fail early and clearly.

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using HaCluster.Engine.Common;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>Reads key files / key content, and falls back to OpenSSH's default keys when no credential is given.</summary>
internal static class SshKeys
{
    private static readonly string[] DefaultKeyNames = { "id_ed25519", "id_ecdsa", "id_rsa" };

    public static IReadOnlyList<IPrivateKeySource> Load(SshEndpoint endpoint)
    {
        var keys = new List<IPrivateKeySource>();
        if (!string.IsNullOrEmpty(endpoint.PrivateKeyPath))
        {
            var path = HostKeyPolicy.ExpandHome(endpoint.PrivateKeyPath!);
            if (!File.Exists(path))
            {
                throw new HaClusterException(
                    SshErrorIds.KeyFileNotFound,
                    FailureKind.ObjectNotFound,
                    $"{endpoint}: the private key file '{path}' does not exist.",
                    path);
            }

            keys.Add(Read(endpoint, path, () => File.ReadAllBytes(path)));
        }

        if (endpoint.PrivateKey is not null)
        {
            keys.Add(Read(endpoint, "(key content)", () => SecretText.ToUtf8(endpoint.PrivateKey)));
        }

        if (keys.Count == 0 && endpoint.Password is null)
        {
            // Like ssh: try the user's default keys that need no passphrase.
            var folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh");
            foreach (var name in DefaultKeyNames)
            {
                var path = Path.Combine(folder, name);
                if (!File.Exists(path))
                {
                    continue;
                }

                try
                {
                    keys.Add(new PrivateKeyFile(path));
                }
                catch (Exception ex) when (ex is SshException or InvalidOperationException or NotSupportedException or IOException or ArgumentException)
                {
                    // An encrypted or unreadable default key is skipped, as ssh does without an agent.
                }
            }

            if (keys.Count == 0)
            {
                throw new HaClusterException(
                    SshErrorIds.NoCredential,
                    FailureKind.InvalidArgument,
                    $"{endpoint}: no password or private key was given and there is no usable default key in {folder}.",
                    endpoint.ToString());
            }
        }

        return keys;
    }

    private static PrivateKeyFile Read(SshEndpoint endpoint, string source, Func<byte[]> content)
    {
        var bytes = content();
        try
        {
            using var stream = new MemoryStream(bytes);
            return endpoint.Passphrase is null
                ? new PrivateKeyFile(stream)
                : new PrivateKeyFile(stream, SecretText.Reveal(endpoint.Passphrase));
        }
        catch (SshPassPhraseNullOrEmptyException ex)
        {
            throw new HaClusterException(
                SshErrorIds.PrivateKeyInvalid,
                FailureKind.AuthenticationError,
                $"{endpoint}: the private key {source} is encrypted; give its passphrase.",
                source,
                ex);
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            var why = endpoint.Passphrase is null
                ? "it is not a supported private key"
                : "the passphrase is wrong or it is not a supported private key";
            throw new HaClusterException(
                SshErrorIds.PrivateKeyInvalid,
                endpoint.Passphrase is null ? FailureKind.InvalidData : FailureKind.AuthenticationError,
                $"{endpoint}: the private key {source} could not be read: {why}.",
                source,
                ex);
        }
        finally
        {
            Array.Clear(bytes, 0, bytes.Length);
        }
    }
}
