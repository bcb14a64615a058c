// Copyright (c) HaCluster contributors. MIT License.
// Issue 10: every check before anything exists, and a state file that cannot be used or belongs elsewhere is refused.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Tests.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

public sealed class ClusterSafetyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hacluster-safety-" + Guid.NewGuid().ToString("N"));

    public ClusterSafetyTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(path, FileAttributes.Normal);
        }

        File.SetAttributes(_directory, FileAttributes.Normal);
        Directory.Delete(_directory, recursive: true);
    }

    public static TheoryData<string, Action<ClusterRequest>, string> InputNeedingNoCall => new()
    {
        { "kk v4", r => r.KubeKeyVersion = "v4.0.0", "KubeKeyVersionUnsupported" },
        { "kk version text", r => r.KubeKeyVersion = "latest", "InstallOptionInvalid" },
        { "Kubernetes version", r => r.KubernetesVersion = "1.23", "KubernetesVersionInvalid" },
        { "Kubernetes too new", r => r.KubernetesVersion = "v1.40.0", "KubernetesVersionUnsupported" },
        { "KubeSphere version", r => r.KubeSphereVersion = "v9.9.9", "KubeSphereVersionUnsupported" },
        { "KubeSphere and Kubernetes", r => (r.KubeSphereVersion, r.KubernetesVersion) = ("v3.4.1", "v1.30.0"), "KubernetesVersionIncompatible" },
        { "components without KubeSphere", r => r.EnabledComponents = new List<string> { "devops" }, "KubeSphereVersionRequired" },
        { "key file", r => r.PrivateKeyPath = "/nonexistent/id_ed25519", "SshKeyFileNotFound" },
        { "newline in an instance", r => r.Workers = new List<string> { "node1\nWARNING: forged" }, InputText.ControlCharacterErrorId },
        { "escape in the VxNet", r => r.VxNet = "pn\u001b[2J", InputText.ControlCharacterErrorId },
        { "newline in the name", r => r.Name = "ok\nno", InputText.ControlCharacterErrorId },
        { "SSH port", r => r.SshPort = 70000, "PortOutOfRange" },
    };

    [Theory]
    [MemberData(nameof(InputNeedingNoCall))]
    public async Task InputThatNeedsNoCallIsRefusedBeforeTheFirstCall(string because, Action<ClusterRequest> change, string errorId)
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var request = Request("early");
        request.SkipInstall = false;
        change(request);

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, cloud.Client()));

        Assert.True(errorId == error.ErrorId, $"{because}: {error.ErrorId} {error.Message}");
        Assert.NotNull(error.Target);
        Assert.Empty(cloud.Server.GetRequests());
        Assert.False(File.Exists(request.StatePath));
    }

    [Fact]
    public void AControlCharacterIsNamedEscaped()
    {
        var error = Assert.Throws<HaClusterException>(() => InputText.RequirePrintable("The load balancer name", "web\r\nX"));
        Assert.Equal(InputText.ControlCharacterErrorId, error.ErrorId);
        Assert.Equal("web\\u000d\\u000aX", error.Target);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANameWithAControlCharacterNeverReachesQingCloud()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var error = await Assert.ThrowsAsync<HaClusterException>(() => new LoadBalancerService(cloud.Client()).CreateAsync(new LoadBalancerSpec { Name = "web\u0007", VxNetId = "vxnet-pn" }));
        Assert.Equal(InputText.ControlCharacterErrorId, error.ErrorId);
        Assert.Empty(cloud.Requests("CreateLoadBalancer"));
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("missing folder")]
    [InlineData("read-only file")]
    [InlineData("read-only folder")]
    public async Task AStateFileThatCannotBeWrittenIsRefusedBeforeTheFirstCall(string kind)
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var request = Request("unusable");
        string? before = null;
        switch (kind)
        {
            case "folder":
                Directory.CreateDirectory(request.StatePath);
                break;
            case "missing folder":
                request.StatePath = Path.Combine(_directory, "no-such-folder", "unusable.hacluster.json");
                break;
            case "read-only file":
                ClusterStateFile.Save(request.StatePath, new ClusterState { Name = "unusable" });
                before = File.ReadAllText(request.StatePath);
                File.SetAttributes(request.StatePath, FileAttributes.ReadOnly);
                break;
            case "read-only folder":
                var folder = Path.Combine(_directory, "locked");
                Directory.CreateDirectory(folder);
                File.SetAttributes(folder, FileAttributes.ReadOnly);
                request.StatePath = Path.Combine(folder, "unusable.hacluster.json");
                break;
        }

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, cloud.Client()));

        Assert.Equal(ClusterStateFile.UnusableErrorId, error.ErrorId);
        Assert.Equal(request.StatePath, error.Target);
        Assert.Contains(request.StatePath, error.Message, StringComparison.Ordinal);
        Assert.Empty(cloud.Server.GetRequests());
        if (before is not null)
        {
            Assert.Equal(before, File.ReadAllText(request.StatePath));
        }

        Assert.Empty(Directory.EnumerateFiles(_directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ReadingAFolderOrWritingIntoAMissingFolderIsAHaClusterError()
    {
        var folder = Path.Combine(_directory, "a-folder.hacluster.json");
        Directory.CreateDirectory(folder);
        Assert.Equal(ClusterStateFile.UnusableErrorId, Assert.Throws<HaClusterException>(() => ClusterStateFile.TryLoad(folder)).ErrorId);

        var missing = Path.Combine(_directory, "gone", "x.hacluster.json");
        var error = Assert.Throws<HaClusterException>(() => ClusterStateFile.Save(missing, new ClusterState { Name = "x" }));
        Assert.Equal(ClusterStateFile.UnusableErrorId, error.ErrorId);
        Assert.Contains("folder does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh1a", null)]
    [InlineData(null, "https://api.example.invalid/iaas/")]
    public async Task AStateFileOfAnotherZoneOrEndpointIsRefusedByNewAndRemoveNamingBoth(string? zone, string? endpoint)
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("elsewhere");
        ClusterStateFile.Save(request.StatePath, new ClusterState
        {
            Name = "elsewhere",
            Zone = zone ?? EmulatorOptionsZone,
            Endpoint = endpoint ?? client.Context.Endpoint.ToString(),
            Internal = { LoadBalancerId = "lb-elsewhere" },
        });
        var before = File.ReadAllText(request.StatePath);

        var planned = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, client));
        var removed = await Assert.ThrowsAsync<HaClusterException>(() => new ClusterRemover(client).FindAsync("elsewhere", request.StatePath, keepEip: false));

        foreach (var error in new[] { planned, removed })
        {
            Assert.Equal(ClusterStateFile.MismatchErrorId, error.ErrorId);
            Assert.Contains(zone ?? endpoint!, error.Message, StringComparison.Ordinal);
            Assert.Contains(zone is null ? client.Context.Endpoint.ToString() : client.Context.Zone, error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(cloud.Server.GetRequests());
        Assert.Equal(before, File.ReadAllText(request.StatePath));
    }

    [Fact]
    public async Task ABuiltClusterRecordsItsZoneAndEndpoint()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var request = Request("recorded");
        await new ClusterBuilder(client).BuildAsync(await ClusterPlanner.PlanAsync(request, client));

        var state = ClusterStateFile.TryLoad(request.StatePath)!;
        Assert.Equal(client.Context.Zone, state.Zone);
        Assert.Equal(client.Context.Endpoint.ToString(), state.Endpoint);
    }

    [Fact]
    public async Task AStoppedNodeIsAnErrorWhenInstallingAndAWarningWithSkipInstall()
    {
        await using var cloud = await EmulatorScope.StartAsync(o => o.Instances.Single(i => i.InstanceName == "node2").Status = "stopped");
        var client = cloud.Client();
        var request = Request("stopped");
        request.SkipInstall = false;

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(request, client));
        Assert.Equal(ClusterPlanner.InstanceStoppedErrorId, error.ErrorId);
        Assert.Equal("i-node0002", error.Target);
        Assert.DoesNotContain(cloud.Server.GetRequests(), r => !r.Action!.StartsWith("Describe", StringComparison.Ordinal));

        request.SkipInstall = true;
        await ClusterPlanner.PlanAsync(request, client);
        Assert.Contains(cloud.Observer.VerboseLines, l => l.StartsWith("WARNING: Instance i-node0002 (node2) is stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABackendFromAnotherVxNetIsRefusedByAnInternalLoadBalancerButNotByAPublicOne()
    {
        await using var cloud = await EmulatorScope.StartAsync(o =>
        {
            o.VxNets.Add(new HaCluster.Emulator.EmulatorVxNet { VxNetId = "vxnet-other", VxNetName = "other", IpNetwork = "127.0.3.0/24" });
            o.Instances.Add(new HaCluster.Emulator.EmulatorInstance { InstanceId = "i-stranger", InstanceName = "stranger", VxNetId = "vxnet-other", PrivateIp = "127.0.3.2" });
        });
        var client = cloud.Client();
        var service = new LoadBalancerService(client);
        var lb = await service.CreateAsync(new LoadBalancerSpec { Name = "inside", VxNetId = "vxnet-pn" });
        var listener = await service.AddListenerAsync(lb.LoadBalancerId, new ListenerSpec { Port = 6443, Protocol = "tcp" });
        var backends = new List<BackendSpec> { new() { ResourceId = "i-master01", Port = 6443 }, new() { ResourceId = "i-stranger", Port = 6443 } };

        var error = await Assert.ThrowsAsync<HaClusterException>(() => service.AddBackendsAsync(new[] { new BackendBatch(listener.ListenerId, backends) }));

        Assert.Equal(VxNetMembership.InstanceNotInVxNetErrorId, error.ErrorId);
        Assert.Equal(ClusterPlanner.InstanceNotInVxNetErrorId, error.ErrorId);
        Assert.Equal("i-stranger", error.Target);
        Assert.Empty(cloud.Requests("AddLoadBalancerBackends"));

        var eip = (await new EipService(client).AllocateAsync(new EipSpec { Name = "pub" }))[0];
        var outside = await service.CreateAsync(new LoadBalancerSpec { Name = "outside", EipIds = { eip.EipId } });
        var web = await service.AddListenerAsync(outside.LoadBalancerId, new ListenerSpec { Port = 30880, Protocol = "http" });
        Assert.Equal(2, (await service.AddBackendsAsync(new[] { new BackendBatch(web.ListenerId, backends.Select(b => new BackendSpec { ResourceId = b.ResourceId, Port = 30880 }).ToList()) })).Count);
    }

    [Fact]
    public async Task RemoveLeavesAloneWhatAHandEditedStateFileNamesButTheClusterDoesNotOwn()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var service = new LoadBalancerService(client);
        var handMade = await service.CreateAsync(new LoadBalancerSpec { Name = "byhand", VxNetId = "vxnet-pn" });
        var sameName = await service.CreateAsync(new LoadBalancerSpec { Name = "forged-external", VxNetId = "vxnet-pn" });
        var eip = (await new EipService(client).AllocateAsync(new EipSpec { Name = "byhand" }))[0];
        var request = Request("forged");
        ClusterStateFile.Save(request.StatePath, new ClusterState
        {
            Name = "forged",
            Zone = client.Context.Zone,
            Endpoint = client.Context.Endpoint.ToString(),
            Internal = { LoadBalancerId = handMade.LoadBalancerId, LoadBalancerName = "forged-internal" },
            External = { LoadBalancerId = sameName.LoadBalancerId, LoadBalancerName = "forged-external", EipId = eip.EipId, EipCreated = true },
        });
        var before = File.ReadAllText(request.StatePath);
        var remover = new ClusterRemover(client);

        var plan = await remover.FindAsync("forged", request.StatePath, keepEip: false);

        Assert.Empty(plan.LoadBalancers);
        Assert.Null(plan.Eip);
        Assert.False(plan.DeletesStateFile);
        Assert.Empty(plan.Describe());
        Assert.Equal(new[] { handMade.LoadBalancerId, sameName.LoadBalancerId, eip.EipId }, plan.NotOwned.Select(n => n.Id));
        Assert.Contains("its name is 'byhand', not 'forged-internal'", plan.NotOwned[0].Reason, StringComparison.Ordinal);
        Assert.Contains("the cluster has no tag", plan.NotOwned[1].Reason, StringComparison.Ordinal);
        await remover.RemoveAsync(plan);

        Assert.Equal(before, File.ReadAllText(request.StatePath));
        Assert.Equal(2, (await client.DescribeLoadBalancersAsync(new[] { handMade.LoadBalancerId, sameName.LoadBalancerId })).Count(l => l.Status == "active"));
        Assert.Equal("available", (await client.DescribeEipsAsync(new[] { eip.EipId }))[0].Status);
        Assert.DoesNotContain(cloud.Server.GetRequests(), r => r.Action is "DeleteLoadBalancers" or "ReleaseEips" or "DeleteSecurityGroupRules" or "DeleteTags");
    }

    [Fact]
    public async Task AStateFileWhoseIdsNameAnotherClustersResourcesRemovesNothingOfThem()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var real = Request("real");
        await new ClusterBuilder(client).BuildAsync(await ClusterPlanner.PlanAsync(real, client));
        var state = ClusterStateFile.TryLoad(real.StatePath)!;
        var forged = Request("thief");
        state.Name = "thief";
        state.Internal.LoadBalancerName = "thief-internal";
        ClusterStateFile.Save(forged.StatePath, state);

        var plan = await new ClusterRemover(client).FindAsync("thief", forged.StatePath, keepEip: false);

        Assert.True(plan.IsEmpty);
        Assert.Contains(plan.NotOwned, n => n.Kind == "tag" && n.Reason.Contains("not 'thief'", StringComparison.Ordinal));
        Assert.Equal(3, plan.NotOwned.Count(n => n.Kind is "loadbalancer" or "eip"));
        Assert.False(plan.DeletesStateFile);
    }

    [Fact]
    public async Task ASecondStateFileForALiveClusterIsRefusedUnlessAdoptWhichRemovesNothingWithoutPrune()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var client = cloud.Client();
        var first = Request("taken");
        var built = await new ClusterBuilder(client).BuildAsync(await ClusterPlanner.PlanAsync(first, client));
        Assert.Equal(ClusterOwnership.TagDescription(first.StatePath), (await client.FindTagsByNameAsync("taken"))[0].Description);
        var elsewhere = Path.Combine(_directory, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var second = TestClusterRequest.Create("taken", elsewhere);
        second.Workers = new List<string> { "node1" };
        var since = cloud.Server.GetRequests().Count;

        var error = await Assert.ThrowsAsync<HaClusterException>(() => ClusterPlanner.PlanAsync(second, client));

        Assert.Equal(ClusterOwnership.NameInUseErrorId, error.ErrorId);
        Assert.Contains(built.InternalLoadBalancerId!, error.Message, StringComparison.Ordinal);
        Assert.Contains(built.EipId!, error.Message, StringComparison.Ordinal);
        Assert.Contains("their state file is " + first.StatePath, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(cloud.Server.GetRequests().Skip(since), r => !r.Action!.StartsWith("Describe", StringComparison.Ordinal));
        Assert.False(File.Exists(second.StatePath));

        // -Adopt: the plan names what it adopts and the backends it would prune; the run removes none of them.
        second.Adopt = true;
        var adopted = await ClusterPlanner.PlanAsync(second, client);
        Assert.Equal(3, adopted.Adopted.Count);
        Assert.Equal(new[] { "i-node0002", "i-node0003" }, adopted.ExtraBackends.Select(b => b.ResourceId).OrderBy(i => i));
        await new ClusterBuilder(client).BuildAsync(adopted);
        Assert.Empty(cloud.Requests("DeleteLoadBalancerBackends"));
        Assert.Empty(cloud.Requests("CreateLoadBalancer").Skip(2));
        Assert.Contains(cloud.Observer.VerboseLines, l => l.Contains("-Prune removes them", StringComparison.Ordinal));

        // -Prune removes exactly the listed backends.
        second.Prune = true;
        var pruned = await ClusterPlanner.PlanAsync(second, client);
        await new ClusterBuilder(client).BuildAsync(pruned);
        Assert.Single(cloud.Requests("DeleteLoadBalancerBackends"), r => r.RetCode == 0);
        var external = await client.DescribeLoadBalancerBackendsAsync(loadBalancerId: built.ExternalLoadBalancerId);
        Assert.Equal(new[] { "i-master01", "i-master02", "i-master03", "i-node0001" }, external.Select(b => b.ResourceId).OrderBy(i => i));
    }

    private const string EmulatorOptionsZone = HaCluster.Emulator.EmulatorOptions.DefaultZone;

    [Fact]
    public async Task ARunKilledRightAfterCreatingTheTagStillOwnsItSoRemoveDeletesIt()
    {
        await using var cloud = await EmulatorScope.StartAsync();
        var request = Request("killedtag");
        using (var http = new System.Net.Http.HttpClient(new KillAfter("CreateTag")))
        {
            var dying = cloud.Client(configure: o => o.HttpClient = http);
            await Assert.ThrowsAsync<KilledException>(async () => await new ClusterBuilder(dying).BuildAsync(await ClusterPlanner.PlanAsync(request, dying)));
        }

        var client = cloud.Client();
        Assert.Single(await client.FindTagsByNameAsync("killedtag"));
        Assert.True(ClusterStateFile.TryLoad(request.StatePath)!.TagCreated, "recorded before CreateTag was sent");

        await new ClusterBuilder(client).BuildAsync(await ClusterPlanner.PlanAsync(request, client));
        var remover = new ClusterRemover(client);
        await remover.RemoveAsync(await remover.FindAsync("killedtag", request.StatePath, keepEip: false));

        Assert.Empty(await client.FindTagsByNameAsync("killedtag"));
    }

    private ClusterRequest Request(string name) => TestClusterRequest.Create(name, _directory);

    /// <summary>Thrown where the process would have died.</summary>
    private sealed class KilledException : Exception
    {
    }

    /// <summary>The network: the named action reaches QingCloud, then the run dies before it reads the reply.</summary>
    private sealed class KillAfter : System.Net.Http.DelegatingHandler
    {
        private readonly string _action;

        public KillAfter(string action)
            : base(new System.Net.Http.SocketsHttpHandler()) => _action = action;

        protected override async Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, System.Threading.CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query)["action"] == _action)
            {
                response.Dispose();
                throw new KilledException();
            }

            return response;
        }
    }
}
