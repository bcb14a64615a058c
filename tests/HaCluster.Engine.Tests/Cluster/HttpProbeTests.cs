// Copyright (c) HaCluster contributors. MIT License.
// The verifier's HTTP probes against real sockets on 127.80.16.0/24: readyz, console recognition, CA pinning, refusals.

using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

public sealed class HttpProbeTests : IDisposable
{
    private const string Address = "127.80.16.1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "hacluster-probe-" + Guid.NewGuid().ToString("N"));

    public HttpProbeTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task ReadyzPassesOnOkOverTlsWithoutVerification()
    {
        using var certificate = StandInServer.Certificate("kube-apiserver", Address);
        await using var server = new StandInServer(Address, 0, 200, "ok", certificate);
        using var probe = new HttpProbe(null);

        var outcome = await probe.ReadyzAsync(Url(server, "https"), Timeout, CancellationToken.None);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Matches("^HTTP 200 ok in [0-9]+ ms$", outcome.Detail);
        Assert.False(probe.VerifiesCertificates);
    }

    [Fact]
    public async Task ReadyzFailsWithTheServersAnswer()
    {
        using var certificate = StandInServer.Certificate("kube-apiserver", Address);
        await using var server = new StandInServer(Address, 0, 500, "[-]etcd failed: reason withheld\nreadyz check failed", certificate);
        using var probe = new HttpProbe(null);

        var outcome = await probe.ReadyzAsync(Url(server, "https"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.StartsWith("HTTP 500: [-]etcd failed: reason withheld readyz check failed in ", outcome.Detail);
    }

    [Fact]
    public async Task CaCertificateMustBeTheOneTheServerChainsTo()
    {
        using var certificate = StandInServer.Certificate("kube-apiserver", Address);
        using var other = StandInServer.Certificate("other-ca", Address);
        await using var server = new StandInServer(Address, 0, 200, "ok", certificate);
        var pinned = Pem("pinned.crt", certificate);
        var wrong = Pem("other.crt", other);

        using (var probe = new HttpProbe(pinned))
        {
            var outcome = await probe.ReadyzAsync(Url(server, "https"), Timeout, CancellationToken.None);
            Assert.True(outcome.Passed, outcome.Detail);
        }

        using (var probe = new HttpProbe(wrong))
        {
            var outcome = await probe.ReadyzAsync(Url(server, "https"), Timeout, CancellationToken.None);
            Assert.False(outcome.Passed);
            Assert.Equal("TLS: the server certificate (CN=kube-apiserver, issued by CN=kube-apiserver) does not chain to the CA CN=other-ca (" + other.Thumbprint + ")", outcome.Detail);
        }
    }

    [Fact]
    public async Task CaCertificateAlsoRequiresTheCertificateToNameTheAddress()
    {
        using var certificate = StandInServer.Certificate("kube-apiserver", "127.80.16.99");
        await using var server = new StandInServer(Address, 0, 200, "ok", certificate);
        using var probe = new HttpProbe(Pem("ca.crt", certificate));

        var outcome = await probe.ReadyzAsync(Url(server, "https"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Equal($"TLS: the server certificate (CN=kube-apiserver) does not name {Address}", outcome.Detail);
    }

    [Fact]
    public async Task CaCertificateDoesNotExcuseAnExpiredCertificate()
    {
        using var certificate = StandInServer.Certificate("kube-apiserver", DateTimeOffset.UtcNow.AddDays(-1), Address);
        await using var server = new StandInServer(Address, 0, 200, "ok", certificate);
        using var probe = new HttpProbe(Pem("expired.crt", certificate));

        var outcome = await probe.ReadyzAsync(Url(server, "https"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.StartsWith("TLS: the server certificate (CN=kube-apiserver, issued by CN=kube-apiserver) is not valid: ", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleMustBeKubeSphere()
    {
        await using var server = new StandInServer(Address, 0, 200, "<html><head><title>KubeSphere</title></head></html>");
        using var probe = new HttpProbe(null);

        var good = await probe.ConsoleAsync(Url(server, "http"), Timeout, CancellationToken.None);
        Assert.True(good.Passed, good.Detail);
        Assert.StartsWith("HTTP 200, page titled 'KubeSphere' in ", good.Detail);

        server.Body = "<html><head><title>Welcome to nginx!</title></head></html>";
        var nginx = await probe.ConsoleAsync(Url(server, "http"), Timeout, CancellationToken.None);
        Assert.False(nginx.Passed);
        Assert.StartsWith("HTTP 200 but not the KubeSphere console (page titled 'Welcome to nginx!')", nginx.Detail);

        server.Status = 503;
        server.Body = "no server is available";
        var unavailable = await probe.ConsoleAsync(Url(server, "http"), Timeout, CancellationToken.None);
        Assert.False(unavailable.Passed);
        Assert.StartsWith("HTTP 503 (no server is available)", unavailable.Detail);
    }

    [Fact]
    public async Task ConsoleAcceptsTheRealKsConsole4Page()
    {
        // kubesphere/console v4.1.3 server/views/index.html, verbatim: the page ks-console serves for /login and every view.
        var page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "helm", "ks-console-4.1.3-index.html"));
        await using var server = new StandInServer(Address, 0, 200, page.Replace("<%= title %>", "KubeSphere", StringComparison.Ordinal));
        using var probe = new HttpProbe(null);

        var rendered = await probe.ConsoleAsync(Url(server, "http"), Timeout, CancellationToken.None);
        Assert.True(rendered.Passed, rendered.Detail);
        Assert.StartsWith("HTTP 200, page titled 'KubeSphere' in ", rendered.Detail);

        // A themed console (Platform Settings > Appearance) has another tab title: the page itself is still recognised.
        server.Body = page.Replace("<%= title %>", "Acme Cloud", StringComparison.Ordinal);
        var themed = await probe.ConsoleAsync(Url(server, "http"), Timeout, CancellationToken.None);
        Assert.True(themed.Passed, themed.Detail);
        Assert.StartsWith("HTTP 200, page titled 'Acme Cloud' in ", themed.Detail);
        Assert.DoesNotContain("KubeSphere", server.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RefusedConnectionsAreTriedThreeTimesAndReported()
    {
        int port;
        await using (var closed = new StandInServer(Address, 0, 200, "ok"))
        {
            port = closed.Port;
        }

        using var probe = new HttpProbe(null);
        var outcome = await probe.ReadyzAsync(ClusterVerifier.Url("https", Address, port, "/readyz"), Timeout, CancellationToken.None);

        Assert.False(outcome.Passed);
        Assert.Contains("Connection refused", outcome.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RejectsAFileThatIsNotACertificate()
    {
        var path = Path.Combine(_work, "junk.crt");
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

        var ex = Assert.Throws<HaClusterException>(() => new HttpProbe(path));

        Assert.Equal("HaClusterCaCertificateInvalid", ex.ErrorId);
        Assert.Equal(path, ex.Target);
    }

    [Fact]
    public void UrlsBracketIpv6Addresses()
    {
        Assert.Equal("https://[::1]:6443/readyz", ClusterVerifier.Url("https", "::1", 6443, "/readyz").ToString());
        Assert.Equal("http://10.0.0.1:30880/", ClusterVerifier.Url("http", "10.0.0.1", 30880, "/").ToString());
    }

    private static Uri Url(StandInServer server, string scheme) =>
        ClusterVerifier.Url(scheme, Address, server.Port, scheme == "https" ? "/readyz" : "/");

    private string Pem(string name, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
