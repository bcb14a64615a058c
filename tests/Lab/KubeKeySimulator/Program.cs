// Copyright (c) HaCluster contributors. MIT License.
// Entry point of the KubeKey simulator: kk's command line (version, create cluster, delete cluster) plus `sim` verbs.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>
/// <c>kk version [-o short|json|yaml] [--show-supported-k8s]</c>, <c>kk create cluster -f FILE [-y] …</c>,
/// <c>kk delete cluster -f FILE [-y]</c>; and for tests <c>kk sim stop|release|status|install|serve</c>
/// (the <c>kk-sim</c> wrapper). See README.md for the KK_SIM_* variables.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["version", .. var rest] => VersionCommand.Run(SimSettings.FromEnvironment(null).Version, rest),
                ["create", "cluster", .. var rest] => CreateCluster(rest),
                ["delete", "cluster", .. var rest] => DeleteCluster(rest),
                ["helm", .. var rest] => Helm.HelmSimulator.Run(rest),
                ["sim", "serve", "--state", var state] => await StandInServer.RunAsync(new SimState(state)),
                ["sim", "registry-serve", "--state", var state] => await Registry.RegistryServer.RunAsync(new SimState(state)),
                ["sim", "registry", .. var rest] => Registry.RegistryServer.Command(rest),
                ["sim", .. var rest] => Sim(rest),
                [] or ["help"] or ["--help"] or ["-h"] => Usage(),
                [var command, ..] => Cobra.UnknownFlag(command, string.Empty),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("kk (simulator): " + ex.Message);
            return 2;
        }
    }

    private static int CreateCluster(string[] args)
    {
        var options = ClusterOptions.Parse(args, "create cluster");
        if (options.Error is not null)
        {
            return options.Error.Value;
        }

        var settings = SimSettings.FromEnvironment(options.Speed);
        if (options.File is null)
        {
            Console.Error.WriteLine(Environment.UserName == "root"
                ? "error: the KubeKey simulator needs -f FILE (all-in-one installs are not simulated)"
                : "error: Current user is " + Environment.UserName + ". Please use root!");
            return 1;
        }

        var state = SimState.Resolve(settings, options.File);
        using var writer = new KkWriter(Path.Combine(settings.KkDirectory, "kubekey"));
        File.WriteAllText(state.KkPidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        try
        {
            var cluster = SimCluster.Load(options.File);
            if (options.KubeSphere)
            {
                cluster.EnableKubeSphere(options.KubeSphereVersion);
            }

            if (options.KubernetesVersion is not null)
            {
                cluster.KubernetesVersion = options.KubernetesVersion;
                cluster.KubernetesVersionGiven = true;
            }
            else if (!cluster.KubernetesVersionGiven)
            {
                cluster.KubernetesVersion = KubernetesVersions.Default(settings.Version);
            }

            if (options.ContainerManager is not null and not "docker")
            {
                cluster.ContainerManager = options.ContainerManager;
            }

            return new CreateClusterRun(cluster, settings, state, writer, options.Yes).Run();
        }
        catch (KkExit exit)
        {
            return Report(exit, writer);
        }
        finally
        {
            File.Delete(state.KkPidPath);
        }
    }

    private static int DeleteCluster(string[] args)
    {
        var options = ClusterOptions.Parse(args, "delete cluster");
        if (options.Error is not null)
        {
            return options.Error.Value;
        }

        var settings = SimSettings.FromEnvironment(options.Speed);
        var state = SimState.Resolve(settings, options.File);
        using var writer = new KkWriter(Path.Combine(settings.KkDirectory, "kubekey"));
        try
        {
            var cluster = options.File is null ? null : SimCluster.Load(options.File);
            if (!options.Yes)
            {
                Console.Out.Write("Are you sure to delete this cluster? [yes/no]: ");
                var answer = Console.In.ReadLine()?.Trim().ToLowerInvariant();
                if (answer is null)
                {
                    Console.Error.WriteLine("error: Pipeline[DeleteClusterPipeline] execute failed: Module[DeleteClusterConfirmModule] exec failed: \nfailed: [LocalHost] [ConfirmForm] exec failed after 1 retries: EOF");
                    return 1;
                }

                if (answer is not ("yes" or "y"))
                {
                    return 0;
                }
            }

            var nodes = cluster?.KubeNodes.Select(h => h.Name).ToList() ?? new List<string>();
            writer.Info("[ResetClusterModule] Reset the cluster using kubeadm");
            nodes.ForEach(n => writer.Result("success", n));
            state.StopAll();
            var kubectl = Path.Combine(settings.BinDirectory ?? settings.KkDirectory, "kubectl");
            if (File.Exists(kubectl) && File.ReadAllText(kubectl).Contains("kubectl stand-in written by the KubeKey simulator", StringComparison.Ordinal))
            {
                File.Delete(kubectl);
            }

            writer.Info("[ClearOSModule] Remove cluster files");
            nodes.ForEach(n => writer.Result("success", n));
            writer.Info("Pipeline[DeleteClusterPipeline] execute successfully");
            return 0;
        }
        catch (KkExit exit)
        {
            return Report(exit, writer);
        }
    }

    private static int Report(KkExit exit, KkWriter writer)
    {
        switch (exit.Kind)
        {
            case KkExitKind.Error:
                writer.StandardError("error: " + exit.Message);
                break;
            case KkExitKind.Fatal:
                writer.Log("FATA", exit.Message);
                break;
            case KkExitKind.Stdout:
                writer.PrintLine(exit.Message);
                break;
        }

        return exit.ExitCode;
    }

    private static int Sim(string[] args)
    {
        var verb = args.FirstOrDefault();
        string? stateDirectory = null;
        string? file = null;
        string? bin = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--state" when i + 1 < args.Length:
                    stateDirectory = args[++i];
                    break;
                case "-f" or "--filename" when i + 1 < args.Length:
                    file = args[++i];
                    break;
                case "--bin" when i + 1 < args.Length:
                    bin = args[++i];
                    break;
                default:
                    throw new ArgumentException("unknown argument '" + args[i] + "' for 'sim " + verb + "'");
            }
        }

        var settings = SimSettings.FromEnvironment(null);
        SimState State() => stateDirectory is not null ? new SimState(stateDirectory) : SimState.Resolve(settings, file);
        switch (verb)
        {
            case "stop":
                var stopped = State().StopAll();
                Helm.HelmCluster.StopConsole(State().Directory);
                Console.Out.WriteLine(stopped.Length == 0 ? "nothing running" : "stopped: " + string.Join(", ", stopped));
                return 0;
            case "release":
                State().Release();
                Console.Out.WriteLine("released");
                return 0;
            case "status":
                var state = State();
                Console.Out.WriteLine("state: " + state.Directory);
                Console.Out.WriteLine("stand-in server: " + (SimState.IsRunning(state.ServePidPath, "serve") && File.Exists(state.ReadyPath) ? "running" : "stopped"));
                Console.Out.WriteLine("kk: " + (SimState.IsRunning(state.KkPidPath, "create") ? "running" : "not running")
                    + (File.Exists(state.HangingPath) ? " (hanging at " + File.ReadAllText(state.HangingPath).Trim() + ")" : string.Empty));
                return 0;
            case "install":
                return Install(bin ?? throw new ArgumentException("sim install needs --bin DIR"));
            default:
                throw new ArgumentException("sim verbs: stop, release, status [--state DIR | -f CONFIG]; install --bin DIR");
        }
    }

    // Wrappers with absolute paths baked in, so the folder can be anywhere on PATH (a lab host's bin folder).
    private static int Install(string bin)
    {
        Directory.CreateDirectory(bin);
        var dll = typeof(Program).Assembly.Location;
        var dotnet = Environment.ProcessPath ?? "dotnet";
        foreach (var (name, verb) in new[] { ("kk", string.Empty), ("kk-sim", " sim"), ("helm", " helm") })
        {
            var path = Path.Combine(bin, name);
            File.WriteAllText(path, "#!/bin/sh\n"
                + "# KubeKey simulator (tests/Lab/KubeKeySimulator) installed as " + name + "; see README.md there.\n"
                + "KK_SIM_ARGV0=${KK_SIM_ARGV0:-$(cd \"$(dirname \"$0\")\" && pwd)/$(basename \"$0\")}; export KK_SIM_ARGV0\n"
                + "exec " + ClusterArtifacts.Quote(dotnet) + " " + ClusterArtifacts.Quote(dll) + verb + " \"$@\"\n");
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        Console.Out.WriteLine("installed kk, kk-sim and helm in " + Path.GetFullPath(bin));
        return 0;
    }

    private static int Usage()
    {
        Console.Out.WriteLine("KubeKey simulator (stands in for kk v3 in the HaCluster lab)\n\nUsage:\n  kk version [-o short|json|yaml] [--show-supported-k8s]\n  kk create cluster -f FILE [-y] [--with-kubesphere [VERSION]] [--with-kubernetes VERSION]\n  kk delete cluster -f FILE [-y]\n  kk sim stop|release|status [--state DIR | -f FILE]\n  kk sim install --bin DIR");
        return 0;
    }

    /// <summary>The flags of <c>create cluster</c>/<c>delete cluster</c> (kubekey.md §3.1–3.2).</summary>
    private sealed class ClusterOptions
    {
        private static readonly HashSet<string> BooleanFlags = new(StringComparer.Ordinal)
        {
            "--debug", "--ignore-err", "--with-local-storage", "--skip-pull-images", "--skip-push-images", "--skip-install-addons",
            "--with-security-enhancement", "--with-packages", "-A", "--all",
        };

        private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
        {
            "--download-cmd", "-a", "--artifact", "--namespace",
        };

        public string? File { get; private set; }

        public bool Yes { get; private set; }

        public bool KubeSphere { get; private set; }

        public string? KubeSphereVersion { get; private set; }

        public string? KubernetesVersion { get; private set; }

        public string? ContainerManager { get; private set; }

        public double? Speed { get; private set; }

        public int? Error { get; private set; }

        public static ClusterOptions Parse(string[] args, string command)
        {
            var options = new ClusterOptions();
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                var value = arg.Contains('=') && arg.StartsWith("--", StringComparison.Ordinal) ? arg[(arg.IndexOf('=') + 1)..] : null;
                var name = value is null ? arg : arg[..arg.IndexOf('=')];
                string Next() => value ?? (i + 1 < args.Length ? args[++i] : string.Empty);
                switch (name)
                {
                    case "-f" or "--filename":
                        options.File = Next();
                        break;
                    case "-y" or "--yes":
                        options.Yes = true;
                        break;
                    case "--with-kubernetes":
                        options.KubernetesVersion = Next();
                        break;
                    case "--container-manager":
                        options.ContainerManager = Next();
                        break;
                    case "--sim-speed":
                        options.Speed = double.Parse(Next(), CultureInfo.InvariantCulture);
                        break;
                    case "--with-kubesphere" when value is not null:
                        // A boolean flag: the version is a positional argument (kubekey.md §3.2).
                        Console.Error.WriteLine("Error: invalid argument \"" + value + "\" for \"--with-kubesphere\" flag: strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
                        options.Error = 1;
                        return options;
                    case "--with-kubesphere":
                        options.KubeSphere = true;
                        if (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
                        {
                            options.KubeSphereVersion = args[++i];
                        }

                        break;
                    case var flag when BooleanFlags.Contains(flag):
                        break;
                    case var flag when ValueFlags.Contains(flag):
                        Next();
                        break;
                    default:
                        options.Error = Cobra.UnknownFlag(arg, command);
                        return options;
                }
            }

            return options;
        }
    }
}
