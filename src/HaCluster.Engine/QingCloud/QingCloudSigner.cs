// Copyright (c) HaCluster contributors. MIT License.
// QingCloud API request signing (reference/qingcloud-api.md §1.3); shared by the client and the emulator.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace HaCluster.Engine.QingCloud;

/// <summary>Computes QingCloud signature version 1 (HmacSHA256 or HmacSHA1).</summary>
public static class QingCloudSigner
{
    /// <summary>
    /// The canonical query: parameters except <c>signature</c>, sorted by ordinal name,
    /// RFC 3986 percent-encoded with uppercase hex, joined with '&amp;'.
    /// </summary>
    /// <param name="parameters">Flattened request parameters.</param>
    /// <returns>The canonical query string.</returns>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join("&", parameters
            .Where(p => p.Key != "signature")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Encode(p.Key) + "=" + Encode(p.Value.Trim())));

    /// <summary>The base64 signature of a request.</summary>
    /// <param name="method">HTTP method (GET or POST).</param>
    /// <param name="path">The literal request path, e.g. <c>/iaas/</c>; <c>/iaas</c> signs differently.</param>
    /// <param name="parameters">Flattened request parameters.</param>
    /// <param name="secretAccessKey">The secret key bytes as UTF-8 text.</param>
    /// <param name="signatureMethod"><c>HmacSHA256</c> (default) or <c>HmacSHA1</c>.</param>
    /// <returns>Standard base64 with padding.</returns>
    public static string Sign(string method, string path, IEnumerable<KeyValuePair<string, string>> parameters, string secretAccessKey, string signatureMethod = "HmacSHA256")
    {
        var stringToSign = method.ToUpperInvariant() + "\n" + path + "\n" + CanonicalQuery(parameters);
        var key = Encoding.UTF8.GetBytes(secretAccessKey);
        using HMAC hmac = string.Equals(signatureMethod, "HmacSHA1", StringComparison.Ordinal)
            ? new HMACSHA1(key)
            : new HMACSHA256(key);
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Percent-encodes UTF-8 text leaving only <c>A-Z a-z 0-9 - _ . ~</c>; space becomes %20.</summary>
    /// <param name="value">Text to encode.</param>
    /// <returns>The encoded text.</returns>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2"));
            }
        }

        return builder.ToString();
    }
}
