// Copyright (c) HaCluster contributors. MIT License.
// New-HaCluster after the load balancers: config from the VIP, install with kk, backends up, verification.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Cluster;

/// <content>Install and verification (waiting for the install and verify engines).</content>
public sealed partial class ClusterBuilder
{
    private Task<IReadOnlyList<object>> InstallAndVerifyAsync(ClusterPlan plan, ClusterStateStore store, ClusterProgress.Bar bar, CancellationToken cancellationToken) =>
        throw new HaClusterException("HaClusterInstallUnavailable", FailureKind.NotSpecified, "Install is not wired yet; use -SkipInstall.", plan.Name);
}
