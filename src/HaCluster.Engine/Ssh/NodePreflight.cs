// Copyright (c) HaCluster contributors. MIT License.
// Preflight of cluster nodes over SSH: what KubeKey enforces and recommends (reference/kubekey.md §5), one result per check.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Ssh;

/// <summary>Roles a node will have in the cluster; they decide which ports must be free.</summary>
[Flags]
public enum NodeRole
{
    /// <summary>No role given: every role's ports are checked.</summary>
    None = 0,

    /// <summary>Control plane (kube-apiserver on 6443).</summary>
    ControlPlane = 1,

    /// <summary>etcd member (2379 client, 2380 peer).</summary>
    Etcd = 2,

    /// <summary>Worker (kubelet on 10250, as on every node).</summary>
    Worker = 4,
}

/// <summary>How much a failed check matters.</summary>
public enum PreflightSeverity
{
    /// <summary>KubeKey refuses to install, or the install will fail.</summary>
    Required,

    /// <summary>KubeKey recommends it; the install goes on without it.</summary>
    Recommended,
}

/// <summary>A node to check.</summary>
public sealed class PreflightTarget
{
    /// <summary>Creates a target.</summary>
    /// <param name="endpoint">How to reach the node.</param>
    /// <param name="roles">Its roles; <see cref="NodeRole.None"/> checks every role's ports.</param>
    public PreflightTarget(SshEndpoint endpoint, NodeRole roles = NodeRole.None)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Roles = roles;
    }

    /// <summary>How to reach the node.</summary>
    public SshEndpoint Endpoint { get; }

    /// <summary>Its roles.</summary>
    public NodeRole Roles { get; }

    /// <summary>Cluster-internal address the node's services bind, when it differs from the SSH address.</summary>
    public string? InternalAddress { get; set; }

    /// <summary>
    /// Ports this cluster's earlier kk run brought up on the node (kk's etcd on 2379/2380, its kube-apiserver on 6443,
    /// its kubelet on 10250), keyed by port with where that run is recorded. kk is built to be re-run on a
    /// half-installed cluster and reuses them, so such a port in use passes; any other port in use still fails.
    /// </summary>
    public IDictionary<int, string> KubeKeyPorts { get; } = new Dictionary<int, string>();
}

/// <summary>The outcome of one check on one node.</summary>
public sealed class PreflightResult
{
    internal PreflightResult(string host, string address, string check, bool passed, PreflightSeverity severity, string detail, TimeSpan duration, string? errorId = null)
    {
        Host = host;
        Address = address;
        Check = check;
        Passed = passed;
        Severity = severity;
        Detail = detail;
        Duration = duration;
        ErrorId = errorId;
    }

    /// <summary>Node name (or address).</summary>
    public string Host { get; }

    /// <summary>SSH address of the node.</summary>
    public string Address { get; }

    /// <summary>Check name: Ssh, Sudo, Command:&lt;name&gt;, ClockSkew, Hostname, Port:&lt;n&gt;.</summary>
    public string Check { get; }

    /// <summary>Whether the node passed.</summary>
    public bool Passed { get; }

    /// <summary>How much a failure matters.</summary>
    public PreflightSeverity Severity { get; }

    /// <summary>What was found (never a secret).</summary>
    public string Detail { get; }

    /// <summary>Time the check took.</summary>
    public TimeSpan Duration { get; }

    /// <summary>For a failed Ssh check, the ErrorId of the connection failure (see <see cref="SshErrorIds"/>).</summary>
    public string? ErrorId { get; }
}

/// <summary>Preflight options.</summary>
public sealed class PreflightOptions
{
    /// <summary>How sessions connect (host-key policy, timeouts).</summary>
    public SshConnectOptions Connect { get; set; } = new();

    /// <summary>Nodes checked at once. Default 16.</summary>
    public int ThrottleLimit { get; set; } = SshFanOutOptions.DefaultDegree;

    /// <summary>Largest clock difference to the local clock that passes. Default 1 s.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Checks nodes the way KubeKey's precheck would, before an install starts.</summary>
public static class NodePreflight
{
    /// <summary>Commands KubeKey's precheck refuses to go without.</summary>
    public static readonly IReadOnlyList<string> RequiredCommands = new[] { "sudo", "conntrack", "socat" };

    /// <summary>Commands KubeKey lists as recommended.</summary>
    public static readonly IReadOnlyList<string> RecommendedCommands = new[] { "curl", "openssl", "ebtables", "ipset", "ipvsadm", "chronyd" };

    private const int ProgressId = 5101;

    // A lowercase RFC 1123 name: what Kubernetes accepts as a node name.
    private static readonly Regex NodeName = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant);

    /// <summary>Checks every target (bounded concurrency) and returns the results grouped by target, in input order.</summary>
    /// <param name="targets">The nodes.</param>
    /// <param name="options">Connection options, throttle, clock tolerance.</param>
    /// <param name="observer">Receives progress and narration.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>One result per node and check.</returns>
    public static async Task<IReadOnlyList<PreflightResult>> RunAsync(
        IReadOnlyList<PreflightTarget> targets,
        PreflightOptions? options = null,
        IOperationObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new PreflightOptions();
        observer ??= NullOperationObserver.Instance;
        var byEndpoint = targets.GroupBy(t => t.Endpoint).ToDictionary(g => g.Key, g => g.First());
        var done = 0;
        observer.Progress(new OperationProgress(ProgressId, "Preflight of cluster nodes", $"0 of {targets.Count} nodes checked") { PercentComplete = 0 });
        var results = await SshFanOut.RunAsync(
            targets.Select(t => t.Endpoint).ToList(),
            (endpoint, token) => CheckNodeAsync(byEndpoint[endpoint], options, observer, token),
            new SshFanOutOptions { MaxDegreeOfParallelism = options.ThrottleLimit },
            r =>
            {
                done++;
                observer.Progress(new OperationProgress(ProgressId, "Preflight of cluster nodes", $"{done} of {targets.Count} nodes checked")
                {
                    CurrentOperation = r.Endpoint.DisplayName,
                    PercentComplete = done * 100 / Math.Max(1, targets.Count),
                });
            },
            cancellationToken).ConfigureAwait(false);
        observer.Progress(new OperationProgress(ProgressId, "Preflight of cluster nodes", "Done") { Completed = true });
        return results.SelectMany(r => r.Value ?? Unexpected(r)).ToList();
    }

    private static IReadOnlyList<PreflightResult> Unexpected(SshHostResult<IReadOnlyList<PreflightResult>> failed) => new[]
    {
        new PreflightResult(failed.Endpoint.DisplayName, failed.Endpoint.Address, "Ssh", false, PreflightSeverity.Required, failed.Error?.Message ?? "failed", failed.Duration, failed.Error?.ErrorId),
    };

    private static async Task<IReadOnlyList<PreflightResult>> CheckNodeAsync(PreflightTarget target, PreflightOptions options, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var endpoint = target.Endpoint;
        var results = new List<PreflightResult>();
        void Add(string check, bool passed, PreflightSeverity severity, string detail, TimeSpan duration) =>
            results.Add(new PreflightResult(endpoint.DisplayName, endpoint.Address, check, passed, severity, detail, duration));

        observer.Verbose($"Preflight of {endpoint.DisplayName} ({endpoint}).");
        var watch = Stopwatch.StartNew();
        SshSession session;
        try
        {
            session = await SshSession.ConnectAsync(endpoint, options.Connect, cancellationToken).ConfigureAwait(false);
        }
        catch (HaClusterException ex)
        {
            // Nothing else can be checked without a session; the one result says why.
            results.Add(new PreflightResult(endpoint.DisplayName, endpoint.Address, "Ssh", false, PreflightSeverity.Required, ex.Message, watch.Elapsed, ex.ErrorId));
            return results;
        }

        using (session)
        {
            Add("Ssh", true, PreflightSeverity.Required, $"authenticated as {endpoint.User}; host key {session.HostKey}", watch.Elapsed);
            await CheckSudoAsync(session, Add, cancellationToken).ConfigureAwait(false);

            watch.Restart();
            var facts = await session.RunAsync(FactsScript, null, cancellationToken).ConfigureAwait(false);
            var sections = Sections(facts.Stdout);
            var factsTime = watch.Elapsed;
            var found = ParseCommands(sections.TryGetValue("commands", out var c) ? c : string.Empty);
            foreach (var name in RequiredCommands.Concat(RecommendedCommands))
            {
                var required = RequiredCommands.Contains(name);
                var present = found.TryGetValue(name, out var path);
                Add(
                    "Command:" + name,
                    present,
                    required ? PreflightSeverity.Required : PreflightSeverity.Recommended,
                    present ? path! : $"{name} is not installed (not on PATH or in /usr/sbin, /sbin){(required ? "; kk refuses to install without it" : string.Empty)}",
                    factsTime);
            }

            await CheckClockAsync(session, options.MaxClockSkew, Add, cancellationToken).ConfigureAwait(false);

            var remoteName = (sections.TryGetValue("hostname", out var h) ? h : string.Empty).Trim();
            var nodeName = string.IsNullOrEmpty(endpoint.Name) ? remoteName : endpoint.Name!;
            var validName = NodeName.IsMatch(nodeName) && nodeName.Length <= 253;
            Add(
                "Hostname",
                validName,
                PreflightSeverity.Required,
                validName
                    ? $"node name '{nodeName}' is lowercase RFC 1123 (remote hostname '{remoteName}')"
                    : $"node name '{nodeName}' must be lowercase letters, digits, '-' and '.' (kk sets it as the hostname; uppercase breaks the install)",
                factsTime);

            CheckPorts(target, ListeningSockets.Parse(sections.TryGetValue("tcp", out var t) ? t : string.Empty), factsTime, Add);
        }

        return results;
    }

    private const string FactsScript =
        "echo @@hostname; cat /proc/sys/kernel/hostname 2>/dev/null || uname -n; "
        + "echo @@commands; PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"; "
        + "for c in sudo conntrack socat curl openssl ebtables ipset ipvsadm chronyd; do "
        + "p=$(command -v \"$c\" 2>/dev/null) && echo \"$c $p\" || echo \"$c\"; done; "
        + "echo @@tcp; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; true";

    private static async Task CheckSudoAsync(SshSession session, Action<string, bool, PreflightSeverity, string, TimeSpan> add, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        if (session.Endpoint.User == "root")
        {
            add("Sudo", true, PreflightSeverity.Required, "connected as root", watch.Elapsed);
            return;
        }

        var plain = await session.RunAsync("sudo -n true", null, cancellationToken).ConfigureAwait(false);
        if (plain.Succeeded)
        {
            add("Sudo", true, PreflightSeverity.Required, "passwordless sudo (sudo -n true)", watch.Elapsed);
            return;
        }

        if (session.Endpoint.Password is null)
        {
            add("Sudo", false, PreflightSeverity.Required, $"sudo -n true failed ({FirstLine(plain.Stderr)}) and no password was given for sudo", watch.Elapsed);
            return;
        }

        var withPassword = await session.RunSudoAsync("true", null, cancellationToken).ConfigureAwait(false);
        add(
            "Sudo",
            withPassword.Succeeded,
            PreflightSeverity.Required,
            withPassword.Succeeded ? "sudo accepts the password" : $"sudo with the password failed ({FirstLine(withPassword.Stderr)})",
            watch.Elapsed);
    }

    private static async Task CheckClockAsync(SshSession session, TimeSpan maxSkew, Action<string, bool, PreflightSeverity, string, TimeSpan> add, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var before = DateTimeOffset.UtcNow;
        var result = await session.RunAsync("date -u +%s.%N", null, cancellationToken).ConfigureAwait(false);
        var roundTrip = watch.Elapsed;
        var text = result.Stdout.Trim();

        // BusyBox date has no %N: it prints the letter N, and seconds are all we get.
        var seconds = text.EndsWith(".N", StringComparison.Ordinal) ? text.Substring(0, text.Length - 2) : text;
        if (!result.Succeeded || !decimal.TryParse(seconds, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var remote))
        {
            add("ClockSkew", false, PreflightSeverity.Recommended, $"could not read the remote clock ({FirstLine(result.Stderr + text)})", watch.Elapsed);
            return;
        }

        var middle = before + TimeSpan.FromTicks(roundTrip.Ticks / 2);
        var local = (decimal)(middle - DateTimeOffset.FromUnixTimeSeconds(0)).Ticks / TimeSpan.TicksPerSecond;
        var skew = (double)(remote - local);
        var uncertainty = roundTrip.TotalSeconds / 2;
        var passed = Math.Abs(skew) - uncertainty <= maxSkew.TotalSeconds;
        add(
            "ClockSkew",
            passed,
            PreflightSeverity.Recommended,
            string.Format(CultureInfo.InvariantCulture, "{0:+0.000;-0.000} s against the local clock (±{1:0.000} s; limit {2:0.###} s){3}", skew, uncertainty, maxSkew.TotalSeconds, passed ? string.Empty : "; enable time sync (chrony)"),
            watch.Elapsed);
    }

    private static void CheckPorts(PreflightTarget target, IReadOnlyList<ListeningSocket> sockets, TimeSpan duration, Action<string, bool, PreflightSeverity, string, TimeSpan> add)
    {
        var roles = target.Roles == NodeRole.None ? NodeRole.ControlPlane | NodeRole.Etcd | NodeRole.Worker : target.Roles;
        var ports = new List<(int Port, string Service)>();
        if (roles.HasFlag(NodeRole.ControlPlane))
        {
            ports.Add((6443, "kube-apiserver"));
        }

        if (roles.HasFlag(NodeRole.Etcd))
        {
            ports.Add((2379, "etcd client"));
            ports.Add((2380, "etcd peer"));
        }

        ports.Add((10250, "kubelet"));

        // In a shared network namespace (the lab) only sockets on this node's addresses or the wildcard collide.
        var addresses = new[] { target.Endpoint.Address, target.InternalAddress }
            .Where(a => !string.IsNullOrEmpty(a))
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null)
            .ToList();
        foreach (var (port, service) in ports)
        {
            var blocking = sockets.Where(s => s.Port == port && (addresses.Any(a => a is null) || addresses.Any(a => s.Blocks(a!)))).ToList();
            var listening = string.Join(", ", blocking.Select(s => s.ToString()).Distinct());
            var kubeKeys = target.KubeKeyPorts.TryGetValue(port, out var run);
            add(
                "Port:" + port.ToString(CultureInfo.InvariantCulture),
                blocking.Count == 0 || kubeKeys,
                PreflightSeverity.Required,
                blocking.Count == 0
                    ? $"{port}/tcp is free for {service}"
                    : kubeKeys
                        ? $"{port}/tcp is in use ({listening} listening) by {service} of this cluster's earlier kk run ({run}); kk finds it and carries on"
                        : $"{port}/tcp is already in use ({listening} listening) by a process this cluster's kk did not start; {service} cannot bind it",
                duration);
        }
    }

    private static Dictionary<string, string> Sections(string stdout)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var lines = new List<string>();
        foreach (var line in stdout.Split('\n').Append("@@end"))
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    sections[current] = string.Join("\n", lines);
                }

                current = line.Substring(2).Trim();
                lines.Clear();
                continue;
            }

            lines.Add(line);
        }

        return sections;
    }

    private static Dictionary<string, string> ParseCommands(string text)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Trim().Split(new[] { ' ' }, 2);
            if (parts.Length == 2 && parts[1].Length > 0)
            {
                found[parts[0]] = parts[1];
            }
        }

        return found;
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return line ?? "no message";
    }
}
