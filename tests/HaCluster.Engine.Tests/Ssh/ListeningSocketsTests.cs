// Copyright (c) HaCluster contributors. MIT License.
// /proc/net/tcp parsing, checked against this machine's own kernel tables with a real listener.

using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using HaCluster.Engine.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.Ssh;

public sealed class ListeningSocketsTests
{
    [Fact]
    public void A_real_listener_appears_with_its_address_and_port()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.40.5.7"), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sockets = ListeningSockets.Parse(File.ReadAllText("/proc/net/tcp") + File.ReadAllText("/proc/net/tcp6"));
        var mine = Assert.Single(sockets, s => s.Port == port && s.Address.Equals(IPAddress.Parse("127.40.5.7")));
        Assert.True(mine.Blocks(IPAddress.Parse("127.40.5.7")));
        Assert.False(mine.Blocks(IPAddress.Parse("127.40.5.8")));
        Assert.Equal($"127.40.5.7:{port}", mine.ToString());
    }

    [Fact]
    public void Ipv6_wildcards_and_non_listening_states_are_handled()
    {
        const string text =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            + "   0: 0100007F:1A0B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
            + "   1: 0100007F:0016 0200007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n"
            + "   0: 00000000000000000000000000000000:2A02 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 3 1 0 100 0 0 10 0\n";
        var sockets = ListeningSockets.Parse(text);
        Assert.Equal(2, sockets.Count);
        Assert.Equal(6667, sockets[0].Port);
        Assert.Equal(IPAddress.Loopback, sockets[0].Address);
        Assert.True(sockets[1].IsWildcard);
        Assert.Equal(10754, sockets[1].Port);
        Assert.True(sockets[1].Blocks(IPAddress.Parse("10.0.0.1")));
    }
}
