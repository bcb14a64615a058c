// Copyright (c) HaCluster contributors. MIT License.
// Runs the KubeKey simulator live, parses its output as it streams, and probes the stand-ins it leaves running.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

public sealed class KubeKeySimulatorTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly string _work = Directory.CreateTempSubdirectory("kksim-").FullName;

    public KubeKeySimulatorTests()
    {
        // kk reads privateKeyPath on its own machine with its own ~: the simulator's HOME is this folder.
        Directory.CreateDirectory(Path.Combine(TaskBoxHome, ".ssh"));
        File.WriteAllText(Path.Combine(TaskBoxHome, ".ssh", "id_ed25519"), "not parsed in banner mode\n");
    }

    private string TaskBoxHome => Path.Combine(_work, "home");

    private string StateDirectory => Path.Combine(_work, "state");

    private string BinDirectory => Path.Combine(_work, "bin");

    public void Dispose()
    {
        // The stand-ins outlive kk by design: stop them so no port stays bound after the test.
        RunSimulatorAsync("sim", "stop", "--state", StateDirectory).GetAwaiter().GetResult();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task CreateCluster_Live_SucceedsAndLeavesApiserversConsolesAndKubectlRunning()
    {
        await using var ssh = SshBannerHost.Start("127.50.1.2", "127.50.1.3", "127.50.1.4");
        var config = WriteConfig(
            ("master1", "127.50.1.2", ssh.Port("127.50.1.2")),
            ("worker1", "127.50.1.3", ssh.Port("127.50.1.3")),
            ("worker2", "127.50.1.4", ssh.Port("127.50.1.4")));

        var (summary, events, exitCode) = await CreateClusterAsync(config);

        Assert.Equal(0, exitCode);
        Assert.True(summary.Succeeded, summary.FailureMessage);
        Assert.Equal("http://127.50.1.2:30880", summary.ConsoleUrl);
        Assert.Equal("admin", summary.Account);
        Assert.Contains("InitKubernetesModule", summary.ModulesCompleted);
        Assert.Contains("JoinNodesModule", summary.ModulesCompleted);
        Assert.Contains(events.OfType<KkTaskResult>(), r => r.Task == "Join worker node" && r.Node == "worker2" && r.Status == KkTaskStatus.Success);
        Assert.Equal(new[] { "master1", "worker1", "worker2" }, events.OfType<KkTaskResult>().Where(r => r.Module == "GreetingsModule").Select(r => r.Node));

        // The apiserver stand-in answers over HTTPS with the certificate the simulator generated (pinned here).
        var pinned = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(StateDirectory, "apiserver.crt"));
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.RawData.AsSpan().SequenceEqual(pinned.RawData) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("ok", await http.GetStringAsync("https://127.50.1.2:6443/readyz"));
        Assert.Equal("ok", await http.GetStringAsync("https://127.50.1.2:6443/livez"));
        Assert.Equal("ok", await http.GetStringAsync("https://127.50.1.2:6443/healthz"));
        AssertAllNodesReady(await http.GetStringAsync("https://127.50.1.2:6443/api/v1/nodes"), "master1", "worker1", "worker2");
        Assert.Contains("KubeSphere", await http.GetStringAsync("http://127.50.1.4:30880/"), StringComparison.Ordinal);

        var (kubectlExit, kubectlOutput) = await RunAsync(Path.Combine(BinDirectory, "kubectl"), "get", "nodes", "-o", "json");
        Assert.Equal(0, kubectlExit);
        AssertAllNodesReady(kubectlOutput, "master1", "worker1", "worker2");

        // kubectl version -o json as real kubectl prints it (tests/Fixtures/kubectl): the same fields in both parts,
        // and the server part is the simulated cluster's version. The helm stand-in beside kubectl answers it.
        Assert.Equal(0, (await RunSimulatorAsync("sim", "install", "--bin", BinDirectory)).ExitCode);
        var (versionExit, versionOutput) = await RunAsync(Path.Combine(BinDirectory, "kubectl"), "version", "-o", "json");
        Assert.Equal(0, versionExit);
        using var standIn = JsonDocument.Parse(versionOutput);
        using var real = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubectl", "version-server-1.14-client-1.15.json")));
        foreach (var part in new[] { "clientVersion", "serverVersion" })
        {
            Assert.Equal(Fields(real.RootElement.GetProperty(part)), Fields(standIn.RootElement.GetProperty(part)));
        }

        Assert.Subset(new HashSet<string> { "clientVersion:Object", "kustomizeVersion:String", "serverVersion:Object" }, Fields(standIn.RootElement).ToHashSet());
        Assert.Equal("v1.26.15", HaCluster.Engine.KubeSphere.KubeSphereInstaller.ServerVersionOf(versionOutput));

        // kk's own log file next to the kk it was run as holds the log lines only.
        var kubekeyLog = File.ReadAllLines(Path.Combine(_work, "kubekey", "logs", "kubekey.log"));
        Assert.True(KkLogParser.Parse(kubekeyLog).Succeeded);
        Assert.DoesNotContain(kubekeyLog, l => l.StartsWith("Console:", StringComparison.Ordinal));

        var (stopExit, stopOutput) = await RunSimulatorAsync("sim", "stop", "--state", StateDirectory);
        Assert.Equal(0, stopExit);
        Assert.Contains("stand-in server", stopOutput, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("https://127.50.1.2:6443/readyz"));
        Assert.Equal(1, (await RunAsync(Path.Combine(BinDirectory, "kubectl"), "get", "nodes", "-o", "json")).ExitCode);
    }

    [Fact]
    public async Task CreateCluster_Live_HostWithoutSshd_FailsGreetingsNamingTheHost()
    {
        await using var ssh = SshBannerHost.Start("127.50.2.2", "127.50.2.3");
        var config = WriteConfig(
            ("master1", "127.50.2.2", ssh.Port("127.50.2.2")),
            ("worker1", "127.50.2.3", ssh.Port("127.50.2.3")),
            ("worker2", "127.50.2.4", FreePort("127.50.2.4")));

        var (summary, _, exitCode) = await CreateClusterAsync(config);

        Assert.Equal(1, exitCode);
        Assert.False(summary.Succeeded);
        Assert.Equal("GreetingsModule", summary.FailedModule);
        Assert.Equal(new[] { "worker2" }, summary.FailedNodes);
        Assert.Contains("dial tcp 127.50.2.4:", summary.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("connect: connection refused", summary.FailureMessage, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(StateDirectory, "serve.ready")));
    }

    [Theory]
    [InlineData("v1.23.17", "control-plane")]
    [InlineData("v1.24.17", null)]
    [InlineData("v1.26.15", "master")]
    public async Task CreateCluster_MastersAsWorkers_PrintsKksTaintErrorLinesByMinor_AndSucceeds(string version, string? missingTaint)
    {
        await using var ssh = SshBannerHost.Start("127.50.3.2", "127.50.3.3", "127.50.3.4");
        var config = WriteConfig(
            version,
            kubeSphere: false,
            mastersWork: true,
            ("master1", "127.50.3.2", ssh.Port("127.50.3.2")),
            ("master2", "127.50.3.3", ssh.Port("127.50.3.3")),
            ("master3", "127.50.3.4", ssh.Port("127.50.3.4")));

        var (summary, _, exitCode) = await CreateClusterAsync(config, new Dictionary<string, string> { ["KK_SIM_FAIL"] = "etcd-retry" });
        var log = await File.ReadAllTextAsync(Path.Combine(_work, "kubekey", "logs", "kubekey.log"));

        Assert.Equal(0, exitCode);
        Assert.True(summary.Succeeded, summary.FailureMessage);
        Assert.Contains("Error:  client: etcd cluster is unavailable or misconfigured", log, StringComparison.Ordinal);
        if (missingTaint is null)
        {
            Assert.DoesNotContain("not found", log, StringComparison.Ordinal);
            return;
        }

        var error = "error: taint \"node-role.kubernetes.io/" + missingTaint + ":NoSchedule\" not found";
        foreach (var node in new[] { "master1", "master2", "master3" })
        {
            Assert.Contains("stdout: [" + node + "]\n" + error + "\n", log, StringComparison.Ordinal);
            Assert.Contains("[WARN] Failed to exec command: sudo -E /bin/bash -c \"/usr/local/bin/kubectl taint nodes " + node + " node-role.kubernetes.io/" + missingTaint + "=:NoSchedule-\" \n" + error + ": Process exited with status 1\n", log, StringComparison.Ordinal);
        }

        Assert.Contains(summary.Warnings, w => w.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateCluster_ModuleAndTaskSequence_MatchesEveryRealLogOfThePipeline()
    {
        await using var ssh = SshBannerHost.Start("127.50.4.2", "127.50.4.3", "127.50.4.4");
        var config = WriteConfig(
            "v1.28.8",
            kubeSphere: false,
            mastersWork: true,
            ("master1", "127.50.4.2", ssh.Port("127.50.4.2")),
            ("master2", "127.50.4.3", ssh.Port("127.50.4.3")),
            ("master3", "127.50.4.4", ssh.Port("127.50.4.4")));

        var (summary, events, _) = await CreateClusterAsync(config);
        Assert.True(summary.Succeeded, summary.FailureMessage);
        var simulated = Tasks(events);

        // Each real log is a contiguous stretch of CreateClusterPipeline: the simulator must print the same stretch.
        foreach (var real in new[] { "v3.0.7-install-start.log", "curl-progress-configure-os.log", "rerun-exist-etcd-health-check.log", "v3.1.1-success-kubernetes.log" })
        {
            var realEvents = new List<KkLogEvent>();
            KkLogParser.Parse(KkRealLogTests.RealLog(real), null, realEvents);
            var expected = Tasks(realEvents);
            Assert.True(expected.Count >= 3, real);
            var found = Enumerable.Range(0, simulated.Count - expected.Count + 1).Any(i => simulated.Skip(i).Take(expected.Count).SequenceEqual(expected));
            Assert.True(found, real + " is not a stretch of the simulator's sequence:\n  " + string.Join("\n  ", expected));
        }

        Assert.Equal("AddonsModule", summary.ModulesCompleted[^1]);
    }

    [Fact]
    public async Task CreateCluster_KeyNotOnTheTaskBox_FailsGreetingsReadingTheKeyfileAsKkDoes()
    {
        await using var ssh = SshBannerHost.Start("127.50.5.2", "127.50.5.3");
        var config = WriteConfig(
            ("master1", "127.50.5.2", ssh.Port("127.50.5.2")),
            ("worker1", "127.50.5.3", ssh.Port("127.50.5.3")));
        File.Delete(Path.Combine(TaskBoxHome, ".ssh", "id_ed25519"));

        var (summary, _, exitCode) = await CreateClusterAsync(config);

        var keyFile = Path.Combine(TaskBoxHome, ".ssh", "id_ed25519");
        Assert.Equal(1, exitCode);
        Assert.Equal("GreetingsModule", summary.FailedModule);
        Assert.Equal(new[] { "master1", "worker1" }, summary.FailedNodes);
        Assert.Contains("failed to connect to 127.50.5.2: Failed to validate ssh connection parameters: Failed to read keyfile \"" + keyFile + "\": open " + keyFile + ": no such file or directory", summary.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_SupportedList_FollowsTheSimulatedKkRelease()
    {
        var start = SimulatorStart(DotnetHost, SimulatorDll, "version", "--show-supported-k8s");
        start.Environment["KK_SIM_VERSION"] = "v3.0.7";
        var (exit, output) = await RunAsync(start);

        Assert.Equal(0, exit);
        Assert.Equal(string.Join("\n", KkRealLogTests.RealLog("v3.0.7-show-supported-k8s.txt")) + "\n", output);
    }

    private static List<string> Tasks(IEnumerable<KkLogEvent> events) =>
        events.OfType<KkTaskStarted>().Select(t => "[" + t.Module + "] " + t.Task).ToList();

    private static void AssertAllNodesReady(string nodeListJson, params string[] names)
    {
        using var document = JsonDocument.Parse(nodeListJson);
        Assert.Equal("NodeList", document.RootElement.GetProperty("kind").GetString());
        var items = document.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(names, items.Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        Assert.All(items, i => Assert.Contains(
            i.GetProperty("status").GetProperty("conditions").EnumerateArray(),
            c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"));
    }

    // A JSON object's field names with the kind of each value, in order.
    private static List<string> Fields(JsonElement element) => element.EnumerateObject().Select(p => p.Name + ":" + p.Value.ValueKind).ToList();

    private string WriteConfig(params (string Name, string Address, int Port)[] hosts) => WriteConfig("v1.26.15", kubeSphere: true, mastersWork: false, hosts);

    private string WriteConfig(string version, bool kubeSphere, bool mastersWork, params (string Name, string Address, int Port)[] hosts)
    {
        var yaml = new StringBuilder()
            .Append("apiVersion: kubekey.kubesphere.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: live\nspec:\n  hosts:\n");
        foreach (var (name, address, port) in hosts)
        {
            yaml.Append("  - {name: ").Append(name).Append(", address: ").Append(address).Append(", internalAddress: ").Append(address)
                .Append(", port: ").Append(port).Append(", user: root, privateKeyPath: \"~/.ssh/id_ed25519\"}\n");
        }

        var masters = hosts.Select(h => h.Name).Where(n => n.StartsWith("master", StringComparison.Ordinal)).ToList();
        var workers = hosts.Select(h => h.Name).Where(n => mastersWork || !n.StartsWith("master", StringComparison.Ordinal)).ToList();
        yaml.Append("  roleGroups:\n    etcd:\n").Append(string.Concat(masters.Select(m => "    - " + m + "\n")))
            .Append("    control-plane:\n").Append(string.Concat(masters.Select(m => "    - " + m + "\n")))
            .Append("    worker:\n").Append(string.Concat(workers.Select(w => "    - " + w + "\n")))
            .Append("  controlPlaneEndpoint:\n    domain: lb.kubesphere.local\n    address: \"\"\n    port: 6443\n")
            .Append("  kubernetes:\n    version: ").Append(version).Append("\n    autoRenewCerts: true\n    containerManager: containerd\n");
        if (kubeSphere)
        {
            yaml.Append("---\napiVersion: installer.kubesphere.io/v1alpha1\nkind: ClusterConfiguration\nmetadata:\n  name: ks-installer\n  namespace: kubesphere-system\n  labels:\n    version: v3.4.1\n");
        }

        var path = Path.Combine(_work, "config.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    // Feeds kk's merged stdout+stderr to the parser line by line as it arrives, as Install-HaMaster will.
    private async Task<(KkLogSummary Summary, List<KkLogEvent> Events, int ExitCode)> CreateClusterAsync(string config, IDictionary<string, string>? environment = null)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        var start = SimulatorStart("/bin/sh", "-c", "exec \"$@\" 2>&1", "sh");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(DotnetHost);
        start.ArgumentList.Add(SimulatorDll);
        foreach (var arg in new[] { "create", "cluster", "-f", config, "-y" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var parser = new KkLogParser();
        var events = new List<KkLogEvent>();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            events.AddRange(parser.Push(line));
        }

        await process.WaitForExitAsync(timeout.Token);
        return (parser.Complete(process.ExitCode), events, process.ExitCode);
    }

    private ProcessStartInfo SimulatorStart(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KK_SIM_STATE"] = StateDirectory;
        start.Environment["KK_SIM_BIN"] = BinDirectory;
        start.Environment["KK_SIM_ARGV0"] = Path.Combine(_work, "kk");
        start.Environment["KK_SIM_SPEED"] = "0";
        start.Environment["KK_SIM_TTL"] = "600"; // even a crashed test run frees the ports within ten minutes
        start.Environment["KK_SIM_AUTH"] = "banner"; // these hosts send an SSH banner but are no sshd
        start.Environment["HOME"] = TaskBoxHome;
        start.Environment.Remove("KK_SIM_FAIL");
        start.Environment.Remove("KK_SIM_HANG_AT");
        return start;
    }

    private Task<(int ExitCode, string Output)> RunSimulatorAsync(params string[] args) =>
        RunAsync(SimulatorStart(DotnetHost, new[] { SimulatorDll }.Concat(args).ToArray()));

    private Task<(int ExitCode, string Output)> RunAsync(string fileName, params string[] args) => RunAsync(SimulatorStart(fileName, args));

    private static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, output);
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static string SimulatorDll
    {
        get
        {
            // tests/HaCluster.Engine.Tests/bin/<Configuration>/net10.0/ → tests/Lab/KubeKeySimulator/bin/<Configuration>/net10.0/
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = output.Parent!.Name;
            var tests = output.Parent.Parent!.Parent!.Parent!.FullName;
            var dll = Path.Combine(tests, "Lab", "KubeKeySimulator", "bin", configuration, output.Name, "KubeKeySimulator.dll");
            Assert.True(File.Exists(dll), "KubeKeySimulator.dll not built at " + dll);
            return dll;
        }
    }

    private static int FreePort(string address)
    {
        var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Stands in for sshd on each address (port 0): sends the SSH identification line kk's dialer reads first.</summary>
    private sealed class SshBannerHost : IAsyncDisposable
    {
        private readonly Dictionary<string, TcpListener> _listeners;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _loops;

        private SshBannerHost(Dictionary<string, TcpListener> listeners)
        {
            _listeners = listeners;
            _loops = listeners.Values.Select(l => Task.Run(() => AcceptAsync(l))).ToList();
        }

        public static SshBannerHost Start(params string[] addresses) => new(addresses.ToDictionary(a => a, a =>
        {
            var listener = new TcpListener(IPAddress.Parse(a), 0);
            listener.Start();
            return listener;
        }));

        public int Port(string address) => ((IPEndPoint)_listeners[address].LocalEndpoint).Port;

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            foreach (var listener in _listeners.Values)
            {
                listener.Stop();
            }

            await Task.WhenAll(_loops);
            _stop.Dispose();
        }

        private async Task AcceptAsync(TcpListener listener)
        {
            var banner = Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n");
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await listener.AcceptTcpClientAsync(_stop.Token);
                    await client.GetStream().WriteAsync(banner, _stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
                {
                    // Stopping, or a client that hung up first.
                }
            }
        }
    }
}
