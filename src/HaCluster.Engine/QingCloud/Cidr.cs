// Copyright (c) HaCluster contributors. MIT License.
// IPv4/IPv6 CIDR parsing and membership (netstandard2.0 has no IPNetwork).

using System;
using System.Globalization;
using System.Net;

namespace HaCluster.Engine.QingCloud;

/// <summary>CIDR helpers for VxNet ranges and security-group sources.</summary>
public static class Cidr
{
    /// <summary>Parses <c>a.b.c.d/n</c> (or a bare address, meaning a single host).</summary>
    /// <param name="text">The CIDR.</param>
    /// <param name="network">The network address.</param>
    /// <param name="prefixLength">The prefix length.</param>
    /// <returns>True when <paramref name="text"/> is a valid CIDR.</returns>
    public static bool TryParse(string? text, out IPAddress network, out int prefixLength)
    {
        network = IPAddress.None;
        prefixLength = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text!.Trim().Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var address))
        {
            return false;
        }

        var bits = address.GetAddressBytes().Length * 8;
        var length = bits;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits))
        {
            return false;
        }

        network = address;
        prefixLength = length;
        return true;
    }

    /// <summary>Whether <paramref name="address"/> lies inside <paramref name="cidr"/>.</summary>
    /// <param name="cidr">The network, e.g. <c>127.0.0.0/24</c>.</param>
    /// <param name="address">The address.</param>
    /// <returns>True when inside; false when outside or when the CIDR is invalid.</returns>
    public static bool Contains(string cidr, IPAddress address)
    {
        if (address is null || !TryParse(cidr, out var network, out var length))
        {
            return false;
        }

        var a = network.GetAddressBytes();
        var b = address.GetAddressBytes();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length && length > 0; i++, length -= 8)
        {
            var mask = length >= 8 ? 0xFF : (byte)(0xFF << (8 - length));
            if ((a[i] & mask) != (b[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
