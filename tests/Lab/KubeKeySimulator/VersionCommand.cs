// Copyright (c) HaCluster contributors. MIT License.
// `kk version`: kk v3's output forms (full, -o short|json|yaml, --show-supported-k8s) and kk v4's JSON when asked to be v4.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>Kubernetes versions the simulated kk release ships hashes for (its <c>--show-supported-k8s</c> list).</summary>
internal static class KubernetesVersions
{
    /// <summary>The list of kk <paramref name="kkVersion"/> (<c>KK_SIM_VERSION</c>); a release the table lacks answers as the newest.</summary>
    public static IReadOnlyList<string> Supported(string kkVersion) =>
        HaCluster.Engine.KubeKey.KubeKeyReleases.Supported(kkVersion) ?? HaCluster.Engine.KubeKey.KubeKeyReleases.Supported(HaCluster.Engine.KubeKey.KubeKeyReleases.Newest)!;

    /// <summary>kk's <c>DefaultKubeVersion</c> for <paramref name="kkVersion"/>.</summary>
    public static string Default(string kkVersion) =>
        HaCluster.Engine.KubeKey.KubeKeyReleases.DefaultKubernetes(kkVersion) ?? HaCluster.Engine.KubeKey.KubeKeyReleases.DefaultKubernetes(HaCluster.Engine.KubeKey.KubeKeyReleases.Newest)!;
}

/// <summary>Prints what <c>kk version</c> prints.</summary>
internal static class VersionCommand
{
    public static int Run(string version, IReadOnlyList<string> args)
    {
        var parts = version.TrimStart('v').Split('.');
        var major = parts[0];
        var minor = parts.Length > 1 ? parts[1] : "0";
        const string commit = "17c1df861a1e7f2f21af4f0ef4e4d34907ddda7b";
        const string buildDate = "2026-01-26T08:18:14Z";
        if (major != "3")
        {
            return RunV4(version, major, minor, commit, buildDate, args);
        }

        string? output = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--show-supported-k8s")
            {
                Console.Out.Write(string.Join("\n", KubernetesVersions.Supported(version)) + "\n"); // fmt.Sprintln: one newline
                return 0;
            }

            if (args[i] is "-o" or "--output" && i + 1 < args.Count)
            {
                output = args[++i];
            }
            else if (args[i].StartsWith("--output=", StringComparison.Ordinal) || args[i].StartsWith("-o=", StringComparison.Ordinal))
            {
                output = args[i][(args[i].IndexOf('=') + 1)..];
            }
            else
            {
                return Cobra.UnknownFlag(args[i], "version");
            }
        }

        switch (output)
        {
            case null or "":
                Console.Out.WriteLine($"kk version: &version.Info{{Major:\"{major}\", Minor:\"{minor}\", GitVersion:\"{version}\", GitCommit:\"{commit}\", GitTreeState:\"clean\", BuildDate:\"{buildDate}\", GoVersion:\"go1.22.12\", Compiler:\"gc\", Platform:\"linux/amd64\"}}");
                return 0;
            case "short":
                Console.Out.WriteLine(version);
                return 0;
            case "json":
                Console.Out.WriteLine($$"""
                    {
                      "kk": {
                        "major": "{{major}}",
                        "minor": "{{minor}}",
                        "gitVersion": "{{version}}",
                        "gitCommit": "{{commit}}",
                        "gitTreeState": "clean",
                        "buildDate": "{{buildDate}}",
                        "goVersion": "go1.22.12",
                        "compiler": "gc",
                        "platform": "linux/amd64"
                      }
                    }
                    """);
                return 0;
            case "yaml":
                Console.Out.Write($"kk:\n  major: \"{major}\"\n  minor: \"{minor}\"\n  gitVersion: {version}\n  gitCommit: {commit}\n  gitTreeState: clean\n  buildDate: \"{buildDate}\"\n  goVersion: go1.22.12\n  compiler: gc\n  platform: linux/amd64\n");
                return 0;
            default:
                Console.Error.WriteLine("error: invalid output format: " + output);
                return 1;
        }
    }

    // kk v4: `version` prints the Info struct as compact JSON via cobra's Println (stderr); only --short/-s exists.
    private static int RunV4(string version, string major, string minor, string commit, string buildDate, IReadOnlyList<string> args)
    {
        foreach (var arg in args)
        {
            if (arg is "--short" or "-s")
            {
                Console.Error.WriteLine(version);
                return 0;
            }

            return Cobra.UnknownFlag(arg, "version");
        }

        Console.Error.WriteLine($$"""{"major":"{{major}}","minor":"{{minor}}","gitVersion":"{{version}}","gitCommit":"{{commit}}","gitTreeState":"clean","buildDate":"{{buildDate}}","goVersion":"go1.24.6","compiler":"gc","platform":"linux/amd64"}""");
        return 0;
    }
}

/// <summary>cobra's messages for bad command lines.</summary>
internal static class Cobra
{
    public static int UnknownFlag(string flag, string command)
    {
        var text = flag.StartsWith("--", StringComparison.Ordinal)
            ? "unknown flag: " + flag.Split('=')[0]
            : flag.StartsWith('-') ? "unknown shorthand flag: '" + flag[1] + "' in " + flag : "unknown command \"" + flag + "\" for \"kk " + command + "\"";
        Console.Error.WriteLine("Error: " + text);
        Console.Error.WriteLine("Run 'kk " + command + " --help' for usage.");
        return 1;
    }
}
