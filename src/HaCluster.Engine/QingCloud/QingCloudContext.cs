// Copyright (c) HaCluster contributors. MIT License.
// Who calls QingCloud, in which zone, at which endpoint; the secret stays in a SecureString.

using System;
using System.Runtime.InteropServices;
using System.Security;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// The credentials, zone and endpoint every QingCloud call uses. The secret access key is held as a
/// read-only <see cref="SecureString"/>; <see cref="ToString"/> and every property show only the
/// access key id, so printing, formatting or serialising a context never reveals the secret.
/// </summary>
public sealed class QingCloudContext
{
    /// <summary>The public QingCloud endpoint, used when no endpoint is configured.</summary>
    public const string DefaultEndpoint = "https://api.qingcloud.com/iaas/";

    private readonly SecureString _secretAccessKey;

    /// <summary>Creates a context and validates every part (nothing is sent anywhere).</summary>
    /// <param name="accessKeyId">The access key id, e.g. <c>QYACCESSKEYIDEXAMPLE</c>.</param>
    /// <param name="secretAccessKey">The secret access key; copied, so the caller may dispose its own.</param>
    /// <param name="zone">The zone, e.g. <c>pek3b</c>; stored in lower case.</param>
    /// <param name="endpoint">
    /// The API endpoint. Its path is signed exactly as given (<c>/iaas/</c> and <c>/iaas</c> sign differently);
    /// an endpoint without a path gets <c>/iaas/</c>. Null means <see cref="DefaultEndpoint"/>.
    /// </param>
    /// <param name="source">Where the credentials came from (for display), e.g. <c>Parameters</c>.</param>
    /// <exception cref="HaClusterException">A part is missing or malformed.</exception>
    public QingCloudContext(string accessKeyId, SecureString secretAccessKey, string zone, Uri? endpoint = null, string source = "Parameters")
    {
        if (string.IsNullOrWhiteSpace(accessKeyId))
        {
            throw new HaClusterException("QingCloudAccessKeyIdMissing", FailureKind.InvalidArgument, "The QingCloud access key id is empty.", accessKeyId);
        }

        if (secretAccessKey is null || secretAccessKey.Length == 0)
        {
            throw new HaClusterException("QingCloudSecretKeyMissing", FailureKind.InvalidArgument, $"The QingCloud secret access key for '{accessKeyId}' is empty.", accessKeyId);
        }

        if (string.IsNullOrWhiteSpace(zone))
        {
            throw new HaClusterException("QingCloudZoneMissing", FailureKind.InvalidArgument, "No QingCloud zone was given (for example 'pek3b').", zone);
        }

        AccessKeyId = accessKeyId.Trim();
        Zone = zone.Trim().ToLowerInvariant();
        Endpoint = NormalizeEndpoint(endpoint ?? new Uri(DefaultEndpoint));
        Source = source;
        _secretAccessKey = secretAccessKey.Copy();
        _secretAccessKey.MakeReadOnly();
    }

    /// <summary>The access key id (not secret).</summary>
    public string AccessKeyId { get; }

    /// <summary>
    /// The secret access key as a read-only SecureString. Internal: a public property would be written out by
    /// Export-Clixml (as plain text on Linux) and ConvertTo-Json (its length); <see cref="HasSecretAccessKey"/> says it is set.
    /// </summary>
    internal SecureString SecretAccessKey => _secretAccessKey;

    /// <summary>True when the context holds a secret access key (the secret itself is never exposed).</summary>
    public bool HasSecretAccessKey => _secretAccessKey.Length > 0;

    /// <summary>The zone every call is made in.</summary>
    public string Zone { get; }

    /// <summary>The endpoint URL; its path is the one requests are sent to and signed with.</summary>
    public Uri Endpoint { get; }

    /// <summary>Where the credentials came from: <c>Parameters</c>, <c>Profile &lt;path&gt;</c> or <c>Environment</c>.</summary>
    public string Source { get; }

    /// <summary>
    /// How long this context's jobs of each action took (see <see cref="QingCloud.JobDurations"/>): shared by every client
    /// made with the context, so it outlives one cmdlet call. Internal, so it is never formatted or serialised.
    /// </summary>
    internal JobDurations JobDurations { get; } = new();

    /// <summary>The literal request path that is signed, e.g. <c>/iaas/</c>.</summary>
    public string ApiPath => Endpoint.AbsolutePath;

    /// <summary>Returns a copy for another zone (same credentials and endpoint).</summary>
    /// <param name="zone">The zone.</param>
    /// <returns>The new context.</returns>
    public QingCloudContext WithZone(string zone) => new(AccessKeyId, _secretAccessKey, zone, Endpoint, Source);

    /// <summary>Shows the key id, zone and endpoint; never the secret.</summary>
    /// <returns>For example <c>QYACCESSKEYIDEXAMPLE@pek3b https://api.qingcloud.com/iaas/</c>.</returns>
    public override string ToString() => $"{AccessKeyId}@{Zone} {Endpoint}";

    /// <summary>Parses and normalises an endpoint URL, rejecting anything but absolute http(s) URLs.</summary>
    /// <param name="endpoint">The text.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="HaClusterException">The text is not an absolute http or https URL.</exception>
    public static Uri ParseEndpoint(string endpoint)
    {
        if (!Uri.TryCreate(endpoint?.Trim(), UriKind.Absolute, out var uri))
        {
            throw InvalidEndpoint(endpoint ?? string.Empty);
        }

        return NormalizeEndpoint(uri);
    }

    /// <summary>
    /// The secret as plain text, for signing only. Callers keep the string no longer than one signature.
    /// </summary>
    /// <returns>The secret access key.</returns>
    internal string RevealSecret()
    {
        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(_secretAccessKey);
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>Builds a read-only SecureString from plain text (profile files and environment variables).</summary>
    /// <param name="text">The secret text.</param>
    /// <returns>The SecureString.</returns>
    internal static SecureString ToSecureString(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    private static Uri NormalizeEndpoint(Uri uri)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.Query))
        {
            throw InvalidEndpoint(uri.OriginalString);
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // The user-info part may hold a password: name the problem without echoing it.
            var redacted = uri.Scheme + "://" + uri.Authority + uri.AbsolutePath;
            throw new HaClusterException("QingCloudInvalidEndpoint", FailureKind.InvalidArgument, $"The endpoint '{redacted}' must not contain user information; QingCloud authenticates with the access key.", redacted);
        }

        // A bare host means the documented default path; any explicit path is kept byte for byte.
        return uri.AbsolutePath == "/" ? new Uri(uri, "/iaas/") : uri;
    }

    private static HaClusterException InvalidEndpoint(string endpoint) =>
        new("QingCloudInvalidEndpoint", FailureKind.InvalidArgument, $"'{endpoint}' is not an absolute http or https URL without a query, such as 'https://api.qingcloud.com/iaas/'.", endpoint);
}
