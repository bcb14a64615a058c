// Copyright (c) HaCluster contributors. MIT License.
// Strict IP address and CIDR parsing with containment and overlap tests.

using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HaCluster.Engine.Common;

/// <summary>An IPv4 or IPv6 network in CIDR notation (10.233.64.0/18).</summary>
internal readonly struct IpPrefix
{
    private readonly byte[] _network;

    private IpPrefix(byte[] network, int length)
    {
        _network = network;
        Length = length;
    }

    /// <summary>Prefix length in bits.</summary>
    public int Length { get; }

    /// <summary>
    /// Parses an address strictly: IPv4 must be four dotted decimals (IPAddress.TryParse alone
    /// accepts "10.1" or "1"), IPv6 must contain a colon.
    /// </summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrWhiteSpace(text) || text!.Trim() != text || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork)
        {
            var parts = text.Split('.');
            if (parts.Length != 4 || Array.Exists(parts, p => p.Length is 0 or > 3 || !IsDigits(p)))
            {
                return false;
            }
        }
        else if (text.IndexOf(':') < 0 || text.IndexOf('%') >= 0)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Parses <c>address/length</c>.</summary>
    public static bool TryParse(string? text, out IpPrefix prefix)
    {
        prefix = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (slash <= 0 ||
            !TryParseAddress(text!.Substring(0, slash), out var address) ||
            !IsDigits(text.Substring(slash + 1)) ||
            !int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        if (length > bytes.Length * 8)
        {
            return false;
        }

        prefix = new IpPrefix(Mask(bytes, length), length);
        return true;
    }

    /// <summary>True when <paramref name="address"/> is inside this network.</summary>
    public bool Contains(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return bytes.Length == _network.Length && Equal(Mask(bytes, Length), _network);
    }

    /// <summary>True when the two networks share any address (one contains the other).</summary>
    public bool Overlaps(IpPrefix other)
    {
        if (other._network.Length != _network.Length)
        {
            return false;
        }

        var shorter = Math.Min(Length, other.Length);
        return Equal(Mask(_network, shorter), Mask(other._network, shorter));
    }

    private static byte[] Mask(byte[] bytes, int length)
    {
        var masked = new byte[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Max(0, Math.Min(8, length - (i * 8)));
            masked[i] = (byte)(bytes[i] & (byte)(0xFF << (8 - bits)));
        }

        return masked;
    }

    private static bool Equal(byte[] a, byte[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigits(string text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
