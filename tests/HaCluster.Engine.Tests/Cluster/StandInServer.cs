// Copyright (c) HaCluster contributors. MIT License.
// A minimal HTTP(S) server for the verifier's probes: answers every request with one status and body, over TLS when given a certificate.

using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Engine.Tests.Cluster;

/// <summary>Answers every HTTP request with a fixed response; a health check's bare connect is simply closed.</summary>
internal sealed class StandInServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly Task _accept;
    private readonly CancellationTokenSource _stop = new();

    public StandInServer(string address, int port, int status, string body, X509Certificate2? certificate = null)
    {
        Status = status;
        Body = body;
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Parse(address), port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptAsync();
    }

    public int Port { get; }

    public int Status { get; set; }

    public string Body { get; set; }

    /// <summary>A self-signed server certificate naming <paramref name="ipAddresses"/>, usable by SslStream.</summary>
    public static X509Certificate2 Certificate(string subject, params string[] ipAddresses) =>
        Certificate(subject, DateTimeOffset.UtcNow.AddDays(1), ipAddresses);

    /// <summary>A self-signed server certificate valid until <paramref name="notAfter"/>.</summary>
    public static X509Certificate2 Certificate(string subject, DateTimeOffset notAfter, params string[] ipAddresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var ip in ipAddresses)
        {
            names.AddIpAddress(IPAddress.Parse(ip));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var created = request.CreateSelfSigned(notAfter.AddDays(-2), notAfter);
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                System.IO.Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(_certificate);
                    stream = tls;
                }

                var buffer = new byte[4096];
                var head = new StringBuilder();
                int read;
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer)) > 0)
                {
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                if (head.Length == 0)
                {
                    return;
                }

                var body = Encoding.UTF8.GetBytes(Body);
                var reply = Encoding.ASCII.GetBytes($"HTTP/1.1 {Status} X\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(reply);
                await stream.WriteAsync(body);
                await stream.FlushAsync();
            }
            catch (Exception)
            {
                // A health check or a refused TLS handshake closes the connection early.
            }
        }
    }
}
