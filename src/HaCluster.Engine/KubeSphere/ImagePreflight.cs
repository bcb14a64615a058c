// Copyright (c) HaCluster contributors. MIT License.
// Proves from the taskbox that the first image ks-core pulls is in its registry, as a container runtime asks for it.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeSphere;

/// <summary>An image reference split as a container runtime splits it: registry (host and path), repository, tag.</summary>
public sealed class ImageReference
{
    /// <summary>Initializes the reference.</summary>
    /// <param name="registry">host[:port][/path] as the chart's values give it (docker.io, hub.kubesphere.com.cn, mirror.example/kse).</param>
    /// <param name="repository">The repository under the registry (kubesphere/ks-apiserver).</param>
    /// <param name="tag">The tag.</param>
    public ImageReference(string registry, string repository, string tag)
    {
        Registry = registry.TrimEnd('/');
        Repository = repository.Trim('/');
        Tag = tag;
    }

    /// <summary>The registry as given.</summary>
    public string Registry { get; }

    /// <summary>The repository as given.</summary>
    public string Repository { get; }

    /// <summary>The tag.</summary>
    public string Tag { get; }

    /// <summary>The host the distribution API answers on: Docker Hub's is registry-1.docker.io.</summary>
    public string ApiHost
    {
        get
        {
            var host = Registry.Split('/')[0];
            return host is "docker.io" or "index.docker.io" ? "registry-1.docker.io" : host;
        }
    }

    /// <summary>The name in /v2/&lt;name&gt;/manifests/&lt;tag&gt;: the registry's path, then the repository.</summary>
    public string Name
    {
        get
        {
            var slash = Registry.IndexOf('/');
            return (slash < 0 ? string.Empty : Registry.Substring(slash + 1) + "/") + Repository;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Registry + "/" + Repository + ":" + Tag;
}

/// <summary>
/// The image preflight: resolves the first image the chart pulls (ks-apiserver's, from the chart's values and the
/// -ImageRegistry override) and checks its manifest from the taskbox with curl, the way containerd and Docker do it
/// (OCI distribution spec): <c>GET /v2/</c> → 401 <c>WWW-Authenticate: Bearer realm=…,service=…</c> → an anonymous token
/// from the realm for <c>repository:&lt;name&gt;:pull</c> → <c>HEAD /v2/&lt;name&gt;/manifests/&lt;tag&gt;</c> accepting an OCI
/// index or a Docker manifest list.
/// </summary>
public static class ImagePreflight
{
    /// <summary>The registry the chart's values name when -ImageRegistry is not given (values.yaml global.imageRegistry).</summary>
    public const string ChartDefaultRegistry = "docker.io";

    /// <summary>The repository of the first workload the chart starts (values.yaml apiserver.image.repository).</summary>
    public const string FirstRepository = "kubesphere/ks-apiserver";

    /// <summary>What a runtime accepts for a multi-platform image, index first.</summary>
    public const string ManifestAccept = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary>The first image ks-core pulls: ks-apiserver from the values' registry and tag, else the chart's appVersion.</summary>
    /// <param name="options">The install options (-ImageRegistry, -Values).</param>
    /// <param name="appVersion">The chart's appVersion (the image tag by default), when known.</param>
    /// <returns>The image, or null when no tag is known.</returns>
    public static ImageReference? FirstImage(KubeSphereInstallOptions options, string? appVersion)
    {
        var values = options.FlatValues();
        string? Value(string key) => values.TryGetValue(key, out var v) && Convert.ToString(v, CultureInfo.InvariantCulture) is { Length: > 0 } s ? s : null;
        var registry = Value("apiserver.image.registry") ?? options.ResolvedImageRegistry ?? Value("global.imageRegistry") ?? ChartDefaultRegistry;
        var tag = Value("apiserver.image.tag") ?? Value("global.tag") ?? appVersion;
        return tag is null ? null : new ImageReference(registry, Value("apiserver.image.repository") ?? FirstRepository, tag);
    }

    /// <summary>Checks that <paramref name="image"/>'s manifest is in its registry, from the taskbox.</summary>
    /// <param name="session">The taskbox (where the nodes are).</param>
    /// <param name="image">The image.</param>
    /// <param name="observer">Verbose narration.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The manifest's digest.</returns>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.ImageNotFound"/> or <see cref="KubeSphereErrorIds.RegistryUnreachable"/>, naming the registry and the image.</exception>
    public static async Task<string?> CheckAsync(SshSession session, ImageReference image, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var where = session.Endpoint.DisplayName;
        observer.Verbose($"Preflight: checking that {image} (the first image ks-core pulls) is in {image.Registry}, from {where}.");
        var registry = new Registry(session, image.ApiHost, image.Registry, image.ToString());
        var token = await registry.AuthorizeAsync(image.Name, observer, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return null;
        }

        var url = registry.Url(image.Name + "/manifests/" + image.Tag);
        var headers = Headers(ManifestAccept, token);
        var head = await registry.CurlAsync("-I" + headers + " " + url, cancellationToken).ConfigureAwait(false);
        if (Status(head) == 200)
        {
            var digest = Header(head, "docker-content-digest");
            observer.Verbose($"Preflight: {image} is there{(digest is null ? string.Empty : " (" + digest + ")")}.");
            return digest;
        }

        // HEAD carries no body: GET once more for the registry's error code, as a runtime reports it.
        var (error, status) = SplitCode(await registry.CurlAsync("-w '\\n%{http_code}'" + headers + " " + url, cancellationToken).ConfigureAwait(false));
        throw new HaClusterException(
            KubeSphereErrorIds.ImageNotFound,
            FailureKind.ObjectNotFound,
            $"The image {image} (ks-apiserver, the first image ks-core pulls) cannot be pulled from the registry {image.Registry}, checked from {where}: HTTP {status.ToString(CultureInfo.InvariantCulture)} {RegistryError(error)}. "
                + $"Use -ImageRegistry with a registry that holds KubeSphere's images (-Preset CommunityEdition: {KubeSphereInstallOptions.CommunityEditionRegistry}); the docker.io/kubesphere images were withdrawn in July 2025.",
            image.ToString());
    }

    /// <summary>
    /// Reads an OCI chart's appVersion from its registry without helm (before kk installs it): the chart's manifest (as
    /// <c>helm push</c> stores it) and its config blob, the Chart.yaml as JSON. A missing version is the chart preflight's
    /// failure.
    /// </summary>
    /// <param name="session">The taskbox.</param>
    /// <param name="options">The options (an <c>oci://</c> chart and its version).</param>
    /// <param name="observer">Verbose narration.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The appVersion; null for a chart that is not an OCI reference, or a registry that needs a login.</returns>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.ChartNotFound"/> or <see cref="KubeSphereErrorIds.RegistryUnreachable"/>.</exception>
    public static async Task<string?> ChartAppVersionAsync(SshSession session, KubeSphereInstallOptions options, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var chart = options.ResolvedChart;
        if (!chart.StartsWith("oci://", StringComparison.Ordinal))
        {
            return null;
        }

        var path = chart.Substring(6);
        var slash = path.IndexOf('/');
        var host = slash < 0 ? path : path.Substring(0, slash);
        var name = slash < 0 ? string.Empty : path.Substring(slash + 1);
        observer.Verbose($"Preflight: helm is not on the taskbox yet; reading chart {chart} {options.ResolvedChartVersion} from {host} as the registry serves it to helm, from {session.Endpoint.DisplayName}.");
        var registry = new Registry(session, host, host, chart);
        var token = await registry.AuthorizeAsync(name, observer, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return null;
        }

        var (manifest, status) = SplitCode(await registry.CurlAsync("-w '\\n%{http_code}'" + Headers("application/vnd.oci.image.manifest.v1+json", token) + " " + registry.Url(name + "/manifests/" + options.ResolvedChartVersion), cancellationToken).ConfigureAwait(false));
        if (status != 200)
        {
            throw KubeSphereInstaller.ChartNotFound(options, session.Endpoint.DisplayName, $"HTTP {status.ToString(CultureInfo.InvariantCulture)} {RegistryError(manifest)}");
        }

        var digest = ConfigDigest(manifest);
        var (config, blobStatus) = digest is null ? (string.Empty, 0)
            : SplitCode(await registry.CurlAsync("-L -w '\\n%{http_code}'" + Headers("*/*", token) + " " + registry.Url(name + "/blobs/" + digest), cancellationToken).ConfigureAwait(false));
        var app = blobStatus == 200 ? JsonString(config, "appVersion") : null;
        observer.Verbose($"Preflight: chart {chart} {options.ResolvedChartVersion} is there (KubeSphere {app ?? "unknown"}).");
        return app;
    }

    private static string Headers(string accept, string token) =>
        " -H " + ShellQuote.Quote("Accept: " + accept) + (token.Length == 0 ? string.Empty : " -H " + ShellQuote.Quote("Authorization: Bearer " + token));

    private static string? ConfigDigest(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            return document.RootElement.TryGetProperty("config", out var config) && config.TryGetProperty("digest", out var digest) ? digest.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? JsonString(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One registry as seen from the taskbox: curl there, the /v2/ ping and the anonymous token dance.</summary>
    private sealed class Registry
    {
        private readonly SshSession _session;
        private readonly string _apiHost;
        private readonly string _label;
        private readonly string _subject;

        public Registry(SshSession session, string apiHost, string label, string subject)
        {
            _session = session;
            _apiHost = apiHost;
            _label = label;
            _subject = subject;
        }

        public string Url(string path) => ShellQuote.Quote("https://" + _apiHost + "/v2/" + path);

        /// <summary>The pull token for <paramref name="name"/>: empty when the registry needs none, null when it needs a login (warned).</summary>
        public async Task<string?> AuthorizeAsync(string name, IOperationObserver observer, CancellationToken cancellationToken)
        {
            var ping = await CurlAsync("-o /dev/null -D - " + Url(string.Empty), cancellationToken).ConfigureAwait(false);
            var status = Status(ping);
            if (status == 200)
            {
                return string.Empty;
            }

            if (status != 401)
            {
                throw Unreachable($"GET https://{_apiHost}/v2/ answered HTTP {status.ToString(CultureInfo.InvariantCulture)} instead of 200 or 401: not a container registry");
            }

            var challenge = Header(ping, "www-authenticate") ?? string.Empty;
            if (!challenge.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                observer.Warning($"Preflight: {_label} asks for a login ({challenge.Split(' ')[0]}); the nodes need one configured in their container runtime, which this check does not have, so {_subject} was not checked.");
                return null;
            }

            var parameters = ChallengeParameters(challenge.Substring(7));
            if (!parameters.TryGetValue("realm", out var realm))
            {
                throw Unreachable($"its 401 names no token realm ({challenge})");
            }

            var query = (parameters.TryGetValue("service", out var service) ? " --data-urlencode " + ShellQuote.Quote("service=" + service) : string.Empty)
                + " --data-urlencode " + ShellQuote.Quote("scope=repository:" + name + ":pull");
            var (body, code) = SplitCode(await CurlAsync("-G -w '\\n%{http_code}'" + query + " " + ShellQuote.Quote(realm), cancellationToken).ConfigureAwait(false));
            var token = code == 200 ? JsonString(body, "token") ?? JsonString(body, "access_token") : null;
            if (token is null)
            {
                observer.Warning($"Preflight: the token service {realm} of {_label} gave no anonymous pull token (HTTP {code.ToString(CultureInfo.InvariantCulture)}); the nodes need a login configured in their container runtime, so {_subject} was not checked.");
            }

            return token;
        }

        public async Task<string> CurlAsync(string arguments, CancellationToken cancellationToken)
        {
            var run = await _session.RunAsync("curl -sS -m 20 " + arguments, new SshRunOptions { Timeout = Timeout }, cancellationToken).ConfigureAwait(false);
            if (!run.Succeeded)
            {
                throw Unreachable((run.Stderr + "\n" + run.Stdout).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "curl exit code " + run.ExitCode?.ToString(CultureInfo.InvariantCulture));
            }

            return run.Stdout;
        }

        private HaClusterException Unreachable(string why) => new(
            KubeSphereErrorIds.RegistryUnreachable,
            FailureKind.ConnectionError,
            $"The registry {_label} of {_subject} does not answer from {_session.Endpoint.DisplayName}: {why}. Use -ImageRegistry (and -Chart) with a registry the nodes can reach.",
            _label);
    }

    private static int Status(string headers)
    {
        // The last status line: curl prints each response of a redirect or a 100-continue.
        var line = headers.Split('\n').LastOrDefault(l => l.StartsWith("HTTP/", StringComparison.Ordinal));
        var parts = line?.Split(' ');
        return parts is { Length: > 1 } && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 0;
    }

    private static string? Header(string headers, string name) =>
        headers.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l.Substring(name.Length + 1).Trim())
            .LastOrDefault();

    /// <summary>The parameters of a Bearer challenge: <c>realm="…",service="…",scope="…"</c>.</summary>
    /// <param name="text">The challenge after "Bearer ".</param>
    /// <returns>Name to value.</returns>
    internal static Dictionary<string, string> ChallengeParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = text.Substring(i, eq - i).Trim(' ', ',');
            string value;
            if (eq + 1 < text.Length && text[eq + 1] == '"')
            {
                var end = text.IndexOf('"', eq + 2);
                end = end < 0 ? text.Length : end;
                value = text.Substring(eq + 2, end - eq - 2);
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', eq + 1);
                end = end < 0 ? text.Length : end;
                value = text.Substring(eq + 1, end - eq - 1).Trim();
                i = end;
            }

            result[name] = value;
            i++;
        }

        return result;
    }

    private static (string Body, int Code) SplitCode(string output)
    {
        var trimmed = output.TrimEnd('\n', '\r');
        var last = trimmed.LastIndexOf('\n');
        var codeText = last < 0 ? trimmed : trimmed.Substring(last + 1);
        return (last < 0 ? string.Empty : trimmed.Substring(0, last), int.TryParse(codeText.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 0);
    }

    /// <summary>The registry's first error as "CODE: message", from the errors document the distribution spec defines.</summary>
    /// <param name="body">The reply body.</param>
    /// <returns>The error, or a short note when the body is not a registry error.</returns>
    internal static string RegistryError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var code = first.TryGetProperty("code", out var c) ? c.GetString() : null;
                var message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                var text = code + (message is null ? string.Empty : ": " + message);
                return code == "UNAUTHORIZED" ? text + " (the repository does not exist, or needs a login the nodes do not have)" : text;
            }
        }
        catch (JsonException)
        {
            // Not JSON.
        }

        return "(no registry error document)";
    }
}
