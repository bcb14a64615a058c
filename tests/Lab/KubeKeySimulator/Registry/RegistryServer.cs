// Copyright (c) HaCluster contributors. MIT License.
// `sim registry start|stop`: the lab's image registries (Docker Hub, hub.kubesphere.com.cn, registry.lab.test) as one
// HTTPS server speaking the OCI distribution API with token auth, and the taskbox's curl pointed at it.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HaCluster.Lab.KubeKeySimulator.Registry;

/// <summary>
/// Answers as the real registries do (tests/Fixtures/helm/SOURCES.md, "registry"): <c>/v2/</c> without a token is 401 with
/// <c>WWW-Authenticate: Bearer realm=…,service=…</c>; the realm hands out anonymous pull tokens (Docker Hub's
/// auth.docker.io/token, Harbor's /service/token elsewhere); a manifest request with the token is 200 with the
/// Docker-Content-Digest, 404 <c>MANIFEST_UNKNOWN</c> (detail <c>{"Tag":…}</c>) for a missing tag, 404 <c>NAME_UNKNOWN</c> for a
/// missing repository, and on Docker Hub 401 <c>UNAUTHORIZED</c> with <c>error="insufficient_scope"</c> for a repository
/// that is gone. HEAD answers the same status and headers without the body.
/// </summary>
internal static class RegistryServer
{
    private const string Verb = "registry-serve";
    private const string IndexMediaType = "application/vnd.oci.image.index.v1+json";

    /// <summary><c>sim registry start --bin DIR --listen ADDRESS:PORT</c> / <c>sim registry stop --bin DIR</c>.</summary>
    /// <param name="args">The arguments after <c>registry</c>.</param>
    /// <returns>Exit code.</returns>
    public static int Command(string[] args)
    {
        string? bin = null;
        string? listen = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--bin" when i + 1 < args.Length:
                    bin = args[++i];
                    break;
                case "--listen" when i + 1 < args.Length:
                    listen = args[++i];
                    break;
                default:
                    throw new ArgumentException("unknown argument '" + args[i] + "' for 'sim registry'");
            }
        }

        if (bin is null || args.Length == 0)
        {
            throw new ArgumentException("sim registry start --bin DIR --listen ADDRESS:PORT | sim registry stop --bin DIR");
        }

        var state = new SimState(Path.Combine(bin, ".registry"));
        var curl = Path.Combine(Path.GetFullPath(bin), "curl");
        switch (args[0])
        {
            case "start":
                var endpoint = listen?.Split(':') is [var address, var port] ? new Endpoint(address, int.Parse(port, CultureInfo.InvariantCulture))
                    : throw new ArgumentException("sim registry start needs --listen ADDRESS:PORT");
                state.StopServe(Verb);
                var ttl = double.TryParse(Environment.GetEnvironmentVariable("KK_SIM_TTL"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : 7200;
                File.WriteAllText(state.SpecPath, JsonSerializer.Serialize(new RegistrySpec(endpoint, ttl), ServeSpec.Json));
                if (state.StartServe(Verb) is { } failure)
                {
                    Console.Error.WriteLine("registry stand-in: " + failure);
                    return 1;
                }

                WriteCurl(curl, state, endpoint);
                Console.Out.WriteLine("registry stand-in on " + listen + " for " + string.Join(", ", RegistryHoldings.Hosts) + "; curl: " + curl);
                return 0;
            case "stop":
                state.StopServe(Verb);
                File.Delete(curl);
                Console.Out.WriteLine("registry stand-in stopped");
                return 0;
            default:
                throw new ArgumentException("sim registry verbs: start, stop");
        }
    }

    /// <summary>The detached server (<c>sim registry-serve --state DIR</c>).</summary>
    /// <param name="state">Its state folder.</param>
    /// <returns>Exit code.</returns>
    public static async Task<int> RunAsync(SimState state)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<RegistrySpec>(await File.ReadAllTextAsync(state.SpecPath), ServeSpec.Json)
                ?? throw new InvalidDataException("empty spec");
            using var certificate = StandInServer.CreateCertificate("CN=lab registry", RegistryHoldings.Hosts, Array.Empty<string>(), authority: true);
            await File.WriteAllTextAsync(CaPath(state), certificate.ExportCertificatePem() + "\n");
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = state.Directory });
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(spec.Listen.Address), spec.Listen.Port, l => l.UseHttps(certificate)));
            await using var app = builder.Build();
            app.Run(HandleAsync);
            return await StandInServer.ServeAsync(app, state, spec.LifetimeSeconds);
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidDataException or CryptographicException)
        {
            await File.WriteAllTextAsync(state.FailedPath, ex.Message + "\n");
            return 1;
        }
    }

    private static string CaPath(SimState state) => Path.Combine(state.Directory, "ca.crt");

    // The taskbox's curl: the real one, told (as DNS and the CA store would) that every registry host is the stand-in.
    private static void WriteCurl(string path, SimState state, Endpoint endpoint)
    {
        var real = new[] { "/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl" }.FirstOrDefault(File.Exists)
            ?? throw new ArgumentException("no curl on this machine");
        var config = Path.Combine(state.Directory, "curlrc");
        File.WriteAllText(config, "# The lab's name resolution and CA store for registries (tests/Lab/KubeKeySimulator/Registry).\n"
            + "connect-to = \"::" + endpoint.Address + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture) + "\"\n"
            + "cacert = \"" + CaPath(state) + "\"\n");
        File.WriteAllText(path, "#!/bin/sh\n# curl with the lab's registry stand-in (tests/Lab/KubeKeySimulator/Registry).\nexec " + real + " -K '" + config + "' \"$@\"\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(state.Directory, (UnixFileMode)0b111_101_101);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        var path = context.Request.Path.Value ?? "/";
        var dockerHub = host is "registry-1.docker.io" or "auth.docker.io";
        var realm = dockerHub ? "https://auth.docker.io/token" : "https://" + host + "/service/token";
        var service = dockerHub ? "registry.docker.io" : "harbor-registry";
        context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
        if (host == "auth.docker.io" && path == "/token" || !dockerHub && path == "/service/token")
        {
            var requested = context.Request.Query["scope"].ToString();
            var issued = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
            var token = "lab." + Convert.ToBase64String(Encoding.UTF8.GetBytes(requested)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            await Json(context, 200, JsonSerializer.Serialize(new Dictionary<string, object> { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300, ["issued_at"] = issued }));
            return;
        }

        var granted = Granted(context.Request.Headers.Authorization.ToString());
        if (path == "/v2/" || path == "/v2")
        {
            if (granted is null)
            {
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{realm}\",service=\"{service}\"";
                await Json(context, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}""" + "\n");
                return;
            }

            await Json(context, 200, "{}");
            return;
        }

        var manifests = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
        var blobs = path.LastIndexOf("/blobs/", StringComparison.Ordinal);
        if (!path.StartsWith("/v2/", StringComparison.Ordinal) || (manifests < 0 && blobs < 0))
        {
            await Json(context, 404, """{"errors":[{"code":"NOT_FOUND","message":"not found"}]}""" + "\n");
            return;
        }

        var repository = path[4..(manifests >= 0 ? manifests : blobs)];
        var tag = manifests >= 0 ? path[(manifests + "/manifests/".Length)..] : string.Empty;
        var scope = "repository:" + repository + ":pull";
        if (granted is null || !granted.Split(' ').Contains(scope))
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{realm}\",service=\"{service}\",scope=\"{scope}\"";
            await Json(context, 401, Unauthorized(repository));
            return;
        }

        if (blobs >= 0)
        {
            await ChartBlobAsync(context, host, repository, path[(blobs + "/blobs/".Length)..]);
            return;
        }

        switch (RegistryHoldings.Find(host, repository, tag))
        {
            case RegistryHoldings.Holding.Withdrawn or RegistryHoldings.Holding.NoRepository when dockerHub:
                // Docker Hub grants an anonymous token for any name, then refuses the pull of one that does not exist.
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{realm}\",service=\"{service}\",scope=\"{scope}\",error=\"insufficient_scope\"";
                await Json(context, 401, Unauthorized(repository));
                return;
            case RegistryHoldings.Holding.NoRepository:
                await Json(context, 404, JsonSerializer.Serialize(new { errors = new[] { new { code = "NAME_UNKNOWN", message = "repository name not known to registry", detail = new { name = repository } } } }) + "\n");
                return;
            case RegistryHoldings.Holding.NoTag:
                await Json(context, 404, """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":""" + JsonSerializer.Serialize(tag) + "}}]}\n");
                return;
            case RegistryHoldings.Holding.Present when RegistryHoldings.ChartAppVersion(host, repository, tag) is { } appVersion:
                await ChartManifestAsync(context, repository, tag, appVersion);
                return;
            default:
                var index = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""");
                var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(host + "/" + repository + ":" + tag)));
                context.Response.Headers["Docker-Content-Digest"] = digest;
                context.Response.Headers.ETag = "\"" + digest + "\"";
                context.Response.ContentType = IndexMediaType;
                context.Response.ContentLength = index.Length;
                if (!HttpMethods.IsHead(context.Request.Method))
                {
                    await context.Response.Body.WriteAsync(index);
                }

                return;
        }
    }

    // A chart as `helm push` stores it: an OCI image manifest whose config is the Chart.yaml as JSON (Helm's OCI docs).
    private static string ChartConfig(string repository, string version, string appVersion) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = repository.Split('/')[^1], ["version"] = version, ["description"] = "A Helm chart for KubeSphere Core components", ["apiVersion"] = "v2", ["appVersion"] = appVersion, ["type"] = "application" });

    private static string Digest(string content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private static async Task ChartManifestAsync(HttpContext context, string repository, string version, string appVersion)
    {
        var config = ChartConfig(repository, version, appVersion);
        var layer = Digest(repository + ":" + version + ".tgz");
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"" + Digest(config) + "\",\"size\":"
            + Encoding.UTF8.GetByteCount(config).ToString(CultureInfo.InvariantCulture) + "},\"layers\":[{\"mediaType\":\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\",\"digest\":\"" + layer + "\",\"size\":40960}]}");
        context.Response.Headers["Docker-Content-Digest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));
        context.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
        context.Response.ContentLength = manifest.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(manifest);
        }
    }

    private static async Task ChartBlobAsync(HttpContext context, string host, string repository, string digest)
    {
        var config = RegistryHoldings.Charts.TryGetValue("oci://" + host + "/" + repository, out var versions)
            ? versions.Select(v => ChartConfig(repository, v.Key, v.Value)).FirstOrDefault(c => Digest(c) == digest)
            : null;
        if (config is null)
        {
            await Json(context, 404, JsonSerializer.Serialize(new { errors = new[] { new { code = "BLOB_UNKNOWN", message = "blob unknown to registry", detail = digest } } }) + "\n");
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(config);
        context.Response.Headers["Docker-Content-Digest"] = digest;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes);
        }
    }

    private static string Unauthorized(string repository) =>
        JsonSerializer.Serialize(new { errors = new[] { new { code = "UNAUTHORIZED", message = "authentication required", detail = new[] { new { Type = "repository", Class = string.Empty, Name = repository, Action = "pull" } } } } }) + "\n";

    // The scopes a bearer token grants (the stand-in's tokens carry them; Docker Hub's JWTs carry them as "access").
    private static string? Granted(string authorization)
    {
        if (!authorization.StartsWith("Bearer lab.", StringComparison.Ordinal))
        {
            return null;
        }

        var encoded = authorization["Bearer lab.".Length..].Replace('-', '+').Replace('_', '/');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // The body goes out on GET only; HEAD gets the status and headers (Content-Length included), as registries answer.
    private static async Task Json(HttpContext context, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes);
        }
    }

    /// <summary>Where the registry stand-in listens and how long it lives.</summary>
    internal sealed record RegistrySpec(Endpoint Listen, double LifetimeSeconds);
}
