// Copyright (c) HaCluster contributors. MIT License.
// One accepted access key pair of the emulator's configuration.

namespace HaCluster.Emulator;

/// <summary>An access key pair the emulator accepts (<c>accounts[]</c>).</summary>
public sealed class EmulatorAccount
{
    /// <summary>The access key id (<c>access_key_id</c>).</summary>
    public string AccessKeyId { get; set; } = string.Empty;

    /// <summary>The secret used to verify signatures (<c>secret_access_key</c>).</summary>
    public string SecretAccessKey { get; set; } = string.Empty;
}
