// Copyright (c) HaCluster contributors. MIT License.
// Retries against the emulator's real faults: 5100/5000/5300, HTTP 5xx, dropped connections, 1300 re-sign, 1400 lease, no blind creates.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudResilienceTests
{
    private static readonly string[] Masters = { "i-master01", "i-master02", "i-master03" };

    [Fact]
    public async Task SurvivesBusyRepliesAndDroppedConnectionsWithoutDuplicates()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.RetCode5100Rate = 0.3;
            o.Faults.DropConnectionRate = 0.1;
            o.Faults.Seed = 7;
        });
        var client = emulator.Client();
        const string name = "k8s-api-faulty";

        // Create → listener → backends → update, each create guarded by a look-up before any second attempt.
        var lbId = await client.CreateOnceAsync(
            "load balancer " + name,
            async ct => (await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = name, VxNetId = "vxnet-pn" }, ct)).LoadBalancerId,
            async ct => (await client.FindLoadBalancersByNameAsync(name, cancellationToken: ct)).SingleOrDefault()?.LoadBalancerId);
        await client.WaitForLoadBalancersAsync(new[] { lbId });
        var listenerId = await client.CreateOnceAsync(
            "listener 6443",
            async ct => (await client.AddLoadBalancerListenersAsync(lbId, new[] { new ListenerSpec { Port = 6443 } }, ct)).Single(),
            async ct => (await client.DescribeLoadBalancerListenersAsync(loadBalancerId: lbId, cancellationToken: ct)).SingleOrDefault(l => l.ListenerPort == 6443)?.ListenerId);
        await client.CreateOnceAsync<IReadOnlyList<string>>(
            "backends of " + listenerId,
            async ct => await client.AddLoadBalancerBackendsAsync(listenerId, Masters.Select(m => new BackendSpec { ResourceId = m, Port = 6443 }), ct),
            async ct =>
            {
                var present = await client.DescribeLoadBalancerBackendsAsync(listenerId: listenerId, cancellationToken: ct);
                return present.Count == 0 ? null : present.Select(b => b.BackendId).ToList();
            });
        await client.ApplyLoadBalancerChangesAsync(new[] { lbId });

        emulator.Server.Options.Faults.RetCode5100Rate = 0;
        emulator.Server.Options.Faults.DropConnectionRate = 0;
        var lbs = await client.DescribeLoadBalancersAsync(verbose: true);
        var lb = Assert.Single(lbs);
        var listener = Assert.Single(lb.Listeners);
        Assert.Equal(6443, listener.ListenerPort);
        Assert.Equal(Masters, listener.Backends.Select(b => b.ResourceId).OrderBy(x => x));
        Assert.True(lb.IsApplied);

        // The faults really happened and were survived, and every retry was narrated.
        var log = emulator.Server.GetRequests();
        Assert.Contains(log, r => r.Fault == "ret_code_5100");
        Assert.Contains(log, r => r.Fault == "drop_connection");
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("attempt") && l.Contains("ret_code 5100") && l.Contains("retrying in"));
        Assert.DoesNotContain(emulator.Observer.AllText, l => l.Contains(EmulatorScope.Secret));
    }

    [Fact]
    public async Task RetriesEveryTransientReplyUntilItSucceeds()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.RetCode5000Rate = 0.5;
            o.Faults.Seed = 3;
        });

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(6, (await emulator.Client().DescribeInstancesAsync()).Count);
        }

        var log = emulator.Requests("DescribeInstances");
        Assert.Contains(log, r => r.RetCode == 5000);
        Assert.Equal(10, log.Count(r => r.RetCode == 0));
        Assert.NotEqual(log.First().Parameters["time_stamp"] + log.First().Parameters["signature_method"], string.Empty);
    }

    // A create whose answer was lost is sent once, not retried, and reported as ambiguous with its parameters.
    private static async Task<QingCloudAmbiguousResultException> CreateIsAmbiguousAsync(EmulatorScope emulator, string name, string fault)
    {
        var ex = await Assert.ThrowsAsync<QingCloudAmbiguousResultException>(() => emulator.Client().CreateLoadBalancerAsync(new LoadBalancerSpec { Name = name, VxNetId = "vxnet-pn" }));
        Assert.Equal("QingCloudAmbiguousResult", ex.ErrorId);
        Assert.Equal("CreateLoadBalancer", ex.Action);
        Assert.Equal(name, ex.Parameters["loadbalancer_name"]);
        Assert.Equal(fault, Assert.Single(emulator.Requests("CreateLoadBalancer")).Fault);
        Assert.DoesNotContain(emulator.Observer.VerboseLines, l => l.Contains("CreateLoadBalancer") && l.Contains("retrying"));
        return ex;
    }

    [Theory]
    [InlineData("http_5xx", "QingCloudHttpError: QingCloud DescribeInstances answered HTTP 50")]
    [InlineData("ret_code_5300", "ret_code 5300 (ServiceUpdating")]
    public async Task GatewayErrorsAndServiceUpdatingAreRetriedWithAFreshSignature(string fault, string narrated)
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.Http5xxRate = fault == "http_5xx" ? 0.5 : 0;
            o.Faults.RetCode5300Rate = fault == "ret_code_5300" ? 0.5 : 0;
            o.Faults.Seed = 9;
        });

        // A clock that moves one second per attempt: every attempt is signed anew, so its time_stamp must differ.
        var start = DateTime.UtcNow;
        var ticks = 0;
        var client = emulator.Client(configure: o => o.UtcNow = () => start.AddSeconds(Interlocked.Increment(ref ticks)));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(6, (await client.DescribeInstancesAsync()).Count);
        }

        var log = emulator.Requests("DescribeInstances");
        var faulted = log.Count(r => r.Fault == fault);
        Assert.True(faulted >= 3, $"seed 9 should fault several of {log.Count} attempts with {fault}");
        Assert.Equal(10, log.Count(r => r.Fault is null && r.RetCode == 0));
        Assert.Equal(log.Count, faulted + 10);
        Assert.Equal(log.Count, log.Select(r => r.Parameters["time_stamp"]).Distinct().Count());
        Assert.Equal(faulted, emulator.Observer.VerboseLines.Count(l => l.Contains("attempt") && l.Contains(narrated) && l.Contains("retrying in")));
    }

    [Fact]
    public async Task ServiceUpdatingOnACreateIsRetriedBecauseTheApiRefusedIt()
    {
        // 5300 is the API's own answer that it did not run the request, so even a create may be sent again.
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.RetCode5300Rate = 0.5;
            o.Faults.Seed = 9;
        });
        var client = emulator.Client();

        var created = await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "updating", VxNetId = "vxnet-pn" });

        var log = emulator.Requests("CreateLoadBalancer");
        Assert.Equal("ret_code_5300", log[0].Fault);
        Assert.Equal(1, log.Count(r => r.RetCode == 0));
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("CreateLoadBalancer") && l.Contains("ret_code 5300") && l.Contains("retrying in"));
        emulator.Server.Options.Faults.RetCode5300Rate = 0;
        Assert.Equal(created.LoadBalancerId, Assert.Single(await client.DescribeLoadBalancersAsync()).LoadBalancerId);
    }

    // Design: an HTTP 5xx comes from whatever sits in front of the API (a gateway or proxy), which may have forwarded
    // the request before failing, so for a create it is an ambiguous result exactly like a dropped connection: the
    // client does not resend it but throws QingCloudAmbiguousResultException, and CreateOnceAsync (used by every
    // service that creates) looks the resource up by name before creating again. The emulator's http_5xx fault never
    // forwards, so here the look-up finds nothing and the second create is the only one that takes effect.
    [Fact]
    public async Task AGatewayErrorOnACreateIsReportedAsAmbiguousNotRepeated()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.Faults.Http5xxRate = 1.0);

        var ex = await CreateIsAmbiguousAsync(emulator, "gateway", "http_5xx");

        var inner = Assert.IsType<QingCloudTransportException>(ex.InnerException);
        Assert.Equal("QingCloudHttpError", inner.ErrorId);
        Assert.True(inner.StatusCode is 502 or 503, $"status {inner.StatusCode}");
        Assert.True(inner.MayHaveReachedServer);
        emulator.Server.Options.Faults.Http5xxRate = 0;
        Assert.Empty(await emulator.Client().DescribeLoadBalancersAsync());
    }

    [Fact]
    public async Task AGatewayErrorOnACreateIsLookedUpThenCreatedExactlyOnce()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.Http5xxRate = 0.5;
            o.Faults.Seed = 7;
        });
        var client = emulator.Client();

        // Seed 7: the three look-ups before the create get through (after retries), then the create meets a 5xx.
        // The first assertion below pins that, so a change in the draws cannot leave the test proving nothing.
        var lb = await new LoadBalancerService(client).CreateAsync(new LoadBalancerSpec { Name = "k8s-gateway", VxNetId = "vxnet-pn" }, noWait: true);

        var creates = emulator.Requests("CreateLoadBalancer");
        Assert.Equal("http_5xx", creates[0].Fault);
        Assert.Equal(1, creates.Count(r => r.Fault is null && r.RetCode == 0));
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("outcome for load balancer 'k8s-gateway' is unknown") && l.Contains("answered HTTP 50"));
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("load balancer 'k8s-gateway' does not exist; creating it again"));
        emulator.Server.Options.Faults.Http5xxRate = 0;
        Assert.Equal(lb.LoadBalancerId, Assert.Single(await client.DescribeLoadBalancersAsync()).LoadBalancerId);
    }

    [Fact]
    public async Task ADroppedCreateIsNotRepeatedButReportedAsAmbiguous()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.Faults.DropConnectionRate = 1.0);
        var client = emulator.Client();

        var ex = await CreateIsAmbiguousAsync(emulator, "once", "drop_connection");

        // The look-up finds what the lost reply created, so CreateOnceAsync does not create a second one.
        emulator.Server.Options.Faults.DropConnectionRate = 0;
        var creates = 0;
        var id = await client.CreateOnceAsync(
            "load balancer once",
            async ct =>
            {
                creates++;
                throw new QingCloudAmbiguousResultException("CreateLoadBalancer", ex.Parameters, ex);
            },
            async ct => (await client.FindLoadBalancersByNameAsync("once", cancellationToken: ct)).SingleOrDefault()?.LoadBalancerId);
        Assert.Equal(1, creates);
        Assert.StartsWith("lb-", id);
        Assert.Single(await client.DescribeLoadBalancersAsync());
    }

    [Fact]
    public async Task CreateOnceCreatesAgainWhenTheLookupFindsNothing()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client();
        var attempts = 0;

        var id = await client.CreateOnceAsync(
            "security group retry",
            async ct =>
            {
                if (++attempts == 1)
                {
                    throw new QingCloudAmbiguousResultException("CreateSecurityGroup", new Dictionary<string, string>(), new TimeoutException("lost before reaching the server"));
                }

                return await client.CreateSecurityGroupAsync("retry", ct);
            },
            async ct => (await client.FindSecurityGroupsByNameAsync("retry", ct)).SingleOrDefault()?.SecurityGroupId);

        Assert.Equal(2, attempts);
        Assert.Equal(id, (await client.FindSecurityGroupsByNameAsync("retry")).Single().SecurityGroupId);
    }

    [Fact]
    public async Task ADroppedIdempotentCallIsRetried()
    {
        await using var emulator = await EmulatorScope.StartAsync(o =>
        {
            o.Faults.DropConnectionRate = 0.5;
            o.Faults.Seed = 11;
        });

        var vxnets = await emulator.Client().DescribeVxNetsAsync();

        Assert.Single(vxnets);
        Assert.Contains(emulator.Requests("DescribeVxnets"), r => r.Fault == "drop_connection");
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("DescribeVxnets") && l.Contains("QingCloudConnectionFailed"));
    }

    [Fact]
    public async Task ExpiredTimeStampIsReSignedOnce()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var calls = 0;
        var client = emulator.Client(configure: o => o.UtcNow = () => ++calls == 1 ? DateTime.UtcNow.AddMinutes(-10) : DateTime.UtcNow);

        var instances = await client.DescribeInstancesAsync();

        var log = emulator.Requests("DescribeInstances");
        Assert.Equal(6, instances.Count);
        Assert.Equal(new[] { 1300, 0 }, log.Select(r => r.RetCode));
        Assert.NotEqual(log[0].Parameters["time_stamp"], log[1].Parameters["time_stamp"]);
        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("ret_code 1300") && l.Contains("re-signing"));
    }

    [Fact]
    public async Task AStaleClockFailsAfterOneReSign()
    {
        await using var emulator = await EmulatorScope.StartAsync();
        var client = emulator.Client(configure: o => o.UtcNow = () => DateTime.UtcNow.AddMinutes(-10));

        var ex = await Assert.ThrowsAsync<QingCloudApiException>(() => client.DescribeInstancesAsync());

        Assert.Equal(1300, ex.RetCode);
        Assert.Equal("QingCloudMessageExpired", ex.ErrorId);
        Assert.Equal(2, emulator.Requests("DescribeInstances").Count);
    }

    [Fact]
    public async Task LeaseNotReadyIsWaitedOutForDeleteAndRelease()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.LeaseWindowMs = 3000);
        var client = emulator.Client();

        // Each delete follows its create at once, well inside the lease window.
        var created = await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "short-lived", VxNetId = "vxnet-pn" });
        await client.WaitForJobsAsync(new[] { created.JobId });
        await client.WaitForJobsAsync(new[] { await client.DeleteLoadBalancersAsync(new[] { created.LoadBalancerId }) });
        var eipId = (await client.AllocateEipsAsync(new EipSpec { Bandwidth = 1 })).Single();
        await client.WaitForEipsAsync(new[] { eipId });
        await client.WaitForJobsAsync(new[] { await client.ReleaseEipsAsync(new[] { eipId }) });

        foreach (var action in new[] { "DeleteLoadBalancers", "ReleaseEips" })
        {
            var log = emulator.Requests(action);
            Assert.True(log.Count >= 2, action + " should have been retried");
            Assert.Equal(1400, log[0].RetCode);
            Assert.Contains("lease", log[0].Message);
            Assert.Equal(0, log[^1].RetCode);
        }

        Assert.Contains(emulator.Observer.VerboseLines, l => l.Contains("DeleteLoadBalancers") && l.Contains("lease not ready"));
    }

    [Fact]
    public async Task OtherActionsAreNotRetriedOn1400()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.JobLatencyMs = 60_000);
        var client = emulator.Client();
        var created = await client.CreateLoadBalancerAsync(new LoadBalancerSpec { Name = "busy", VxNetId = "vxnet-pn" });

        // While the LB is still being created, UpdateLoadBalancers is refused with 1400; that is final.
        var ex = await Assert.ThrowsAsync<QingCloudApiException>(() => client.UpdateLoadBalancersAsync(new[] { created.LoadBalancerId }));

        Assert.Equal(1400, ex.RetCode);
        Assert.Single(emulator.Requests("UpdateLoadBalancers"));
    }

    [Fact]
    public async Task ARefusedConnectionIsRetriedEvenForACreateBecauseNothingWasSent()
    {
        // A port that was just free on this helper's loopback range: connecting to it is refused.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse("127.10.0.1"), 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var observer = new RecordingObserver();
        var context = new QingCloudContext("QYKEY", QingCloudContextTests.Secure(EmulatorScope.Secret), "pek3b", new Uri($"http://127.10.0.1:{port}/iaas/"));
        var client = new QingCloudClient(context, observer, new QingCloudClientOptions { MaxRetryAttempts = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });

        var ex = await Assert.ThrowsAsync<QingCloudTransportException>(() => client.CreateSecurityGroupAsync("never"));

        Assert.Equal("QingCloudConnectionFailed", ex.ErrorId);
        Assert.False(ex.MayHaveReachedServer);
        Assert.Equal(2, observer.VerboseLines.Count(l => l.Contains("CreateSecurityGroup") && l.Contains("retrying")));
    }

    [Fact]
    public async Task AnEndpointThatAcceptsButNeverAnswersFailsWithinTheCallTimeoutRetriesIncluded()
    {
        // Accepts every connection (the kernel's backlog does it) and never answers a byte.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse("127.10.0.2"), 0);
        silent.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
            var context = new QingCloudContext("QYKEY", QingCloudContextTests.Secure(EmulatorScope.Secret), "pek3b", new Uri($"http://127.10.0.2:{port}/iaas/"));

            // Ten retries of a 30 s attempt would take five minutes; the call's own bound ends it.
            var client = new QingCloudClient(context, new RecordingObserver(), new QingCloudClientOptions { CallTimeout = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
            var ex = await Assert.ThrowsAsync<QingCloudTransportException>(() => client.DescribeVxNetsAsync());

            Assert.Equal("QingCloudTimeout", ex.ErrorId);
            Assert.Equal(FailureKind.OperationTimeout, ex.Kind);
            Assert.Contains("no usable reply within 1 s, the limit of one call with all its retries (1 attempt(s), each limited to 30 s)", ex.Message, StringComparison.Ordinal);

            // A create whose request may have arrived is "outcome unknown", so the caller looks before creating again.
            var create = await Assert.ThrowsAsync<QingCloudAmbiguousResultException>(() => client.CreateSecurityGroupAsync("never"));
            Assert.Equal("QingCloudTimeout", ((QingCloudTransportException)create.InnerException!).ErrorId);
        }
        finally
        {
            silent.Stop();
        }
    }
}
