// Copyright (c) HaCluster contributors. MIT License.
// Shared inputs for the KubeKey config tests: fixture files and the tutorial's cluster.

using System;
using System.IO;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Engine.Tests.KubeKey;

internal static class KubeKeyFixtures
{
    public const string TutorialPassword = "Testing123";

    public static string Text(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeKey", name)).Replace("\r\n", "\n");

    public static ClusterConfig Read(string name) => ClusterConfigYaml.Read(Text(name), name);

    /// <summary>The tutorial's six machines: master1-3 on 192.168.0.2-4, node1-3 on .5-.7, user ubuntu.</summary>
    public static HaHost[] TutorialHosts() =>
        new[] { "master1", "master2", "master3", "node1", "node2", "node3" }
            .Select((name, i) => new HaHost(name, $"192.168.0.{i + 2}") { User = "ubuntu", Password = Secrets.Protect(TutorialPassword) })
            .ToArray();

    /// <summary>The tutorial's cluster: masters are control plane and etcd, nodes are workers, VIP 192.168.0.253:6443.</summary>
    public static ClusterConfigOptions TutorialOptions() => new()
    {
        Hosts = TutorialHosts(),
        ControlPlane = new[] { "master1", "master2", "master3" },
        Worker = new[] { "node1", "node2", "node3" },
        EndpointAddress = "192.168.0.253",
    };

    public static ClusterConfig Tutorial() => ClusterConfigBuilder.Build(TutorialOptions());
}
