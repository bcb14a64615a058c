// Copyright (c) HaCluster contributors. MIT License.
// The New-HaCluster request the cluster tests start from: the emulator's demo world, load balancers only.

using System;
using System.Collections.Generic;
using System.IO;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Tests.QingCloud;

namespace HaCluster.Engine.Tests.Cluster;

internal static class TestClusterRequest
{
    /// <summary>Three masters, three workers (one given by id) in VxNet pn, -SkipInstall, the state file in <paramref name="directory"/>.</summary>
    public static ClusterRequest Create(string name, string directory) => new()
    {
        Name = name,
        ControlPlane = new List<string> { "master1", "master2", "master3" },
        Workers = new List<string> { "node1", "node2", "i-node0003" },
        VxNet = "pn",
        User = "hauser",
        Password = QingCloudContextTests.Secure("not-used"),
        StatePath = Path.Combine(directory, name + ClusterStateFile.Suffix),
        SkipInstall = true,
        WaitTimeout = TimeSpan.FromMinutes(2),
    };
}
