// Copyright (c) HaCluster contributors. MIT License.
// Health-check settings parsed from a listener spec, and the probe that runs one check.

using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Emulator.DataPlane;

/// <summary>How a listener checks its backends, with intervals already multiplied by the time scale.</summary>
/// <param name="Http">True for <c>http|/path</c>, false for a TCP connect.</param>
/// <param name="Path">Request path of an HTTP check.</param>
/// <param name="Host">Host header of an HTTP check; null uses the backend's address.</param>
/// <param name="Interval">Time between checks.</param>
/// <param name="Timeout">Time one check may take.</param>
/// <param name="Fall">Consecutive failures that take an up backend down.</param>
/// <param name="Rise">Consecutive successes that bring a down backend up.</param>
internal sealed record HealthSettings(bool Http, string Path, string? Host, TimeSpan Interval, TimeSpan Timeout, int Fall, int Rise)
{
    // A floor so a tiny time scale cannot turn the check loops into busy loops.
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(10);

    /// <summary>Parses <c>tcp</c>, <c>http|/path</c> or <c>http|/path|host</c> plus the option.</summary>
    /// <exception cref="ArgumentException">The method is not one the emulator can check.</exception>
    public static HealthSettings Parse(string listenerId, string? method, HealthCheckOption? option, double timeScale)
    {
        option ??= new HealthCheckOption(10, 5, 2, 5);
        var interval = Scale(option.IntervalSeconds, timeScale);
        var timeout = Scale(option.TimeoutSeconds, timeScale);
        var fall = Math.Max(1, option.Fall);
        var rise = Math.Max(1, option.Rise);
        if (string.IsNullOrEmpty(method) || string.Equals(method, "tcp", StringComparison.OrdinalIgnoreCase))
        {
            return new HealthSettings(false, "/", null, interval, timeout, fall, rise);
        }

        var parts = method.Split('|');
        if (!string.Equals(parts[0], "http", StringComparison.OrdinalIgnoreCase) || parts.Length > 3)
        {
            throw new ArgumentException($"Listener {listenerId}: health check method '{method}' is not supported (use tcp or http|/path[|host]).", nameof(method));
        }

        var path = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : "/";
        var host = parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null;
        if (!path.StartsWith('/') || !IsHeaderSafe(path) || (host is not null && !IsHeaderSafe(host)))
        {
            throw new ArgumentException($"Listener {listenerId}: health check method '{method}' has an invalid path or host.", nameof(method));
        }

        return new HealthSettings(true, path, host, interval, timeout, fall, rise);
    }

    private static TimeSpan Scale(double seconds, double timeScale)
    {
        var scaled = TimeSpan.FromSeconds(Math.Max(0, seconds) * timeScale);
        return scaled < Floor ? Floor : scaled;
    }

    // Path and host go into a request line and header: no spaces or control characters.
    private static bool IsHeaderSafe(string value)
    {
        foreach (var c in value)
        {
            if (c <= ' ' || c >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Runs one health check against one backend endpoint.</summary>
internal static class HealthProbe
{
    /// <summary>True when the check passes within the timeout: TCP connect, or HTTP GET answered 2xx/3xx.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<bool> CheckAsync(IPEndPoint target, HealthSettings settings, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            return !settings.Http || await HttpGetSucceedsAsync(socket, target, settings, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> HttpGetSucceedsAsync(Socket socket, IPEndPoint target, HealthSettings settings, CancellationToken cancellationToken)
    {
        var host = settings.Host ?? target.ToString();
        var request = Encoding.ASCII.GetBytes(
            $"GET {settings.Path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: HaCluster-Emulator-HealthCheck\r\nAccept: */*\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        // Only the status line matters: "HTTP/1.x NNN ...".
        var buffer = new byte[512];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Array.IndexOf(buffer, (byte)'\n', 0, length) >= 0)
            {
                break;
            }
        }

        var line = Encoding.ASCII.GetString(buffer, 0, length);
        var parts = line.Split(' ', 3);
        return parts.Length >= 2
            && parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            && int.TryParse(parts[1].TrimEnd('\r', '\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            && status >= 200 && status < 400;
    }
}
