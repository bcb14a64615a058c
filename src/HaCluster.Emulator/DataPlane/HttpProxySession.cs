// Copyright (c) HaCluster contributors. MIT License.
// HTTP/1.1 listener sessions: per-request balancing, X-Forwarded-For, keep-alive, 503 when no backend is up.

using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// Proxies one client connection request by request. Each request is balanced on its own and sent
/// on a fresh backend connection with <c>Connection: close</c>, so keep-alive clients (HttpClient,
/// curl, Invoke-WebRequest) still spread over every backend and no backend connection state leaks
/// between clients. Bodies are streamed as framed (Content-Length or chunked), never buffered whole.
/// <c>Upgrade</c> requests (WebSocket) turn into a byte tunnel once the backend answers 101.
/// </summary>
internal static class HttpProxySession
{
    // Request bodies up to this size are read and dropped so a 503 can keep the connection open.
    private const long DrainLimit = 1024 * 1024;

    private enum Outcome
    {
        KeepAlive,
        Close,
    }

    public static async Task RunAsync(ListenerRuntime listener, Socket client, IPAddress peer, CancellationToken cancellationToken)
    {
        var reader = new WireReader(client);
        while (true)
        {
            HttpHead request;
            string method;
            bool http10;
            Framing body;
            try
            {
                var raw = await reader.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
                if (raw is null)
                {
                    return;
                }

                request = HttpHead.Parse(raw);
                (method, http10) = ParseRequestLine(request.StartLine);
                body = Framing.ForRequest(request);
            }
            catch (HttpWireException ex)
            {
                await SendErrorAsync(client, ex.Status, ex.Message, keepAlive: false, cancellationToken).ConfigureAwait(false);
                return;
            }

            var keepAlive = http10 ? request.HasToken("Connection", "keep-alive") : !request.HasToken("Connection", "close");
            var upgrade = request.Has("Upgrade") && request.HasToken("Connection", "upgrade");
            using var lease = await listener.ConnectBackendAsync(peer, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                // Drop a small body so the connection can carry the next request; never make a client wait on 100-continue.
                var drain = !request.HasToken("Expect", "100-continue") && !upgrade && (body.Kind == BodyKind.Chunked || body.Length <= DrainLimit);
                if (drain)
                {
                    await reader.CopyBodyAsync(body, null, cancellationToken).ConfigureAwait(false);
                }

                keepAlive &= drain;
                await SendErrorAsync(client, 503, "no backend of this listener is up", keepAlive, cancellationToken).ConfigureAwait(false);
                if (!keepAlive)
                {
                    return;
                }

                continue;
            }

            var upgradeProtocol = upgrade ? string.Join(", ", request.Values("Upgrade")) : null;
            request.RemoveHopByHop();
            if (listener.ForwardFor)
            {
                var prior = string.Join(", ", request.Values("X-Forwarded-For"));
                request.Remove("X-Forwarded-For");
                request.Add("X-Forwarded-For", prior.Length > 0 ? prior + ", " + peer : peer.ToString());
            }

            if (upgradeProtocol is not null)
            {
                request.Add("Connection", "Upgrade");
                request.Add("Upgrade", upgradeProtocol);
            }
            else
            {
                request.Add("Connection", "close");
            }

            var outcome = await ExchangeAsync(reader, client, request, method, http10, body, keepAlive, upgradeProtocol is not null, lease, cancellationToken).ConfigureAwait(false);
            if (outcome == Outcome.Close)
            {
                return;
            }
        }
    }

    private static (string Method, bool Http10) ParseRequestLine(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new HttpWireException(400, "malformed request line");
        }

        if (parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            throw new HttpWireException(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        }

        return parts[0] == "CONNECT" ? throw new HttpWireException(405, "CONNECT is not supported") : (parts[0], parts[2] == "HTTP/1.0");
    }

    // Sends the request body and relays the response concurrently: 100-continue and early answers need both ways open.
    private static async Task<Outcome> ExchangeAsync(
        WireReader clientReader, Socket client, HttpHead request, string method, bool http10, Framing body,
        bool keepAlive, bool upgrade, BackendLease lease, CancellationToken cancellationToken)
    {
        var backend = lease.Socket;
        var backendReader = new WireReader(backend);
        var started = new StrongBox();
        Task upload;
        Task<Outcome?> response;
        try
        {
            await TcpRelay.SendAllAsync(backend, request.ToBytes(), cancellationToken).ConfigureAwait(false);
            upload = clientReader.CopyBodyAsync(body, backend, cancellationToken);
            response = RelayResponseAsync(backendReader, client, method, http10, keepAlive, upgrade, started, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            await SendErrorAsync(client, 502, "backend connection failed", keepAlive: false, cancellationToken).ConfigureAwait(false);
            return Outcome.Close;
        }

        if (await Task.WhenAny(upload, response).ConfigureAwait(false) == upload && upload.IsFaulted)
        {
            // The client broke off its body: nothing sensible can follow on this connection.
            lease.Abort();
            await Quietly(response).ConfigureAwait(false);
            return Outcome.Close;
        }

        Outcome? outcome;
        try
        {
            outcome = await response.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpWireException or IOException or SocketException or ObjectDisposedException)
        {
            lease.Abort();
            await Quietly(upload).ConfigureAwait(false);
            if (!started.Value)
            {
                await SendErrorAsync(client, 502, "invalid or no response from backend", keepAlive: false, cancellationToken).ConfigureAwait(false);
            }

            return Outcome.Close;
        }

        if (!upload.IsCompleted || upload.IsFaulted)
        {
            // The backend answered without reading the whole body; the client's stream position is lost.
            lease.Abort();
            await Quietly(upload).ConfigureAwait(false);
            return Outcome.Close;
        }

        if (outcome is null)
        {
            await TcpRelay.SendAllAsync(backend, clientReader.TakeBuffered(), cancellationToken).ConfigureAwait(false);
            await TcpRelay.SendAllAsync(client, backendReader.TakeBuffered(), cancellationToken).ConfigureAwait(false);
            await TcpRelay.RunAsync(client, backend, cancellationToken).ConfigureAwait(false);
            return Outcome.Close;
        }

        return outcome.Value;
    }

    /// <summary>Relays interim responses and the final one; null means "101 switched protocols, tunnel now".</summary>
    private static async Task<Outcome?> RelayResponseAsync(
        WireReader backendReader, Socket client, string method, bool http10, bool keepAlive, bool upgrade, StrongBox started,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var raw = await backendReader.ReadHeadAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new HttpWireException(502, "backend closed without a response");
            var head = HttpHead.Parse(raw);
            var status = ParseStatus(head.StartLine);
            if (status == 101 && upgrade)
            {
                started.Value = true;
                await TcpRelay.SendAllAsync(client, raw, cancellationToken).ConfigureAwait(false);
                return null;
            }

            if (status is >= 100 and < 200 and not 101)
            {
                // 100 Continue, 103 Early Hints: pass through, then read the final response.
                started.Value = true;
                await TcpRelay.SendAllAsync(client, raw, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (status == 101)
            {
                throw new HttpWireException(502, "backend switched protocols unasked");
            }

            var framing = Framing.ForResponse(head, status, method);
            var persist = keepAlive && framing.Kind != BodyKind.ToEnd;

            // The client talks to us, an HTTP/1.1 proxy: an HTTP/1.0 backend must not make it drop keep-alive.
            head.StartLine = "HTTP/1.1" + head.StartLine["HTTP/1.x".Length..];
            head.RemoveHopByHop();
            if (!persist)
            {
                head.Add("Connection", "close");
            }
            else if (http10)
            {
                head.Add("Connection", "keep-alive");
            }

            started.Value = true;
            await TcpRelay.SendAllAsync(client, head.ToBytes(), cancellationToken).ConfigureAwait(false);
            await backendReader.CopyBodyAsync(framing, client, cancellationToken).ConfigureAwait(false);
            return persist ? Outcome.KeepAlive : Outcome.Close;
        }
    }

    private static int ParseStatus(string statusLine)
    {
        var parts = statusLine.Split(' ', 3);
        return parts.Length >= 2 && parts[0] is "HTTP/1.0" or "HTTP/1.1"
            && parts[1].Length == 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            ? status
            : throw new HttpWireException(502, "malformed status line from backend");
    }

    private static async Task SendErrorAsync(Socket client, int status, string detail, bool keepAlive, CancellationToken cancellationToken)
    {
        var reason = status switch
        {
            400 => "Bad Request",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            505 => "HTTP Version Not Supported",
            _ => "Error",
        };
        var body = Encoding.UTF8.GetBytes($"{status} {reason}: {detail}\n");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: {(keepAlive ? "keep-alive" : "close")}\r\n\r\n");
        try
        {
            await TcpRelay.SendAllAsync(client, head, cancellationToken).ConfigureAwait(false);
            await TcpRelay.SendAllAsync(client, body, cancellationToken).ConfigureAwait(false);
            if (!keepAlive)
            {
                // FIN after the answer so the client reads it before the socket is disposed.
                client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is gone; nobody is left to tell.
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpWireException or IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Already handled by the caller: the exchange is being abandoned.
        }
    }

    private sealed class StrongBox
    {
        public volatile bool Value;
    }
}
