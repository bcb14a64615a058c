// Copyright (c) HaCluster contributors. MIT License.
// kk version policy (v3 only), the pinned download command, the working-directory probe and the preflight verdict.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;
using HaCluster.Engine.Tests.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class KubeKeyBinaryTests
{
    [Fact]
    public void DownloadCommand_PinsTheVersion_AndExportsKkZoneOnlyWhenAsked()
    {
        Assert.Equal("curl -sfL https://get-kk.kubesphere.io | VERSION='v3.1.12' SKIP_WEB_INSTALLER=true sh -", KubeKeyBinary.DownloadCommand("v3.1.12", null));
        Assert.Equal("export KKZONE='cn'; curl -sfL https://get-kk.kubesphere.io | VERSION='v3.0.13' SKIP_WEB_INSTALLER=true sh -", KubeKeyBinary.DownloadCommand("3.0.13", "CN"));
    }

    [Theory]
    [InlineData("v4.0.6")]
    [InlineData("2.3.0")]
    public void DownloadCommand_RefusesAnythingButV3(string version)
    {
        var error = Assert.Throws<HaClusterException>(() => KubeKeyBinary.DownloadCommand(version, null));
        Assert.Equal(KubeKeyInstallErrorIds.KubeKeyVersionUnsupported, error.ErrorId);
        Assert.Contains("v3.1.12", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("v3.1")]
    [InlineData("v3.1.12; rm -rf /")]
    public void NormalizeVersion_RefusesTextThatIsNoVersion(string version)
    {
        var error = Assert.Throws<HaClusterException>(() => KubeKeyBinary.NormalizeVersion(version));
        Assert.Equal(KubeKeyInstallErrorIds.InstallOptionInvalid, error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Equal(version, error.Target);
    }

    [Fact]
    public void NormalizeZone_AcceptsOnlyCn()
    {
        Assert.Null(KubeKeyBinary.NormalizeZone(null));
        Assert.Null(KubeKeyBinary.NormalizeZone(" "));
        Assert.Equal("cn", KubeKeyBinary.NormalizeZone("cn"));
        Assert.Equal(KubeKeyInstallErrorIds.InstallOptionInvalid, Assert.Throws<HaClusterException>(() => KubeKeyBinary.NormalizeZone("us")).ErrorId);
    }

    [Fact]
    public void CheckReportedVersion_AcceptsKkV3ShortOutput()
    {
        Assert.Equal("v3.1.12", KubeKeyBinary.CheckReportedVersion(0, "v3.1.12\n", null, "kk"));
    }

    [Fact]
    public void CheckReportedVersion_RefusesKkV4WithTheExplanation()
    {
        // kk v4 has no -o; plain `kk version` prints JSON (kubekey.md §3.3).
        var json = "{\"major\":\"4\",\"minor\":\"0\",\"gitVersion\":\"v4.0.6\",\"gitCommit\":\"1c3204b\",\"gitTreeState\":\"clean\"}";
        var error = Assert.Throws<HaClusterException>(() =>
            KubeKeyBinary.CheckReportedVersion(1, "Error: unknown shorthand flag: 'o' in -o", json, "kk at /w/kk on taskbox"));
        Assert.Equal(KubeKeyInstallErrorIds.KubeKeyVersionUnsupported, error.ErrorId);
        Assert.Equal(FailureKind.InvalidOperation, error.Kind);
        Assert.StartsWith("kk at /w/kk on taskbox is KubeKey v4.0.6.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Inventory", error.Message, StringComparison.Ordinal);
        Assert.Contains("-KubeKeyVersion v3.1.12", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckReportedVersion_RefusesKkV2()
    {
        var full = "version.BuildInfo{Version:\"2.1.0\", GitCommit:\"8c7bb1d6\", GitTreeState:\"\", GoVersion:\"go1.17.9\"}";
        var error = Assert.Throws<HaClusterException>(() => KubeKeyBinary.CheckReportedVersion(1, "Error: unknown shorthand flag: 'o' in -o", full, "kk"));
        Assert.Equal(KubeKeyInstallErrorIds.KubeKeyVersionUnsupported, error.ErrorId);
        Assert.Contains("v2.1.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckReportedVersion_ReadsTheV3LongFormWhenShortFails()
    {
        var full = "kk version: &version.Info{Major:\"3\", Minor:\"1\", GitVersion:\"v3.1.12\", GitCommit:\"44214fe\"}";
        Assert.Equal("v3.1.12", KubeKeyBinary.CheckReportedVersion(1, string.Empty, full, "kk"));
    }

    [Fact]
    public void CheckReportedVersion_SaysWhatAnUnknownProgramAnswered()
    {
        var error = Assert.Throws<HaClusterException>(() => KubeKeyBinary.CheckReportedVersion(127, "sh: 1: ./kk: not found", "sh: 1: ./kk: not found", "kk"));
        Assert.Equal(KubeKeyInstallErrorIds.KubeKeyVersionUnknown, error.ErrorId);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }
}

public sealed class InstallWorkspaceTests
{
    [Theory]
    [InlineData("~/hacluster", "./hacluster")]
    [InlineData("~", ".")]
    [InlineData("~//x/y", "./x/y")]
    [InlineData("/opt/kk", "/opt/kk")]
    [InlineData("work dir", "work dir")]
    public void ShellPath_MakesHomePathsRelative(string given, string expected) => Assert.Equal(expected, InstallWorkspace.ShellPath(given));

    [Fact]
    public void Paths_AreFixedNamesInTheDirectory()
    {
        var workspace = new InstallWorkspace("/home/u/ha/");
        Assert.Equal("/home/u/ha/kk", workspace.KkPath);
        Assert.Equal("/home/u/ha/hacluster-config.yaml", workspace.ConfigPath);
        Assert.Equal("/home/u/ha/hacluster-install.log", workspace.LogPath);
        Assert.Equal("/home/u/ha/kubekey/logs/kubekey.log", workspace.KubeKeyLogPath);
    }

    [Fact]
    public void ParseProbe_ReadsEveryState()
    {
        var running = InstallWorkspace.ParseProbe("dir=/home/u/ha\nstate=running\npid=4242\nstarted=1700000000\nconfig=present\nnow=1700000042\n");
        Assert.Equal(InstallRunState.Running, running.RunState);
        Assert.Equal("/home/u/ha", running.Directory);
        Assert.Equal(4242, running.Pid);
        Assert.Equal(1700000000, running.Started);
        Assert.Equal(1700000042, running.Now);
        Assert.True(running.ConfigPresent);
        Assert.True(running.HasRun);

        var exited = InstallWorkspace.ParseProbe("dir=/d\nstate=exited\nexit=1\nstarted=10\nended=20\nnow=30");
        Assert.Equal((InstallRunState.Exited, 1, 20L, false), (exited.RunState, exited.ExitCode!.Value, exited.Ended!.Value, exited.ConfigPresent));

        Assert.Equal(InstallRunState.NoDirectory, InstallWorkspace.ParseProbe("state=nodir\n").RunState);
        Assert.Equal(InstallRunState.None, InstallWorkspace.ParseProbe("dir=/d\nstate=none\nnow=1").RunState);
        Assert.Equal(InstallRunState.Lost, InstallWorkspace.ParseProbe("dir=/d\nstate=lost\n").RunState);

        // An exit file that holds no number is no verdict.
        Assert.Equal(InstallRunState.Lost, InstallWorkspace.ParseProbe("dir=/d\nstate=exited\nexit=\n").RunState);
    }
}

public sealed class InstallPreflightTests
{
    [Fact]
    public void Verdict_PassesWhenOnlyRecommendedChecksFail_AndWarnsOncePerCheck()
    {
        var observer = new RecordingObserver();
        var results = new[]
        {
            Result("master1", "Command:conntrack", true, PreflightSeverity.Required),
            Result("master1", "Command:ipvsadm", false, PreflightSeverity.Recommended, "ipvsadm is not installed"),
            Result("worker1", "Command:ipvsadm", false, PreflightSeverity.Recommended, "ipvsadm is not installed"),
        };

        Assert.Null(InstallPreflight.Verdict(results, observer));
        var warning = Assert.Single(observer.Warnings);
        Assert.Equal("Preflight: Command:ipvsadm (recommended) fails on master1, worker1: ipvsadm is not installed.", warning);
    }

    [Fact]
    public void Verdict_ListsTheFailedRequiredChecksAsATable()
    {
        var failed = Result("worker3", "Command:conntrack", false, PreflightSeverity.Required, "conntrack is not installed");
        var results = new[] { Result("master1", "Ssh", true, PreflightSeverity.Required), failed };

        var error = InstallPreflight.Verdict(results, new RecordingObserver());

        Assert.NotNull(error);
        Assert.Equal(KubeKeyInstallErrorIds.PreflightFailed, error!.ErrorId);
        Assert.Equal(FailureKind.ResourceUnavailable, error.Kind);
        Assert.Contains("Preflight failed on 1 of 2 hosts", error.Message, StringComparison.Ordinal);
        Assert.Contains("  worker3  Command:conntrack  conntrack is not installed\n", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { failed }, Assert.IsAssignableFrom<IEnumerable<PreflightResult>>(error.Target).ToArray());
    }

    [Fact]
    public void Verdict_NamesOnlyParametersOfTheCommandThatRuns()
    {
        var results = new[] { Result("worker3", "Command:conntrack", false, PreflightSeverity.Required, "conntrack is not installed") };

        Assert.EndsWith("Fix these (Test-HaNode shows every check), or use -SkipPreflight when only the taskbox can reach the hosts.", InstallPreflight.Verdict(results, new RecordingObserver(), InstallRecoveryHints.InstallHaMaster)!.Message, StringComparison.Ordinal);

        // New-HaCluster has no -SkipPreflight (it suggested it once) and resumes by running again, not with -Resume.
        var cluster = InstallPreflight.Verdict(results, new RecordingObserver(), InstallRecoveryHints.NewHaCluster)!.Message;
        Assert.EndsWith("Fix these (Test-HaNode shows every check).", cluster, StringComparison.Ordinal);
        Assert.DoesNotContain("-SkipPreflight", cluster, StringComparison.Ordinal);
        Assert.DoesNotContain("-", InstallRecoveryHints.NewHaCluster.Reattach.Replace("New-HaCluster", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Verdict_RaisesAHostKeyRefusalUnderItsOwnErrorId_ChangedBeforeUnknown()
    {
        var results = new[]
        {
            Result("worker1", "Ssh", false, PreflightSeverity.Required, "unknown key SHA256:aaa", SshErrorIds.HostKeyUnknown),
            Result("worker2", "Ssh", false, PreflightSeverity.Required, "changed: SHA256:bbb, now SHA256:ccc", SshErrorIds.HostKeyChanged),
            Result("worker3", "Command:socat", false, PreflightSeverity.Required, "socat is not installed"),
        };

        var error = InstallPreflight.Verdict(results, new RecordingObserver());

        Assert.Equal(SshErrorIds.HostKeyChanged, error!.ErrorId);
        Assert.Equal(FailureKind.SecurityError, error.Kind);
        Assert.Contains("worker2: changed: SHA256:bbb, now SHA256:ccc", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("worker1", error.Message, StringComparison.Ordinal);
    }

    private static PreflightResult Result(string host, string check, bool passed, PreflightSeverity severity, string detail = "ok", string? errorId = null) =>
        new(host, "127.0.0.1", check, passed, severity, detail, TimeSpan.Zero, errorId);
}
