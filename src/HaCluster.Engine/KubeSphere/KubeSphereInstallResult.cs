// Copyright (c) HaCluster contributors. MIT License.
// The verdict of Install-HaKubeSphere, and the pods of kubesphere-system as kubectl reports them.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace HaCluster.Engine.KubeSphere;

/// <summary>A pod of kubesphere-system that is not ready, with why (from <c>kubectl get pods -o json</c>).</summary>
public sealed class KubeSpherePodProblem
{
    internal KubeSpherePodProblem(string pod, string workload, string? node, string reason, string? image, string? message)
    {
        Pod = pod;
        Workload = workload;
        Node = node;
        Reason = reason;
        Image = image;
        Message = message;
    }

    /// <summary>Pod name.</summary>
    public string Pod { get; }

    /// <summary>The workload it belongs to (its <c>app</c> label, e.g. ks-apiserver).</summary>
    public string Workload { get; }

    /// <summary>The node it is on (null while unscheduled).</summary>
    public string? Node { get; }

    /// <summary>ImagePullBackOff, ErrImagePull, Pending, CrashLoopBackOff, …</summary>
    public string Reason { get; }

    /// <summary>The image of the container that waits (for pull failures).</summary>
    public string? Image { get; }

    /// <summary>kubelet's message.</summary>
    public string? Message { get; }

    /// <summary>One line: pod, reason, image.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        $"{Pod} ({Workload}{(Node is null ? string.Empty : " on " + Node)}): {Reason}{(Image is null ? string.Empty : " pulling " + Image)}";
}

/// <summary>The pods of kubesphere-system, read from <c>kubectl get pods -o json</c>.</summary>
public sealed class KubeSpherePods
{
    /// <summary>The workloads whose rollout makes KubeSphere usable.</summary>
    public static readonly IReadOnlyList<string> CoreWorkloads = new[] { "ks-apiserver", "ks-console", "ks-controller-manager" };

    private KubeSpherePods(IReadOnlyList<(string Pod, string Workload, string? Node, bool Ready)> pods, IReadOnlyList<KubeSpherePodProblem> problems)
    {
        All = pods;
        Problems = problems;
    }

    /// <summary>Every pod: name, workload, node, ready.</summary>
    public IReadOnlyList<(string Pod, string Workload, string? Node, bool Ready)> All { get; }

    /// <summary>The pods that are not ready, with their reason.</summary>
    public IReadOnlyList<KubeSpherePodProblem> Problems { get; }

    /// <summary>Workloads all of whose pods are ready.</summary>
    public IReadOnlyList<string> ReadyWorkloads =>
        All.GroupBy(p => p.Workload).Where(g => g.All(p => p.Ready)).Select(g => g.Key).OrderBy(w => w, StringComparer.Ordinal).ToList();

    /// <summary>Parses kubectl's v1 List of pods.</summary>
    /// <param name="json">The output of <c>kubectl get pods -o json</c>.</param>
    /// <returns>The pods.</returns>
    public static KubeSpherePods Parse(string json)
    {
        var pods = new List<(string, string, string?, bool)>();
        var problems = new List<KubeSpherePodProblem>();
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return new KubeSpherePods(pods, problems);
        }

        foreach (var item in items.EnumerateArray())
        {
            var metadata = item.GetProperty("metadata");
            var name = metadata.GetProperty("name").GetString() ?? "pod";
            var workload = metadata.TryGetProperty("labels", out var labels) && labels.TryGetProperty("app", out var app) ? app.GetString() ?? name : name;
            var node = item.TryGetProperty("spec", out var spec) && spec.TryGetProperty("nodeName", out var n) ? n.GetString() : null;
            var status = item.TryGetProperty("status", out var s) ? s : default;
            var phase = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("phase", out var p) ? p.GetString() : null;
            var ready = phase == "Succeeded";
            string? reason = null, image = null, message = null;
            if (status.ValueKind == JsonValueKind.Object && status.TryGetProperty("containerStatuses", out var containers))
            {
                ready = containers.GetArrayLength() > 0 && containers.EnumerateArray().All(c => c.TryGetProperty("ready", out var r) && r.GetBoolean());
                foreach (var container in containers.EnumerateArray())
                {
                    if (container.TryGetProperty("state", out var state) && state.TryGetProperty("waiting", out var waiting))
                    {
                        reason ??= waiting.TryGetProperty("reason", out var w) ? w.GetString() : null;
                        message ??= waiting.TryGetProperty("message", out var m) ? m.GetString() : null;
                        image ??= container.TryGetProperty("image", out var i) ? i.GetString() : null;
                    }
                }
            }

            pods.Add((name, workload, node, ready));
            if (!ready && phase != "Succeeded")
            {
                var why = reason ?? phase ?? "NotReady";
                var pull = why is "ImagePullBackOff" or "ErrImagePull" or "InvalidImageName";
                problems.Add(new KubeSpherePodProblem(name, workload, node, why, pull ? image : null, message));
            }
        }

        return new KubeSpherePods(pods, problems);
    }
}

/// <summary>What Install-HaKubeSphere did: the release, its chart, the console and which components are ready.</summary>
public sealed class KubeSphereInstallResult
{
    /// <summary>Helm release (ks-core).</summary>
    public string Release { get; internal set; } = KubeSphereInstallOptions.ReleaseName;

    /// <summary>kubesphere-system.</summary>
    public string Namespace { get; internal set; } = KubeSphereInstallOptions.Namespace;

    /// <summary>The chart reference installed.</summary>
    public string Chart { get; internal set; } = string.Empty;

    /// <summary>The chart version Helm recorded.</summary>
    public string? ChartVersion { get; internal set; }

    /// <summary>KubeSphere's version (the chart's appVersion).</summary>
    public string? AppVersion { get; internal set; }

    /// <summary>Helm's release revision.</summary>
    public int Revision { get; internal set; }

    /// <summary>Helm's release status (deployed, failed, pending-install, …).</summary>
    public string? Status { get; internal set; }

    /// <summary>True when the release is deployed and ks-apiserver, ks-console and ks-controller-manager are ready.</summary>
    public bool Succeeded { get; internal set; }

    /// <summary>The console (http://&lt;first control-plane node&gt;:&lt;NodePort&gt;; New-HaCluster's is the EIP).</summary>
    public string? ConsoleUrl { get; internal set; }

    /// <summary>The console's NodePort.</summary>
    public int ConsoleNodePort { get; internal set; }

    /// <summary>Whether ha.enabled (three replicas) was set.</summary>
    public bool HighAvailability { get; internal set; }

    /// <summary>Workloads all of whose pods are ready.</summary>
    public IReadOnlyList<string> ReadyComponents { get; internal set; } = Array.Empty<string>();

    /// <summary>Pods not ready, with their reason (ImagePullBackOff with the image, Pending, …).</summary>
    public IReadOnlyList<KubeSpherePodProblem> NotReady { get; internal set; } = Array.Empty<KubeSpherePodProblem>();

    /// <summary>How long helm ran.</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>True when this call reattached to (or read) a helm run started earlier.</summary>
    public bool Resumed { get; internal set; }

    /// <summary>What was done to a release found pending or failed before installing (null: nothing).</summary>
    public string? Recovered { get; internal set; }

    /// <summary>Helm's error line when it failed.</summary>
    public string? FailureMessage { get; internal set; }

    /// <summary>The taskbox helm ran on.</summary>
    public string TaskBox { get; internal set; } = string.Empty;

    /// <summary>helm's output on the taskbox (admin password filtered out of what this module shows).</summary>
    public string? LogPath { get; internal set; }

    /// <summary>release, chart version, status.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"{Release} {ChartVersion} ({AppVersion}) {Status}, revision {Revision.ToString(CultureInfo.InvariantCulture)}";
}
