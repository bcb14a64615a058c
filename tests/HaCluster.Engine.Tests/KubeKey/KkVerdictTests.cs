// Copyright (c) HaCluster contributors. MIT License.
// The verdict rule on its own, and on PTY output that kk's own runs print inside log entries.

using System;
using System.Linq;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class KkVerdictTests
{
    [Theory]
    [InlineData(true, false, false, false, false, null, "Succeeded")]
    [InlineData(true, false, false, false, false, 0, "Succeeded")]
    [InlineData(true, false, false, false, false, 1, "Failed")]
    [InlineData(true, true, false, false, false, null, "Failed")]
    [InlineData(false, false, true, false, false, null, "Failed")]
    [InlineData(false, false, false, true, false, null, "Failed")]
    [InlineData(false, false, false, false, true, null, "Failed")]
    [InlineData(true, false, false, false, true, 0, "Succeeded")] // --ignore-err: a failed task, then kk's success line
    [InlineData(false, false, false, false, false, null, "Incomplete")]
    [InlineData(false, false, false, false, false, 0, "Failed")]
    public void Decide(bool successLine, bool exitError, bool fatal, bool preflight, bool taskFailed, int? exitCode, string expected)
    {
        var outcome = KkVerdict.Decide(new KkVerdictInput
        {
            SuccessLine = successLine,
            ExitError = exitError,
            Fatal = fatal,
            PreflightRefused = preflight,
            TaskFailed = taskFailed,
            ExitCode = exitCode,
        });

        Assert.Equal(expected, outcome.ToString());
    }

    [Theory]
    [InlineData("error: Pipeline[CreateClusterPipeline] execute failed: Module[X] exec failed: ", true, true)]
    [InlineData("error: Unknown version", false, true)]
    [InlineData("error: Unknown version", true, false)]
    [InlineData("error: taint \"node-role.kubernetes.io/master:NoSchedule\" not found", true, false)]
    [InlineData("Error:  client: etcd cluster is unavailable or misconfigured", true, false)]
    public void ExitBlock_StartsOnlyWhereNoEntryOwnsTheLine(string line, bool entryOpen, bool starts) =>
        Assert.Equal(starts, KkExitError.Starts(line, entryOpen));

    // The taint lines of a masters-as-workers run, in the shape kk's source gives them (RemoveMasterTaint with
    // printOutput, runner.go's "stdout: [node]", ssh.go's "Failed to exec command: %s \n%s" wrapped by the exit
    // status): the public kubesphere/kubekey#1682 log with them could not be copied (see kk-logs/SOURCES.md).
    [Fact]
    public void TaintErrorLinesOfASuccessfulRun_AreWarnings_NotTheVerdict()
    {
        var log = new[]
        {
            "10:02:11 CST [InitKubernetesModule] Remove master taint",
            "10:02:11 CST stdout: [master1]",
            "node/master1 untainted",
            "10:02:11 CST stdout: [master1]",
            "error: taint \"node-role.kubernetes.io/control-plane:NoSchedule\" not found",
            "10:02:11 CST [WARN] Failed to exec command: sudo -E /bin/bash -c \"/usr/local/bin/kubectl taint nodes master1 node-role.kubernetes.io/control-plane=:NoSchedule-\" ",
            "error: taint \"node-role.kubernetes.io/control-plane:NoSchedule\" not found: Process exited with status 1",
            "10:02:11 CST success: [master1]",
            "10:02:11 CST [AddonsModule] Install addons",
            "10:02:11 CST success: [LocalHost]",
            "10:02:11 CST Pipeline[CreateClusterPipeline] execute successfully",
            "Installation is complete.",
        };

        var summary = KkLogParser.Parse(log, 0);

        Assert.True(summary.Succeeded, summary.FailureMessage);
        var warning = Assert.Single(summary.Warnings);
        Assert.StartsWith("Failed to exec command: sudo -E /bin/bash -c", warning, StringComparison.Ordinal);
        Assert.EndsWith("not found: Process exited with status 1", warning, StringComparison.Ordinal);
        Assert.Empty(summary.FailedNodes);
    }
}
