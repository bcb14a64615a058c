// Copyright (c) HaCluster contributors. MIT License.
// The helm stand-in's command line, parsed as Helm 3.18's cobra/pflag does (flags anywhere, --x=v or --x v, -n, repeats).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace HaCluster.Lab.KubeKeySimulator.Helm;

/// <summary>A Helm command-line error: printed as <c>Error: …</c> on stderr, exit code 1 (helm.go).</summary>
internal sealed class HelmError : Exception
{
    public HelmError(string message)
        : base(message)
    {
    }
}

/// <summary>The flags and positional arguments of one helm command.</summary>
internal sealed class HelmCommandLine
{
    // Flags of `helm upgrade` (pkg/cmd/upgrade.go and flags.go @v3.18) that take a value, and the boolean ones.
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "--namespace", "--kube-context", "--kubeconfig", "--version", "--values", "--set", "--set-string", "--set-file",
        "--set-json", "--timeout", "--output", "--description", "--post-renderer", "--history-max", "--repo", "--username",
        "--password", "--ca-file", "--cert-file", "--key-file", "--registry-config", "--repository-config",
        "--repository-cache", "--burst-limit", "--qps", "--cascade",
    };

    private static readonly HashSet<string> BoolFlags = new(StringComparer.Ordinal)
    {
        "--install", "--create-namespace", "--wait", "--wait-for-jobs", "--atomic", "--reset-values", "--reuse-values",
        "--reset-then-reuse-values", "--take-ownership", "--debug", "--force", "--dry-run", "--devel", "--no-hooks",
        "--skip-crds", "--cleanup-on-fail", "--dependency-update", "--render-subchart-notes", "--skip-schema-validation",
        "--hide-notes", "--all", "--all-namespaces", "--pending", "--failed", "--deployed", "--uninstalled", "--short",
        "--keep-history", "--insecure-skip-tls-verify", "--plain-http", "--verify", "--show-resources",
        "--ignore-not-found",
    };

    private static readonly Dictionary<char, string> Shorthands = new()
    {
        ['n'] = "--namespace", ['f'] = "--values", ['i'] = "--install", ['o'] = "--output", ['a'] = "--all", ['A'] = "--all-namespaces", ['q'] = "--short",
    };

    private static readonly Regex Duration = new(@"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$", RegexOptions.CultureInvariant);
    private static readonly Regex DurationPart = new(@"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = new();

    public static HelmCommandLine Parse(IEnumerable<string> args)
    {
        var line = new HelmCommandLine();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (arg == "--")
            {
                line.Positional.AddRange(list.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                line.Positional.Add(arg);
                continue;
            }

            string name;
            string? value = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = arg.IndexOf('=');
                name = equals > 0 ? arg[..equals] : arg;
                value = equals > 0 ? arg[(equals + 1)..] : null;
            }
            else
            {
                // pflag shorthand: -n ns, -nns, -n=ns
                if (!Shorthands.TryGetValue(arg[1], out var longName))
                {
                    throw new HelmError("unknown shorthand flag: '" + arg[1] + "' in " + arg);
                }

                name = longName;
                if (arg.Length > 2)
                {
                    value = arg[2] == '=' ? arg[3..] : arg[2..];
                }
            }

            if (BoolFlags.Contains(name))
            {
                if (value is not null && value is not ("true" or "false"))
                {
                    throw new HelmError("invalid argument \"" + value + "\" for \"" + name + "\" flag: strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
                }

                if (value != "false")
                {
                    line._switches.Add(name);
                }

                continue;
            }

            if (!ValueFlags.Contains(name))
            {
                throw new HelmError("unknown flag: " + name);
            }

            if (value is null)
            {
                if (i + 1 >= list.Count)
                {
                    throw new HelmError("flag needs an argument: " + (arg.StartsWith("--", StringComparison.Ordinal) ? name : "'" + arg[1] + "' in " + arg));
                }

                value = list[++i];
            }

            if (!line._values.TryGetValue(name, out var values))
            {
                line._values[name] = values = new List<string>();
            }

            values.Add(value);
        }

        return line;
    }

    public bool Has(string flag) => _switches.Contains(flag);

    public string? Value(string flag) => _values.TryGetValue(flag, out var values) ? values[^1] : null;

    public IReadOnlyList<string> Values(string flag) => _values.TryGetValue(flag, out var values) ? values : Array.Empty<string>();

    public string Namespace => Value("--namespace") ?? "default";

    /// <summary>--timeout as Go's time.ParseDuration reads it (default 5m0s); refused like pflag refuses it.</summary>
    public TimeSpan Timeout
    {
        get
        {
            var text = Value("--timeout");
            if (text is null)
            {
                return TimeSpan.FromMinutes(5);
            }

            if (text == "0")
            {
                return TimeSpan.Zero;
            }

            if (!Duration.IsMatch(text))
            {
                var why = Regex.IsMatch(text, "^[0-9.]+$") ? "missing unit in duration \"" + text + "\"" : "invalid duration \"" + text + "\"";
                throw new HelmError("invalid argument \"" + text + "\" for \"--timeout\" flag: time: " + why);
            }

            var total = 0.0;
            foreach (Match part in DurationPart.Matches(text))
            {
                var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
                total += part.Groups[2].Value switch
                {
                    "h" => number * 3600,
                    "m" => number * 60,
                    "s" => number,
                    "ms" => number / 1000,
                    _ => number / 1_000_000,
                };
            }

            return TimeSpan.FromSeconds(total);
        }
    }

    /// <summary>Go's Duration.String() for the timeout (30m0s, 5m0s, 1h0m0s).</summary>
    public static string GoDuration(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var hours = (int)value.TotalHours;
        var text = hours > 0 ? hours.ToString(CultureInfo.InvariantCulture) + "h" : string.Empty;
        if (hours > 0 || value.Minutes > 0)
        {
            text += value.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = value.TotalSeconds - (hours * 3600) - (value.Minutes * 60);
        return text + seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
