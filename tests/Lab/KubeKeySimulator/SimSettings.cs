// Copyright (c) HaCluster contributors. MIT License.
// The simulator's knobs: KK_SIM_* environment variables (speed, failures, hang point, state and bin folders).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>A failure a test asked for with <c>KK_SIM_FAIL</c>.</summary>
internal sealed record SimFailure(string Kind, string? Argument, string? Node);

/// <summary>Settings from the environment (and the hidden <c>--sim-speed</c> flag).</summary>
internal sealed class SimSettings
{
    /// <summary>Speed-up over real kk timing; 0 = no waiting at all.</summary>
    public const double DefaultSpeed = 300;

    public double Speed { get; init; } = DefaultSpeed;

    public IReadOnlyList<SimFailure> Failures { get; init; } = Array.Empty<SimFailure>();

    public string? HangAt { get; init; }

    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public string? StateDirectory { get; init; }

    public string? BinDirectory { get; init; }

    /// <summary>Path kk was invoked as (the wrapper passes it): kk's work dir and default bin dir are next to it.</summary>
    public string? Argv0 { get; init; }

    public string Version { get; init; } = "v3.1.12";

    public TimeSpan ServeLifetime { get; init; } = TimeSpan.FromHours(2);

    public bool CheckEndpoint { get; init; }

    /// <summary>
    /// How GreetingsModule reaches a host: <c>ssh</c> (default) logs in with the config's password or key, as kk does;
    /// <c>banner</c> only reads the SSH banner, for tests whose hosts are no real sshd.
    /// </summary>
    public string Auth { get; init; } = "ssh";

    /// <summary>Folder of the kk binary as invoked (kk's own work dir is <c>&lt;that&gt;/kubekey</c>).</summary>
    public string KkDirectory => Path.GetDirectoryName(Path.GetFullPath(Argv0 ?? typeof(SimSettings).Assembly.Location))!;

    public static SimSettings FromEnvironment(double? speedFlag)
    {
        return new SimSettings
        {
            Speed = speedFlag ?? ReadDouble("KK_SIM_SPEED") ?? DefaultSpeed,
            Failures = ParseFailures(Environment.GetEnvironmentVariable("KK_SIM_FAIL")),
            HangAt = Empty(Environment.GetEnvironmentVariable("KK_SIM_HANG_AT")),
            HangTimeout = ReadDouble("KK_SIM_HANG_SECONDS") is { } hang ? TimeSpan.FromSeconds(hang) : TimeSpan.FromMinutes(10),
            StateDirectory = Empty(Environment.GetEnvironmentVariable("KK_SIM_STATE")),
            BinDirectory = Empty(Environment.GetEnvironmentVariable("KK_SIM_BIN")),
            Argv0 = Empty(Environment.GetEnvironmentVariable("KK_SIM_ARGV0")),
            Version = Empty(Environment.GetEnvironmentVariable("KK_SIM_VERSION")) ?? "v3.1.12",
            ServeLifetime = ReadDouble("KK_SIM_TTL") is { } ttl ? TimeSpan.FromSeconds(ttl) : TimeSpan.FromHours(2),
            CheckEndpoint = Environment.GetEnvironmentVariable("KK_SIM_CHECK_ENDPOINT") is "1" or "true",
            Auth = Environment.GetEnvironmentVariable("KK_SIM_AUTH") is "banner" ? "banner" : "ssh",
        };
    }

    public bool Fails(string kind) => Failures.Any(f => f.Kind == kind);

    /// <summary>Parses <c>unreachable:node2,missing:conntrack[:node3],init-timeout[:once],etcd-retry</c>.</summary>
    public static IReadOnlyList<SimFailure> ParseFailures(string? value)
    {
        var failures = new List<SimFailure>();
        foreach (var entry in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            var failure = parts[0] switch
            {
                "unreachable" when parts.Length == 2 => new SimFailure("unreachable", null, parts[1]),
                "missing" when parts.Length is 2 or 3 => new SimFailure("missing", parts[1], parts.Length == 3 ? parts[2] : null),
                "init-timeout" when parts.Length == 1 => new SimFailure("init-timeout", null, null),
                "init-timeout" when parts.Length == 2 && parts[1] == "once" => new SimFailure("init-timeout", "once", null),
                "etcd-retry" when parts.Length == 1 => new SimFailure("etcd-retry", null, null),
                _ => throw new ArgumentException(
                    "KK_SIM_FAIL entry '" + entry + "' is not one of unreachable:<node>, missing:<command>[:<node>], init-timeout[:once], etcd-retry"),
            };
            failures.Add(failure);
        }

        return failures;
    }

    private static double? ReadDouble(string name) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
