// Copyright (c) HaCluster contributors. MIT License.
// Base of the taskbox cmdlets that leave a run's files in a working directory there.

using System.Management.Automation;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>
/// A <see cref="TaskBoxCmdlet"/> that leaves its run's files in a working directory on the taskbox (Install-HaMaster,
/// Install-HaKubeSphere); a later call finds a run by that directory alone.
/// </summary>
public abstract class TaskBoxRunCmdlet : TaskBoxCmdlet
{
    /// <summary>Folder on the taskbox for the run's files (kk, its config and log; helm's log in its kubesphere/ subfolder). Default: ~/hacluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string WorkingDirectory { get; set; } = KubeKeyInstallOptions.DefaultWorkingDirectory;
}
