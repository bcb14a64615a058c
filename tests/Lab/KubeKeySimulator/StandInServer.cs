// Copyright (c) HaCluster contributors. MIT License.
// `sim serve`: the detached process holding the stand-in apiservers (HTTPS :6443), KubeSphere consoles (HTTP :30880),
// and the ports kk's etcd (2379/2380) and kubelets (10250) hold.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>
/// Serves what a kk-built cluster answers on the network: each control-plane node's apiserver (<c>/livez</c>,
/// <c>/readyz</c>, <c>/healthz</c>, <c>/version</c>, <c>/api/v1/nodes</c>) over HTTPS with a self-signed
/// certificate made here, and ks-console's page on every node when KubeSphere is enabled. Runs until
/// <c>kk-sim stop</c> kills it or its lifetime ends.
/// </summary>
internal static class StandInServer
{
    private const string ConsolePage = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>KubeSphere</title></head>
        <body><div id="root">KubeSphere console (KubeKey simulator stand-in)</div></body>
        </html>

        """;

    public static async Task<int> RunAsync(SimState state)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<ServeSpec>(await File.ReadAllTextAsync(state.SpecPath), ServeSpec.Json)
                ?? throw new InvalidDataException("empty spec");
            var nodes = await File.ReadAllBytesAsync(state.NodesPath);
            using var certificate = CreateCertificate("CN=kube-apiserver", spec.DnsNames, spec.IpAddresses, authority: false);
            await File.WriteAllTextAsync(state.CertificatePath, certificate.ExportCertificatePem() + "\n");

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = state.Directory });
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                foreach (var endpoint in spec.Apiservers)
                {
                    kestrel.Listen(Resolve(endpoint.Address), endpoint.Port, listen => listen.UseHttps(certificate));
                }

                foreach (var endpoint in spec.Consoles)
                {
                    kestrel.Listen(Resolve(endpoint.Address), endpoint.Port);
                }

                // kk's etcd (2379/2380) and the kubelets (10250) stay up after kk exits, even after a failed run.
                foreach (var endpoint in (spec.Etcd ?? new List<Endpoint>()).Concat(spec.Kubelets ?? new List<Endpoint>()))
                {
                    kestrel.Listen(Resolve(endpoint.Address), endpoint.Port, listen => listen.UseHttps(certificate));
                }
            });

            var apiserverPorts = spec.Apiservers.Select(e => e.Port).ToHashSet();
            await using var app = builder.Build();
            app.Run(context => context.Request.IsHttps && apiserverPorts.Contains(context.Connection.LocalPort)
                ? ApiserverAsync(context, spec, nodes)
                : spec.ConsolePage == ServeSpec.KsConsole4 ? KsConsole4Async(context) : ConsoleAsync(context));

            return await ServeAsync(app, state, spec.LifetimeSeconds);
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidDataException or CryptographicException)
        {
            await File.WriteAllTextAsync(state.FailedPath, Describe(ex) + "\n");
            return 1;
        }
    }

    /// <summary>Starts <paramref name="app"/>, marks the state folder ready (or failed), serves until SIGTERM or the lifetime ends.</summary>
    /// <param name="app">The built server.</param>
    /// <param name="state">Its state folder.</param>
    /// <param name="lifetimeSeconds">How long it serves at most.</param>
    /// <returns>Exit code.</returns>
    public static async Task<int> ServeAsync(WebApplication app, SimState state, double lifetimeSeconds)
    {
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await File.WriteAllTextAsync(state.FailedPath, Describe(ex) + "\n");
            return 1;
        }

        await File.WriteAllTextAsync(state.ReadyPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        var lifetime = app.Services.GetService(typeof(IHostApplicationLifetime)) as IHostApplicationLifetime;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(lifetimeSeconds), lifetime?.ApplicationStopping ?? CancellationToken.None);
        }
        catch (TaskCanceledException)
        {
            // SIGTERM: stop serving.
        }

        await app.StopAsync();
        File.Delete(state.ReadyPath);
        return 0;
    }

    private static async Task ApiserverAsync(HttpContext context, ServeSpec spec, byte[] nodes)
    {
        var path = context.Request.Path.Value ?? "/";
        var verbose = context.Request.Query.ContainsKey("verbose");
        switch (path)
        {
            case "/livez":
            case "/readyz":
            case "/healthz":
                context.Response.ContentType = "text/plain; charset=utf-8";
                context.Response.Headers["X-Content-Type-Options"] = "nosniff";
                await context.Response.WriteAsync(verbose ? VerboseHealth(path.TrimStart('/')) : "ok");
                return;
            case "/version":
                await WriteJsonAsync(context, 200, JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["major"] = "1",
                    ["minor"] = spec.KubernetesVersion.TrimStart('v').Split('.').ElementAtOrDefault(1) ?? "0",
                    ["gitVersion"] = spec.KubernetesVersion,
                    ["platform"] = "linux/amd64",
                }));
                return;
            case "/api/v1/nodes":
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(nodes);
                return;
            default:
                await WriteJsonAsync(context, 404, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}""");
                return;
        }
    }

    private static async Task ConsoleAsync(HttpContext context)
    {
        // ks-console is a single-page app: every path serves the page.
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(ConsolePage);
    }

    /// <summary>
    /// KubeSphere 4's ks-console (v4.1.3 server/routes.js, controllers/view.js): <c>/</c> without a session redirects to
    /// <c>/login</c> (Koa's 302 and body); every page is server/views/index.html, kept verbatim in tests/Fixtures/helm,
    /// with its title filled as the server fills it for the default theme (server/configs/config.yaml tabTitle).
    /// </summary>
    private static async Task KsConsole4Async(HttpContext context)
    {
        if ((context.Request.Path.Value ?? "/") == "/")
        {
            var html = context.Request.Headers.Accept.ToString().Contains("html", StringComparison.OrdinalIgnoreCase);
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/login";
            context.Response.ContentType = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
            await context.Response.WriteAsync(html ? "Redirecting to <a href=\"/login\">/login</a>." : "Redirecting to /login.");
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(KsConsole4Page.Value);
    }

    private static readonly Lazy<string> KsConsole4Page = new(() =>
    {
        using var stream = typeof(StandInServer).Assembly.GetManifestResourceStream("ks-console-4.1.3-index.html")
            ?? throw new InvalidDataException("the ks-console page is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("<title><%= title %></title>", "<title>KubeSphere</title>", StringComparison.Ordinal);
    });

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private static string VerboseHealth(string check)
    {
        var checks = new[] { "ping", "log", "etcd", "poststarthook/start-kube-apiserver-admission-initializer", "poststarthook/generic-apiserver-start-informers" };
        return string.Join("\n", checks.Select(c => "[+]" + c + " ok")) + "\n" + check + " check passed\n";
    }

    /// <summary>A self-signed certificate made here for <paramref name="dnsNames"/> and <paramref name="ipAddresses"/>.</summary>
    /// <param name="subject">Its subject.</param>
    /// <param name="dnsNames">DNS names.</param>
    /// <param name="ipAddresses">IP addresses.</param>
    /// <param name="authority">Mark it a CA, so a client can trust it as its own anchor (curl's --cacert).</param>
    /// <returns>The certificate with its private key.</returns>
    public static X509Certificate2 CreateCertificate(string subject, IEnumerable<string> dnsNames, IEnumerable<string> ipAddresses, bool authority)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var ip in ipAddresses)
        {
            names.AddIpAddress(IPAddress.Parse(ip));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(authority, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (authority ? X509KeyUsageFlags.KeyCertSign : X509KeyUsageFlags.KeyEncipherment), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private static IPAddress Resolve(string address) =>
        IPAddress.TryParse(address, out var ip) ? ip : Dns.GetHostAddresses(address).First();

    private static string Describe(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(": ", messages.Distinct());
    }
}
