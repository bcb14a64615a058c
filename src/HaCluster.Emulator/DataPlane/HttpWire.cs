// Copyright (c) HaCluster contributors. MIT License.
// HTTP/1.x framing for the proxy: buffered socket reader, header block model, body framing rules (RFC 9112).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>A malformed or oversized HTTP message; <see cref="Status"/> is what to answer the client.</summary>
internal sealed class HttpWireException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>How a message body is delimited.</summary>
internal enum BodyKind
{
    /// <summary>No body.</summary>
    None,

    /// <summary>Content-Length bytes.</summary>
    Length,

    /// <summary>Chunked transfer coding.</summary>
    Chunked,

    /// <summary>Until the sender closes (responses only).</summary>
    ToEnd,
}

/// <summary>Body framing of one message.</summary>
internal readonly record struct Framing(BodyKind Kind, long Length)
{
    /// <summary>Request framing: chunked wins over Content-Length; any other transfer coding is refused.</summary>
    public static Framing ForRequest(HttpHead head)
    {
        if (head.Has("Transfer-Encoding"))
        {
            if (!head.LastTokenIs("Transfer-Encoding", "chunked"))
            {
                throw new HttpWireException(400, "request transfer coding is not chunked");
            }

            head.Remove("Content-Length");
            return new Framing(BodyKind.Chunked, 0);
        }

        var length = ContentLength(head, 400);
        return length is > 0 ? new Framing(BodyKind.Length, length.Value) : new Framing(BodyKind.None, 0);
    }

    /// <summary>Response framing: no body for 1xx/204/304 and HEAD; otherwise chunked, length or until close.</summary>
    public static Framing ForResponse(HttpHead head, int status, string requestMethod)
    {
        if (status is (>= 100 and < 200) or 204 or 304 || requestMethod == "HEAD")
        {
            return new Framing(BodyKind.None, 0);
        }

        if (head.Has("Transfer-Encoding"))
        {
            return head.LastTokenIs("Transfer-Encoding", "chunked") ? new Framing(BodyKind.Chunked, 0) : new Framing(BodyKind.ToEnd, 0);
        }

        var length = ContentLength(head, 502);
        return length switch
        {
            null => new Framing(BodyKind.ToEnd, 0),
            0 => new Framing(BodyKind.None, 0),
            _ => new Framing(BodyKind.Length, length.Value),
        };
    }

    // Repeated Content-Length headers must agree (RFC 9112 6.3), else the message is refused.
    private static long? ContentLength(HttpHead head, int errorStatus)
    {
        long? length = null;
        foreach (var value in head.Values("Content-Length"))
        {
            foreach (var item in value.Split(','))
            {
                if (!long.TryParse(item.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || (length is not null && length != parsed))
                {
                    throw new HttpWireException(errorStatus, "invalid Content-Length");
                }

                length = parsed;
            }
        }

        return length;
    }
}

/// <summary>The start line and header fields of one message, in order, editable, serialisable.</summary>
internal sealed class HttpHead
{
    private readonly List<KeyValuePair<string, string>> _fields = new();

    private HttpHead(string startLine) => StartLine = startLine;

    /// <summary>Request line or status line; a proxy replaces the version of what it forwards.</summary>
    public string StartLine { get; set; }

    /// <summary>Parses a head ending in CRLF CRLF; obsolete line folding is refused, as RFC 9112 allows a proxy to.</summary>
    public static HttpHead Parse(byte[] raw)
    {
        var lines = Encoding.Latin1.GetString(raw, 0, raw.Length - 4).Split("\r\n");
        if (lines[0].Length == 0)
        {
            throw new HttpWireException(400, "empty start line");
        }

        var head = new HttpHead(lines[0]);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t' || line.AsSpan(0, colon).IndexOfAny(' ', '\t') >= 0)
            {
                throw new HttpWireException(400, "malformed header field");
            }

            head._fields.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        return head;
    }

    public bool Has(string name) => _fields.Exists(f => Is(f.Key, name));

    public IEnumerable<string> Values(string name)
    {
        foreach (var field in _fields)
        {
            if (Is(field.Key, name))
            {
                yield return field.Value;
            }
        }
    }

    /// <summary>True when the comma-separated list in <paramref name="name"/> holds <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token)
    {
        foreach (var item in Tokens(name))
        {
            if (Is(item, token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the last item of the list in <paramref name="name"/> is <paramref name="token"/>.</summary>
    public bool LastTokenIs(string name, string token)
    {
        string? last = null;
        foreach (var item in Tokens(name))
        {
            last = item;
        }

        return last is not null && Is(last, token);
    }

    public void Remove(string name) => _fields.RemoveAll(f => Is(f.Key, name));

    public void Add(string name, string value) => _fields.Add(new(name, value));

    /// <summary>
    /// Drops hop-by-hop fields (RFC 9110 7.6.1): Connection, the fields it names, Keep-Alive,
    /// Proxy-Connection, TE and Upgrade. The proxy then states its own connection handling.
    /// </summary>
    public void RemoveHopByHop()
    {
        var named = new List<string>(Tokens("Connection"));
        foreach (var name in named)
        {
            // Never drop framing headers on a sender's say-so: the body is forwarded as framed.
            if (!Is(name, "Transfer-Encoding") && !Is(name, "Content-Length"))
            {
                Remove(name);
            }
        }

        foreach (var name in new[] { "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade" })
        {
            Remove(name);
        }
    }

    public byte[] ToBytes()
    {
        var text = new StringBuilder(StartLine.Length + 32 * (_fields.Count + 1));
        text.Append(StartLine).Append("\r\n");
        foreach (var field in _fields)
        {
            text.Append(field.Key).Append(": ").Append(field.Value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
    }

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private IEnumerable<string> Tokens(string name)
    {
        foreach (var value in Values(name))
        {
            foreach (var item in value.Split(','))
            {
                var trimmed = item.Trim(' ', '\t');
                if (trimmed.Length > 0)
                {
                    yield return trimmed;
                }
            }
        }
    }
}

/// <summary>Buffered reads of heads, lines and framed bodies from one socket, copying bodies as they arrive.</summary>
internal sealed class WireReader(Socket socket)
{
    /// <summary>Largest header section accepted (start line plus fields).</summary>
    public const int MaxHead = 64 * 1024;

    private const int MaxLine = 8 * 1024;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private readonly byte[] _buffer = new byte[MaxHead];
    private int _start;
    private int _end;

    /// <summary>Reads a head through its blank line; null when the peer closed cleanly before sending a byte.</summary>
    public async Task<byte[]?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // RFC 9112 2.2: ignore empty lines before a request line.
            while (_end - _start >= 2 && _buffer[_start] == '\r' && _buffer[_start + 1] == '\n')
            {
                _start += 2;
            }

            var end = _buffer.AsSpan(_start, _end - _start).IndexOf(HeadEnd);
            if (end >= 0)
            {
                var head = _buffer.AsSpan(_start, end + HeadEnd.Length).ToArray();
                _start += head.Length;
                return head;
            }

            if (_end - _start >= _buffer.Length)
            {
                throw new HttpWireException(431, "header section too large");
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return _end == _start ? null : throw new HttpWireException(400, "connection closed inside a header section");
            }
        }
    }

    /// <summary>Copies one body to <paramref name="to"/>, or discards it when <paramref name="to"/> is null.</summary>
    public Task CopyBodyAsync(Framing framing, Socket? to, CancellationToken cancellationToken) => framing.Kind switch
    {
        BodyKind.Length => CopyExactAsync(framing.Length, to, cancellationToken),
        BodyKind.Chunked => CopyChunkedAsync(to, cancellationToken),
        BodyKind.ToEnd => CopyToEndAsync(to, cancellationToken),
        _ => Task.CompletedTask,
    };

    /// <summary>Hands over bytes read past the last message (when the connection turns into a tunnel).</summary>
    public ReadOnlyMemory<byte> TakeBuffered()
    {
        var rest = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end = 0;
        return rest;
    }

    private async Task CopyExactAsync(long count, Socket? to, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("connection closed inside a message body");
            }

            var n = (int)Math.Min(count, _end - _start);
            await SendAsync(to, _buffer.AsMemory(_start, n), cancellationToken).ConfigureAwait(false);
            _start += n;
            count -= n;
        }
    }

    private async Task CopyToEndAsync(Socket? to, CancellationToken cancellationToken)
    {
        while (_start < _end || await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            await SendAsync(to, _buffer.AsMemory(_start, _end - _start), cancellationToken).ConfigureAwait(false);
            _start = _end;
        }
    }

    // Forwards chunk-size lines, data and trailers verbatim; parsing only finds where the body ends.
    private async Task CopyChunkedAsync(Socket? to, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            await SendAsync(to, line, cancellationToken).ConfigureAwait(false);
            var size = ChunkSize(line);
            if (size == 0)
            {
                byte[] trailer;
                do
                {
                    trailer = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    await SendAsync(to, trailer, cancellationToken).ConfigureAwait(false);
                }
                while (trailer.Length > 2);
                return;
            }

            await CopyExactAsync(size + 2, to, cancellationToken).ConfigureAwait(false);
        }
    }

    private static long ChunkSize(byte[] line)
    {
        var text = Encoding.ASCII.GetString(line).TrimEnd('\r', '\n');
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        var hex = (semicolon >= 0 ? text[..semicolon] : text).Trim(' ', '\t');
        return hex.Length is > 0 and <= 15 && long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw new HttpWireException(400, "malformed chunk size");
    }

    private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsSpan(_start, newline + 1).ToArray();
                _start += line.Length;
                return line;
            }

            if (_end - _start >= MaxLine)
            {
                throw new HttpWireException(400, "line too long in chunked body");
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("connection closed inside a chunked body");
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    private static Task SendAsync(Socket? to, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        to is null ? Task.CompletedTask : TcpRelay.SendAllAsync(to, data, cancellationToken);
}
