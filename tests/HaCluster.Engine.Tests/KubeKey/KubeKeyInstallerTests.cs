// Copyright (c) HaCluster contributors. MIT License.
// KubeKeyInstaller against real lab sshd hosts (127.70.1.2-4) with the KubeKey simulator as kk: success, dropped
// connection, cancelled client and resume, timeout, resume-or-start after a failure, input refusals.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;
using HaCluster.Engine.Tests.Ssh;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

/// <summary>Three lab hosts whose sessions find the simulator as `kk` on PATH; master1 is also the taskbox.</summary>
public sealed class InstallLab : LabFixture
{
    public InstallLab()
        : base("--bin", PrepareBin(), "127.70.1.2-4")
    {
        Run(Dotnet, SimulatorDll, "sim", "install", "--bin", Host.BinPath);
        RemoteHome = Lab.Shell("getent passwd " + Host.User).Split(':')[5];
    }

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The simulator built next to this test project (tests/Lab/KubeKeySimulator/bin/&lt;configuration&gt;/net10.0).</summary>
    public static string SimulatorDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(Path.GetDirectoryName(Lab.Script)!, "KubeKeySimulator", "bin", output.Parent!.Name, output.Name, "KubeKeySimulator.dll");
            Assert.True(File.Exists(dll), "KubeKeySimulator.dll not built at " + dll);
            return dll;
        }
    }

    public string RemoteHome { get; }

    private List<string> WorkingDirectories { get; } = new();

    /// <summary>A fresh working directory name (relative to the SSH user's home) that is cleaned up afterwards.</summary>
    public string NewWorkingDirectory()
    {
        var name = "hacluster-xunit-" + Guid.NewGuid().ToString("N").Substring(0, 10);
        lock (WorkingDirectories)
        {
            WorkingDirectories.Add(name);
        }

        return name;
    }

    public string Remote(string workingDirectory, string child = "") => Path.Combine(RemoteHome, workingDirectory, child);

    public ClusterConfig Config()
    {
        var config = new ClusterConfig { Name = "xunit" };
        foreach (var (host, name) in Hosts.Zip(new[] { "master1", "worker1", "worker2" }))
        {
            var endpoint = host.PasswordEndpoint();
            config.Hosts.Add(new HaHost(name, host.Address)
            {
                Port = host.Port,
                User = host.User,
                Password = endpoint.Password,
                PrivateKeyPath = endpoint.PrivateKeyPath,
            });
        }

        config.RoleGroups.Etcd.Add("master1");
        config.RoleGroups.ControlPlane.Add("master1");
        config.RoleGroups.Worker.AddRange(new[] { "worker1", "worker2" });
        config.KubeSphere = KubeSphereSettings.CreateDefault("v3.4.1");
        return config;
    }

    public KubeKeyInstallOptions Options(string workingDirectory) => new()
    {
        WorkingDirectory = "~/" + workingDirectory,
        Connect = Trusting(),
    };

    /// <summary>A kk for KubeKeyPath: the simulator with KK_SIM_* set (the taskbox's sshd passes no environment).</summary>
    public string Wrapper(params (string Name, string Value)[] environment)
    {
        var path = Path.Combine(Folder, "kk-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        var lines = new List<string> { "#!/bin/sh" };
        lines.AddRange(environment.Select(e => "export " + e.Name + "=" + ShellQuote.Quote(e.Value)));
        lines.Add("KK_SIM_ARGV0=$(cd \"$(dirname \"$0\")\" && pwd)/$(basename \"$0\"); export KK_SIM_ARGV0");
        lines.Add("exec " + ShellQuote.Quote(Dotnet) + " " + ShellQuote.Quote(SimulatorDll) + " \"$@\"");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public string Sim(params string[] arguments) => Run(new[] { SimulatorDll, "sim" }.Concat(arguments).Prepend(Dotnet).ToArray());

    public string State(string workingDirectory) => Remote(workingDirectory, "kk-sim-state");

    /// <summary>Polls (short, then longer pauses) until the condition holds; the bound only stops a broken run.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, Task? alsoDone = null)
    {
        var deadline = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(50);
        while (!condition())
        {
            if (alsoDone is { IsCompleted: true })
            {
                await alsoDone; // surfaces the failure of the run that was meant to get there
                Assert.Fail("The install ended before " + what);
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), "Timed out waiting for " + what);
            await Task.Delay(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    public void StopSimulators()
    {
        foreach (var directory in WorkingDirectories.Where(d => Directory.Exists(State(d))))
        {
            Sim("stop", "--state", State(directory));
        }
    }

    protected override void OnDispose()
    {
        StopSimulators();
        foreach (var directory in WorkingDirectories)
        {
            Lab.Shell("rm -rf -- " + ShellQuote.Quote(Remote(directory)));
        }

        Directory.Delete(Path.GetDirectoryName(Host.BinPath)!, recursive: true);
    }

    private static string PrepareBin()
    {
        // The lab user runs kk from here: a world-readable folder, unlike CreateTempSubdirectory's.
        var root = Path.Combine(Path.GetTempPath(), "hacluster-kkinstall-" + Guid.NewGuid().ToString("N").Substring(0, 10));
        Directory.CreateDirectory(root);
        Lab.Shell("chmod 0755 " + ShellQuote.Quote(root));
        return Path.Combine(root, "bin");
    }

    private static string Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, string.Join(" ", command) + " failed: " + stderr.Result);
        return stdout.Result;
    }
}

/// <summary>One lab host whose sessions have no curl on PATH.</summary>
public sealed class NoCurlLab : LabFixture
{
    public NoCurlLab()
        : base("--exclude", "curl", "127.70.2.2")
    {
    }
}

public sealed class KubeKeyTaskBoxWithoutCurlTests : IClassFixture<NoCurlLab>
{
    private readonly NoCurlLab _lab;

    public KubeKeyTaskBoxWithoutCurlTests(NoCurlLab lab) => _lab = lab;

    [Fact]
    public async Task UploadedKk_OnATaskBoxWithoutCurl_IsRefusedBeforeKkRuns()
    {
        var config = new ClusterConfig { Name = "nocurl" };
        config.Hosts.Add(new HaHost("master1", _lab.Host.Address) { Port = _lab.Host.Port, User = _lab.Host.User, Password = _lab.Host.PasswordEndpoint().Password, PrivateKeyPath = _lab.Host.PasswordEndpoint().PrivateKeyPath });
        config.RoleGroups.Etcd.Add("master1");
        config.RoleGroups.ControlPlane.Add("master1");
        config.RoleGroups.Worker.Add("master1");
        var kk = Path.Combine(_lab.Folder, "kk");
        File.WriteAllText(kk, "#!/bin/sh\necho v3.1.12\n");
        var options = new KubeKeyInstallOptions { WorkingDirectory = "~/hacluster-nocurl-" + Guid.NewGuid().ToString("N").Substring(0, 8), KubeKeyPath = kk, SkipPreflight = true, Connect = _lab.Trusting() };

        var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(config, _lab.Host.PasswordEndpoint(), options));

        Assert.Equal(KubeKeyInstallErrorIds.TaskBoxCurlMissing, error.ErrorId);
        Assert.Contains("has no curl", error.Message, StringComparison.Ordinal);
    }
}

public sealed class KubeKeyInstallerTests : IClassFixture<InstallLab>, IDisposable
{
    private readonly InstallLab _lab;

    public KubeKeyInstallerTests(InstallLab lab) => _lab = lab;

    /// <summary>The stand-ins outlive kk by design: stop them after every test, so the next one's preflight finds 6443 free.</summary>
    public void Dispose() => _lab.StopSimulators();

    [Fact]
    public async Task Install_Succeeds_WithModuleProgressRedactedVerboseConsoleAndNoConfigLeft()
    {
        var wd = _lab.NewWorkingDirectory();
        var observer = new RecordingObserver();

        var result = await KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), _lab.Options(wd), observer);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("http://127.70.1.2:30880", result.ConsoleUrl);
        Assert.Equal("admin", result.Account);
        Assert.Equal("v3.1.12", result.KubeKeyVersion);
        Assert.False(result.Resumed);
        Assert.NotNull(result.StartedAt);
        Assert.Equal(_lab.Remote(wd, "hacluster-install.log"), result.LogPath);
        Assert.Equal(_lab.Remote(wd, "kubekey/logs/kubekey.log"), result.KubeKeyLogPath);
        Assert.Contains("JoinNodesModule", result.ModulesCompleted);
        Assert.False(File.Exists(_lab.Remote(wd, "hacluster-config.yaml")));

        // Progress: kk's modules in pipeline order with a rising percentage, on one bar that is completed at the end.
        var bar = observer.ProgressRecords.Where(p => p.ActivityId == 5201).ToList();
        var modules = bar.Where(p => p.Status.StartsWith("kk: ", StringComparison.Ordinal)).ToList();
        Assert.Contains(modules, p => p.Status == "kk: InitKubernetesModule" && p.CurrentOperation == "Init cluster using kubeadm");
        Assert.True(modules.Zip(modules.Skip(1)).All(pair => pair.First.PercentComplete <= pair.Second.PercentComplete));
        Assert.True(modules[^1].PercentComplete > 80, "last module at " + modules[^1].PercentComplete.ToString(CultureInfo.InvariantCulture) + "%");
        Assert.True(bar[^1].Completed);

        Assert.Contains("kk: Password: ********", observer.All);
        Assert.Contains(observer.All, m => m.EndsWith("[JoinNodesModule] Join worker node", StringComparison.Ordinal));
        if (_lab.Host.Password is not null)
        {
            Assert.DoesNotContain(observer.All.Concat(observer.Warnings), m => m.Contains(_lab.Host.Password, StringComparison.Ordinal));
        }

        // The apiserver stand-in kk left answers with the certificate the simulator generated (pinned here).
        var pinned = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_lab.State(wd), "apiserver.crt"));
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.RawData.AsSpan().SequenceEqual(pinned.RawData) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("ok", await http.GetStringAsync("https://127.70.1.2:6443/readyz"));
    }

    [Fact]
    public async Task Install_SurvivesTheTaskboxConnectionBeingKilledMidInstall()
    {
        var wd = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd);
        options.KubeKeyPath = _lab.Wrapper(("KK_SIM_HANG_AT", "JoinNodesModule"), ("KK_SIM_HANG_SECONDS", "600"));
        var observer = new RecordingObserver();

        var install = KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), options, observer);
        await InstallLab.WaitUntilAsync(() => File.Exists(Path.Combine(_lab.State(wd), "hanging")), "kk to hang", install);

        // Kill the per-connection sshd processes serving this test's sessions: the connection drops mid-follow.
        var killed = Lab.Shell($"for pid in $(ps -o pid= --ppid {_lab.Host.Pid}); do kill -9 \"$pid\" && echo \"$pid\"; done; true");
        Assert.NotEmpty(killed.Trim());
        _lab.Sim("release", "--state", _lab.State(wd));

        var result = await install;

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Contains(observer.Warnings, w => w.Contains("connection lost while following", StringComparison.Ordinal));
        Assert.Contains("JoinNodesModule", result.ModulesCompleted);
    }

    [Fact]
    public async Task CancelledClient_LeavesKkRunning_SecondStartIsRefused_ResumeOrStartReattaches()
    {
        var wd = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd);
        options.KubeKeyPath = _lab.Wrapper(("KK_SIM_HANG_AT", "JoinNodesModule"), ("KK_SIM_HANG_SECONDS", "600"));
        using var client = new CancellationTokenSource();

        var install = KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), options, null, client.Token);
        await InstallLab.WaitUntilAsync(() => File.Exists(Path.Combine(_lab.State(wd), "hanging")), "kk to hang", install);
        Assert.Equal("600", Lab.Shell("stat -c %a " + ShellQuote.Quote(_lab.Remote(wd, "hacluster-config.yaml"))).Trim());
        client.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => install);

        var again = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), _lab.Options(wd)));
        Assert.Equal(KubeKeyInstallErrorIds.InstallAlreadyRunning, again.ErrorId);
        Assert.Contains("hanging at JoinNodesModule", _lab.Sim("status", "--state", _lab.State(wd)), StringComparison.Ordinal);

        var resume = _lab.Options(wd);
        resume.Mode = KubeKeyInstallMode.ResumeOrStart;
        _lab.Sim("release", "--state", _lab.State(wd));
        var result = await KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), resume);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(result.Resumed);
        Assert.Equal("http://127.70.1.2:30880", result.ConsoleUrl);
        Assert.False(File.Exists(_lab.Remote(wd, "hacluster-config.yaml")));
    }

    [Fact]
    public async Task Timeout_StopsKk_RemovesTheConfig_AndNamesTheModule()
    {
        var wd = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd);
        options.KubeKeyPath = _lab.Wrapper(("KK_SIM_HANG_AT", "JoinNodesModule"), ("KK_SIM_HANG_SECONDS", "600"));
        options.Timeout = TimeSpan.FromSeconds(3);

        var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), options));

        Assert.Equal(KubeKeyInstallErrorIds.InstallTimeout, error.ErrorId);
        Assert.Equal(FailureKind.OperationTimeout, error.Kind);
        var result = Assert.IsType<KubeKeyInstallResult>(error.Target);
        Assert.False(result.Succeeded);
        Assert.Null(result.ExitCode);
        Assert.Contains("did not finish within 00:00:03 and was stopped", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("kk: not running", _lab.Sim("status", "--state", _lab.State(wd)), StringComparison.Ordinal);
        Assert.False(File.Exists(_lab.Remote(wd, "hacluster-config.yaml")));

        // The stopped run left no exit code: resuming it reports it as lost, with what the log showed.
        var resume = _lab.Options(wd);
        resume.Mode = KubeKeyInstallMode.Resume;
        var lost = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), resume));
        Assert.Equal(KubeKeyInstallErrorIds.InstallLost, lost.ErrorId);
        Assert.False(Assert.IsType<KubeKeyInstallResult>(lost.Target).Succeeded);
    }

    [Fact]
    public async Task FailedRun_IsReportedWithModuleAndNode_ThenResumeOrStartStartsAgain()
    {
        var wd = _lab.NewWorkingDirectory();
        var failing = _lab.Options(wd);
        failing.KubeKeyPath = _lab.Wrapper(("KK_SIM_FAIL", "unreachable:worker2"));

        var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), failing));

        Assert.Equal(KubeKeyInstallErrorIds.InstallFailed, error.ErrorId);
        var failed = Assert.IsType<KubeKeyInstallResult>(error.Target);
        Assert.Equal("GreetingsModule", failed.FailedModule);
        Assert.Equal(new[] { "worker2" }, failed.FailedNodes);
        Assert.Equal(1, failed.ExitCode);
        Assert.StartsWith("kk failed in module GreetingsModule, task 'Greetings', on node worker2: ", error.Message, StringComparison.Ordinal);

        var retry = _lab.Options(wd);
        retry.Mode = KubeKeyInstallMode.ResumeOrStart;
        retry.KubeKeyPath = _lab.Wrapper();
        var result = await KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), retry);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.False(result.Resumed);
    }

    [Theory]
    [InlineData(KubeKeyInstallMode.Start)]
    [InlineData(KubeKeyInstallMode.Resume)]
    public async Task FailedAtInitKubernetes_ReRunPassesPreflightOnKksOwnEtcd_AndKkCarriesOn(KubeKeyInstallMode mode)
    {
        var wd = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd);
        options.KubeKeyPath = _lab.Wrapper(("KK_SIM_FAIL", "init-timeout:once"), ("KK_SIM_SPEED", "0"));

        var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), options));
        Assert.Equal(KubeKeyInstallErrorIds.InstallFailed, error.ErrorId);
        Assert.Equal("InitKubernetesModule", Assert.IsType<KubeKeyInstallResult>(error.Target).FailedModule);

        // kk's etcd outlives the failed run (kubeadm init is reset, etcd is not), as on a real cluster.
        Assert.True(Listening("127.70.1.2", 2379), "kk's etcd stand-in should still listen after the failure");

        options.Mode = mode;
        var observer = new RecordingObserver();
        var result = await KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), options, observer);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.False(result.Resumed);
        Assert.Contains(observer.All, m => m.Contains("earlier kk run of this cluster", StringComparison.Ordinal));
        var log = File.ReadAllText(result.LogPath);
        Assert.Contains("[ETCDConfigureModule] Health check on exist etcd", log, StringComparison.Ordinal);
        Assert.Matches(@"\[ETCDConfigureModule\] Restart etcd\n\d\d:\d\d:\d\d UTC skipped: \[master1\]", log);
    }

    [Fact]
    public async Task PortHeldByAForeignProcess_FailsPreflight_WithoutBlamingKk()
    {
        var wd = _lab.NewWorkingDirectory();
        var foreign = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse("127.70.1.2"), 2380);
        foreign.Start();
        try
        {
            var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), _lab.Options(wd)));

            Assert.Equal(KubeKeyInstallErrorIds.PreflightFailed, error.ErrorId);
            Assert.Contains("2380/tcp is already in use", error.Message, StringComparison.Ordinal);
            Assert.Contains("by a process this cluster's kk did not start", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("would refuse", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreign.Stop();
        }
    }

    [Fact]
    public async Task KeyOnlyCluster_KkReadsAKeyCopyInTheWorkingDirectory_0600_RemovedWhenKkExits()
    {
        var wd = _lab.NewWorkingDirectory();
        var config = _lab.Config();
        var key = _lab.Host.PrivateKeyPath;
        foreach (var host in config.Hosts)
        {
            host.Password = null;
            host.PrivateKeyPath = key;
        }

        // The premise: the taskbox's kk runs as another user with another home and cannot read the key where this side
        // has it, as on a separate machine; only the uploaded copy lets it log in (without it Greetings fails).
        using (var taskBox = await SshSession.ConnectAsync(_lab.Host.KeyEndpoint(), _lab.Trusting()))
        {
            var probe = await taskBox.RunAsync("echo \"$(id -un) $HOME\"; test -r " + ShellQuote.Quote(key) + " && echo readable || echo unreadable");
            Assert.DoesNotContain(Environment.UserName + " " + Environment.GetEnvironmentVariable("HOME"), probe.Stdout, StringComparison.Ordinal);
            Assert.EndsWith("unreadable", probe.Stdout.Trim(), StringComparison.Ordinal);
        }

        // The lab user's sudo asks for the password this cluster does not give; sudo is not what this test is about.
        var keep = _lab.Options(wd);
        keep.KeepConfig = true;
        keep.SkipPreflight = true;
        var observer = new RecordingObserver();
        var result = await KubeKeyInstaller.InstallAsync(config, _lab.Host.KeyEndpoint(), keep, observer);

        Assert.True(result.Succeeded, result.FailureMessage);
        var copy = _lab.Remote(wd, "kk-ssh-key-1");
        Assert.Contains("privateKeyPath: \"" + copy + "\"", File.ReadAllText(_lab.Remote(wd, "hacluster-config.yaml")), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(key), File.ReadAllText(copy));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(copy) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), "the key copy must be 0600");
        var body = File.ReadAllLines(key).Where(l => !l.StartsWith("-----", StringComparison.Ordinal) && l.Length > 0).ToList();
        var printed = string.Join("\n", observer.All.Concat(observer.Warnings)) + File.ReadAllText(result.LogPath);
        Assert.All(body, line => Assert.DoesNotContain(line, printed, StringComparison.Ordinal));

        // Without KeepConfig the copy goes with the config when kk exits.
        _lab.StopSimulators();
        var wd2 = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd2);
        options.SkipPreflight = true;
        var second = await KubeKeyInstaller.InstallAsync(config, _lab.Host.KeyEndpoint(), options);
        Assert.True(second.Succeeded, second.FailureMessage);
        Assert.False(File.Exists(_lab.Remote(wd2, "kk-ssh-key-1")));
    }

    [Fact]
    public async Task OlderKk_WithoutTheDefaultVersion_InstallsItsNewestPatchOfTheMinor_AndRefusesAnotherMissingVersion()
    {
        // kk v3.0.7 lists v1.23.0–15 (tests/Fixtures/kk-logs/v3.0.7-show-supported-k8s.txt): our default v1.23.17 is not there.
        var wd = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd);
        options.KubeKeyPath = _lab.Wrapper(("KK_SIM_VERSION", "v3.0.7"), ("KK_SIM_SPEED", "0"));
        options.KeepConfig = true;
        var config = _lab.Config();
        config.KubeSphere = null;
        config.Kubernetes.Version = KubernetesSettings.DefaultVersion;
        var observer = new RecordingObserver();

        var result = await KubeKeyInstaller.InstallAsync(config, _lab.Host.PasswordEndpoint(), options, observer);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Contains(observer.Warnings, w => w.Contains("installing v1.23.15", StringComparison.Ordinal));
        Assert.Contains("version: v1.23.15", File.ReadAllText(_lab.Remote(wd, "hacluster-config.yaml")), StringComparison.Ordinal);

        _lab.StopSimulators();
        var chosen = _lab.Config();
        chosen.KubeSphere = null;
        chosen.Kubernetes.Version = "v1.26.15";
        var again = _lab.Options(_lab.NewWorkingDirectory());
        again.KubeKeyPath = options.KubeKeyPath;
        var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(chosen, _lab.Host.PasswordEndpoint(), again));
        Assert.Equal("KubernetesVersionUnsupported", error.ErrorId);
        Assert.Contains("kk v3.0.7 does not install Kubernetes v1.26.15", error.Message, StringComparison.Ordinal);
    }

    private static bool Listening(string address, int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Parse(address), port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Resume_WithNoRun_IsInstallNotFound_AndCreatesNothing()
    {
        var wd = _lab.NewWorkingDirectory();
        var options = _lab.Options(wd);
        options.Mode = KubeKeyInstallMode.Resume;

        var error = await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), _lab.Host.PasswordEndpoint(), options));

        Assert.Equal(KubeKeyInstallErrorIds.InstallNotFound, error.ErrorId);
        Assert.False(Directory.Exists(_lab.Remote(wd)));
    }

    [Fact]
    public async Task BadInput_IsRefusedBeforeAnyConnection()
    {
        // Nothing listens there: a connection attempt would fail differently.
        var nowhere = new SshEndpoint("127.70.1.250", 1, "nobody");
        var options = new KubeKeyInstallOptions();

        var config = _lab.Config();
        config.RoleGroups.Etcd.Add("worker1");
        Assert.Equal("EtcdCountEven", (await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(config, nowhere, options))).ErrorId);

        options.KubeKeyPath = "/no/such/kk";
        Assert.Equal(KubeKeyInstallErrorIds.KubeKeyFileNotFound, (await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), nowhere, options))).ErrorId);

        options.KubeKeyPath = null;
        options.KubeKeyVersion = "v4.0.6";
        Assert.Equal(KubeKeyInstallErrorIds.KubeKeyVersionUnsupported, (await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), nowhere, options))).ErrorId);

        options.KubeKeyVersion = null;
        options.Timeout = TimeSpan.FromTicks(30);
        Assert.Equal(KubeKeyInstallErrorIds.InstallOptionInvalid, (await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), nowhere, options))).ErrorId);

        options.Timeout = TimeSpan.FromMinutes(1);
        options.KkZone = "eu";
        Assert.Equal(KubeKeyInstallErrorIds.InstallOptionInvalid, (await Assert.ThrowsAsync<HaClusterException>(() => KubeKeyInstaller.InstallAsync(_lab.Config(), nowhere, options))).ErrorId);
    }

    [Fact]
    public void RunCommand_NeverPassesWithKubeSphere_AndRemovesTheConfigWhenKkExits()
    {
        var config = _lab.Config();
        var plan = InstallPlan.Create(config, new KubeKeyInstallOptions { KkZone = "cn" }, NullOperationObserver.Instance);
        Assert.Equal("export KKZONE='cn'; ./kk create cluster -f 'hacluster-config.yaml' -y; rc=$?; rm -f -- 'hacluster-config.yaml' ./kk-ssh-key-*; exit $rc", KubeKeyInstaller.RunCommand(plan));

        var keep = InstallPlan.Create(config, new KubeKeyInstallOptions { KeepConfig = true }, NullOperationObserver.Instance);
        Assert.Equal("./kk create cluster -f 'hacluster-config.yaml' -y", KubeKeyInstaller.RunCommand(keep));
    }
}
