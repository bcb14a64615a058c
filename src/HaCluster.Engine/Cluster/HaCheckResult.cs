// Copyright (c) HaCluster contributors. MIT License.
// One finding of Test-HaCluster: which check, on what, whether it passed, why, and how long it took.

using System;
using System.Globalization;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// The result of one HA check. <see cref="Name"/> is one of the stable names in <see cref="HaCheckNames"/>;
/// <see cref="Detail"/> says what was seen, in words an operator can act on.
/// </summary>
public sealed class HaCheckResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="name">Stable check name (see <see cref="HaCheckNames"/>).</param>
    /// <param name="target">What was checked: a load balancer, <c>lb-id:port</c>, a URL, a node name.</param>
    /// <param name="passed">Whether the check passed.</param>
    /// <param name="detail">What was seen.</param>
    /// <param name="duration">How long the check took.</param>
    public HaCheckResult(string name, string target, bool passed, string detail, TimeSpan duration)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Target = target ?? string.Empty;
        Passed = passed;
        Detail = detail ?? string.Empty;
        Duration = duration;
    }

    /// <summary>Stable check name, e.g. <c>ApiViaVip</c> or <c>FailoverConsoleViaEip</c>.</summary>
    public string Name { get; }

    /// <summary>What was checked.</summary>
    public string Target { get; }

    /// <summary>True when the check passed.</summary>
    public bool Passed { get; }

    /// <summary>What was seen (the reason of a failure).</summary>
    public string Detail { get; }

    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; }

    /// <summary><c>PASS Name Target: Detail</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}: {3}", Passed ? "PASS" : "FAIL", Name, Target, Detail);
}

/// <summary>The check names <see cref="ClusterVerifier"/> reports (stable: Pester suites filter on them).</summary>
public static class HaCheckNames
{
    /// <summary>A load balancer is <c>active</c>, applied (<c>is_applied</c> 1) and not in transition.</summary>
    public const string LoadBalancer = "LoadBalancer";

    /// <summary>Every backend of a listener is <c>up</c>.</summary>
    public const string Backends = "Backends";

    /// <summary>The load balancer's security group admits a listener's port.</summary>
    public const string Firewall = "Firewall";

    /// <summary>The apiserver answers <c>/readyz</c> through the internal load balancer's VIP.</summary>
    public const string ApiViaVip = "ApiViaVip";

    /// <summary>A master's apiserver answers <c>/readyz</c> directly.</summary>
    public const string ApiDirect = "ApiDirect";

    /// <summary>The KubeSphere console answers through the external load balancer's EIP.</summary>
    public const string ConsoleViaEip = "ConsoleViaEip";

    /// <summary>Every host of the cluster is a <c>Ready</c> node in <c>kubectl get nodes -o json</c>.</summary>
    public const string NodesReady = "NodesReady";

    /// <summary>The etcd member count is odd, so the cluster keeps quorum when one member fails.</summary>
    public const string EtcdQuorum = "EtcdQuorum";

    /// <summary>The failover drill as a whole (reported only when it could not run).</summary>
    public const string Failover = "Failover";

    /// <summary>Drill: the master's instance stopped (StopInstances).</summary>
    public const string FailoverStop = "FailoverStop";

    /// <summary>Drill: the stopped master's backends went <c>down</c>.</summary>
    public const string FailoverBackendsDown = "FailoverBackendsDown";

    /// <summary>Drill: the API still answers through the VIP with the master stopped.</summary>
    public const string FailoverApiViaVip = "FailoverApiViaVip";

    /// <summary>Drill: the console still answers through the EIP with the master stopped.</summary>
    public const string FailoverConsoleViaEip = "FailoverConsoleViaEip";

    /// <summary>KubeSphere 4: one of ks-apiserver, ks-console and ks-controller-manager rolled out (<c>kubectl rollout status</c>).</summary>
    public const string KubeSphereRollout = "KubeSphereRollout";

    /// <summary>Drill: the master's instance is running again (StartInstances).</summary>
    public const string FailoverStart = "FailoverStart";

    /// <summary>Drill: the restarted master's backends are <c>up</c> again.</summary>
    public const string FailoverBackendsUp = "FailoverBackendsUp";
}
