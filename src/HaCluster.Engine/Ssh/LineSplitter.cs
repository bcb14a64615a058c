// Copyright (c) HaCluster contributors. MIT License.
// Turns a byte stream into text lines while counting the bytes of the lines already delivered.

using System;
using System.IO;
using System.Text;

namespace HaCluster.Engine.Ssh;

/// <summary>
/// Splits bytes on '\n' (dropping a trailing '\r') and decodes each line as UTF-8. <see cref="Consumed"/>
/// counts the bytes of complete lines, so a follower can resume a remote file exactly after the last whole line.
/// </summary>
internal sealed class LineSplitter
{
    private readonly MemoryStream _pending = new();

    /// <summary>Bytes of all complete lines delivered so far.</summary>
    public long Consumed { get; private set; }

    /// <summary>Feeds a chunk and calls <paramref name="onLine"/> for each complete line in it.</summary>
    /// <param name="buffer">The bytes.</param>
    /// <param name="count">How many bytes of <paramref name="buffer"/> are valid.</param>
    /// <param name="onLine">Receives each line.</param>
    public void Push(byte[] buffer, int count, Action<string> onLine)
    {
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            if (buffer[i] != (byte)'\n')
            {
                continue;
            }

            _pending.Write(buffer, start, i - start);
            Consumed += _pending.Length + 1;
            onLine(Decode());
            start = i + 1;
        }

        _pending.Write(buffer, start, count - start);
    }

    /// <summary>Delivers a last line that had no newline (at the end of a stream).</summary>
    /// <param name="onLine">Receives the line, if there is one.</param>
    /// <param name="countAsConsumed">Whether the partial line counts towards <see cref="Consumed"/>.</param>
    public void Flush(Action<string> onLine, bool countAsConsumed = true)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        if (countAsConsumed)
        {
            Consumed += _pending.Length;
        }

        onLine(Decode());
    }

    private string Decode()
    {
        var length = (int)_pending.Length;
        var bytes = _pending.GetBuffer();
        if (length > 0 && bytes[length - 1] == (byte)'\r')
        {
            length--;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        _pending.SetLength(0);
        return text;
    }
}
