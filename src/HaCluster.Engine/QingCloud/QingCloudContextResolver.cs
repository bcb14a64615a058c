// Copyright (c) HaCluster contributors. MIT License.
// Resolves a QingCloudContext from parameters, a CLI profile file and the environment, in that order.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.QingCloud;

/// <summary>What the caller gave explicitly; any part may be missing.</summary>
public sealed class QingCloudContextRequest
{
    /// <summary>Explicit access key id.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Explicit secret access key.</summary>
    public SecureString? SecretAccessKey { get; set; }

    /// <summary>Explicit zone.</summary>
    public string? Zone { get; set; }

    /// <summary>Explicit endpoint URL.</summary>
    public string? Endpoint { get; set; }

    /// <summary>A profile file in the official CLI's format; it must exist when given.</summary>
    public string? ProfilePath { get; set; }
}

/// <summary>
/// Builds a <see cref="QingCloudContext"/>. Each part is taken from the first source that has it:
/// <list type="number">
/// <item>the explicit values in <see cref="QingCloudContextRequest"/>;</item>
/// <item>the profile file named by <see cref="QingCloudContextRequest.ProfilePath"/>
/// (keys <c>qy_access_key_id</c>, <c>qy_secret_access_key</c>, <c>zone</c>, <c>host</c>, <c>port</c>, <c>protocol</c>, <c>uri</c>);</item>
/// <item>the environment: <c>QINGCLOUD_ACCESS_KEY</c>, <c>QINGCLOUD_SECRET_KEY</c>, <c>QINGCLOUD_ZONE</c>, <c>QINGCLOUD_ENDPOINT</c>;</item>
/// <item>the official CLI's default profile <c>~/.qingcloud/config.yaml</c>, when no profile path was given and the file exists.</item>
/// </list>
/// The access key id and secret always come as a pair from one source, so a key id from one place is
/// never combined with a secret from another.
/// </summary>
public static class QingCloudContextResolver
{
    /// <summary>Environment variable holding the access key id (the Terraform provider's name).</summary>
    public const string AccessKeyVariable = "QINGCLOUD_ACCESS_KEY";

    /// <summary>Environment variable holding the secret access key.</summary>
    public const string SecretKeyVariable = "QINGCLOUD_SECRET_KEY";

    /// <summary>Environment variable holding the zone.</summary>
    public const string ZoneVariable = "QINGCLOUD_ZONE";

    /// <summary>Environment variable holding the endpoint URL.</summary>
    public const string EndpointVariable = "QINGCLOUD_ENDPOINT";

    /// <summary>The official CLI's profile path in the user's home directory.</summary>
    public static string DefaultProfilePath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".qingcloud", "config.yaml");

    /// <summary>Resolves a context.</summary>
    /// <param name="request">Explicit values and the optional profile path.</param>
    /// <param name="environment">Reads an environment variable; null means the process environment.</param>
    /// <param name="defaultProfilePath">The fallback profile; null means <see cref="DefaultProfilePath"/>.</param>
    /// <returns>The context.</returns>
    /// <exception cref="HaClusterException">Credentials or zone are missing, incomplete or malformed.</exception>
    public static QingCloudContext Resolve(QingCloudContextRequest request, Func<string, string?>? environment = null, string? defaultProfilePath = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var sources = new List<Source>
        {
            new("Parameters", request.AccessKeyId, request.SecretAccessKey, request.Zone, request.Endpoint),
        };
        if (!string.IsNullOrEmpty(request.ProfilePath))
        {
            sources.Add(ReadProfile(request.ProfilePath!));
        }

        sources.Add(FromEnvironment(environment));
        var fallback = defaultProfilePath ?? DefaultProfilePath;
        if (string.IsNullOrEmpty(request.ProfilePath) && File.Exists(fallback))
        {
            sources.Add(ReadProfile(fallback));
        }

        var credentials = sources.Find(s => !string.IsNullOrEmpty(s.AccessKeyId) || s.Secret is { Length: > 0 });
        if (credentials is null)
        {
            throw new HaClusterException(
                "QingCloudCredentialsNotFound",
                FailureKind.AuthenticationError,
                $"No QingCloud credentials were found. Give -AccessKeyId and -SecretAccessKey, a profile file with qy_access_key_id and qy_secret_access_key, or set {AccessKeyVariable} and {SecretKeyVariable}.");
        }

        if (string.IsNullOrEmpty(credentials.AccessKeyId) || credentials.Secret is not { Length: > 0 })
        {
            var missing = string.IsNullOrEmpty(credentials.AccessKeyId) ? "the access key id" : "the secret access key";
            throw new HaClusterException(
                "QingCloudCredentialsIncomplete",
                FailureKind.InvalidArgument,
                $"{credentials.Name} gives only half of the QingCloud credentials: {missing} is missing.",
                credentials.Name);
        }

        var zone = sources.Find(s => !string.IsNullOrWhiteSpace(s.Zone))?.Zone;
        if (zone is null)
        {
            throw new HaClusterException(
                "QingCloudZoneMissing",
                FailureKind.InvalidArgument,
                $"No QingCloud zone was given. Give -Zone, a 'zone' key in the profile file, or set {ZoneVariable}.");
        }

        var endpoint = sources.Find(s => !string.IsNullOrWhiteSpace(s.Endpoint))?.Endpoint;
        return new QingCloudContext(
            credentials.AccessKeyId!,
            credentials.Secret!,
            zone,
            endpoint is null ? null : QingCloudContext.ParseEndpoint(endpoint),
            credentials.Name);
    }

    private static Source FromEnvironment(Func<string, string?> environment)
    {
        var secret = environment(SecretKeyVariable);
        return new Source(
            "Environment",
            environment(AccessKeyVariable),
            string.IsNullOrEmpty(secret) ? null : QingCloudContext.ToSecureString(secret!),
            environment(ZoneVariable),
            environment(EndpointVariable));
    }

    // The official CLI's YAML profile: a flat mapping of scalars. Errors never quote the file's content.
    private static Source ReadProfile(string path)
    {
        var name = "Profile " + path;
        string text;
        try
        {
            text = YamlText.ReadFile(path, name);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HaClusterException("QingCloudProfileNotFound", FailureKind.ObjectNotFound, $"The QingCloud profile file '{path}' does not exist.", path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HaClusterException("QingCloudProfileUnreadable", FailureKind.ResourceUnavailable, $"The QingCloud profile file '{path}' cannot be read: {ex.GetType().Name}.", path);
        }

        // The module's one bounded YAML reader; its parser messages could quote the secret, so errors give line and column only.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var documents = YamlText.Parse(text, $"The QingCloud profile file '{path}'", "QingCloudProfileInvalid", quoteParserMessage: false);
        if (documents.Count > 0)
        {
            if (documents[0] is not YMap root)
            {
                throw InvalidProfile(path, "the document is not a mapping of keys to values");
            }

            foreach (var entry in root.Entries)
            {
                if (entry.Value is YScalar scalar)
                {
                    values[entry.Key] = scalar.Value;
                }
            }
        }

        values.TryGetValue("qy_access_key_id", out var keyId);
        values.TryGetValue("qy_secret_access_key", out var secret);
        values.TryGetValue("zone", out var zone);
        return new Source(
            name,
            keyId,
            string.IsNullOrEmpty(secret) ? null : QingCloudContext.ToSecureString(secret!),
            zone,
            ProfileEndpoint(values, path));
    }

    // host/port/protocol/uri as the SDKs combine them; defaults are the public endpoint's.
    private static string? ProfileEndpoint(Dictionary<string, string> values, string path)
    {
        values.TryGetValue("host", out var host);
        values.TryGetValue("port", out var port);
        values.TryGetValue("protocol", out var protocol);
        values.TryGetValue("uri", out var uri);
        if (host is null && port is null && protocol is null && uri is null)
        {
            return null;
        }

        protocol = string.IsNullOrWhiteSpace(protocol) ? "https" : protocol!.Trim().ToLowerInvariant();
        if (port is not null && !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw InvalidProfile(path, $"'port' must be a number, not '{port}'");
        }

        port ??= protocol == "http" ? "80" : "443";
        uri = string.IsNullOrWhiteSpace(uri) ? "/iaas/" : uri!.Trim();
        if (!uri.StartsWith("/", StringComparison.Ordinal))
        {
            uri = "/" + uri;
        }

        return $"{protocol}://{(string.IsNullOrWhiteSpace(host) ? "api.qingcloud.com" : host!.Trim())}:{port}{uri}";
    }

    private static HaClusterException InvalidProfile(string path, string reason) =>
        new("QingCloudProfileInvalid", FailureKind.InvalidData, $"The QingCloud profile file '{path}' is not valid: {reason}.", path);

    private sealed class Source
    {
        public Source(string name, string? accessKeyId, SecureString? secret, string? zone, string? endpoint)
        {
            Name = name;
            AccessKeyId = string.IsNullOrWhiteSpace(accessKeyId) ? null : accessKeyId;
            Secret = secret;
            Zone = string.IsNullOrWhiteSpace(zone) ? null : zone;
            Endpoint = string.IsNullOrWhiteSpace(endpoint) ? null : endpoint;
        }

        public string Name { get; }

        public string? AccessKeyId { get; }

        public SecureString? Secret { get; }

        public string? Zone { get; }

        public string? Endpoint { get; }
    }
}
