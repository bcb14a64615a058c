// Copyright (c) HaCluster contributors. MIT License.
// HTTP(S) probes of the apiserver (/readyz) and the console: fresh connection each, optional CA pinning, short retries.

using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Sends GET requests the way an operator's <c>curl</c> would: every request on a new connection (a pooled one could
/// still lead to a master that has since stopped), TLS certificates accepted unless a CA is given, in which case the
/// server's certificate must chain to that CA and name the host. A transport failure is tried again twice, shortly.
/// </summary>
internal sealed class HttpProbe : IDisposable
{
    private const int Attempts = 3;
    private static readonly Regex Title = new("<title>\\s*(?<t>[^<]*?)\\s*</title>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly HttpClient _http;
    private readonly X509Certificate2? _ca;
    private readonly ConcurrentDictionary<string, string> _tlsFailures = new(StringComparer.OrdinalIgnoreCase);

    public HttpProbe(string? caCertificatePath)
    {
        _ca = caCertificatePath is null ? null : LoadCertificate(caCertificatePath);
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = true,
            ServerCertificateCustomValidationCallback = Validate,
        };
        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>True when server certificates are verified against a CA.</summary>
    public bool VerifiesCertificates => _ca is not null;

    public void Dispose()
    {
        _http.Dispose();
        _ca?.Dispose();
    }

    /// <summary>Loads a PEM or DER certificate.</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            var text = Encoding.ASCII.GetString(bytes);
            var begin = text.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
            if (begin >= 0)
            {
                var start = begin + "-----BEGIN CERTIFICATE-----".Length;
                var end = text.IndexOf("-----END CERTIFICATE-----", start, StringComparison.Ordinal);
                bytes = Convert.FromBase64String(text.Substring(start, (end < 0 ? text.Length : end) - start));
            }

            return new X509Certificate2(bytes);
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new HaClusterException("HaClusterCaCertificateInvalid", FailureKind.InvalidData, $"'{path}' is not a readable PEM or DER certificate: {ex.Message}", path, ex);
        }
    }

    /// <summary>Probes an apiserver health endpoint: HTTP 200 with the body <c>ok</c>.</summary>
    public Task<CheckOutcome> ReadyzAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken) =>
        GetAsync(uri, timeout, (status, body) =>
        {
            var text = body.Trim();
            return status == 200 && text == "ok"
                ? new CheckOutcome(true, "HTTP 200 ok")
                : new CheckOutcome(false, $"HTTP {status}: {Shorten(text)}");
        }, cancellationToken);

    /// <summary>Probes the KubeSphere console: HTTP 200 with a page that is ks-console's (<see cref="IsKubeSphereConsole"/>).</summary>
    public Task<CheckOutcome> ConsoleAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken) =>
        GetAsync(uri, timeout, (status, body) =>
        {
            var match = Title.Match(body);
            var title = match.Success ? match.Groups["t"].Value : null;
            if (status == 200 && IsKubeSphereConsole(body))
            {
                return new CheckOutcome(true, title is null ? "HTTP 200, a KubeSphere page" : $"HTTP 200, page titled '{title}'");
            }

            var seen = title is null ? Shorten(body.Trim()) : $"page titled '{title}'";
            return new CheckOutcome(false, status == 200
                ? $"HTTP 200 but not the KubeSphere console ({seen})"
                : $"HTTP {status} ({seen})");
        }, cancellationToken);

    /// <summary>
    /// Whether a page is the KubeSphere console: it names KubeSphere (its default title), or it is ks-console 4's page
    /// (server/views/index.html: the SystemJS import map and <c>window.globals</c> it boots from), which a themed console
    /// serves under another title.
    /// </summary>
    /// <param name="body">The page.</param>
    /// <returns>True for the console.</returns>
    internal static bool IsKubeSphereConsole(string body) =>
        body.IndexOf("KubeSphere", StringComparison.OrdinalIgnoreCase) >= 0
        || (body.IndexOf("<script type=\"systemjs-importmap\">", StringComparison.Ordinal) >= 0 && body.IndexOf("window.globals = JSON.parse(", StringComparison.Ordinal) >= 0);

    private static string Shorten(string text)
    {
        var single = Regex.Replace(text, "\\s+", " ");
        return single.Length == 0 ? "(empty body)" : single.Length <= 160 ? single : single.Substring(0, 160) + "…";
    }

    private static string Describe(Exception ex)
    {
        var messages = Enumerable.Repeat(ex, 1).Concat(Inner(ex)).Select(e => e.Message.TrimEnd('.')).Distinct(StringComparer.Ordinal);
        return string.Join(": ", messages);

        static System.Collections.Generic.IEnumerable<Exception> Inner(Exception e)
        {
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            {
                yield return inner;
            }
        }
    }

    private async Task<CheckOutcome> GetAsync(Uri uri, TimeSpan timeout, Func<int, string, CheckOutcome> judge, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? lastError = null;
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            limit.CancelAfter(left);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.ConnectionClose = true;
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var outcome = judge((int)response.StatusCode, body);
                var ms = clock.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
                var retried = attempt > 1 ? $"; attempt {attempt} of {Attempts}, earlier: {lastError}" : string.Empty;
                return new CheckOutcome(outcome.Passed, $"{outcome.Detail} in {ms} ms{retried}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                lastError = $"no answer within {timeout.TotalSeconds:0.#} s";
                break;
            }
            catch (HttpRequestException ex)
            {
                lastError = _tlsFailures.TryRemove(uri.Authority, out var tls) ? tls : Describe(ex);
            }

            if (attempt < Attempts && clock.Elapsed + delay < timeout)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(delay.Ticks * 2);
            }
        }

        return new CheckOutcome(false, lastError ?? $"no answer within {timeout.TotalSeconds:0.#} s");
    }

    private bool Validate(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_ca is null)
        {
            return true;
        }

        var authority = request.RequestUri?.Authority ?? string.Empty;
        string? reason = null;
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            reason = "the server sent no certificate";
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            reason = $"the server certificate ({certificate.Subject}) does not name {request.RequestUri?.Host}";
        }
        else if (ChainProblem(certificate, _ca) is { } problem)
        {
            reason = $"the server certificate ({certificate.Subject}, issued by {certificate.Issuer}) {problem}";
        }

        if (reason is null)
        {
            return true;
        }

        _tlsFailures[authority] = "TLS: " + reason;
        return false;
    }

    /// <summary>Why <paramref name="certificate"/> does not chain to <paramref name="ca"/> (which may be the certificate itself), or null when it does.</summary>
    internal static string? ChainProblem(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        chain.ChainPolicy.ExtraStore.Add(ca);
        var built = chain.Build(certificate);

        // AllowUnknownCertificateAuthority accepts any self-signed root: the root must be the given CA.
        var root = chain.ChainElements.Count == 0 ? null : chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
        if (root is null || !string.Equals(root.Thumbprint, ca.Thumbprint, StringComparison.OrdinalIgnoreCase))
        {
            return $"does not chain to the CA {ca.Subject} ({ca.Thumbprint})";
        }

        return built ? null : "is not valid: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal));
    }
}
