// Copyright (c) HaCluster contributors. MIT License.
// Test-HaCluster's engine: the tutorial's step 4 checks, run concurrently and streamed, then the optional failover drill.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.KubeSphere;
using HaCluster.Engine.QingCloud;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// Proves a cluster is highly available: both load balancers active and applied, every backend up, every listener port
/// admitted by the load balancer's security group, the API answering through the VIP and on each master, the console
/// answering through the EIP, every host a Ready node, an odd etcd member count; then, if asked, the failover drill
/// (stop a master, the API and console keep answering, start it again). Independent checks run concurrently and each
/// result is handed to the caller as soon as it is known.
/// </summary>
public sealed class ClusterVerifier
{
    /// <summary>The command run over SSH on a control-plane host.</summary>
    public const string KubectlCommand = "kubectl get nodes -o json";

    private static readonly TimeSpan MaxProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly QingCloudClient _client;

    /// <summary>Creates a verifier.</summary>
    /// <param name="client">The QingCloud client (its context decides the zone).</param>
    public ClusterVerifier(QingCloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Runs the checks (and the drill when <see cref="ClusterVerificationRequest.Failover"/> is set).</summary>
    /// <param name="request">What to check.</param>
    /// <param name="onResult">Receives each result as it finishes (never concurrently); may be null.</param>
    /// <param name="observer">Receives narration and progress; null for none.</param>
    /// <param name="ct">Cancels the checks. A stopped master is started again even then.</param>
    /// <returns>Every result, in the order they finished.</returns>
    /// <exception cref="HaClusterException">Bad input (see <see cref="ClusterVerificationRequest.Validate"/>), before anything is contacted.</exception>
    public async Task<IReadOnlyList<HaCheckResult>> VerifyAsync(ClusterVerificationRequest request, Action<HaCheckResult>? onResult, IOperationObserver? observer, CancellationToken ct)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.Validate();
        observer ??= NullOperationObserver.Instance;
        using var probe = new HttpProbe(request.CaCertificatePath);
        var recorder = new CheckRecorder(onResult, observer);
        var run = new Run(_client, request, probe, recorder, observer);
        try
        {
            observer.Verbose($"Checking load balancers {request.InternalLoadBalancerId} (internal) and {request.ExternalLoadBalancerId} (external), {request.ControlPlane.Count} control-plane and {request.Workers.Count} worker host(s); certificates {(probe.VerifiesCertificates ? "verified against " + request.CaCertificatePath : "not verified")}.");
            await Task.WhenAll(run.LoadBalancersAsync(ct), run.ApiDirectAsync(ct), run.NodesReadyAsync(ct), run.KubeSphereAsync(ct), run.EtcdAsync()).ConfigureAwait(false);
            if (request.Failover)
            {
                await new FailoverDrill(run).RunAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            recorder.Complete();
        }

        return recorder.Results;
    }

    /// <summary>kubectl's arguments listing KubeSphere's pods (with their nodes and waiting reasons).</summary>
    internal static readonly string PodsArguments = "get pods -n " + KubeSphereInstallOptions.Namespace + " -o json";

    /// <summary>kubectl's arguments asking whether a KubeSphere deployment has rolled out, without waiting.</summary>
    /// <param name="workload">The deployment.</param>
    /// <returns>The arguments.</returns>
    internal static string RolloutArguments(string workload) => $"rollout status deployment/{workload} -n {KubeSphereInstallOptions.Namespace} --watch=false";

    /// <summary>The verdict on one KubeSphere deployment: kubectl's rollout status, its replicas' nodes, and why pods are not ready.</summary>
    /// <param name="workload">The deployment.</param>
    /// <param name="succeeded">kubectl's exit status was 0.</param>
    /// <param name="output">kubectl's output.</param>
    /// <param name="pods">The pods of kubesphere-system.</param>
    /// <param name="highAvailability">Whether KubeSphere was installed with three replicas.</param>
    /// <returns>The outcome.</returns>
    internal static CheckOutcome EvaluateRollout(string workload, bool succeeded, string output, KubeSpherePods pods, bool highAvailability)
    {
        var lines = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var said = lines.FirstOrDefault(l => l.StartsWith("error", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Error", StringComparison.Ordinal)) ?? lines.FirstOrDefault() ?? "no output";
        var mine = pods.All.Where(p => p.Workload == workload).ToList();
        var placement = mine.Count == 0 ? "no pods" : $"{mine.Count(p => p.Ready)} of {mine.Count} replica(s) ready on {string.Join(", ", mine.Select(p => p.Node ?? "no node").Distinct(StringComparer.Ordinal))}";
        var rolledOut = succeeded && said.EndsWith("successfully rolled out", StringComparison.Ordinal);
        if (!rolledOut)
        {
            var problems = pods.Problems.Where(p => p.Workload == workload).Select(p => p.ToString()).ToList();
            return new CheckOutcome(false, $"{said}; {placement}{(problems.Count == 0 ? string.Empty : ": " + string.Join("; ", problems))}");
        }

        var single = !highAvailability && mine.Count < 2 ? " (a single replica: installed without -HighAvailability, it stops with its node)" : string.Empty;
        return new CheckOutcome(true, $"{said}; {placement}{single}");
    }

    /// <summary>
    /// The drill's console verdict: a failure while a master is stopped says, for KubeSphere installed without
    /// -HighAvailability, whether the single ks-console or ks-apiserver replica lived on that master.
    /// </summary>
    /// <param name="outcome">The console probe's outcome.</param>
    /// <param name="stopped">The stopped master; null outside the drill.</param>
    /// <param name="highAvailability">Whether KubeSphere 4 runs three replicas; null when it is not installed with Helm.</param>
    /// <param name="pods">Where the replicas lived before the stop, or null when unknown.</param>
    /// <returns>The outcome, explained.</returns>
    internal static CheckOutcome ExplainLostConsole(CheckOutcome outcome, HaHost? stopped, bool? highAvailability, KubeSpherePods? pods)
    {
        if (outcome.Passed || stopped is null || highAvailability is not false)
        {
            return outcome;
        }

        var lost = pods?.All.Where(p => p.Workload is "ks-console" or "ks-apiserver" && string.Equals(p.Node, stopped.Name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Workload).Distinct(StringComparer.Ordinal).OrderBy(w => w, StringComparer.Ordinal).ToList();
        var why = lost is { Count: > 0 }
            ? $"KubeSphere runs a single replica (installed without -HighAvailability) and the {string.Join(" and ", lost)} replica lived on the stopped master {stopped.Name}, so the console is down until Kubernetes reschedules it (about 5 minutes) or the master is back; Install-HaKubeSphere -HighAvailability runs three replicas"
            : $"KubeSphere runs a single replica (installed without -HighAvailability){(pods is null ? string.Empty : $"; ks-console and ks-apiserver did not live on {stopped.Name}")}";
        return new CheckOutcome(false, $"{outcome.Detail}; {why}", outcome.Target);
    }

    /// <summary>A URL for an address that may be IPv6.</summary>
    internal static Uri Url(string scheme, string address, int port, string path) =>
        new(string.Format(CultureInfo.InvariantCulture, "{0}://{1}:{2}{3}", scheme, address.IndexOf(':') >= 0 && !address.StartsWith("[", StringComparison.Ordinal) ? "[" + address + "]" : address, port, path));

    /// <summary>The state of one verification: request, clients, what the load-balancer checks learned.</summary>
    internal sealed class Run
    {
        public Run(QingCloudClient client, ClusterVerificationRequest request, HttpProbe probe, CheckRecorder recorder, IOperationObserver observer)
        {
            Client = client;
            Request = request;
            Probe = probe;
            Recorder = recorder;
            Observer = observer;
            ProbeTimeout = request.Timeout < MaxProbeTimeout ? request.Timeout : MaxProbeTimeout;
        }

        public QingCloudClient Client { get; }

        public ClusterVerificationRequest Request { get; }

        public HttpProbe Probe { get; }

        public CheckRecorder Recorder { get; }

        public IOperationObserver Observer { get; }

        public TimeSpan ProbeTimeout { get; }

        /// <summary>The internal load balancer's VIP, once described.</summary>
        public string? Vip { get; private set; }

        /// <summary>The external load balancer's EIP address, once described.</summary>
        public string? EipAddress { get; private set; }

        /// <summary>The pods of kubesphere-system as the KubeSphere check saw them (where each replica lives), or null.</summary>
        public KubeSpherePods? KubeSpherePods { get; private set; }

        public Task<HaCheckResult> ApiViaVipAsync(string name, CancellationToken ct) =>
            Recorder.RunAsync(name, Vip is null ? Request.InternalLoadBalancerId : Url("https", Vip, Request.ApiPort, "/readyz").ToString(), async t => Vip is null
                ? new CheckOutcome(false, $"load balancer {Request.InternalLoadBalancerId} has no VIP (an internal load balancer gets one in its VxNet)")
                : await Probe.ReadyzAsync(Url("https", Vip, Request.ApiPort, "/readyz"), ProbeTimeout, t).ConfigureAwait(false), ct);

        /// <summary>The console through the EIP; with <paramref name="stopped"/> (the drill) a failure says whether a single replica lived there.</summary>
        public Task<HaCheckResult> ConsoleViaEipAsync(string name, CancellationToken ct, HaHost? stopped = null) =>
            Recorder.RunAsync(name, EipAddress is null ? Request.ExternalLoadBalancerId : Url("http", EipAddress, Request.ConsolePort, "/").ToString(), async t => EipAddress is null
                ? new CheckOutcome(false, $"load balancer {Request.ExternalLoadBalancerId} has no EIP (the external load balancer must be bound to one)")
                : ExplainLostConsole(await Probe.ConsoleAsync(Url("http", EipAddress, Request.ConsolePort, "/"), ProbeTimeout, t).ConfigureAwait(false), stopped, Request.KubeSphereHighAvailability, KubeSpherePods), ct);

        /// <summary>
        /// KubeSphere 4 (only when the request says it is installed): one check per core workload, from the first
        /// control-plane host where kubectl answers. The pods' placement is kept for the drill's explanation.
        /// </summary>
        public async Task KubeSphereAsync(CancellationToken ct)
        {
            if (Request.KubeSphereHighAvailability is null)
            {
                return;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var errors = new List<string>();
            foreach (var host in Request.ControlPlane)
            {
                try
                {
                    using var session = await SshSession.ConnectAsync(Request.EndpointFor(host), ConnectOptions(), ct).ConfigureAwait(false);
                    var pods = await KubectlAsync(session, KubeSphereInstaller.KubectlCommand(PodsArguments), ct).ConfigureAwait(false);
                    if (!pods.Succeeded)
                    {
                        errors.Add(Failure(host, pods));
                        continue;
                    }

                    KubeSpherePods = KubeSpherePods.Parse(pods.Stdout);
                    foreach (var workload in KubeSpherePods.CoreWorkloads)
                    {
                        var rollout = await KubectlAsync(session, KubeSphereInstaller.KubectlCommand(RolloutArguments(workload)), ct).ConfigureAwait(false);
                        var outcome = EvaluateRollout(workload, rollout.Succeeded, rollout.Stdout + "\n" + rollout.Stderr, KubeSpherePods, Request.KubeSphereHighAvailability.Value);
                        Recorder.Record(new HaCheckResult(HaCheckNames.KubeSphereRollout, workload, outcome.Passed, outcome.Detail + " (from " + host.Name + ")", clock.Elapsed));
                    }

                    return;
                }
                catch (HaClusterException ex)
                {
                    errors.Add($"{host.Name}: {ex.Message}");
                }
                catch (System.Text.Json.JsonException ex)
                {
                    errors.Add($"{host.Name}: '{PodsArguments}' did not print a pod list ({ex.Message})");
                }
            }

            foreach (var workload in KubeSpherePods.CoreWorkloads)
            {
                Recorder.Record(new HaCheckResult(HaCheckNames.KubeSphereRollout, workload, false, $"kubectl failed on every control-plane host: {string.Join("; ", errors)}", clock.Elapsed));
            }
        }

        public async Task LoadBalancersAsync(CancellationToken ct)
        {
            var roles = new[] { (Id: Request.InternalLoadBalancerId, Role: "internal"), (Id: Request.ExternalLoadBalancerId, Role: "external") };
            IReadOnlyList<LoadBalancer> found;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                found = await Client.DescribeLoadBalancersAsync(roles.Select(r => r.Id).Distinct(StringComparer.Ordinal), cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HaClusterException ex)
            {
                foreach (var (id, role) in roles)
                {
                    Recorder.Record(new HaCheckResult(HaCheckNames.LoadBalancer, id, false, $"the {role} load balancer could not be described: {ex.Message}", clock.Elapsed));
                }

                await Task.WhenAll(ApiViaVipAsync(HaCheckNames.ApiViaVip, ct), ConsoleViaEipAsync(HaCheckNames.ConsoleViaEip, ct)).ConfigureAwait(false);
                return;
            }

            var described = new List<(LoadBalancer Lb, string Role)>();
            foreach (var (id, role) in roles)
            {
                var lb = found.FirstOrDefault(l => l.LoadBalancerId == id);
                Recorder.Record(new HaCheckResult(HaCheckNames.LoadBalancer, id, lb is not null && IsHealthy(lb), Describe(lb, id, role), clock.Elapsed));
                if (lb is not null && lb.Status != "deleted" && lb.Status != "ceased")
                {
                    described.Add((lb, role));
                }
            }

            Vip = described.FirstOrDefault(d => d.Role == "internal").Lb?.Vip;
            EipAddress = described.FirstOrDefault(d => d.Role == "external").Lb?.EipAddress;
            var work = described.Select(d => ListenersAsync(d.Lb, d.Role, ct)).ToList();
            work.Add(ApiViaVipAsync(HaCheckNames.ApiViaVip, ct));
            work.Add(ConsoleViaEipAsync(HaCheckNames.ConsoleViaEip, ct));
            await Task.WhenAll(work).ConfigureAwait(false);
        }

        public Task ApiDirectAsync(CancellationToken ct) =>
            Task.WhenAll(Request.ControlPlane.Select(master => Recorder.RunAsync(HaCheckNames.ApiDirect, master.Name, async t =>
            {
                var url = Url("https", master.InternalAddress, Request.ApiPort, "/readyz");
                var outcome = await Probe.ReadyzAsync(url, ProbeTimeout, t).ConfigureAwait(false);
                return new CheckOutcome(outcome.Passed, $"{url}: {outcome.Detail}");
            }, ct)));

        public Task NodesReadyAsync(CancellationToken ct) =>
            Recorder.RunAsync(HaCheckNames.NodesReady, Request.ControlPlane[0].Name, async t =>
            {
                var errors = new List<string>();
                foreach (var host in Request.ControlPlane)
                {
                    var nodes = await KubectlNodesAsync(host, errors, t).ConfigureAwait(false);
                    if (nodes is not null)
                    {
                        return Evaluate(nodes, host);
                    }
                }

                return new CheckOutcome(false, $"'{KubectlCommand}' failed on every control-plane host: {string.Join("; ", errors)}");
            }, ct);

        public Task EtcdAsync()
        {
            var members = Request.EtcdMembers;
            var quorum = (members.Count / 2) + 1;
            var tolerates = members.Count - quorum;
            var list = string.Join(", ", members);
            var outcome = members.Count == 0
                ? new CheckOutcome(false, "the etcd role group is empty")
                : members.Count % 2 == 1
                    ? new CheckOutcome(true, $"{members.Count} member(s) from the etcd role group ({list}): quorum {quorum}, survives {tolerates} failure(s)")
                    : new CheckOutcome(false, $"{members.Count} members from the etcd role group ({list}): an even count survives no more failures ({tolerates}) than {members.Count - 1} would; use an odd number");
            Recorder.Record(new HaCheckResult(HaCheckNames.EtcdQuorum, "etcd", outcome.Passed, outcome.Detail, TimeSpan.Zero));
            return Task.CompletedTask;
        }

        public SshConnectOptions ConnectOptions() => new()
        {
            ConnectTimeout = ProbeTimeout,
            HostKeyPolicy = new HostKeyPolicy(Request.KnownHostsPath, Request.AcceptNewHostKey),
            Observer = Observer,
        };

        private static bool IsHealthy(LoadBalancer lb) => lb.Status == "active" && lb.IsApplied && lb.IsIdle;

        private static string Describe(LoadBalancer? lb, string id, string role)
        {
            if (lb is null)
            {
                return $"the {role} load balancer {id} does not exist in this zone";
            }

            var name = string.IsNullOrEmpty(lb.LoadBalancerName) ? role : $"{role} '{lb.LoadBalancerName}'";
            var address = lb.Address is null ? string.Empty : $", address {lb.Address}";
            if (IsHealthy(lb))
            {
                return $"{name}: active, changes applied{address}";
            }

            var problems = new List<string>();
            if (lb.Status != "active")
            {
                problems.Add($"status is '{lb.Status}', not 'active'");
            }

            if (!lb.IsIdle)
            {
                problems.Add($"in transition '{lb.TransitionStatus}'");
            }

            if (!lb.IsApplied)
            {
                problems.Add("has changes not yet applied (Update-QcLoadBalancer applies them)");
            }

            return $"{name}: {string.Join("; ", problems)}";
        }

        private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

        private static string DescribeBackend(Backend b) =>
            $"{(string.IsNullOrEmpty(b.BackendName) ? b.ResourceId : b.BackendName)}:{Port(b.Port)} {b.Status}{(b.Disabled ? " (disabled)" : string.Empty)}";

        private async Task ListenersAsync(LoadBalancer lb, string role, CancellationToken ct)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var id = lb.LoadBalancerId;
            IReadOnlyList<Listener> listeners;
            IReadOnlyList<Backend> backends;
            IReadOnlyList<SecurityGroupRule>? rules = null;
            SecurityGroup? group = null;
            try
            {
                listeners = await Client.DescribeLoadBalancerListenersAsync(loadBalancerId: id, cancellationToken: ct).ConfigureAwait(false);
                backends = await Client.DescribeLoadBalancerBackendsAsync(loadBalancerId: id, cancellationToken: ct).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(lb.SecurityGroupId))
                {
                    group = (await Client.DescribeSecurityGroupsAsync(new[] { lb.SecurityGroupId! }, verbose: true, cancellationToken: ct).ConfigureAwait(false)).FirstOrDefault();
                    rules = await Client.DescribeSecurityGroupRulesAsync(lb.SecurityGroupId, direction: 0, cancellationToken: ct).ConfigureAwait(false);
                }
            }
            catch (HaClusterException ex)
            {
                Recorder.Record(new HaCheckResult(HaCheckNames.Backends, id, false, $"the listeners of the {role} load balancer could not be described: {ex.Message}", clock.Elapsed));
                return;
            }

            if (listeners.Count == 0)
            {
                Recorder.Record(new HaCheckResult(HaCheckNames.Backends, id, false, $"the {role} load balancer has no listeners", clock.Elapsed));
                return;
            }

            foreach (var listener in listeners.OrderBy(l => l.ListenerPort))
            {
                var target = id + ":" + Port(listener.ListenerPort);
                var mine = backends.Where(b => b.ListenerId == listener.ListenerId).ToList();
                var up = mine.Count(b => b.Status == "up" && !b.Disabled);
                var passed = mine.Count > 0 && up == mine.Count;
                var detail = mine.Count == 0
                    ? $"listener {listener.ListenerId} has no backends"
                    : $"{up} of {mine.Count} backend(s) up: {string.Join(", ", mine.Select(DescribeBackend))}";
                Recorder.Record(new HaCheckResult(HaCheckNames.Backends, target, passed, detail, clock.Elapsed));
                var firewall = Firewall(lb, group, rules, listener);
                Recorder.Record(new HaCheckResult(HaCheckNames.Firewall, target, firewall.Passed, firewall.Detail, clock.Elapsed));
            }
        }

        private CheckOutcome Firewall(LoadBalancer lb, SecurityGroup? group, IReadOnlyList<SecurityGroupRule>? rules, Listener listener)
        {
            var protocol = string.Equals(listener.ListenerProtocol, "udp", StringComparison.OrdinalIgnoreCase) ? "udp" : "tcp";
            var port = protocol + "/" + Port(listener.ListenerPort);
            if (rules is null || group is null)
            {
                return new CheckOutcome(false, $"load balancer {lb.LoadBalancerId} has no security group, so nothing admits {port}");
            }

            var where = $"security group {group.SecurityGroupId}{(string.IsNullOrEmpty(group.SecurityGroupName) ? string.Empty : $" ('{group.SecurityGroupName}')")}";
            if (group.IsDefault)
            {
                // Whatever it admits, it admits on every instance sharing the group too (masters included).
                var instances = group.Resources.Count(r => r.ResourceType == "instance");
                return new CheckOutcome(false, $"load balancer {lb.LoadBalancerId} sits in the account's default {where}, shared with {instances} instance(s); a rule for {port} there opens it on all of them. Give the load balancer its own group (New-QcSecurityGroup, then ModifyLoadBalancerAttributes or a new load balancer with New-QcLoadBalancer -SecurityGroup; New-HaCluster does this)");
            }

            var matching = rules.Where(r => SecurityGroupService.Matches(r, protocol, listener.ListenerPort, source: null)).OrderBy(r => r.Priority).ToList();
            var best = SecurityGroupService.Deciding(rules, protocol, listener.ListenerPort, source: null);
            if (best is null)
            {
                return new CheckOutcome(false, $"{where} has no inbound rule for {port}; add one (Add-QcSecurityGroupRule -Port {Port(listener.ListenerPort)} or Add-QcLbListener -OpenFirewall)");
            }

            var rule = $"rule {best.SecurityGroupRuleId}{(string.IsNullOrEmpty(best.SecurityGroupRuleName) ? string.Empty : $" '{best.SecurityGroupRuleName}'")} (priority {best.Priority.ToString(CultureInfo.InvariantCulture)})";
            if (!string.Equals(best.Action, "accept", StringComparison.OrdinalIgnoreCase))
            {
                return new CheckOutcome(false, $"{where}: {rule} {best.Action}s {port} ahead of any accepting rule");
            }

            var sources = string.Join(", ", matching.Where(r => string.Equals(r.Action, "accept", StringComparison.OrdinalIgnoreCase)).Select(r => string.IsNullOrEmpty(r.Val3) ? SecurityGroupService.Anywhere : r.Val3).Distinct());
            return group.IsApplied
                ? new CheckOutcome(true, $"{where}: {rule} accepts {port} (from {sources})")
                : new CheckOutcome(false, $"{where}: {rule} accepts {port}, but the group has changes not yet applied (ApplySecurityGroup), so they may not be in effect");
        }

        private static string Failure(HaHost host, SshCommandResult result)
        {
            var error = result.Stderr.Trim();
            return $"{host.Name}: exit code {result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? result.ExitSignal ?? "unknown"}{(error.Length == 0 ? string.Empty : ": " + error.Split('\n')[0].Trim())}";
        }

        private async Task<SshCommandResult> KubectlAsync(SshSession session, string command, CancellationToken ct)
        {
            var result = await session.RunAsync(command, new SshRunOptions { Timeout = ProbeTimeout }, ct).ConfigureAwait(false);
            if (!result.Succeeded && session.Endpoint.User != "root")
            {
                // kk puts the kubeconfig in root's home; a sudo user reads it through sudo.
                var sudo = await session.RunSudoAsync(command, new SshRunOptions { Timeout = ProbeTimeout }, ct).ConfigureAwait(false);
                result = sudo.Succeeded ? sudo : result;
            }

            return result;
        }

        private async Task<IReadOnlyList<KubeNodeStatus>?> KubectlNodesAsync(HaHost host, List<string> errors, CancellationToken ct)
        {
            try
            {
                using var session = await SshSession.ConnectAsync(Request.EndpointFor(host), ConnectOptions(), ct).ConfigureAwait(false);
                var result = await KubectlAsync(session, KubectlCommand, ct).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    errors.Add(Failure(host, result));
                    return null;
                }

                return KubeNodeStatus.ParseNodeList(result.Stdout);
            }
            catch (HaClusterException ex)
            {
                errors.Add($"{host.Name}: {ex.Message}");
                return null;
            }
        }

        private CheckOutcome Evaluate(IReadOnlyList<KubeNodeStatus> nodes, HaHost from)
        {
            var expected = Request.AllHosts();
            var problems = new List<string>();
            var ready = 0;
            var matched = new HashSet<KubeNodeStatus>();
            foreach (var host in expected)
            {
                var node = nodes.FirstOrDefault(n => string.Equals(n.Name, host.Name, StringComparison.OrdinalIgnoreCase))
                    ?? nodes.FirstOrDefault(n => n.InternalIp is not null && n.InternalIp == host.InternalAddress);
                if (node is null)
                {
                    problems.Add($"{host.Name} is not a node of the cluster");
                    continue;
                }

                matched.Add(node);
                if (node.IsReady)
                {
                    ready++;
                }
                else
                {
                    problems.Add(node.ToString());
                }
            }

            var extra = nodes.Where(n => !matched.Contains(n)).Select(n => n.Name).ToList();
            var also = extra.Count == 0 ? string.Empty : $"; also in the cluster: {string.Join(", ", extra)}";
            var summary = $"{ready} of {expected.Count} node(s) Ready";
            return problems.Count == 0
                ? new CheckOutcome(true, $"{summary} ({string.Join(", ", expected.Select(h => h.Name))}){also}", from.Name)
                : new CheckOutcome(false, $"{summary}: {string.Join("; ", problems)}{also}", from.Name);
        }
    }
}
