// Copyright (c) HaCluster contributors. MIT License.
// KkLogParser on the kk output quoted in kubekey.md §4 and on logs captured from the KubeKey simulator.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Security;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class KkLogParserTests
{
    private const string DefaultPassword = "P@88w0rd";

    internal static string[] ReadLog(string relativePath) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "KubeKey", "Logs", relativePath));

    private static (KkLogSummary Summary, List<KkLogEvent> Events) Parse(string relativePath, int? exitCode = null)
    {
        var events = new List<KkLogEvent>();
        var summary = KkLogParser.Parse(ReadLog(relativePath), exitCode, events);
        return (summary, events);
    }

    private static string Plain(SecureString? secure) => new NetworkCredential(string.Empty, secure).Password;

    // Every string the parser hands out, so a test can prove a secret is in none of them.
    internal static IEnumerable<string> Strings(object value)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var item = property.GetValue(value);
            switch (item)
            {
                case string text:
                    yield return text;
                    break;
                case IEnumerable<string> texts:
                    foreach (var text in texts)
                    {
                        yield return text;
                    }

                    break;
                case IEnumerable<KkNodeFailure> failures:
                    foreach (var text in failures.SelectMany(f => Strings(f)))
                    {
                        yield return text;
                    }

                    break;
            }
        }
    }

    [Fact]
    public void ReferenceInstallStart_IsIncompleteWithTaskResultsAndModuleProgress()
    {
        var (summary, events) = Parse("reference/v3-install-start.log");

        Assert.Equal(KkLogFormat.Pipeline, summary.Format);
        Assert.True(summary.Incomplete);
        Assert.False(summary.Succeeded);
        Assert.Null(summary.FailedModule);
        Assert.Equal(new[] { "GreetingsModule", "NodePreCheckModule", "ConfirmModule" }, summary.ModulesCompleted);
        Assert.Equal("NodeBinariesModule", summary.CurrentModule);
        Assert.Equal("Download installation binaries", summary.CurrentTask);
        Assert.Equal(new TimeSpan(10, 51, 8), summary.StartTime);
        Assert.Equal(new TimeSpan(0, 26, 31), summary.Duration);

        var greeting = events.OfType<KkTaskResult>().First();
        Assert.Equal(("GreetingsModule", "Greetings", "k3", KkTaskStatus.Success, "Greetings, KubeKey!"), (greeting.Module, greeting.Task, greeting.Node, greeting.Status, greeting.Message));
        Assert.Equal(new TimeSpan(10, 51, 9), greeting.Time);
        var confirm = events.OfType<KkTaskResult>().Last();
        Assert.Equal(("ConfirmModule", "LocalHost", KkTaskStatus.Success), (confirm.Module, confirm.Node, confirm.Status));

        var progress = events.OfType<KkModuleProgress>().ToList();
        Assert.Equal(KkModuleState.Started, progress[0].State);
        Assert.Equal(0, progress[0].PercentComplete);
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.First.PercentComplete <= p.Second.PercentComplete));
        Assert.Equal("NodeBinariesModule", progress[^1].Module);
        Assert.True(progress[^1].PercentComplete > 0);
    }

    [Fact]
    public void ReferenceInstallStart_WithExitCodeZero_IsAFailureNotASuccess()
    {
        var (summary, _) = Parse("reference/v3-install-start.log", exitCode: 0);

        Assert.False(summary.Succeeded);
        Assert.False(summary.Incomplete);
        Assert.Equal("NodeBinariesModule", summary.FailedModule);
        Assert.Contains("exited with code 0", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceSuccessWithKubeSphere_ReadsWelcomeBlockAndKeepsPasswordSecret()
    {
        var (summary, events) = Parse("reference/v3-success-kubesphere.log", exitCode: 0);

        Assert.True(summary.Succeeded);
        Assert.Equal("CreateClusterPipeline", summary.Pipeline);
        Assert.Equal(100, summary.PercentComplete);
        Assert.Equal("http://192.168.44.162:30880", summary.ConsoleUrl);
        Assert.Equal("admin", summary.Account);
        Assert.Equal(DefaultPassword, Plain(summary.Password));
        Assert.DoesNotContain(Strings(summary).Concat(events.SelectMany(Strings)), s => s.Contains(DefaultPassword, StringComparison.Ordinal));
        Assert.Equal(new[] { "k1" }, events.OfType<KkTaskResult>().Select(r => r.Node));
    }

    [Fact]
    public void ReferenceSuccess_WithNonZeroExitCode_IsNotASuccess()
    {
        var (summary, _) = Parse("reference/v3-success-kubesphere.log", exitCode: 1);

        Assert.False(summary.Succeeded);
        Assert.False(summary.Incomplete);
        Assert.Contains("exited with code 1", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceSuccessWithoutKubeSphere_Succeeds()
    {
        var (summary, _) = Parse("reference/v3-success-plain.log");

        Assert.True(summary.Succeeded);
        Assert.False(summary.Incomplete);
        Assert.Null(summary.ConsoleUrl);
        Assert.Null(summary.Password);
    }

    [Fact]
    public void ReferenceFailureShape_NamesModuleTaskNodesAndKksMessage()
    {
        var (summary, _) = Parse("reference/v3-failure-shape.log");

        Assert.False(summary.Succeeded);
        Assert.False(summary.Incomplete);
        Assert.Equal("CreateClusterPipeline", summary.Pipeline);
        Assert.Equal("InitKubernetesModule", summary.FailedModule);
        Assert.Equal("KubeadmInit", summary.FailedTask);
        Assert.Equal(new[] { "master1", "master2" }, summary.FailedNodes);
        Assert.Equal(3, summary.Failures[0].Retries);
        Assert.Contains("[wait-control-plane]", summary.Failures[0].Message, StringComparison.Ordinal);
        Assert.EndsWith("Process exited with status 1", summary.Failures[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("Pipeline[CreateClusterPipeline] execute failed: Module[InitKubernetesModule] exec failed:", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceGreetingsUnreachable_NamesTheNode()
    {
        var (summary, events) = Parse("reference/v3-greetings-unreachable.log", exitCode: 1);

        Assert.Equal("GreetingsModule", summary.FailedModule);
        Assert.Equal("Greetings", summary.FailedTask);
        Assert.Equal(new[] { "node2" }, summary.FailedNodes);
        Assert.Contains("dial tcp 192.168.0.3:22: i/o timeout", summary.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(events.OfType<KkTaskResult>(), r => r.Node == "node2" && r.Status == KkTaskStatus.Failed);
    }

    [Fact]
    public void ReferenceV1Failure_ReadsLogrusShape()
    {
        var (summary, events) = Parse("reference/v1-failure.log");

        Assert.Equal(KkLogFormat.Logrus, summary.Format);
        Assert.False(summary.Succeeded);
        Assert.False(summary.Incomplete);
        Assert.Null(summary.FailedModule);
        Assert.Equal("Initializing kubernetes cluster", summary.FailedTask);
        Assert.Equal(new[] { "192.168.0.2" }, summary.FailedNodes);
        Assert.Equal("Failed to init kubernetes cluster: interrupted by error", summary.FailureMessage);
        var failed = Assert.Single(events.OfType<KkTaskResult>());
        Assert.Equal(KkTaskStatus.Failed, failed.Status);
        Assert.StartsWith("Failed to init kubernetes cluster: Failed to exec command", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceV1Success_EmitsOneResultPerStep()
    {
        var (summary, events) = Parse("reference/v1-success.log", exitCode: 0);

        Assert.True(summary.Succeeded);
        Assert.Equal(KkLogFormat.Logrus, summary.Format);
        Assert.Equal(new[] { "Downloading Installation Files", "Initializing kubernetes cluster" }, events.OfType<KkTaskResult>().Select(r => r.Task));
        Assert.Equal(new TimeSpan(0, 2, 43), summary.Duration);
    }

    [Fact]
    public void LogrusWrittenToAFile_IsReadToo()
    {
        var lines = new[]
        {
            "time=\"10:19:42 CST\" level=info msg=\"Initializing kubernetes cluster\"",
            "time=\"10:20:08 CST\" level=error msg=\"Failed to add master to cluster: \\\"timeout\\\"\" node=192.168.0.3",
            "Error: Failed to join node: interrupted by error",
        };

        var summary = KkLogParser.Parse(lines, 1);

        Assert.Equal(KkLogFormat.Logrus, summary.Format);
        Assert.Equal(new[] { "192.168.0.3" }, summary.FailedNodes);
        Assert.Equal("Failed to add master to cluster: \"timeout\"", summary.Failures[0].Message);
    }

    [Fact]
    public void SimulatorSuccessWithKubeSphere_CompletesEveryModuleInOrder()
    {
        var (summary, events) = Parse("simulator/success-kubesphere.log", exitCode: 0);

        Assert.True(summary.Succeeded);
        Assert.Equal("http://127.50.0.2:30880", summary.ConsoleUrl);
        Assert.Equal(DefaultPassword, Plain(summary.Password));
        Assert.DoesNotContain(Strings(summary).Concat(events.SelectMany(Strings)), s => s.Contains(DefaultPassword, StringComparison.Ordinal));
        Assert.Equal(
            new[]
            {
                "GreetingsModule", "NodePreCheckModule", "ConfirmModule", "NodeBinariesModule", "ConfigureOSModule", "KubernetesStatusModule",
                "InstallContainerModule", "PullModule", "ETCDPreCheckModule", "CertsModule", "InstallETCDBinaryModule", "ETCDConfigureModule",
                "ETCDBackupModule", "InstallKubeBinariesModule", "InitKubernetesModule", "ClusterDNSModule", "KubernetesStatusModule",
                "JoinNodesModule", "DeployNetworkPluginModule", "ConfigureKubernetesModule", "ChownModule", "AutoRenewCertsModule",
                "SaveKubeConfigModule", "AddonsModule", "DeployStorageClassModule", "DeployKubeSphereModule", "CheckResultModule",
            },
            summary.ModulesCompleted);
        var percents = events.OfType<KkModuleProgress>().Select(p => p.PercentComplete).ToList();
        Assert.DoesNotContain(-1, percents);
        Assert.Equal(percents.OrderBy(p => p), percents);
        Assert.Equal(summary.TaskCount, events.OfType<KkTaskStarted>().Count());
        Assert.Empty(summary.FailedNodes);
        Assert.NotNull(summary.Duration);
    }

    [Fact]
    public void SimulatorSuccessWithoutKubeSphere_HasNoConsole()
    {
        var (summary, _) = Parse("simulator/success-plain.log", exitCode: 0);

        Assert.True(summary.Succeeded);
        Assert.Null(summary.ConsoleUrl);
        Assert.DoesNotContain("CheckResultModule", summary.ModulesCompleted);
    }

    [Fact]
    public void SimulatorUnreachableHost_FailsGreetingsForThatNode()
    {
        var (summary, _) = Parse("simulator/fail-unreachable.log", exitCode: 1);

        Assert.Equal("GreetingsModule", summary.FailedModule);
        Assert.Equal("Greetings", summary.FailedTask);
        Assert.Equal(new[] { "worker2" }, summary.FailedNodes);
        Assert.Contains("dial tcp 127.50.0.6:2222: connect: connection refused", summary.Failures[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulatorMissingConntrack_FailsTheConfirmModuleForEveryNode()
    {
        var (summary, _) = Parse("simulator/fail-missing-conntrack.log", exitCode: 1);

        Assert.False(summary.Incomplete);
        Assert.Equal("ConfirmModule", summary.FailedModule);
        Assert.Equal("Display confirmation form", summary.FailedTask);
        Assert.Equal(new[] { "master1", "master2", "master3", "worker1", "worker2", "worker3" }, summary.FailedNodes);
        Assert.Contains("worker3: conntrack is required.", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulatorInitTimeout_ReportsRetriesAndKubeadmOutput()
    {
        var (summary, events) = Parse("simulator/fail-init-timeout.log", exitCode: 1);

        Assert.Equal("InitKubernetesModule", summary.FailedModule);
        Assert.Equal("Init cluster using kubeadm", summary.FailedTask);
        Assert.Equal(new[] { "master1" }, summary.FailedNodes);
        var failure = Assert.Single(summary.Failures);
        Assert.Equal(("KubeadmInit", 3), (failure.Task, failure.Retries));
        Assert.Contains("couldn't initialize a Kubernetes cluster", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, events.OfType<KkTaskResult>().Count(r => r.Status == KkTaskStatus.Retry && r.Node == "master1"));
        Assert.Equal(2, events.OfType<KkTaskResult>().Count(r => r.Task == "Init cluster using kubeadm" && r.Status == KkTaskStatus.Skipped));
    }

    [Fact]
    public void SimulatorInitTimeout_FromKubekeyLogAlone_StillNamesTheFailure()
    {
        // kubekey.log holds log lines only: no precheck table, no welcome block, no `error:` block.
        var (summary, _) = Parse("simulator/fail-init-timeout.kubekey.log");

        Assert.False(summary.Incomplete);
        Assert.False(summary.Succeeded);
        Assert.Equal("InitKubernetesModule", summary.FailedModule);
        Assert.Equal("Init cluster using kubeadm", summary.FailedTask);
        Assert.Equal(new[] { "master1" }, summary.FailedNodes);
        Assert.Contains("timed out waiting for the condition", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulatorLogCutMidRun_IsIncompleteUntilAnExitCodeDecides()
    {
        var (open, _) = Parse("simulator/cut-at-join.log");
        var (killed, _) = Parse("simulator/cut-at-join.log", exitCode: 137);

        Assert.True(open.Incomplete);
        Assert.Equal("JoinNodesModule", open.CurrentModule);
        Assert.InRange(open.PercentComplete, 1, 99);
        Assert.False(killed.Incomplete);
        Assert.False(killed.Succeeded);
        Assert.Equal("JoinNodesModule", killed.FailedModule);
        Assert.Contains("exited with code 137", killed.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void CrlfAnsiAndChunking_DoNotChangeTheResult()
    {
        var lines = ReadLog("simulator/success-kubesphere.log");
        var expected = KkLogParser.Parse(lines, 0);

        // Windows line endings, colour codes around log lines, and the whole log pushed as one chunk.
        var noisy = string.Concat(lines.Select((l, i) => (i % 3 == 0 ? "\u001b[36m" + l + "\u001b[0m" : l) + "\r\n"));
        var parser = new KkLogParser();
        var events = parser.Push(noisy);
        var actual = parser.Complete(0);

        Assert.True(actual.Succeeded);
        Assert.Equal(expected.ModulesCompleted, actual.ModulesCompleted);
        Assert.Equal(expected.TaskCount, actual.TaskCount);
        Assert.Equal(expected.ConsoleUrl, actual.ConsoleUrl);
        Assert.Equal(expected.LineCount, actual.LineCount);
        Assert.Equal(expected.TaskCount, events.OfType<KkTaskStarted>().Count());
    }

    [Fact]
    public void Push_EmitsEachResultOnTheLineThatCompletesIt()
    {
        var parser = new KkLogParser();

        Assert.Collection(
            parser.Push("10:00:00 UTC [GreetingsModule] Greetings"),
            e => Assert.Equal(KkModuleState.Started, Assert.IsType<KkModuleProgress>(e).State),
            e => Assert.Equal("Greetings", Assert.IsType<KkTaskStarted>(e).Task));
        Assert.Empty(parser.Push("10:00:01 UTC message: [node1]"));
        Assert.Empty(parser.Push("Greetings, KubeKey!"));
        var result = Assert.IsType<KkTaskResult>(Assert.Single(parser.Push("10:00:01 UTC success: [node1]")));
        Assert.Equal("Greetings, KubeKey!", result.Message);
        Assert.True(parser.Summary.Incomplete);
        Assert.Equal(3, parser.Push("10:00:02 UTC [NodePreCheckModule] A pre-check on nodes").Count); // completed, started, task

        parser.Complete();
        Assert.Throws<InvalidOperationException>(() => parser.Push("more"));
    }

    [Fact]
    public void FatalLine_FailsTheRun()
    {
        var summary = KkLogParser.Parse(new[] { "10:00:00 UTC [FATA] The number of master/control-plane cannot be 0" });

        Assert.False(summary.Incomplete);
        Assert.False(summary.Succeeded);
        Assert.Equal("The number of master/control-plane cannot be 0", summary.FailureMessage);
        Assert.Null(summary.FailedModule);
    }

    [Fact]
    public void ConfigError_FailsWithKksMessage()
    {
        var summary = KkLogParser.Parse(new[] { "error: Unsupported KubeSphere version: v9.9.9" }, 1);

        Assert.False(summary.Succeeded);
        Assert.Equal("Unsupported KubeSphere version: v9.9.9", summary.FailureMessage);
    }

    [Fact]
    public void ExitZeroWithoutSuccessLine_QuotesKksLastWords()
    {
        var summary = KkLogParser.Parse(new[] { "You cannot set up the internal load balancer and the LB address at the same time." }, 0);

        Assert.False(summary.Succeeded);
        Assert.False(summary.Incomplete);
        Assert.Contains("You cannot set up the internal load balancer", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeGoingBackwards_CountsAsMidnight()
    {
        var summary = KkLogParser.Parse(new[] { "23:59:30 CST [GreetingsModule] Greetings", "00:00:45 CST success: [k1]" });

        Assert.Equal(TimeSpan.FromSeconds(75), summary.Duration);
    }

    [Theory]
    [InlineData("Password: P@88w0rd", "Password: ********")]
    [InlineData("\u001b[1A\u001b[KPassword: hunter2  ", "Password: ********")]
    [InlineData("Account: admin", "Account: admin")]
    public void RedactSecrets_MasksOnlyThePasswordLine(string line, string expected)
    {
        Assert.Equal(expected, KkLogParser.RedactSecrets(line));
    }
}
