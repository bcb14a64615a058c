// Copyright (c) HaCluster contributors. MIT License.
// KkLogParser against real kk output collected from public posts (tests/Fixtures/kk-logs, see SOURCES.md).

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class KkRealLogTests
{
    internal static string[] RealLog(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kk-logs", name));

    // Exit codes are kk's for each ending (kubekey.md §4.7): error block, [FATA] → 1; success line → 0; a cut log has none.
    [Theory]
    [InlineData("v3.0.7-success-kubesphere.log", 0, "Succeeded", "CreateClusterPipeline", null, "", "http://192.168.9.91:30880")]
    [InlineData("v3.1.1-success-kubernetes.log", 0, "Succeeded", "CreateClusterPipeline", null, "", null)]
    [InlineData("v3.0.7-install-start.log", null, "Incomplete", null, null, "", null)]
    [InlineData("v2.1-greetings-keyfile.log", 1, "Failed", "CreateClusterPipeline", "GreetingsModule", "duubee7", null)]
    [InlineData("v2.2.0-greetings-refused.log", 1, "Failed", "CreateClusterPipeline", "GreetingsModule", "amannath.pnq.csb", null)]
    [InlineData("addnodes-greetings-two-failed.log", 1, "Failed", "AddNodesPipeline", "GreetingsModule", "ip-172-31-40-178,ip-172-31-43-254", null)]
    [InlineData("rerun-exist-etcd-failed.log", 1, "Failed", "CreateClusterPipeline", "ETCDConfigureModule", "devops-kubesphere", null)]
    [InlineData("rerun-exist-etcd-health-check.log", null, "Incomplete", null, null, "", null)]
    [InlineData("v2.0.0-etcd-retry.log", null, "Incomplete", null, null, "", null)]
    [InlineData("curl-progress-configure-os.log", null, "Incomplete", null, null, "", null)]
    public void RealLog_ParsesToKksOwnVerdict(string name, int? exitCode, string verdict, string? pipeline, string? failedModule, string failedNodes, string? consoleUrl)
    {
        // The log alone (as kubekey.log is read) and with kk's exit code (as Install-HaMaster reads it) agree.
        foreach (var code in new[] { null, exitCode }.Distinct())
        {
            var summary = KkLogParser.Parse(RealLog(name), code);

            Assert.Equal(verdict == "Succeeded", summary.Succeeded);
            Assert.Equal(verdict == "Incomplete" && code is null, summary.Incomplete);
            Assert.Equal(pipeline, summary.Pipeline);
            Assert.Equal(failedModule, summary.FailedModule);
            Assert.Equal(failedNodes, string.Join(",", summary.FailedNodes));
            Assert.Equal(consoleUrl, summary.ConsoleUrl);
        }
    }

    [Fact]
    public void RealLog_EtcdctlErrorLinesInsideEntries_AreNotKksVerdict()
    {
        var rerun = KkLogParser.Parse(RealLog("rerun-exist-etcd-health-check.log"));
        Assert.True(rerun.Incomplete);
        Assert.Equal("ETCDConfigureModule", rerun.CurrentModule);
        Assert.Equal("Health check on exist etcd", rerun.CurrentTask);
        Assert.Null(rerun.FailureMessage);

        var events = new List<KkLogEvent>();
        var retry = KkLogParser.Parse(RealLog("v2.0.0-etcd-retry.log"), null, events);
        Assert.True(retry.Incomplete);
        var result = Assert.Single(events.OfType<KkTaskResult>());
        Assert.Equal(KkTaskStatus.Retry, result.Status);
        Assert.StartsWith("etcd health check failed:", result.Message, StringComparison.Ordinal);
        Assert.Contains("Error:  client: etcd cluster is unavailable", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RealLog_ExitBlock_KeepsEtcdctlTextAndTaskOfTheNode()
    {
        var summary = KkLogParser.Parse(RealLog("rerun-exist-etcd-failed.log"), 1);

        var failure = Assert.Single(summary.Failures);
        Assert.Equal("ExistETCDHealthCheck", failure.Task);
        Assert.Equal(20, failure.Retries);
        Assert.Contains("Error:  client: etcd cluster is unavailable", failure.Message, StringComparison.Ordinal);
        Assert.Equal("ExistETCDHealthCheck", summary.FailedTask);
    }

    [Fact]
    public void RealLog_TwoTimestampedFailedNodes_BothNamedThoughTheBlockListsOne()
    {
        var summary = KkLogParser.Parse(RealLog("addnodes-greetings-two-failed.log"), 1);

        Assert.Equal(new[] { "ip-172-31-40-178", "ip-172-31-43-254" }, summary.FailedNodes);
        Assert.Contains("packet too long", summary.Failures[0].Message, StringComparison.Ordinal);
        Assert.Equal("Greetings", summary.FailedTask);
    }

    [Fact]
    public void RealLog_CurlBufferPaddedWithNuls_ParsesLikeTheCleanLog()
    {
        // kk prints each 1024-byte read of curl's output whole, NULs included, so the next log line (stderr, merged
        // with 2>&1) can start right after the padding on the same line.
        var lines = RealLog("curl-progress-configure-os.log");
        var padded = lines.ToArray();
        var progress = padded[2];
        padded[2] = "\r" + progress + new string('\0', 1024 - Encoding.ASCII.GetByteCount(progress) - 1) + padded[3];
        padded = padded.Where((_, i) => i != 3).ToArray();

        var cleanEvents = new List<KkLogEvent>();
        var clean = KkLogParser.Parse(lines, null, cleanEvents);
        var paddedEvents = new List<KkLogEvent>();
        var parsed = KkLogParser.Parse(padded, null, paddedEvents);

        Assert.Equal(Describe(cleanEvents), Describe(paddedEvents));
        Assert.Equal(clean.ModulesCompleted, parsed.ModulesCompleted);
        Assert.Equal("KubernetesStatusModule", parsed.CurrentModule);
        Assert.Contains(paddedEvents.OfType<KkTaskResult>(), r => r.Node == "LocalHost" && r.Status == KkTaskStatus.Success);
    }

    [Fact]
    public void RealLog_SupportedVersionList_OfKk307_IsTheEmbeddedTable()
    {
        var real = RealLog("v3.0.7-show-supported-k8s.txt").Where(l => l.Length > 0).ToList();

        Assert.Equal(real, KubeKeyReleases.Supported("v3.0.7"));
    }

    private static IEnumerable<string> Describe(IEnumerable<KkLogEvent> events) => events.Select(e => e switch
    {
        KkTaskStarted t => "start " + t.Module + " " + t.Task,
        KkTaskResult r => "result " + r.Module + " " + r.Task + " " + r.Node + " " + r.Status,
        KkModuleProgress m => "module " + m.Module + " " + m.State,
        _ => e.GetType().Name,
    });
}
