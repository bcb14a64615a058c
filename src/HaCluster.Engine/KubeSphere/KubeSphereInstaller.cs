// Copyright (c) HaCluster contributors. MIT License.
// Installs KubeSphere 4.x with Helm from the taskbox: preflight, values 0600, detached helm run, progress, verdict, resume.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeSphere;

/// <summary>
/// Runs <c>helm upgrade --install ks-core &lt;chart&gt; -n kubesphere-system --create-namespace --version &lt;v&gt; -f
/// &lt;values&gt; --wait --timeout …</c> on the taskbox (kubesphere-4-2026-12.md §2.1), detached like kk so a dropped
/// client does not stop it, with the values files uploaded as 0600 and removed as soon as helm exits. A re-run reattaches
/// to a running helm, and recovers a release left pending by a killed one. The verdict comes from <c>helm status</c> and
/// the pods, not from helm's exit code alone (§2.4).
/// </summary>
public static class KubeSphereInstaller
{
    private const string ValuesFileName = "hacluster-values-user.yaml";
    private static readonly TimeSpan ShortCommand = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>The command that fetches the chart's metadata: proves the registry answers and the version exists.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The shell command.</returns>
    public static string ShowChartCommand(KubeSphereInstallOptions options) =>
        "helm show chart " + ShellQuote.Quote(options.ResolvedChart)
        + (options.ResolvedChartVersion.Length == 0 ? string.Empty : " --version " + ShellQuote.Quote(options.ResolvedChartVersion));

    /// <summary>
    /// Proves from the taskbox that the chart version can be fetched (helm show chart) and, where helm is not yet there
    /// (before kk installs it), that the chart's registry answers; then that the first image the chart pulls is in its
    /// registry (<see cref="ImagePreflight"/>). Runs before kk in New-HaCluster.
    /// </summary>
    /// <param name="taskBox">Where the nodes are.</param>
    /// <param name="options">The options (validated here).</param>
    /// <param name="observer">Narration.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The chart's appVersion when helm reported it.</returns>
    /// <exception cref="HaClusterException"><see cref="KubeSphereErrorIds.ChartNotFound"/>, <see cref="KubeSphereErrorIds.ImageNotFound"/> or <see cref="KubeSphereErrorIds.RegistryUnreachable"/>, naming the registry.</exception>
    public static async Task<string?> PreflightAsync(SshEndpoint taskBox, KubeSphereInstallOptions options, IOperationObserver? observer = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        observer ??= NullOperationObserver.Instance;
        using var session = await SshSession.ConnectAsync(taskBox, Connect(options, observer), cancellationToken).ConfigureAwait(false);
        return await PreflightAsync(session, options, observer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Installs (or reattaches to, or recovers) the ks-core release.</summary>
    /// <param name="taskBox">A control-plane node with helm and a kubeconfig (kk puts both there).</param>
    /// <param name="controlPlane">The control-plane nodes (the HA default and the console URL).</param>
    /// <param name="options">What to install.</param>
    /// <param name="observer">Progress, verbose lines (admin password filtered), warnings.</param>
    /// <param name="cancellationToken">Stops waiting; a started helm keeps running on the taskbox (re-run to reattach).</param>
    /// <returns>The verdict of a successful install.</returns>
    /// <exception cref="HaClusterException">Options, preflight, <see cref="KubeSphereErrorIds.InstallFailed"/> (Target: the result with the pods not ready).</exception>
    public static async Task<KubeSphereInstallResult> InstallAsync(
        SshEndpoint taskBox,
        IReadOnlyList<HaHost> controlPlane,
        KubeSphereInstallOptions options,
        IOperationObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        if (taskBox is null)
        {
            throw new ArgumentNullException(nameof(taskBox));
        }

        options.Validate();
        observer ??= NullOperationObserver.Instance;
        var password = options.AdminPassword is { Length: > 0 } secret ? Secrets.Reveal(secret) : null;
        var narrator = new Narrator(observer, $"Installing KubeSphere ({options.ResolvedChart} {options.ResolvedChartVersion}) with Helm on {taskBox.DisplayName}", password);
        var ha = options.IsHighAvailability(controlPlane.Count);
        if (options.Preset == KubeSpherePreset.CommunityEdition)
        {
            observer.Verbose(KubeSphereInstallOptions.LicenseNote);
        }

        try
        {
            narrator.Step($"Connecting to the taskbox {taskBox}");
            using var session = await SshSession.ConnectAsync(taskBox, Connect(options, observer), cancellationToken).ConfigureAwait(false);
            var directory = options.WorkingDirectory.TrimEnd('/') + "/kubesphere";
            var state = await ProbeAsync(session, InstallWorkspace.ShellPath(directory), cancellationToken).ConfigureAwait(false);
            var result = new KubeSphereInstallResult { Chart = options.ResolvedChart, ConsoleNodePort = options.ConsoleNodePort, HighAvailability = ha, TaskBox = taskBox.ToString() };
            InstallWorkspace workspace;
            int? pid = null;
            if (state.RunState == InstallRunState.Running)
            {
                workspace = new InstallWorkspace(state.Directory!);
                pid = state.Pid;
                result.Resumed = true;
                narrator.Step($"Reattaching to the helm run in {workspace.Directory} (process {state.Pid?.ToString(CultureInfo.InvariantCulture)})");
            }
            else
            {
                await CheckKubernetesAsync(session, options, observer, cancellationToken).ConfigureAwait(false);
                await PreflightAsync(session, options, observer, cancellationToken).ConfigureAwait(false);
                result.Recovered = await RecoverAsync(session, narrator, observer, cancellationToken).ConfigureAwait(false);
                narrator.Step($"Preparing {directory}");
                workspace = await CreateWorkspaceAsync(session, InstallWorkspace.ShellPath(directory), cancellationToken).ConfigureAwait(false);
                var user = options.UserValuesYaml();
                narrator.Step($"Uploading the values to {workspace.ConfigPath} (mode 0600)");
                await session.UploadTextAsync(options.ModuleValuesYaml(controlPlane.Count), workspace.ConfigPath, SshFileMode.OwnerReadWrite, cancellationToken).ConfigureAwait(false);
                if (user is not null)
                {
                    await session.UploadTextAsync(user, workspace.Directory + "/" + ValuesFileName, SshFileMode.OwnerReadWrite, cancellationToken).ConfigureAwait(false);
                }

                narrator.Step("Running helm upgrade --install " + KubeSphereInstallOptions.ReleaseName);
                var process = await session.StartDetachedAsync(
                    RunCommand(options, user is not null),
                    new SshDetachedOptions(workspace.LogPath) { WorkingDirectory = workspace.Directory },
                    cancellationToken).ConfigureAwait(false);
                pid = process.Pid;
            }

            result.LogPath = workspace.LogPath;
            var lines = new List<string>();
            var exit = await WatchAsync(session, taskBox, workspace, pid, options, narrator, lines, cancellationToken).ConfigureAwait(false);
            await VerdictAsync(session, controlPlane, options, result, cancellationToken).ConfigureAwait(false);
            result.Duration = exit.Ended is long end && exit.Started is long start ? TimeSpan.FromSeconds(Math.Max(0, end - start)) : TimeSpan.Zero;
            if (exit.ExitCode != 0 || !result.Succeeded)
            {
                result.Succeeded = false;
                result.FailureMessage = lines.LastOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal))
                    ?? (exit.ExitCode is int code ? $"helm exited with code {code.ToString(CultureInfo.InvariantCulture)}" : "helm's process is gone without an exit code (killed, or the taskbox restarted)");
                throw new HaClusterException(KubeSphereErrorIds.InstallFailed, FailureKind.InvalidResult, Describe(result, options), result);
            }

            observer.Verbose($"KubeSphere {result.AppVersion} (chart {result.ChartVersion}) is deployed, revision {result.Revision.ToString(CultureInfo.InvariantCulture)}; ready: {string.Join(", ", result.ReadyComponents)}.");
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            observer.Verbose("Stopped waiting; a helm run already started keeps running on the taskbox (run the same command again to reattach).");
            throw;
        }
        finally
        {
            narrator.Complete();
        }
    }

    /// <summary>Runs <c>helm uninstall ks-core -n kubesphere-system --wait</c> on the taskbox.</summary>
    /// <param name="taskBox">A control-plane node with helm.</param>
    /// <param name="connect">SSH settings.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>helm's output line, or null when there was no release.</returns>
    public static async Task<string?> UninstallAsync(SshEndpoint taskBox, SshConnectOptions? connect = null, CancellationToken cancellationToken = default)
    {
        using var session = await SshSession.ConnectAsync(taskBox, connect, cancellationToken).ConfigureAwait(false);
        var run = await session.RunAsync(HelmCommand("uninstall " + KubeSphereInstallOptions.ReleaseName + " --namespace " + KubeSphereInstallOptions.Namespace + " --wait"), new SshRunOptions { Timeout = TimeSpan.FromMinutes(15) }, cancellationToken).ConfigureAwait(false);
        if (run.Succeeded)
        {
            return run.Stdout.Trim();
        }

        var error = FirstError(run);
        if (error.IndexOf("not found", StringComparison.Ordinal) >= 0)
        {
            return null;
        }

        throw new HaClusterException(KubeSphereErrorIds.UninstallFailed, FailureKind.InvalidResult, $"helm uninstall {KubeSphereInstallOptions.ReleaseName} failed on {taskBox.DisplayName}: {error}", KubeSphereInstallOptions.ReleaseName);
    }

    /// <summary>The detached command: values files removed as soon as helm exits, even with no client attached.</summary>
    /// <param name="options">The options.</param>
    /// <param name="userValues">Whether the user's values file is there.</param>
    /// <returns>The command.</returns>
    internal static string RunCommand(KubeSphereInstallOptions options, bool userValues)
    {
        var timeout = ((long)Math.Ceiling(options.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        var command = "helm upgrade --install " + KubeSphereInstallOptions.ReleaseName + " " + ShellQuote.Quote(options.ResolvedChart)
            + " --namespace " + KubeSphereInstallOptions.Namespace + " --create-namespace"
            + (options.ResolvedChartVersion.Length == 0 ? string.Empty : " --version " + ShellQuote.Quote(options.ResolvedChartVersion))
            + (userValues ? " -f " + ValuesFileName : string.Empty)
            + " -f " + InstallWorkspace.ConfigFileName
            + " --reset-values --wait --timeout " + timeout;
        return options.KeepValues
            ? command
            : command + "; rc=$?; rm -f -- " + InstallWorkspace.ConfigFileName + " " + ValuesFileName + "; exit $rc";
    }

    private static SshConnectOptions Connect(KubeSphereInstallOptions options, IOperationObserver observer) => options.Connect.WithObserver(observer);

    // helm and kubectl live in /usr/local/bin on kk-built nodes, which a non-login SSH session may not have on PATH.
    private static string HelmCommand(string arguments) => "PATH=\"$PATH:/usr/local/bin\" helm " + arguments;

    internal static string KubectlCommand(string arguments) => "PATH=\"$PATH:/usr/local/bin\" kubectl " + arguments;

    private static async Task<string?> PreflightAsync(SshSession session, KubeSphereInstallOptions options, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var chart = options.ResolvedChart;
        var registry = options.ChartRegistry;
        var has = await session.RunAsync("PATH=\"$PATH:/usr/local/bin\" command -v helm", new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        if (has.Succeeded && has.Stdout.Trim().Length > 0)
        {
            observer.Verbose($"Preflight: fetching the chart metadata of {chart} {options.ResolvedChartVersion} from {session.Endpoint.DisplayName}.");
            var show = await session.RunAsync("PATH=\"$PATH:/usr/local/bin\" " + ShowChartCommand(options), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
            if (!show.Succeeded)
            {
                throw ChartNotFound(options, session.Endpoint.DisplayName, FirstError(show));
            }

            var app = show.Stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("appVersion:", StringComparison.Ordinal))?.Substring(11).Trim().Trim('"');
            observer.Verbose($"Preflight: chart {chart} {options.ResolvedChartVersion} is there (KubeSphere {app ?? "unknown"}).");
            await CheckFirstImageAsync(session, options, app, observer, cancellationToken).ConfigureAwait(false);
            return app;
        }

        if (registry is null)
        {
            observer.Verbose("Preflight: helm is not on the taskbox yet (kk installs it); the chart file is checked when helm runs.");
            await CheckFirstImageAsync(session, options, null, observer, cancellationToken).ConfigureAwait(false);
            return null;
        }

        // No helm yet (kk v3.1.11+ brings Helm 3.18): an OCI chart is read from its registry as helm would read it.
        if (chart.StartsWith("oci://", StringComparison.Ordinal))
        {
            var appVersion = await ImagePreflight.ChartAppVersionAsync(session, options, observer, cancellationToken).ConfigureAwait(false);
            await CheckFirstImageAsync(session, options, appVersion, observer, cancellationToken).ConfigureAwait(false);
            return appVersion;
        }

        // No helm yet (kk v3.1.11+ brings Helm 3.18): prove at least that the registry answers from where the nodes are.
        observer.Verbose($"Preflight: helm is not on the taskbox yet; checking that {registry} answers from {session.Endpoint.DisplayName}.");
        var probe = await session.RunAsync("curl -sS -o /dev/null -m 20 -w '%{http_code}' " + ShellQuote.Quote("https://" + registry + "/v2/"), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        if (!probe.Succeeded)
        {
            throw new HaClusterException(
                KubeSphereErrorIds.RegistryUnreachable,
                FailureKind.ConnectionError,
                $"The registry {registry} (chart {chart}) does not answer from {session.Endpoint.DisplayName}: {FirstError(probe)}. Use -ImageRegistry and -Chart for a registry the nodes can reach.",
                registry);
        }

        await CheckFirstImageAsync(session, options, null, observer, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>The chart preflight's error: the chart version cannot be fetched from where the nodes are.</summary>
    /// <param name="options">The options.</param>
    /// <param name="where">The taskbox.</param>
    /// <param name="error">What helm or the registry said.</param>
    /// <returns>The error (<see cref="KubeSphereErrorIds.ChartNotFound"/>, target the chart).</returns>
    internal static HaClusterException ChartNotFound(KubeSphereInstallOptions options, string where, string error)
    {
        var registry = options.ChartRegistry;
        return new HaClusterException(
            KubeSphereErrorIds.ChartNotFound,
            FailureKind.ObjectNotFound,
            $"The chart {options.ResolvedChart} version {options.ResolvedChartVersion} cannot be fetched{(registry is null ? string.Empty : " from " + registry)} on {where}: {error}. Check -ChartVersion, or point -Chart and -ImageRegistry at a registry that holds KubeSphere (the docker.io/kubesphere images and charts.kubesphere.io charts were withdrawn in July 2025; -Preset CommunityEdition uses {KubeSphereInstallOptions.CommunityEditionRegistry}).",
            options.ResolvedChart);
    }

    /// <summary>
    /// The cluster's Kubernetes version from <c>kubectl version -o json</c>: <c>serverVersion.gitVersion</c> (the
    /// apiserver's /version; <c>minor</c> may read "9+", so it is not parsed), or null when kubectl printed no server
    /// part (the apiserver did not answer) or no JSON at all.
    /// </summary>
    /// <param name="stdout">kubectl's standard output.</param>
    /// <returns>The version, e.g. v1.26.15, or null.</returns>
    internal static string? ServerVersionOf(string stdout)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(stdout) ? "{}" : stdout);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("serverVersion", out var server)
                && server.ValueKind == JsonValueKind.Object && server.TryGetProperty("gitVersion", out var git) && git.ValueKind == JsonValueKind.String
                ? git.GetString()
                : null;
        }
        catch (JsonException)
        {
            // Not kubectl's JSON.
            return null;
        }
    }

    // The cluster's own version (kubectl version: the apiserver's /version) against the chart's supported range.
    private static async Task CheckKubernetesAsync(SshSession session, KubeSphereInstallOptions options, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var run = await session.RunAsync(KubectlCommand("version -o json"), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        var version = ServerVersionOf(run.Stdout);
        if (version is null)
        {
            observer.Verbose($"Preflight: the cluster's Kubernetes version is unknown ({FirstError(run)}); not checked against chart {options.ResolvedChartVersion}.");
            return;
        }

        observer.Verbose($"Preflight: the cluster runs Kubernetes {version}.");
        KubeSphereCompatibility.Check(options.ResolvedChartVersion, version);
    }

    // The first image is what a withdrawn registry fails first (kubesphere#6543): prove it is there before the long wait.
    private static async Task CheckFirstImageAsync(SshSession session, KubeSphereInstallOptions options, string? appVersion, IOperationObserver observer, CancellationToken cancellationToken)
    {
        if (ImagePreflight.FirstImage(options, appVersion) is { } image)
        {
            await ImagePreflight.CheckAsync(session, image, observer, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            observer.Verbose("Preflight: the image tag is the chart's appVersion, unknown until helm can read the chart; the images are checked when the pods pull them.");
        }
    }

    // A release left pending by a killed helm blocks every later upgrade ("another operation … is in progress").
    private static async Task<string?> RecoverAsync(SshSession session, Narrator narrator, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var status = await ReleaseStatusAsync(session, cancellationToken).ConfigureAwait(false);
        string? command = status?.Status switch
        {
            "pending-install" => "uninstall " + KubeSphereInstallOptions.ReleaseName + " --namespace " + KubeSphereInstallOptions.Namespace + " --wait",
            "pending-upgrade" or "pending-rollback" => "rollback " + KubeSphereInstallOptions.ReleaseName + " --namespace " + KubeSphereInstallOptions.Namespace + " --wait",
            _ => null,
        };
        if (status?.Status == "failed")
        {
            observer.Warning($"The release {KubeSphereInstallOptions.ReleaseName} is failed (revision {status.Revision.ToString(CultureInfo.InvariantCulture)}: {status.Description}); upgrading it again.");
            return $"revision {status.Revision.ToString(CultureInfo.InvariantCulture)} was failed; installed again";
        }

        if (command is null)
        {
            return null;
        }

        narrator.Step($"Recovering the release left {status!.Status} by an earlier helm run that is gone");
        observer.Warning($"The release {KubeSphereInstallOptions.ReleaseName} is {status.Status} (revision {status.Revision.ToString(CultureInfo.InvariantCulture)}) but no helm run is going; recovering it with 'helm {command.Split(' ')[0]}' before installing again.");
        var run = await session.RunAsync(HelmCommand(command), new SshRunOptions { Timeout = TimeSpan.FromMinutes(15) }, cancellationToken).ConfigureAwait(false);
        if (!run.Succeeded)
        {
            throw new HaClusterException(KubeSphereErrorIds.ReleasePending, FailureKind.InvalidOperation, $"The release {KubeSphereInstallOptions.ReleaseName} is {status.Status} and 'helm {command}' failed: {FirstError(run)}.", KubeSphereInstallOptions.ReleaseName);
        }

        return $"revision {status.Revision.ToString(CultureInfo.InvariantCulture)} was {status.Status}; helm {command.Split(' ')[0]}";
    }

    private static async Task<ReleaseStatus?> ReleaseStatusAsync(SshSession session, CancellationToken cancellationToken)
    {
        var run = await session.RunAsync(HelmCommand("status " + KubeSphereInstallOptions.ReleaseName + " --namespace " + KubeSphereInstallOptions.Namespace + " -o json"), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        if (!run.Succeeded)
        {
            return null;
        }

        // The JSON holds the user-supplied values (config), passwords included: read only the fields needed, never log it.
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        var info = root.GetProperty("info");
        var metadata = root.TryGetProperty("chart", out var chart) && chart.TryGetProperty("metadata", out var m) ? m : default;
        return new ReleaseStatus(
            info.TryGetProperty("status", out var s) ? s.GetString() : null,
            root.TryGetProperty("version", out var v) ? v.GetInt32() : 0,
            info.TryGetProperty("description", out var d) ? d.GetString() : null,
            metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("version", out var cv) ? cv.GetString() : null,
            metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("appVersion", out var av) ? av.GetString() : null);
    }

    private static async Task VerdictAsync(SshSession session, IReadOnlyList<HaHost> controlPlane, KubeSphereInstallOptions options, KubeSphereInstallResult result, CancellationToken cancellationToken)
    {
        var status = await ReleaseStatusAsync(session, cancellationToken).ConfigureAwait(false);
        result.Status = status?.Status;
        result.Revision = status?.Revision ?? 0;
        result.ChartVersion = status?.ChartVersion;
        result.AppVersion = status?.AppVersion;
        var pods = await PodsAsync(session, cancellationToken).ConfigureAwait(false);
        result.ReadyComponents = pods?.ReadyWorkloads ?? Array.Empty<string>();
        result.NotReady = pods?.Problems ?? Array.Empty<KubeSpherePodProblem>();
        var first = controlPlane.FirstOrDefault();
        result.ConsoleUrl = first is null ? null : $"http://{first.InternalAddress}:{options.ConsoleNodePort.ToString(CultureInfo.InvariantCulture)}";
        result.Succeeded = result.Status == "deployed" && KubeSpherePods.CoreWorkloads.All(w => result.ReadyComponents.Contains(w));
    }

    private static async Task<KubeSpherePods?> PodsAsync(SshSession session, CancellationToken cancellationToken)
    {
        var run = await session.RunAsync(KubectlCommand("get pods -n " + KubeSphereInstallOptions.Namespace + " -o json"), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        if (!run.Succeeded)
        {
            return null;
        }

        try
        {
            return KubeSpherePods.Parse(run.Stdout);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<InstallState> WatchAsync(SshSession session, SshEndpoint taskBox, InstallWorkspace workspace, int? pid, KubeSphereInstallOptions options, Narrator narrator, List<string> lines, CancellationToken cancellationToken)
    {
        void Feed(string text)
        {
            var line = narrator.Line(text);
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        if (pid is int running)
        {
            // Helm waits silently: a second session reports which workloads are ready and which pods pull images.
            using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var progress = ProgressAsync(taskBox, options, narrator, stopProgress.Token);
            try
            {
                var offset = 0L;
                while (true)
                {
                    var follow = await session.FollowFileAsync(workspace.LogPath, new SshFollowOptions { StartOffset = offset, StopWhenProcessExits = running, OnLine = (l, _) => Feed(l.Text) }, cancellationToken).ConfigureAwait(false);
                    offset = follow.EndOffset;
                    var state = await ProbeAsync(session, workspace.Directory, cancellationToken).ConfigureAwait(false);
                    if (state.RunState != InstallRunState.Running)
                    {
                        return state;
                    }
                }
            }
            finally
            {
                stopProgress.Cancel();
                try
                {
                    await progress.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Done following.
                }
            }
        }

        var read = await session.RunAsync("cat -- " + ShellQuote.Quote(workspace.LogPath), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        foreach (var line in read.Stdout.Split('\n'))
        {
            Feed(line);
        }

        return await ProbeAsync(session, workspace.Directory, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ProgressAsync(SshEndpoint taskBox, KubeSphereInstallOptions options, Narrator narrator, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(ProgressInterval, cancellationToken).ConfigureAwait(false);
            using var session = await SshSession.ConnectAsync(taskBox, new SshConnectOptions { HostKeyPolicy = options.Connect.HostKeyPolicy }, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                var pods = await PodsAsync(session, cancellationToken).ConfigureAwait(false);
                if (pods is not null && pods.All.Count > 0)
                {
                    var workloads = pods.All.Select(p => p.Workload).Distinct().Count();
                    var pulling = pods.Problems.Where(p => p.Image is not null).Select(p => $"{p.Workload}: {p.Reason} {p.Image}").Distinct().ToList();
                    narrator.Waiting($"{pods.ReadyWorkloads.Count.ToString(CultureInfo.InvariantCulture)} of {workloads.ToString(CultureInfo.InvariantCulture)} workloads ready ({string.Join(", ", pods.ReadyWorkloads)}){(pulling.Count == 0 ? string.Empty : "; " + string.Join("; ", pulling))}");
                }

                await Task.Delay(ProgressInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HaClusterException ex)
        {
            // Progress is a courtesy: helm's own run decides.
            narrator.Verbose("Progress polling stopped: " + ex.Message);
        }
    }

    private static async Task<InstallState> ProbeAsync(SshSession session, string directory, CancellationToken cancellationToken)
    {
        var probe = await session.RunAsync(InstallWorkspace.ProbeScript(directory), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        if (!probe.Succeeded)
        {
            throw new HaClusterException(KubeSphereErrorIds.OptionInvalid, FailureKind.InvalidArgument, $"The working directory '{directory}' cannot be used on {session.Endpoint.DisplayName}: {FirstError(probe)}.", directory);
        }

        return InstallWorkspace.ParseProbe(probe.Stdout);
    }

    private static async Task<InstallWorkspace> CreateWorkspaceAsync(SshSession session, string directory, CancellationToken cancellationToken)
    {
        var quoted = ShellQuote.Quote(directory);
        var created = await session.RunAsync($"umask 077 && mkdir -p -- {quoted} && cd -- {quoted} && rm -f -- {InstallWorkspace.LogFileName}.exit {InstallWorkspace.LogFileName}.pid && pwd", new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        var path = created.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("/", StringComparison.Ordinal));
        if (!created.Succeeded || path is null)
        {
            throw new HaClusterException(KubeSphereErrorIds.OptionInvalid, FailureKind.InvalidArgument, $"The working directory '{directory}' cannot be used on {session.Endpoint.DisplayName}: {FirstError(created)}.", directory);
        }

        return new InstallWorkspace(path);
    }

    private static string Describe(KubeSphereInstallResult result, KubeSphereInstallOptions options)
    {
        var text = new System.Text.StringBuilder("KubeSphere was not installed: ");
        text.Append(result.FailureMessage ?? "its workloads are not ready").Append(" (release ").Append(result.Release).Append(' ').Append(result.Status ?? "not found").Append(')');
        if (result.NotReady.Count > 0)
        {
            text.Append(". Not ready: ").Append(string.Join("; ", result.NotReady.Select(p => p.ToString())));
        }

        if (result.NotReady.Any(p => p.Image is not null))
        {
            var registries = result.NotReady.Where(p => p.Image is not null).Select(p => p.Image!.Split('/')[0]).Distinct().ToList();
            text.Append(". The images cannot be pulled from ").Append(string.Join(", ", registries))
                .Append(options.ResolvedImageRegistry is null ? " (the chart's default; the docker.io/kubesphere images were withdrawn in July 2025)" : string.Empty)
                .Append(": use -ImageRegistry with a registry that holds them (-Preset CommunityEdition: ").Append(KubeSphereInstallOptions.CommunityEditionRegistry).Append(')');
        }

        text.Append(". Helm's log: ").Append(result.LogPath).Append(" on ").Append(result.TaskBox).Append('.');
        return text.ToString();
    }

    private static string FirstError(SshCommandResult result)
    {
        var all = (result.Stderr + "\n" + result.Stdout).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return all.FirstOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal))?.Substring(6).Trim()
            ?? all.FirstOrDefault()
            ?? "exit code " + result.ExitCode?.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class ReleaseStatus
    {
        public ReleaseStatus(string? status, int revision, string? description, string? chartVersion, string? appVersion)
        {
            Status = status;
            Revision = revision;
            Description = description;
            ChartVersion = chartVersion;
            AppVersion = appVersion;
        }

        public string? Status { get; }

        public int Revision { get; }

        public string? Description { get; }

        public string? ChartVersion { get; }

        public string? AppVersion { get; }
    }

    /// <summary>One progress bar for the install; helm's lines to Verbose with the admin password filtered out.</summary>
    private sealed class Narrator
    {
        private const int ActivityId = 5301;
        private readonly IOperationObserver _observer;
        private readonly string _activity;
        private readonly string? _password;
        private readonly object _gate = new();

        public Narrator(IOperationObserver observer, string activity, string? password)
        {
            _observer = observer;
            _activity = activity;
            _password = password;
        }

        public void Step(string status)
        {
            lock (_gate)
            {
                _observer.Verbose(status + ".");
                _observer.Progress(new OperationProgress(ActivityId, _activity, status));
            }
        }

        public void Waiting(string status)
        {
            lock (_gate)
            {
                _observer.Progress(new OperationProgress(ActivityId, _activity, "helm is waiting: " + status));
            }
        }

        public void Verbose(string message)
        {
            lock (_gate)
            {
                _observer.Verbose(message);
            }
        }

        /// <summary>Filters one line of helm's output (the chart's NOTES print the admin password) and shows it.</summary>
        public string Line(string raw)
        {
            var line = raw.TrimEnd('\r');
            if (_password is not null && line.IndexOf(_password, StringComparison.Ordinal) >= 0)
            {
                line = line.Replace(_password, "********");
            }

            if (line.TrimStart().StartsWith("Password:", StringComparison.Ordinal))
            {
                line = line.Substring(0, line.IndexOf("Password:", StringComparison.Ordinal)) + "Password: ********";
            }

            if (line.Trim().Length > 0)
            {
                lock (_gate)
                {
                    _observer.Verbose("helm: " + line);
                }
            }

            return line;
        }

        public void Complete() => _observer.Progress(new OperationProgress(ActivityId, _activity, "Done") { Completed = true });
    }
}
