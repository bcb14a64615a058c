// Copyright (c) HaCluster contributors. MIT License.
// A cluster for the verifier's xUnit tests: in-process emulator on 127.80.20.0/24, stand-in apiservers and consoles, both LBs built.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using HaCluster.Emulator;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

/// <summary>
/// Three masters and one node as emulator instances, each address serving an apiserver stand-in (TLS 6443, <c>ok</c>)
/// on the masters and a KubeSphere page (HTTP 30880) everywhere; the internal and external load balancers built as the
/// tutorial does, firewall opened, applied, backends up. Tests that change anything put it back.
/// </summary>
public sealed class VerifierCloud : IAsyncLifetime
{
    public const string Prefix = "127.80.20.";
    public static readonly string[] Names = { "master1", "master2", "master3", "node1" };

    private readonly List<StandInServer> _servers = new();
    private X509Certificate2? _certificate;

    public EmulatorServer Server { get; private set; } = null!;

    public QingCloudClient Client { get; private set; } = null!;

    public LoadBalancer Internal { get; private set; } = null!;

    public LoadBalancer External { get; private set; } = null!;

    public IReadOnlyList<HaHost> Hosts => Names.Select((n, i) => new HaHost(n, Prefix + (i + 2))).ToList();

    public string IdOf(string name) => Server.Options.Instances.Single(i => i.InstanceName == name).InstanceId;

    /// <summary>A request for this cluster (the tests drive the load-balancer checks and the drill, which need no SSH).</summary>
    public ClusterVerificationRequest Request(TimeSpan? timeout = null) => new()
    {
        InternalLoadBalancerId = Internal.LoadBalancerId,
        ExternalLoadBalancerId = External.LoadBalancerId,
        ControlPlane = Hosts.Take(3).ToList(),
        Workers = Hosts.Skip(3).ToList(),
        Timeout = timeout ?? TimeSpan.FromMinutes(2),
    };

    public async Task InitializeAsync()
    {
        var options = EmulatorOptions.CreateDefault();
        options.Listen = new Uri("http://127.0.0.1:0");
        options.JobLatencyMs = 300;
        options.LeaseWindowMs = 0;
        options.HealthCheckTimeScale = 0.05;
        options.EipPool = "127.80.21.0/24";
        options.VxNets.Clear();
        options.VxNets.Add(new EmulatorVxNet { VxNetId = "vxnet-pn", VxNetName = "pn", IpNetwork = Prefix + "0/24" });
        options.Instances.Clear();
        for (var i = 0; i < Names.Length; i++)
        {
            options.Instances.Add(new EmulatorInstance { InstanceId = "i-verify0" + i, InstanceName = Names[i], VxNetId = "vxnet-pn", PrivateIp = Prefix + (i + 2) });
        }

        Server = await EmulatorServer.StartAsync(options, new HaCluster.Emulator.DataPlane.LoopbackDataPlane(options.HealthCheckTimeScale));
        var secret = new SecureString();
        foreach (var c in EmulatorOptions.DefaultSecretAccessKey)
        {
            secret.AppendChar(c);
        }

        Client = new QingCloudClient(new QingCloudContext(Server.AccessKeyId, secret, EmulatorOptions.DefaultZone, Server.Endpoint));
        _certificate = StandInServer.Certificate("kube-apiserver", Hosts.Select(h => h.Address).ToArray());
        foreach (var host in Hosts)
        {
            if (host.Name.StartsWith("master", StringComparison.Ordinal))
            {
                _servers.Add(new StandInServer(host.Address, 6443, 200, "ok", _certificate));
            }

            _servers.Add(new StandInServer(host.Address, 30880, 200, "<html><head><title>KubeSphere</title></head></html>"));
        }

        var lbs = new LoadBalancerService(Client);
        var health = "2|5|2|2";
        var groups = new SecurityGroupService(Client);
        Internal = await lbs.CreateAsync(new LoadBalancerSpec { Name = "verify-internal", VxNetId = "pn", SecurityGroupId = (await groups.CreateAsync("verify-internal")).SecurityGroupId });
        var api = await lbs.AddListenerAsync(Internal.LoadBalancerId, new ListenerSpec { Port = 6443, HealthyCheckOption = health }, openFirewall: true);
        var eip = (await new EipService(Client).AllocateAsync(new EipSpec { Name = "verify-eip" }))[0];
        External = await lbs.CreateAsync(new LoadBalancerSpec { Name = "verify-external", EipIds = { eip.EipId }, SecurityGroupId = (await groups.CreateAsync("verify-external")).SecurityGroupId });
        var console = await lbs.AddListenerAsync(External.LoadBalancerId, new ListenerSpec { Port = 30880, Protocol = "http", HealthyCheckOption = health }, openFirewall: true);
        await lbs.AddBackendsAsync(new[]
        {
            new BackendBatch(api.ListenerId, Names.Take(3).Select(n => new BackendSpec { ResourceId = IdOf(n), Port = 6443 }).ToList()),
            new BackendBatch(console.ListenerId, Names.Select(n => new BackendSpec { ResourceId = IdOf(n), Port = 30880 }).ToList()),
        });
        var applied = await lbs.ApplyAsync(new[] { Internal.LoadBalancerId, External.LoadBalancerId }, new ApplyOptions { WaitForBackendsUp = true });
        Internal = applied.Single(l => l.LoadBalancerId == Internal.LoadBalancerId);
        External = applied.Single(l => l.LoadBalancerId == External.LoadBalancerId);
    }

    /// <summary>Waits until every backend is up again (after a drill).</summary>
    public Task WaitBackendsUpAsync() =>
        new LoadBalancerService(Client).WaitForBackendsUpAsync(new[] { Internal.LoadBalancerId, External.LoadBalancerId }, new WaitOptions { Timeout = TimeSpan.FromMinutes(2) });

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await Server.DisposeAsync();
        _certificate?.Dispose();
    }
}
