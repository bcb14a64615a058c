// Copyright (c) HaCluster contributors. MIT License.
// Stable error ids of the SSH engine and the translation of SSH.NET/socket failures into them.

using System;
using System.IO;
using System.Net.Sockets;
using HaCluster.Engine.Common;
using Renci.SshNet.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>The ErrorIds the SSH engine raises (stable; tests and callers match on them).</summary>
public static class SshErrorIds
{
    /// <summary>TCP connect or SSH handshake failed.</summary>
    public const string ConnectionFailed = "SshConnectionFailed";

    /// <summary>The connect did not finish within the connect timeout.</summary>
    public const string ConnectTimeout = "SshConnectTimeout";

    /// <summary>The server rejected the credentials.</summary>
    public const string AuthenticationFailed = "SshAuthenticationFailed";

    /// <summary>The host is not in known_hosts and trust on first use was not allowed.</summary>
    public const string HostKeyUnknown = "SshHostKeyUnknown";

    /// <summary>The host presented a key other than the recorded one.</summary>
    public const string HostKeyChanged = "SshHostKeyChanged";

    /// <summary>The host presented a key marked @revoked.</summary>
    public const string HostKeyRevoked = "SshHostKeyRevoked";

    /// <summary>No password or key was given and no default key exists.</summary>
    public const string NoCredential = "SshNoCredential";

    /// <summary>The private key file does not exist.</summary>
    public const string KeyFileNotFound = "SshKeyFileNotFound";

    /// <summary>The private key could not be read (format or passphrase).</summary>
    public const string PrivateKeyInvalid = "SshPrivateKeyInvalid";

    /// <summary>An established connection dropped.</summary>
    public const string ConnectionLost = "SshConnectionLost";

    /// <summary>A command ran out of its time limit.</summary>
    public const string CommandTimeout = "SshCommandTimeout";

    /// <summary>A remote file or folder does not exist.</summary>
    public const string RemotePathNotFound = "SshRemotePathNotFound";

    /// <summary>The remote side refused access to a file.</summary>
    public const string RemoteAccessDenied = "SshRemoteAccessDenied";

    /// <summary>An upload, download or remote helper command failed.</summary>
    public const string TransferFailed = "SshTransferFailed";

    /// <summary>Fan-out work on one host ran out of its per-host time.</summary>
    public const string HostTimeout = "SshHostTimeout";

    /// <summary>Fan-out work on one host failed with an unexpected exception.</summary>
    public const string HostFailed = "SshHostFailed";
}

/// <summary>Maps transport exceptions to <see cref="HaClusterException"/>s whose messages name the host but no secret.</summary>
internal static class SshErrors
{
    public static HaClusterException Connect(SshEndpoint endpoint, Exception ex) => ex switch
    {
        HaClusterException known => known,
        SshAuthenticationException => new HaClusterException(
            SshErrorIds.AuthenticationFailed,
            FailureKind.AuthenticationError,
            $"{endpoint}: the server rejected the credentials ({ex.Message.TrimEnd('.')}).",
            endpoint.ToString(),
            ex),
        SshOperationTimeoutException or TimeoutException => Timeout(endpoint, ex),
        SocketException socket => new HaClusterException(
            SshErrorIds.ConnectionFailed,
            FailureKind.ConnectionError,
            $"{endpoint}: cannot connect ({socket.SocketErrorCode}: {socket.Message}).",
            endpoint.ToString(),
            ex),
        _ => new HaClusterException(
            SshErrorIds.ConnectionFailed,
            FailureKind.ConnectionError,
            $"{endpoint}: SSH connection failed ({ex.Message}).",
            endpoint.ToString(),
            ex),
    };

    public static HaClusterException Timeout(SshEndpoint endpoint, Exception? ex) => Timeout(endpoint, (TimeSpan?)null, ex);

    /// <summary>One attempt ran out of its time.</summary>
    public static HaClusterException Timeout(SshEndpoint endpoint, TimeSpan? attempt, Exception? ex) => new(
        SshErrorIds.ConnectTimeout,
        FailureKind.OperationTimeout,
        $"{endpoint}: no SSH session within {(attempt is { } t ? Seconds(t) + " s" : "the connect timeout")} (host down, filtered, or not an SSH server).",
        endpoint.ToString(),
        ex);

    /// <summary>A connect ran out of its attempts: the message states the bound they had together.</summary>
    public static HaClusterException Timeout(SshEndpoint endpoint, SshConnectOptions options, Exception? ex) => new(
        SshErrorIds.ConnectTimeout,
        FailureKind.OperationTimeout,
        $"{endpoint}: no SSH session within {Seconds(options.ConnectBound)} s, the bound of one connect ({options.Attempts} attempt(s) of at most {Seconds(options.ConnectTimeout)} s, {Seconds(options.ConnectRetryDelay)} s apart): the host is down, filtered, or not an SSH server.",
        endpoint.ToString(),
        ex);

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public static HaClusterException Lost(SshEndpoint endpoint, Exception? ex) => new(
        SshErrorIds.ConnectionLost,
        FailureKind.ConnectionError,
        $"{endpoint}: the SSH connection was lost{(ex is null ? "." : " (" + ex.Message + ").")}",
        endpoint.ToString(),
        ex);

    /// <summary>True for failures that mean the connection is gone (worth a reconnect).</summary>
    public static bool IsConnectionLoss(Exception ex) =>
        ex is SshConnectionException or SocketException or ObjectDisposedException or IOException
        || (ex is HaClusterException h && h.ErrorId == SshErrorIds.ConnectionLost);

    public static HaClusterException Transfer(SshEndpoint endpoint, string what, string path, Exception ex) => ex switch
    {
        HaClusterException known => known,
        SftpPathNotFoundException => new HaClusterException(
            SshErrorIds.RemotePathNotFound,
            FailureKind.ObjectNotFound,
            $"{endpoint}: {what} failed: '{path}' does not exist.",
            path,
            ex),
        SftpPermissionDeniedException => new HaClusterException(
            SshErrorIds.RemoteAccessDenied,
            FailureKind.SecurityError,
            $"{endpoint}: {what} failed: permission denied on '{path}'.",
            path,
            ex),
        _ when IsConnectionLoss(ex) => Lost(endpoint, ex),
        _ => new HaClusterException(
            SshErrorIds.TransferFailed,
            FailureKind.InvalidResult,
            $"{endpoint}: {what} of '{path}' failed ({ex.Message}).",
            path,
            ex),
    };
}
