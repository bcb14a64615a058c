// Copyright (c) HaCluster contributors. MIT License.
// What this cluster's earlier kk run (a failed one in the same working directory) left running on the nodes.

using System;
using System.Collections.Generic;
using System.Linq;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// kk is built to be re-run on a half-installed cluster: "Get etcd status" and "Health check on exist etcd" pick up
/// the etcd it started, every init task is skipped once the cluster exists, joined nodes are skipped (kubekey@v3.1.12
/// cmd/kk/pkg/etcd/module.go, kubernetes/module.go). A failed run leaves those services up. This reads how far the
/// earlier run got from its log, so the preflight can tell the ports kk's own services hold from a foreign process's.
/// </summary>
internal sealed class EarlierKubeKeyRun
{
    private static readonly int EtcdStarted = IndexOf("ETCDConfigureModule");
    private static readonly int ClusterInitialised = IndexOf("InitKubernetesModule");

    private readonly int _reached;

    private EarlierKubeKeyRun(int reached, string description)
    {
        _reached = reached;
        Description = description;
    }

    /// <summary>Where the run is recorded and how far it got, for messages.</summary>
    public string Description { get; }

    /// <summary>Reads the earlier run's log; null when it never reached the modules that start services.</summary>
    /// <param name="log">The log lines (kk's merged output).</param>
    /// <param name="logPath">Where the log is, for messages.</param>
    /// <returns>The run, or null.</returns>
    public static EarlierKubeKeyRun? FromLog(IEnumerable<string> log, string logPath)
    {
        var summary = KkLogParser.Parse(log);
        var cursor = new KkModuleCursor();
        var reached = -1;
        foreach (var module in summary.ModulesCompleted.Concat(summary.CurrentModule is null ? Array.Empty<string>() : new[] { summary.CurrentModule }))
        {
            cursor.Start(module);
            reached = Math.Max(reached, cursor.Index);
        }

        return reached < EtcdStarted
            ? null
            : new EarlierKubeKeyRun(reached, $"{logPath}, which got to {KkPipelineOrder.CreateCluster[reached]}");
    }

    /// <summary>The ports kk's own services from that run may hold on <paramref name="host"/>.</summary>
    /// <param name="config">The cluster.</param>
    /// <param name="host">A host name of the config.</param>
    /// <returns>The ports.</returns>
    public IReadOnlyList<int> Ports(ClusterConfig config, string host)
    {
        var ports = new List<int>();
        var etcd = config.Etcd.EffectiveType == "kubekey" && config.RoleGroups.Etcd.Contains(host);
        if (etcd && _reached >= EtcdStarted)
        {
            ports.Add(2379);
            ports.Add(2380);
        }

        if (_reached >= ClusterInitialised)
        {
            if (config.RoleGroups.ControlPlane.Contains(host))
            {
                ports.Add(6443);
            }

            if (config.RoleGroups.ControlPlane.Contains(host) || config.RoleGroups.Worker.Contains(host))
            {
                ports.Add(10250);
            }
        }

        return ports;
    }

    private static int IndexOf(string module)
    {
        for (var i = 0; i < KkPipelineOrder.CreateCluster.Count; i++)
        {
            if (KkPipelineOrder.CreateCluster[i] == module)
            {
                return i;
            }
        }

        throw new InvalidOperationException(module + " is not in kk's pipeline order.");
    }
}
