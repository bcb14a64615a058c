// Copyright (c) HaCluster contributors. MIT License.
// Installs a cluster with kk from a taskbox over SSH: preflight, kk, 0600 config, detached run, live parse, resume.

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// Drives <c>kk create cluster -f &lt;config&gt; -y</c> on a taskbox (kubekey.md §3, §4.8): checks every host, puts a kk v3
/// there, uploads the config as 0600, starts kk detached (<c>setsid nohup</c>, output and exit code to files in the
/// working directory) and follows its log, parsing it live. A dropped connection is reconnected; a lost client can
/// reattach later with <see cref="KubeKeyInstallMode.Resume"/>. Success needs kk's success line and exit code 0 (§4.7).
/// </summary>
public static class KubeKeyInstaller
{
    private static readonly TimeSpan ShortCommand = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DownloadLimit = TimeSpan.FromMinutes(15);

    /// <summary>Installs (or reattaches to the install of) <paramref name="config"/> from <paramref name="taskBox"/>.</summary>
    /// <param name="config">The cluster; it is validated first and refused with the first error finding's code.</param>
    /// <param name="taskBox">Where kk runs and how to log in there.</param>
    /// <param name="options">kk source, working directory, timeout, mode; null for defaults.</param>
    /// <param name="observer">Progress (current kk module and percentage), verbose kk lines (redacted), warnings.</param>
    /// <param name="cancellationToken">Stops waiting; a started kk keeps running on the taskbox (reattach with Resume).</param>
    /// <returns>The result of a successful install.</returns>
    /// <exception cref="HaClusterException">
    /// Invalid input or options, preflight failures (<c>PreflightFailed</c> or the SSH host-key error ids), kk placement
    /// or version problems, and kk's own failure (<c>KubeKeyInstallFailed</c>, <c>KubeKeyInstallTimeout</c>,
    /// <c>KubeKeyInstallLost</c>, whose <see cref="HaClusterException.Target"/> is the <see cref="KubeKeyInstallResult"/>).
    /// </exception>
    public static async Task<KubeKeyInstallResult> InstallAsync(
        ClusterConfig config,
        SshEndpoint taskBox,
        KubeKeyInstallOptions? options = null,
        IOperationObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        if (config is null)
        {
            throw new ArgumentNullException(nameof(config));
        }

        if (taskBox is null)
        {
            throw new ArgumentNullException(nameof(taskBox));
        }

        options ??= new KubeKeyInstallOptions();
        observer ??= NullOperationObserver.Instance;
        var run = new Run(config, taskBox, InstallPlan.Create(config, options, observer), observer);
        try
        {
            run.Narrator.Step($"Connecting to the taskbox {taskBox}");
            using var session = await SshSession.ConnectAsync(taskBox, run.Plan.Connect, cancellationToken).ConfigureAwait(false);
            var state = await ProbeAsync(session, run.Plan.Directory, cancellationToken).ConfigureAwait(false);
            return ShouldReattach(run, state)
                ? await WatchAsync(session, run, new InstallWorkspace(state.Directory!), state.RunState == InstallRunState.Running ? state.Pid : null, resumed: true, null, cancellationToken).ConfigureAwait(false)
                : await StartAsync(session, run, state, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            observer.Verbose($"Stopped waiting; a kk run already started keeps running on the taskbox ({run.Plan.Hints.Reattach}).");
            throw;
        }
        finally
        {
            run.Narrator.Complete();
        }
    }

    private static bool ShouldReattach(Run run, InstallState state)
    {
        var directory = state.Directory ?? run.Plan.Directory;
        switch (run.Plan.Mode)
        {
            case KubeKeyInstallMode.Start when state.RunState == InstallRunState.Running:
                throw new HaClusterException(
                    KubeKeyInstallErrorIds.InstallAlreadyRunning,
                    FailureKind.ResourceExists,
                    $"kk is already running in {directory} on {run.TaskBox.DisplayName} (process {state.Pid?.ToString(CultureInfo.InvariantCulture)}); reattach to it with -Resume instead of starting another.",
                    directory);
            case KubeKeyInstallMode.Start:
                return false;
            case KubeKeyInstallMode.Resume when state.RunState is InstallRunState.NoDirectory or InstallRunState.None:
                throw new HaClusterException(
                    KubeKeyInstallErrorIds.InstallNotFound,
                    FailureKind.ObjectNotFound,
                    $"There is no kk run to resume in {directory} on {run.TaskBox.DisplayName}; start the install without -Resume.",
                    directory);
            case KubeKeyInstallMode.Resume when state.RunState == InstallRunState.Exited && state.ExitCode is int code && code != 0:
                // kk is built to be re-run on a half-installed cluster: resuming a failed run lets kk carry on.
                run.Observer.Verbose($"The kk run in {directory} failed (exit code {code.ToString(CultureInfo.InvariantCulture)}); starting kk again, which carries on from what that run left.");
                return false;
            case KubeKeyInstallMode.Resume:
                return true;
            default:
                // Resume-or-start reattaches to what can still succeed; a failed or vanished run is started again.
                return state.RunState == InstallRunState.Running || (state.RunState == InstallRunState.Exited && state.ExitCode == 0);
        }
    }

    private static async Task<KubeKeyInstallResult> StartAsync(SshSession session, Run run, InstallState state, CancellationToken cancellationToken)
    {
        var plan = run.Plan;
        if (!plan.SkipPreflight)
        {
            var earlier = state.RunState == InstallRunState.Exited ? await ReadEarlierRunAsync(session, run, state, cancellationToken).ConfigureAwait(false) : null;
            run.Narrator.Step($"Preflight of {run.Config.Hosts.Count} hosts");
            await InstallPreflight.RunAsync(run.Config, plan.Connect, plan.PreflightThrottleLimit, run.Observer, cancellationToken, earlier, plan.Hints).ConfigureAwait(false);
        }

        run.Narrator.Step($"Preparing the working directory {plan.Directory}");
        var workspace = await CreateWorkspaceAsync(session, plan.Directory, cancellationToken).ConfigureAwait(false);
        var version = await PlaceKubeKeyAsync(session, run, workspace, cancellationToken).ConfigureAwait(false);
        var config = await CheckKubernetesVersionAsync(session, run, workspace, version, cancellationToken).ConfigureAwait(false);
        config = await UploadKeysAsync(session, run, workspace, config, cancellationToken).ConfigureAwait(false);

        run.Narrator.Step($"Uploading the config to {workspace.ConfigPath} (mode 0600)");
        await session.UploadTextAsync(ClusterConfigYaml.Write(config), workspace.ConfigPath, SshFileMode.OwnerReadWrite, cancellationToken).ConfigureAwait(false);
        SshDetachedProcess process;
        try
        {
            run.Narrator.Step("Starting kk create cluster");
            process = await session.StartDetachedAsync(
                RunCommand(plan),
                new SshDetachedOptions(workspace.LogPath) { WorkingDirectory = workspace.Directory },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (!plan.KeepConfig)
            {
                await RemoveConfigAsync(session, workspace, run.Observer).ConfigureAwait(false);
            }

            throw;
        }

        return await WatchAsync(session, run, workspace, process.Pid, resumed: false, version, cancellationToken).ConfigureAwait(false);
    }

    // What this cluster's earlier, failed kk run in the working directory left running (kk reuses it on a re-run).
    private static async Task<EarlierKubeKeyRun?> ReadEarlierRunAsync(SshSession session, Run run, InstallState state, CancellationToken cancellationToken)
    {
        var workspace = new InstallWorkspace(state.Directory ?? run.Plan.Directory);
        var read = await session.RunAsync("cat -- " + ShellQuote.Quote(workspace.LogPath), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        var earlier = read.Succeeded ? EarlierKubeKeyRun.FromLog(read.Stdout.Split('\n'), workspace.LogPath) : null;
        if (earlier is not null)
        {
            run.Observer.Verbose($"An earlier kk run of this cluster is recorded in {earlier.Description}; the ports its services hold pass the preflight.");
        }

        return earlier;
    }

    // kk checks the exact version against its own list (kubekey.md §2): ask the kk that will run. Our default that an
    // older kk lacks becomes that kk's newest patch of the same minor; a version the user chose is refused with the list.
    private static async Task<ClusterConfig> CheckKubernetesVersionAsync(SshSession session, Run run, InstallWorkspace workspace, string kubeKeyVersion, CancellationToken cancellationToken)
    {
        var wanted = run.Config.Kubernetes.Version;
        if (wanted is null)
        {
            return run.Config; // kk installs its own default, which its list always has
        }

        var list = await session.RunAsync(VersionCommand(workspace, "version --show-supported-k8s"), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        var supported = list.Stdout.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("v", StringComparison.Ordinal)).ToList();
        if (!list.Succeeded || supported.Count == 0)
        {
            run.Observer.Warning($"kk {kubeKeyVersion} on {run.TaskBox.DisplayName} did not list its supported Kubernetes versions; kk checks {wanted} itself.");
            return run.Config;
        }

        if (ClusterConfigValidator.KubernetesSupport(kubeKeyVersion, wanted, supported) is not { } reason)
        {
            return run.Config;
        }

        var nearest = KubeKeyReleases.NewestPatchOfMinor(supported, wanted);
        if (wanted == KubernetesSettings.DefaultVersion && nearest is not null)
        {
            run.Observer.Warning($"kk {kubeKeyVersion} does not install the default Kubernetes {wanted}; installing {nearest}, the newest v1.{wanted.Split('.')[1]} patch it supports.");
            var adjusted = ClusterConfigYaml.Read(ClusterConfigYaml.Write(run.Config), run.Config.Name);
            adjusted.Kubernetes.Version = nearest;
            return adjusted;
        }

        throw new HaClusterException(
            ConfigFindingCode.KubernetesVersionUnsupported,
            FailureKind.InvalidData,
            $"{reason} kk {kubeKeyVersion} on {run.TaskBox.DisplayName} installs: {string.Join(", ", supported)}.",
            wanted);
    }

    // kk reads privateKeyPath on the taskbox (kubekey@v3.1.12 core/connector/ssh.go validateOptions): copy each key
    // into the working directory (0600, folder 0700) and point the uploaded config at the copy. Only paths are logged.
    private static async Task<ClusterConfig> UploadKeysAsync(SshSession session, Run run, InstallWorkspace workspace, ClusterConfig config, CancellationToken cancellationToken)
    {
        var keys = config.Hosts.Select(h => h.PrivateKeyPath).Where(p => !string.IsNullOrEmpty(p)).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return config;
        }

        var copy = ClusterConfigYaml.Read(ClusterConfigYaml.Write(config), config.Name);
        for (var i = 0; i < keys.Count; i++)
        {
            var remote = workspace.KeyPath(i + 1);
            run.Narrator.Step($"Copying the SSH key {keys[i]} to {remote} on the taskbox (mode 0600) for kk");
            await session.UploadFileAsync(HostKeyPolicy.ExpandHome(keys[i]!), remote, SshFileMode.OwnerReadWrite, cancellationToken).ConfigureAwait(false);
            foreach (var host in copy.Hosts.Where(h => h.PrivateKeyPath == keys[i]))
            {
                host.PrivateKeyPath = remote;
            }
        }

        return copy;
    }

    /// <summary>
    /// The detached command. Never <c>--with-kubesphere</c>: the config's own ClusterConfiguration turns KubeSphere on and
    /// the flag would replace it with kk's defaults (kubekey.md §1.9). The config (it holds passwords) and the key copies
    /// are removed as soon as kk exits, even when no client is attached any more.
    /// </summary>
    /// <param name="plan">The install's plan.</param>
    /// <returns>The shell command.</returns>
    internal static string RunCommand(InstallPlan plan)
    {
        var command = (plan.Zone is null ? string.Empty : "export KKZONE=" + ShellQuote.Quote(plan.Zone) + "; ")
            + "./" + InstallWorkspace.KkFileName + " create cluster -f " + ShellQuote.Quote(InstallWorkspace.ConfigFileName) + " -y"
            + (plan.WithLocalStorage ? " --with-local-storage" : string.Empty);
        return plan.KeepConfig
            ? command
            : command + "; rc=$?; rm -f -- " + ShellQuote.Quote(InstallWorkspace.ConfigFileName) + " ./" + InstallWorkspace.KeyFilePrefix + "*; exit $rc";
    }

    private static async Task<KubeKeyInstallResult> WatchAsync(
        SshSession session,
        Run run,
        InstallWorkspace workspace,
        int? pid,
        bool resumed,
        string? version,
        CancellationToken cancellationToken)
    {
        var parser = new KkLogParser();
        void Feed(string text) => run.Narrator.Line(text, parser.Push(text));

        using var timeout = new CancellationTokenSource(run.Plan.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        InstallState final;
        try
        {
            final = pid is int running
                ? await FollowAsync(session, run, workspace, running, Feed, linked.Token).ConfigureAwait(false)
                : await ReadFinishedAsync(session, run, workspace, Feed, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw await TimedOutAsync(session, run, workspace, pid, parser, resumed, version).ConfigureAwait(false);
        }
        catch (HaClusterException ex) when (ex.ErrorId == SshErrorIds.ConnectionLost)
        {
            throw new HaClusterException(
                ex.ErrorId,
                ex.Kind,
                $"{ex.Message} kk keeps running on {run.TaskBox.DisplayName}; {run.Plan.Hints.Reattach} (working directory {workspace.Directory}).",
                workspace.LogPath,
                ex);
        }

        var exited = final.RunState == InstallRunState.Exited;
        var summary = parser.Complete(exited ? final.ExitCode : null);
        if (!run.Plan.KeepConfig && final.ConfigPresent && final.RunState != InstallRunState.Running)
        {
            await RemoveConfigAsync(session, workspace, run.Observer).ConfigureAwait(false);
        }

        var result = NewResult(run, workspace, summary, final, resumed, version);
        if (!exited)
        {
            result.Succeeded = false;
            result.FailedModule ??= summary.CurrentModule;
            result.FailureMessage = $"kk's process is gone without an exit code (killed, or the taskbox restarted) during {summary.CurrentModule ?? "its start"}.";
            throw new HaClusterException(KubeKeyInstallErrorIds.InstallLost, FailureKind.InvalidResult, Describe(result), result);
        }

        if (!summary.Succeeded)
        {
            throw new HaClusterException(KubeKeyInstallErrorIds.InstallFailed, FailureKind.InvalidResult, Describe(result), result);
        }

        run.Observer.Verbose($"kk finished successfully in {result.Duration.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s{(result.ConsoleUrl is null ? string.Empty : "; console " + result.ConsoleUrl)}.");
        return result;
    }

    private static async Task<InstallState> FollowAsync(SshSession session, Run run, InstallWorkspace workspace, int pid, Action<string> feed, CancellationToken cancellationToken)
    {
        run.Observer.Verbose($"Following {workspace.LogPath} on {run.TaskBox.DisplayName} (kk run {pid.ToString(CultureInfo.InvariantCulture)}).");
        var offset = 0L;
        var lostProbes = 0;
        while (true)
        {
            var follow = await session.FollowFileAsync(
                workspace.LogPath,
                new SshFollowOptions
                {
                    StartOffset = offset,
                    StopWhenProcessExits = pid,
                    OnLine = (line, _) => feed(line.Text),
                    ReconnectTimeout = run.Plan.ReconnectTimeout,
                },
                cancellationToken).ConfigureAwait(false);
            offset = follow.EndOffset;
            InstallState state;
            try
            {
                state = await ProbeAsync(session, workspace.Directory, cancellationToken).ConfigureAwait(false);
                lostProbes = 0;
            }
            catch (HaClusterException ex) when (ex.ErrorId == SshErrorIds.ConnectionLost && ++lostProbes <= 3)
            {
                // A dropped connection can also end tail itself; following again reconnects (with back-off) and resumes.
                run.Observer.Verbose($"{ex.Message} Following again from byte {offset.ToString(CultureInfo.InvariantCulture)}.");
                continue;
            }

            // tail only stops once the process is gone; should it stop early, keep following from where it was.
            if (state.RunState != InstallRunState.Running)
            {
                return state;
            }
        }
    }

    private static async Task<InstallState> ReadFinishedAsync(SshSession session, Run run, InstallWorkspace workspace, Action<string> feed, CancellationToken cancellationToken)
    {
        run.Observer.Verbose($"Reading the log of the finished kk run, {workspace.LogPath}.");
        var read = await session.RunAsync(
            "cat -- " + ShellQuote.Quote(workspace.LogPath),
            new SshRunOptions { CaptureOutput = false, OnOutput = line => feed(line.Text) },
            cancellationToken).ConfigureAwait(false);
        if (!read.Succeeded)
        {
            throw new HaClusterException(
                KubeKeyInstallErrorIds.InstallNotFound,
                FailureKind.ObjectNotFound,
                $"The log of the kk run in {workspace.Directory} on {run.TaskBox.DisplayName} cannot be read.",
                workspace.LogPath);
        }

        return await ProbeAsync(session, workspace.Directory, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HaClusterException> TimedOutAsync(
        SshSession session,
        Run run,
        InstallWorkspace workspace,
        int? pid,
        KkLogParser parser,
        bool resumed,
        string? version)
    {
        var limit = run.Plan.Timeout;
        if (pid is int running)
        {
            run.Observer.Warning($"kk did not finish within {limit}; stopping it on {run.TaskBox.DisplayName}.");

            // setsid made the run's wrapper shell a process-group leader: signal kk and its shells together; back off while waiting.
            var p = running.ToString(CultureInfo.InvariantCulture);
            var stop = $"kill -TERM -- -{p} 2>/dev/null || kill -TERM {p} 2>/dev/null; "
                + $"for d in 0.1 0.2 0.4 0.8 1.6 3.2; do [ -d /proc/{p} ] || break; sleep $d; done; kill -KILL -- -{p} 2>/dev/null; true";
            await session.RunAsync(stop, new SshRunOptions { Timeout = ShortCommand }, CancellationToken.None).ConfigureAwait(false);
        }

        if (!run.Plan.KeepConfig)
        {
            await RemoveConfigAsync(session, workspace, run.Observer).ConfigureAwait(false);
        }

        var state = await ProbeAsync(session, workspace.Directory, CancellationToken.None).ConfigureAwait(false);
        var summary = parser.Complete(null);
        var result = NewResult(run, workspace, summary, state, resumed, version);
        result.Succeeded = false;
        result.FailedModule ??= summary.CurrentModule;
        result.FailureMessage = $"kk did not finish within {limit} and was stopped during {summary.CurrentModule ?? "its start"}"
            + (summary.CurrentTask is null ? "." : $" (task '{summary.CurrentTask}').");
        return new HaClusterException(KubeKeyInstallErrorIds.InstallTimeout, FailureKind.OperationTimeout, Describe(result), result);
    }

    private static KubeKeyInstallResult NewResult(Run run, InstallWorkspace workspace, KkLogSummary summary, InstallState state, bool resumed, string? version)
    {
        var result = new KubeKeyInstallResult(run.Config.Name, run.TaskBox.ToString(), workspace, summary)
        {
            Resumed = resumed,
            KubeKeyVersion = version,
        };
        if (state.Started is long started)
        {
            result.StartedAt = DateTimeOffset.FromUnixTimeSeconds(started);
            var end = state.Ended ?? state.Now ?? started;
            result.Duration = TimeSpan.FromSeconds(Math.Max(0, end - started));
        }

        return result;
    }

    /// <summary>The error message for a failed run: module, task, nodes and kk's own text, then where the log is.</summary>
    /// <param name="result">The failed result.</param>
    /// <returns>The message.</returns>
    internal static string Describe(KubeKeyInstallResult result)
    {
        var text = new System.Text.StringBuilder("kk failed");
        if (result.FailedModule is not null)
        {
            text.Append(" in module ").Append(result.FailedModule);
        }

        if (result.FailedTask is not null)
        {
            text.Append(", task '").Append(result.FailedTask).Append('\'');
        }

        if (result.FailedNodes.Count > 0)
        {
            text.Append(result.FailedNodes.Count == 1 ? ", on node " : ", on nodes ").Append(string.Join(", ", result.FailedNodes));
        }

        text.Append(": ").Append((result.FailureMessage ?? "kk printed no error text").Trim());
        text.Append("\n(exit code ").Append(result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none")
            .Append("; log ").Append(result.LogPath).Append(" on ").Append(result.TaskBox).Append(')');
        return text.ToString();
    }

    private static async Task<InstallState> ProbeAsync(SshSession session, string directory, CancellationToken cancellationToken)
    {
        var probe = await session.RunAsync(InstallWorkspace.ProbeScript(directory), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        if (!probe.Succeeded)
        {
            throw WorkspaceFailure(session, directory, probe);
        }

        return InstallWorkspace.ParseProbe(probe.Stdout);
    }

    private static async Task<InstallWorkspace> CreateWorkspaceAsync(SshSession session, string directory, CancellationToken cancellationToken)
    {
        // umask 077: the folder (kk's downloads, the run's log) is the SSH user's alone.
        var quoted = ShellQuote.Quote(directory);
        var created = await session.RunAsync($"umask 077 && mkdir -p -- {quoted} && cd -- {quoted} && pwd", new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        var path = created.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("/", StringComparison.Ordinal));
        if (!created.Succeeded || path is null)
        {
            throw WorkspaceFailure(session, directory, created);
        }

        return new InstallWorkspace(path);
    }

    private static HaClusterException WorkspaceFailure(SshSession session, string directory, SshCommandResult result) => new(
        KubeKeyInstallErrorIds.InstallOptionInvalid,
        FailureKind.InvalidArgument,
        $"The working directory '{directory}' cannot be used on {session.Endpoint.DisplayName}: {FirstLine(result.Stderr, "exit code " + result.ExitCode?.ToString(CultureInfo.InvariantCulture))}.",
        directory);

    private static async Task<string> PlaceKubeKeyAsync(SshSession session, Run run, InstallWorkspace workspace, CancellationToken cancellationToken)
    {
        var plan = run.Plan;
        if (plan.LocalKubeKey is string local)
        {
            // kk downloads every Kubernetes binary on the machine it runs on with `curl -L -o` (kubekey@v3.1.12
            // cmd/kk/cmd/create/cluster.go --download-cmd); the download script needs curl too, so only here can it be missing.
            var curl = await session.RunAsync("command -v curl", new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
            if (!curl.Succeeded || curl.Stdout.Trim().Length == 0)
            {
                throw new HaClusterException(
                    KubeKeyInstallErrorIds.TaskBoxCurlMissing,
                    FailureKind.ResourceUnavailable,
                    $"The taskbox {run.TaskBox.DisplayName} has no curl; kk downloads kubeadm, kubelet and the other binaries there with curl. Install curl on the taskbox.",
                    run.TaskBox.DisplayName);
            }

            run.Narrator.Step($"Uploading kk from {local} to {workspace.KkPath} (mode 0755)");
            await session.UploadFileAsync(local, workspace.KkPath, SshFileMode.Executable, cancellationToken).ConfigureAwait(false);
            return await CheckVersionAsync(session, run, workspace, cancellationToken).ConfigureAwait(false);
        }

        if (plan.Version is null)
        {
            // Neither named: a kk already in the working directory, else the taskbox's own (linked in, so kk's work
            // folder is the working directory), else the pinned default release.
            var find = await session.RunAsync(
                "cd -- " + ShellQuote.Quote(workspace.Directory) + " && if [ -x ./kk ]; then echo found=here; "
                + "elif p=$(command -v kk 2>/dev/null) && [ -n \"$p\" ]; then ln -sf -- \"$p\" ./kk && echo \"found=$p\"; else echo found=; fi",
                new SshRunOptions { Timeout = ShortCommand },
                cancellationToken).ConfigureAwait(false);
            var found = find.Stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("found=", StringComparison.Ordinal))?.Substring(6);
            if (!string.IsNullOrEmpty(found))
            {
                run.Narrator.Step(found == "here" ? $"Using the kk in {workspace.Directory}" : $"Using the taskbox's kk {found}");
                return await CheckVersionAsync(session, run, workspace, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (await TryVersionAsync(session, workspace, cancellationToken).ConfigureAwait(false) == plan.Version)
        {
            run.Narrator.Step($"kk {plan.Version} is already in {workspace.Directory}");
            return plan.Version;
        }

        var version = plan.Version ?? KubeKeyBinary.DefaultVersion;
        await DownloadAsync(session, run, workspace, version, cancellationToken).ConfigureAwait(false);
        var got = await CheckVersionAsync(session, run, workspace, cancellationToken).ConfigureAwait(false);
        if (got != version)
        {
            run.Observer.Warning($"The download script was asked for kk {version} but installed {got}.");
        }

        return got;
    }

    private static async Task DownloadAsync(SshSession session, Run run, InstallWorkspace workspace, string version, CancellationToken cancellationToken)
    {
        run.Narrator.Step($"Downloading kk {version} on the taskbox with {KubeKeyBinary.DownloadScriptUrl}{(run.Plan.Zone is null ? string.Empty : " (KKZONE=" + run.Plan.Zone + ")")}");
        var tail = new System.Collections.Generic.Queue<string>();
        var command = "cd -- " + ShellQuote.Quote(workspace.Directory) + " || exit 1; rm -f ./kk; "
            + KubeKeyBinary.DownloadCommand(version, run.Plan.Zone) + " 2>&1; test -x ./kk";
        var download = await session.RunAsync(
            command,
            new SshRunOptions
            {
                Timeout = DownloadLimit,
                CaptureOutput = false,
                OnOutput = line =>
                {
                    run.Observer.Verbose("download: " + line.Text);
                    tail.Enqueue(line.Text);
                    if (tail.Count > 5)
                    {
                        tail.Dequeue();
                    }
                },
            },
            cancellationToken).ConfigureAwait(false);
        if (!download.Succeeded)
        {
            // The old script exits 0 even when the download failed (kubekey.md §3.4): the test for ./kk decides.
            throw new HaClusterException(
                KubeKeyInstallErrorIds.KubeKeyDownloadFailed,
                FailureKind.ResourceUnavailable,
                $"Downloading kk {version} on {run.TaskBox.DisplayName} left no kk in {workspace.Directory} (the taskbox needs HTTPS access to get-kk.kubesphere.io and GitHub, or KKZONE=cn). Script output: {string.Join(" | ", tail)}",
                version);
        }
    }

    private static async Task<string?> TryVersionAsync(SshSession session, InstallWorkspace workspace, CancellationToken cancellationToken)
    {
        var result = await session.RunAsync(VersionCommand(workspace, "version -o short"), new SshRunOptions { Timeout = ShortCommand }, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Stdout.Trim() : null;
    }

    private static async Task<string> CheckVersionAsync(SshSession session, Run run, InstallWorkspace workspace, CancellationToken cancellationToken)
    {
        var options = new SshRunOptions { Timeout = ShortCommand };
        var brief = await session.RunAsync(VersionCommand(workspace, "version -o short"), options, cancellationToken).ConfigureAwait(false);
        string? full = null;
        if (!brief.Succeeded)
        {
            full = (await session.RunAsync(VersionCommand(workspace, "version"), options, cancellationToken).ConfigureAwait(false)).Stdout;
        }

        var version = KubeKeyBinary.CheckReportedVersion(brief.ExitCode, brief.Stdout, full, $"kk at {workspace.KkPath} on {run.TaskBox.DisplayName}");
        run.Observer.Verbose($"kk on the taskbox is {version}.");
        return version;
    }

    private static string VersionCommand(InstallWorkspace workspace, string arguments) =>
        "cd -- " + ShellQuote.Quote(workspace.Directory) + " && ./" + InstallWorkspace.KkFileName + " " + arguments + " 2>&1";

    private static async Task RemoveConfigAsync(SshSession session, InstallWorkspace workspace, IOperationObserver observer)
    {
        try
        {
            var keys = ShellQuote.Quote(workspace.Directory) + "/" + InstallWorkspace.KeyFilePrefix + "*";
            await session.RunAsync("rm -f -- " + ShellQuote.Quote(workspace.ConfigPath) + " " + keys, new SshRunOptions { Timeout = ShortCommand }, CancellationToken.None).ConfigureAwait(false);
            observer.Verbose($"Removed the uploaded config {workspace.ConfigPath} and any SSH key copies.");
        }
        catch (HaClusterException ex)
        {
            observer.Warning($"Could not remove the uploaded config {workspace.ConfigPath} (it holds passwords; mode 0600): {ex.Message}");
        }
    }

    private static string FirstLine(string text, string fallback)
    {
        var line = text.Trim().Split('\n')[0].Trim();
        return line.Length == 0 ? fallback : line;
    }

    /// <summary>One install call: its inputs and narration.</summary>
    private sealed class Run
    {
        public Run(ClusterConfig config, SshEndpoint taskBox, InstallPlan plan, IOperationObserver observer)
        {
            Config = config;
            TaskBox = taskBox;
            Plan = plan;
            Observer = observer;
            Narrator = new InstallNarrator(observer, $"Installing cluster '{config.Name}' with KubeKey on {taskBox.DisplayName}", "kk: ");
        }

        public ClusterConfig Config { get; }

        public SshEndpoint TaskBox { get; }

        public InstallPlan Plan { get; }

        public IOperationObserver Observer { get; }

        public InstallNarrator Narrator { get; }
    }
}
