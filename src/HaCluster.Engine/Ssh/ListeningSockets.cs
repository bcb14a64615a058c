// Copyright (c) HaCluster contributors. MIT License.
// Parses Linux /proc/net/tcp and /proc/net/tcp6 to find listening sockets without needing ss or netstat.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;

namespace HaCluster.Engine.Ssh;

/// <summary>One listening TCP socket.</summary>
public sealed class ListeningSocket
{
    internal ListeningSocket(IPAddress address, int port)
    {
        Address = address;
        Port = port;
    }

    /// <summary>Local address (0.0.0.0 or :: for all).</summary>
    public IPAddress Address { get; }

    /// <summary>Local port.</summary>
    public int Port { get; }

    /// <summary>True for 0.0.0.0 and ::.</summary>
    public bool IsWildcard => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    /// <summary>True when a server binding <paramref name="address"/> on this port would collide with this socket.</summary>
    /// <param name="address">The address a service will bind.</param>
    /// <returns>Whether they collide.</returns>
    public bool Blocks(IPAddress address)
    {
        if (IsWildcard)
        {
            return true;
        }

        var mine = Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address;
        var theirs = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return mine.Equals(theirs);
    }

    /// <inheritdoc />
    public override string ToString() =>
        (Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + Address + "]" : Address.ToString())
        + ":" + Port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads the kernel's socket tables.</summary>
public static class ListeningSockets
{
    private const string ListenState = "0A";

    /// <summary>Listening sockets in the text of /proc/net/tcp and/or /proc/net/tcp6 (header lines are skipped).</summary>
    /// <param name="procNetTcp">The file contents, concatenated.</param>
    /// <returns>The sockets in state LISTEN.</returns>
    public static IReadOnlyList<ListeningSocket> Parse(string procNetTcp)
    {
        var sockets = new List<ListeningSocket>();
        foreach (var raw in procNetTcp.Split('\n'))
        {
            var fields = raw.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || !fields[0].EndsWith(":", StringComparison.Ordinal) || fields[3] != ListenState)
            {
                continue;
            }

            var local = fields[1].Split(':');
            if (local.Length != 2
                || !int.TryParse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
                || !TryParseAddress(local[0], out var address))
            {
                continue;
            }

            sockets.Add(new ListeningSocket(address, port));
        }

        return sockets;
    }

    // The kernel prints each 32-bit word of the address in host (little-endian) byte order.
    private static bool TryParseAddress(string hex, out IPAddress address)
    {
        address = IPAddress.None;
        if (hex.Length != 8 && hex.Length != 32)
        {
            return false;
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                var text = hex.Substring((word * 8) + (b * 2), 2);
                if (!byte.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
                {
                    return false;
                }

                bytes[(word * 4) + (3 - b)] = value;
            }
        }

        address = new IPAddress(bytes);
        return true;
    }
}
