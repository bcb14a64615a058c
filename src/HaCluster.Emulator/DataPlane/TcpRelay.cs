// Copyright (c) HaCluster contributors. MIT License.
// Byte relay between two connected sockets with half-close passed through.

using System;
using System.Buffers;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>
/// Copies both directions independently: end of stream on one side becomes a FIN (shutdown send)
/// on the other, so request/response protocols that half-close work; an error on either side
/// resets both, so neither peer waits forever on a dead connection.
/// </summary>
internal static class TcpRelay
{
    private const int BufferSize = 16 * 1024;

    /// <summary>Relays until both directions have ended.</summary>
    public static Task RunAsync(Socket a, Socket b, CancellationToken cancellationToken) =>
        Task.WhenAll(PumpAsync(a, b, cancellationToken), PumpAsync(b, a, cancellationToken));

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await SendAllAsync(to, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            SocketSet.Abort(from);
            SocketSet.Abort(to);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends every byte (a stream socket may accept fewer than asked).</summary>
    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
