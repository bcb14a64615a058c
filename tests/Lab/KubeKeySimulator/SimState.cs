// Copyright (c) HaCluster contributors. MIT License.
// The simulator's state folder: the detached stand-in server's pid and readiness, kk's pid, the hang/release handshake.

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>
/// Files in the state folder (<c>KK_SIM_STATE</c>, default <c>&lt;config dir&gt;/kk-sim-state</c>). The stand-in
/// servers outlive kk, as a real cluster does, so everything needed to find and stop them lives here.
/// </summary>
internal sealed class SimState
{
    public SimState(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string SpecPath => Path.Combine(Directory, "spec.json");

    public string NodesPath => Path.Combine(Directory, "nodes.json");

    public string CertificatePath => Path.Combine(Directory, "apiserver.crt");

    public string ServePidPath => Path.Combine(Directory, "serve.pid");

    public string ReadyPath => Path.Combine(Directory, "serve.ready");

    public string FailedPath => Path.Combine(Directory, "serve.failed");

    public string ServeLogPath => Path.Combine(Directory, "serve.log");

    public string KkPidPath => Path.Combine(Directory, "kk.pid");

    public string HangingPath => Path.Combine(Directory, "hanging");

    public string ReleasePath => Path.Combine(Directory, "release");

    /// <summary>Written when kk's etcd is up (ETCDConfigureModule): a later run finds it, as kk's "Get etcd status" does.</summary>
    public string EtcdPath => Path.Combine(Directory, "etcd");

    /// <summary>Written when kubeadm init succeeded, then the nodes that joined, one per line.</summary>
    public string ClusterPath => Path.Combine(Directory, "cluster");

    /// <summary>Marks that a once-only failure (<c>KK_SIM_FAIL=init-timeout:once</c>) has happened.</summary>
    public string FailedOncePath => Path.Combine(Directory, "failed-once");

    /// <summary>True while the stand-in server runs: what kk left running is still there.</summary>
    public bool Serving => IsRunning(ServePidPath, "serve") && File.Exists(ReadyPath);

    /// <summary>kk's etcd from an earlier run is still running.</summary>
    public bool EtcdExists => Serving && File.Exists(EtcdPath);

    /// <summary>kubeadm init succeeded in an earlier run and the cluster still runs.</summary>
    public bool ClusterExists => Serving && File.Exists(ClusterPath);

    /// <summary>Nodes an earlier run joined (with the first master) to the cluster that still runs.</summary>
    public string[] JoinedNodes => ClusterExists ? File.ReadAllLines(ClusterPath).Where(l => l.Length > 0).ToArray() : Array.Empty<string>();

    public static SimState Resolve(SimSettings settings, string? configPath)
    {
        if (settings.StateDirectory is not null)
        {
            return new SimState(settings.StateDirectory);
        }

        var baseDirectory = configPath is null ? settings.KkDirectory : Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        return new SimState(Path.Combine(baseDirectory, "kk-sim-state"));
    }

    /// <summary>Starts <c>sim serve</c> (or <paramref name="verb"/>) detached (own session, stdio away from kk's) and waits until it has bound or failed.</summary>
    /// <param name="verb">The sim verb that serves: <c>serve</c> (the cluster) or <c>registry-serve</c> (the image registry).</param>
    /// <returns>Null when serving, else why not.</returns>
    public string? StartServe(string verb = "serve")
    {
        foreach (var stale in new[] { ReadyPath, FailedPath })
        {
            File.Delete(stale);
        }

        var dll = typeof(SimState).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var command = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? ClusterArtifacts.Quote(host) + " " + ClusterArtifacts.Quote(dll)
            : ClusterArtifacts.Quote(host);
        var detach = File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid") ? "setsid" : "nohup";
        var script = detach + " " + command + " sim " + verb + " --state " + ClusterArtifacts.Quote(Directory)
            + " </dev/null >>" + ClusterArtifacts.Quote(ServeLogPath) + " 2>&1 & echo $!";
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using (var shell = Process.Start(start)!)
        {
            var pidText = shell.StandardOutput.ReadToEnd().Trim();
            shell.WaitForExit();
            File.WriteAllText(ServePidPath, pidText + "\n");
        }

        var delay = TimeSpan.FromMilliseconds(20);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(ReadyPath))
            {
                return null;
            }

            if (File.Exists(FailedPath))
            {
                return File.ReadAllText(FailedPath).Trim();
            }

            // Until setsid has exec'd dotnet the pid's cmdline is still the shell's: only a gone process has exited.
            if (!IsRunning(ServePidPath, verb) && !IsAlive(ReadPid(ServePidPath)))
            {
                return "the stand-in server exited: " + Tail(ServeLogPath);
            }

            Thread.Sleep(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }

        return "the stand-in server did not come up within 60 s: " + Tail(ServeLogPath);
    }

    /// <summary>True when the pid file names a live simulator process running <paramref name="verb"/>.</summary>
    public static bool IsRunning(string pidPath, string verb) => ReadPid(pidPath) is { } pid && IsSimulator(pid, verb);

    /// <summary>Stops a stand-in server left by an earlier run in this state folder.</summary>
    /// <param name="verb">The sim verb that serves.</param>
    public void StopServe(string verb = "serve")
    {
        Stop(ServePidPath, verb);
        File.Delete(ReadyPath);
        File.Delete(FailedPath);
    }

    /// <summary>Stops the stand-in server and any kk run recorded here (never the calling process). Returns what it stopped.</summary>
    public string[] StopAll()
    {
        var stopped = new[] { (KkPidPath, "create", "kk"), (ServePidPath, "serve", "stand-in server") }
            .Where(entry => Stop(entry.Item1, entry.Item2))
            .Select(entry => entry.Item3)
            .ToArray();
        foreach (var file in new[] { ReadyPath, FailedPath, HangingPath, ReleasePath, EtcdPath, ClusterPath })
        {
            File.Delete(file);
        }

        return stopped;
    }

    /// <summary>Blocks kk at <c>KK_SIM_HANG_AT</c> until <c>kk-sim release</c> (or the timeout).</summary>
    public void Hang(string module, TimeSpan timeout)
    {
        File.Delete(ReleasePath);
        File.WriteAllText(HangingPath, module + "\n");
        var delay = TimeSpan.FromMilliseconds(20);
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(ReleasePath) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }

        File.Delete(ReleasePath);
        File.Delete(HangingPath);
    }

    public void Release() => File.WriteAllText(ReleasePath, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) + "\n");

    private static bool Stop(string pidPath, string verb)
    {
        var pid = ReadPid(pidPath);
        if (pid is null || pid == Environment.ProcessId || !IsSimulator(pid.Value, verb))
        {
            File.Delete(pidPath);
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid.Value);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        var delay = TimeSpan.FromMilliseconds(10);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (IsSimulator(pid.Value, verb) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }

        File.Delete(pidPath);
        return true;
    }

    private static int? ReadPid(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Only ever signal our own processes: a recycled pid must not be killed.
    private static bool IsAlive(int? pid)
    {
        var stat = "/proc/" + pid?.ToString(CultureInfo.InvariantCulture) + "/stat";
        try
        {
            var state = pid is null ? string.Empty : File.ReadAllText(stat);
            return state.Length > state.LastIndexOf(')') + 2 && state[state.LastIndexOf(')') + 2] != 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsSimulator(int pid, string verb)
    {
        var cmdline = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/cmdline";
        try
        {
            if (File.Exists(cmdline))
            {
                var args = File.ReadAllText(cmdline).Split('\0');
                var state = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
                var zombie = state.Length > state.LastIndexOf(')') + 2 && state[state.LastIndexOf(')') + 2] == 'Z';
                return !zombie && args.Any(a => a.EndsWith("KubeKeySimulator.dll", StringComparison.Ordinal) || a.EndsWith("KubeKeySimulator", StringComparison.Ordinal))
                    && args.Contains(verb);
            }

            if (System.IO.Directory.Exists("/proc/self"))
            {
                return false;
            }

            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Tail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 5)));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
