// Copyright (c) HaCluster contributors. MIT License.
// A server host key as OpenSSH shows it: type, base64 blob, SHA256 fingerprint.

using System;
using System.Security.Cryptography;
using System.Text;

namespace HaCluster.Engine.Ssh;

/// <summary>An SSH host key (the public key blob as sent by the server).</summary>
public sealed class SshHostKey
{
    /// <summary>Creates a host key from its wire blob; the type is read from the blob itself.</summary>
    /// <param name="blob">The public key blob (what known_hosts holds in base64).</param>
    public SshHostKey(byte[] blob)
    {
        Blob = blob ?? throw new ArgumentNullException(nameof(blob));
        KeyType = ReadKeyType(blob);
        using var sha = SHA256.Create();
        Fingerprint = "SHA256:" + Convert.ToBase64String(sha.ComputeHash(blob)).TrimEnd('=');
    }

    /// <summary>The key type, e.g. <c>ssh-ed25519</c>, <c>ssh-rsa</c>, <c>ecdsa-sha2-nistp256</c>.</summary>
    public string KeyType { get; }

    /// <summary>The public key blob.</summary>
    public byte[] Blob { get; }

    /// <summary>The blob in base64, as written in known_hosts.</summary>
    public string Base64 => Convert.ToBase64String(Blob);

    /// <summary>The fingerprint exactly as OpenSSH prints it: <c>SHA256:</c> + unpadded base64.</summary>
    public string Fingerprint { get; }

    /// <summary>True when both keys have the same blob.</summary>
    /// <param name="other">The other key.</param>
    /// <returns>Whether they are the same key.</returns>
    public bool SameKey(SshHostKey other)
    {
        if (Blob.Length != other.Blob.Length)
        {
            return false;
        }

        for (var i = 0; i < Blob.Length; i++)
        {
            if (Blob[i] != other.Blob[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => KeyType + " " + Fingerprint;

    // The blob starts with the key type as an SSH string (uint32 length, bytes).
    private static string ReadKeyType(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return "unknown";
        }

        var length = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
        return length > 0 && length <= blob.Length - 4 && length < 64
            ? Encoding.ASCII.GetString(blob, 4, length)
            : "unknown";
    }
}
