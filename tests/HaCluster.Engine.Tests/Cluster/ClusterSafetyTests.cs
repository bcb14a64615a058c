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

    private const string EmulatorOptionsZone = HaCluster.Emulator.EmulatorOptions.DefaultZone;

    private ClusterRequest Request(string name) => TestClusterRequest.Create(name, _directory);
}
