// Copyright (c) HaCluster contributors. MIT License.
// The services never repeat a create blindly: a create whose reply is lost is looked up before anything is sent again.

using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Services;

public sealed class LostReplyTests
{
    [Fact]
    public async Task CreatesWhoseReplyIsLostAreFoundByNamePortOrInstanceInsteadOfRepeated()
    {
        await using var cloud = await LabCloud.StartAsync();
        using var network = new LoseFirstReply("CreateLoadBalancer", "AllocateEips", "AddLoadBalancerListeners", "AddLoadBalancerBackends", "AddSecurityGroupRules");
        using var http = new HttpClient(network) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new QingCloudClient(cloud.Context, options: new QingCloudClientOptions { HttpClient = http, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });
        var service = new LoadBalancerService(client);

        var eip = (await new EipService(client).AllocateAsync(new EipSpec { Name = "ks-console" }))[0];
        var group = await new SecurityGroupService(client).CreateAsync("ks-console");
        var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "ks-console", EipIds = { eip.EipId }, SecurityGroupId = group.SecurityGroupId });
        var listener = await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 30880, Protocol = "http" }, openFirewall: true);
        var backends = await service.AddBackendsAsync(new[] { new BackendBatch(listener.ListenerId, LabCloud.Names.Select(n => new BackendSpec { ResourceId = cloud.IdOf(n), Port = 30880 }).ToList()) });

        // Each reply really was lost once, and each create reached QingCloud exactly once.
        Assert.Equal(5, network.Lost.Count);
        foreach (var action in network.Lost)
        {
            Assert.Equal(1, cloud.Count(action));
        }

        Assert.Equal(eip.EipId, lb.Eip!.EipId);
        Assert.Equal(6, backends.Count);
        Assert.Single(await cloud.Client.DescribeLoadBalancersAsync());
        Assert.Single(await cloud.Client.DescribeLoadBalancerListenersAsync(loadBalancerId: lb.LoadBalancerId));
        Assert.Equal(6, (await cloud.Client.DescribeLoadBalancerBackendsAsync(listenerId: listener.ListenerId)).Count);
    }

    /// <summary>The network: forwards every request, but drops the reply to the first request of each named action.</summary>
    private sealed class LoseFirstReply : DelegatingHandler
    {
        private readonly ConcurrentDictionary<string, bool> _pending;

        public LoseFirstReply(params string[] actions)
            : base(new SocketsHttpHandler())
        {
            _pending = new ConcurrentDictionary<string, bool>(actions.Select(a => new System.Collections.Generic.KeyValuePair<string, bool>(a, true)));
        }

        public ConcurrentQueue<string> Lost { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var action = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query)["action"] ?? string.Empty;
            if (_pending.TryRemove(action, out _))
            {
                response.Dispose();
                Lost.Enqueue(action);
                throw new HttpRequestException("The response ended prematurely.", new IOException("Connection reset by peer"));
            }

            return response;
        }
    }
}
