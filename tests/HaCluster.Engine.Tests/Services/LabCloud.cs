// Copyright (c) HaCluster contributors. MIT License.
// An in-process emulator on this helper's loopback range (127.60.0.0/16), a client for it, and address-echo servers.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Engine.Tests.Services;

/// <summary>
/// A QingCloud emulator with the real data plane whose VxNet <c>pn</c> and EIP pool are two /24s of 127.60.0.0/16 that
/// no other emulator of this run uses, plus six instances master1-3 and node1-3 on hosts .2-.7 of the VxNet.
/// </summary>
internal sealed class LabCloud : IAsyncDisposable
{
    public static readonly string[] Names = { "master1", "master2", "master3", "node1", "node2", "node3" };

    private static int _block = Random.Shared.Next(0, 64);
    private readonly List<IAsyncDisposable> _owned = new();

    private LabCloud(EmulatorServer server, string prefix)
    {
        Server = server;
        Prefix = prefix;
        var secret = new SecureString();
        foreach (var c in EmulatorOptions.DefaultSecretAccessKey)
        {
            secret.AppendChar(c);
        }

        Context = new QingCloudContext(server.AccessKeyId, secret, EmulatorOptions.DefaultZone, server.Endpoint);
        Client = new QingCloudClient(Context);
    }

    public QingCloudContext Context { get; }

    public EmulatorServer Server { get; }

    public QingCloudClient Client { get; }

    /// <summary>First three octets of the VxNet, e.g. <c>127.60.14.</c>.</summary>
    public string Prefix { get; }

    public static async Task<LabCloud> StartAsync(int leaseWindowMs = 400)
    {
        var block = Interlocked.Increment(ref _block) % 64;
        var prefix = $"127.60.{block * 2}.";
        var options = EmulatorOptions.CreateDefault();
        options.Listen = new Uri("http://127.0.0.1:0");
        options.JobLatencyMs = 60;
        options.LeaseWindowMs = leaseWindowMs;
        options.HealthCheckTimeScale = 0.05;
        options.EipPool = $"127.60.{(block * 2) + 1}.0/24";
        options.VxNets.Clear();
        options.VxNets.Add(new EmulatorVxNet { VxNetId = "vxnet-pn", VxNetName = "pn", IpNetwork = prefix + "0/24" });
        var ids = options.Instances.Select(i => i.InstanceId).ToList();
        options.Instances.Clear();
        for (var i = 0; i < Names.Length; i++)
        {
            options.Instances.Add(new EmulatorInstance { InstanceId = ids[i], InstanceName = Names[i], VxNetId = "vxnet-pn", PrivateIp = prefix + (i + 2) });
        }

        // The services are proved by real traffic, so the emulator drives the loopback data plane.
        return new LabCloud(await EmulatorServer.StartAsync(options, new HaCluster.Emulator.DataPlane.LoopbackDataPlane(options.HealthCheckTimeScale)), prefix);
    }

    /// <summary>The instance id of a name (<c>master1</c> → <c>i-master01</c>).</summary>
    public string IdOf(string name) => Server.Options.Instances.Single(i => i.InstanceName == name).InstanceId;

    public string AddressOf(string name) => Server.Options.Instances.Single(i => i.InstanceName == name).PrivateIp;

    /// <summary>Successful requests of an action in the emulator's log.</summary>
    public int Count(string action) => Server.GetRequests().Count(r => r.Action == action && r.RetCode == 0);

    /// <summary>Starts a server on the instance's address that writes that address to every connection.</summary>
    public AddressServer Serve(string name, int port)
    {
        var server = new AddressServer(IPAddress.Parse(AddressOf(name)), port);
        _owned.Add(server);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await Server.DisposeAsync();
    }

    /// <summary>Connects, reads the one line a backend writes, and returns it (null when the connection fails or is closed empty).</summary>
    public static async Task<string?> AskAsync(string address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(address), port);
            var buffer = new byte[256];
            var text = new StringBuilder();
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return text.Length == 0 ? null : text.ToString().Trim();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Whether something accepts connections on the endpoint.</summary>
    public static async Task<bool> IsListeningAsync(string address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(address), port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A TCP server that writes its own address and closes each connection.</summary>
internal sealed class AddressServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _accept;

    public AddressServer(IPAddress address, int port)
    {
        Address = address.ToString();
        _listener = new TcpListener(address, port);
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public string Address { get; }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        return new ValueTask(_accept);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Address + "\n"));
                    }
                    catch (Exception ex) when (ex is SocketException or System.IO.IOException)
                    {
                        // Health checks connect and leave at once.
                    }
                }
            });
        }
    }
}
