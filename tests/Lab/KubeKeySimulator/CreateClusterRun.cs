// Copyright (c) HaCluster contributors. MIT License.
// `kk create cluster -f FILE -y`: kk v3's CreateClusterPipeline, module by module, with scaled-down timing.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>
/// Prints what kk v3.1 prints for <c>create cluster</c> (kubekey.md §4): the module order of §4.4, task lines,
/// per-node results, message/retry blocks, the precheck table, the KubeSphere spinner and welcome block, and the
/// failure shapes of §4.6. It really connects to every host's SSH port in GreetingsModule and brings up the
/// stand-in apiservers/consoles in InitKubernetesModule.
/// </summary>
internal sealed class CreateClusterRun
{
    private const string LocalHost = "LocalHost";

    private const string Logo = """


         _   __      _          _   __           
        | | / /     | |        | | / /           
        | |/ / _   _| |__   ___| |/ /  ___ _   _ 
        |    \| | | | '_ \ / _ \    \ / _ \ | | |
        | |\  \ |_| | |_) |  __/ |\  \  __/ |_| |
        \_| \_/\__,_|_.__/ \___\_| \_/\___|\__, |
                                            __/ |
                                           |___/


        """;

    private static readonly string InitCommand =
        "sudo -E /bin/bash -c \"/usr/local/bin/kubeadm init --config=/etc/kubernetes/kubeadm-config.yaml --ignore-preflight-errors=FileExisting-crictl,ImagePull\"";

    private readonly SimCluster _cluster;
    private readonly SimSettings _settings;
    private readonly SimState _state;
    private readonly KkWriter _out;
    private readonly bool _assumeYes;
    private string? _module;
    private bool _etcdRetried;

    public CreateClusterRun(SimCluster cluster, SimSettings settings, SimState state, KkWriter writer, bool assumeYes)
    {
        _cluster = cluster;
        _settings = settings;
        _state = state;
        _out = writer;
        _assumeYes = assumeYes;
    }

    private IReadOnlyList<string> All => _cluster.Etcd.Concat(_cluster.Masters).Concat(_cluster.Workers)
        .Distinct().OrderBy(h => _cluster.Hosts.IndexOf(h)).Select(h => h.Name).ToList();

    private IReadOnlyList<string> Kube => _cluster.KubeNodes.Select(h => h.Name).ToList();

    private IReadOnlyList<string> Masters => _cluster.Masters.Select(h => h.Name).ToList();

    private IReadOnlyList<string> OtherMasters => Masters.Skip(1).ToList();

    private IReadOnlyList<string> EtcdNodes => _cluster.Etcd.Select(h => h.Name).ToList();

    private string FirstMaster => _cluster.Masters[0].Name;

    /// <summary>Runs the pipeline; returns kk's exit code.</summary>
    public int Run()
    {
        foreach (var notice in _cluster.Notices)
        {
            _out.PrintLine(notice);
        }

        _out.Print(Logo);
        try
        {
            Greetings();
            Simple("NodePreCheckModule", "A pre-check on nodes", 5, All);
            Confirm();
            NodeBinaries();
            ConfigureOs();
            Simple("KubernetesStatusModule", "Get kubernetes cluster status", 3, Masters);
            InstallContainer();
            PullImages();
            Etcd();
            Each("InstallKubeBinariesModule", 45, Kube, "Synchronize kubernetes binaries", "Change kubelet mode", "Generate kubelet service", "Enable kubelet service", "Generate kubelet env");
            InitKubernetes();
            Each("ClusterDNSModule", 10, new[] { FirstMaster }, "Generate coredns configmap", "Apply coredns configmap", "Generate coredns manifests", "Deploy coredns", "Generate nodelocaldns configmap", "Apply nodelocaldns configmap", "Generate nodelocaldns", "Deploy nodelocaldns");
            Simple("KubernetesStatusModule", "Get kubernetes cluster status", 3, Masters);
            JoinNodes();
            if (_cluster.InternalLoadbalancer == "haproxy")
            {
                var workers = _cluster.Workers.Except(_cluster.Masters).Select(h => h.Name).ToList();
                Each("InternalLoadbalancerModule", 10, workers, "Generate haproxy.cfg", "Calculate the MD5 value according to haproxy.cfg", "Generate haproxy manifest", "Update kubelet config", "Update kube-proxy configmap", "Update /etc/hosts");
            }

            NetworkPlugin();
            Simple("ConfigureKubernetesModule", "Configure kubernetes", 5, new[] { FirstMaster });
            Simple("ChownModule", "Chown user $HOME/.kube dir", 2, Kube);
            if (_cluster.AutoRenewCerts)
            {
                Each("AutoRenewCertsModule", 5, Masters, "Generate k8s certs renew script", "Generate k8s certs renew service", "Generate k8s certs renew timer", "Enable k8s certs renew service");
            }

            SaveKubeConfig();
            Simple("AddonsModule", "Install addons", 1, new[] { LocalHost });
            if (_cluster.KubeSphere)
            {
                Each("DeployStorageClassModule", 5, new[] { FirstMaster }, "Generate OpenEBS manifest", "Deploy OpenEBS as cluster default StorageClass");
                Each("DeployKubeSphereModule", 10, new[] { FirstMaster }, OtherMasters, "Generate KubeSphere ks-installer crd manifests", "Apply ks-installer", "Add config to ks-installer manifests", "Create the kubesphere namespace", "Setup ks-installer config", "Apply ks-installer");
                CheckResult();
            }
        }
        catch (PipelineFailure failure)
        {
            _out.StandardError("error: Pipeline[CreateClusterPipeline] execute failed: Module[" + failure.Module + "] exec failed: \n" + failure.Message);
            return 1;
        }

        _out.Info("Pipeline[CreateClusterPipeline] execute successfully");
        _out.Print(_cluster.KubeSphere
            ? "Installation is complete.\n\nPlease check the result using the command:\n\n\tkubectl logs -n kubesphere-system $(kubectl get pod -n kubesphere-system -l 'app in (ks-install, ks-installer)' -o jsonpath='{.items[0].metadata.name}') -f\n\n"
            : "Installation is complete.\n\nPlease check the result using the command:\n\t\t\n\tkubectl get pod -A\n\n");
        return 0;
    }

    private void Greetings()
    {
        StartTask("GreetingsModule", "Greetings");
        var hosts = All.Select(name => _cluster.Hosts.Last(h => h.Name == name)).ToList();
        var errors = hosts
            .Select(h => Task.Run(() => _settings.Failures.Any(f => f.Kind == "unreachable" && (f.Node == h.Name || f.Node == h.Address))
                ? DialError(h, "connect: connection refused")
                : Connect(h)))
            .ToArray();
        Delay(1);
        for (var i = 0; i < hosts.Count; i++)
        {
            if (errors[i].Result is null)
            {
                _out.Message(hosts[i].Name, "Greetings, KubeKey!");
            }
        }

        for (var i = 0; i < hosts.Count; i++)
        {
            _out.Result(errors[i].Result is null ? "success" : "failed", hosts[i].Name);
        }

        var failed = hosts.Select((h, i) => (h, error: errors[i].Result)).Where(x => x.error is not null).ToList();
        if (failed.Count > 0)
        {
            throw new PipelineFailure("GreetingsModule", string.Join("\n", failed.Select(f => "failed: [" + f.h.Name + "] " + f.error)));
        }
    }

    // kk's GreetingsModule (kubekey@v3.1.12 core/connector/ssh.go): validateOptions reads privateKeyPath on this
    // machine (kk's own ~ expanded to this process's HOME), then it logs in with the password and/or key.
    private string? Connect(SimHost host)
    {
        var keyFile = host.PrivateKeyPath ?? (host.Password is null && host.PrivateKey is null ? "~/.ssh/id_rsa" : null);
        if (keyFile is not null && keyFile.StartsWith("~/", StringComparison.Ordinal))
        {
            keyFile = System.IO.Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", keyFile.Substring(2));
        }

        var key = host.PrivateKey;
        if (key is null && keyFile is not null)
        {
            try
            {
                key = System.IO.File.ReadAllText(keyFile);
            }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
            {
                var cause = ex is UnauthorizedAccessException ? "permission denied" : "no such file or directory";
                return "failed to connect to " + host.Address + ": Failed to validate ssh connection parameters: Failed to read keyfile \""
                    + keyFile + "\": open " + keyFile + ": " + cause;
            }
        }

        return _settings.Auth == "banner" ? Dial(host) : Login(host, key);
    }

    private static string? Login(SimHost host, string? key)
    {
        var methods = new List<Renci.SshNet.AuthenticationMethod>();
        var attempted = new List<string> { "none" };
        if (host.Password is not null)
        {
            methods.Add(new Renci.SshNet.PasswordAuthenticationMethod(host.User, host.Password));
            attempted.Add("password");
        }

        if (key is not null)
        {
            try
            {
                methods.Add(new Renci.SshNet.PrivateKeyAuthenticationMethod(host.User, new Renci.SshNet.PrivateKeyFile(new System.IO.MemoryStream(Encoding.UTF8.GetBytes(key)))));
                attempted.Add("publickey");
            }
            catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or ArgumentException or InvalidOperationException)
            {
                return "failed to connect to " + host.Address + ": The given SSH key could not be parsed: ssh: no key found";
            }
        }

        var info = new Renci.SshNet.ConnectionInfo(host.Address, host.Port, host.User, methods.ToArray())
        {
            Timeout = TimeSpan.FromSeconds(Math.Clamp(host.TimeoutSeconds, 1, 10)),
        };
        try
        {
            using var client = new Renci.SshNet.SshClient(info);
            client.Connect();
            return null;
        }
        catch (Renci.SshNet.Common.SshAuthenticationException)
        {
            return DialError(host, "ssh: handshake failed: ssh: unable to authenticate, attempted methods [" + string.Join(" ", attempted) + "], no supported methods remain", dial: false);
        }
        catch (Renci.SshNet.Common.SshOperationTimeoutException)
        {
            return DialError(host, "i/o timeout");
        }
        catch (SocketException ex)
        {
            return DialError(host, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connect: connection refused",
                SocketError.TimedOut => "i/o timeout",
                _ => "connect: " + ex.Message.ToLowerInvariant(),
            });
        }
        catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or System.IO.IOException)
        {
            return DialError(host, "ssh: handshake failed: EOF", dial: false);
        }
    }

    // Banner mode: a TCP connect plus the server's SSH banner.
    private static string? Dial(SimHost host)
    {
        var timeout = TimeSpan.FromSeconds(Math.Clamp(host.TimeoutSeconds, 1, 10));
        try
        {
            using var client = new TcpClient();
            using var cancel = new CancellationTokenSource(timeout);
            client.ConnectAsync(host.Address, host.Port, cancel.Token).AsTask().GetAwaiter().GetResult();
            var stream = client.GetStream();
            stream.ReadTimeout = (int)timeout.TotalMilliseconds;
            var banner = new StringBuilder();
            var buffer = new byte[1];
            while (banner.Length < 255 && stream.Read(buffer, 0, 1) == 1 && buffer[0] != '\n')
            {
                banner.Append((char)buffer[0]);
            }

            return banner.ToString().StartsWith("SSH-", StringComparison.Ordinal) ? null : DialError(host, "ssh: handshake failed: EOF", dial: false);
        }
        catch (OperationCanceledException)
        {
            return DialError(host, "i/o timeout");
        }
        catch (SocketException ex)
        {
            return DialError(host, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connect: connection refused",
                SocketError.HostUnreachable => "connect: no route to host",
                SocketError.NetworkUnreachable => "connect: network is unreachable",
                SocketError.TimedOut => "i/o timeout",
                _ => "connect: " + ex.Message.ToLowerInvariant(),
            });
        }
        catch (System.IO.IOException)
        {
            return DialError(host, "ssh: handshake failed: EOF", dial: false);
        }
    }

    private static string DialError(SimHost host, string cause, bool dial = true)
    {
        var endpoint = host.Address + ":" + host.Port.ToString(CultureInfo.InvariantCulture);
        return "failed to connect to " + host.Address + ": could not establish connection to " + endpoint + ": "
            + (dial ? "dial tcp " + endpoint + ": " : string.Empty) + cause;
    }

    private void Confirm()
    {
        StartTask("ConfirmModule", "Display confirmation form");
        var columns = new[] { "name", "sudo", "curl", "openssl", "ebtables", "socat", "ipset", "ipvsadm", "conntrack", "chrony", "docker", "containerd", "nfs client", "ceph client", "glusterfs client", "time" };
        var present = new HashSet<string> { "sudo", "curl", "openssl", "ebtables", "socat", "ipset", "conntrack" };
        var time = "UTC " + DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var rows = All.Select(node => columns.Select(c => c switch
        {
            "name" => node,
            "time" => time,
            _ when present.Contains(c) && !IsMissing(c, node) => "y",
            _ => string.Empty,
        }).ToArray()).ToList();
        _out.Print(Table(columns, rows));

        var stop = false;
        foreach (var node in All)
        {
            foreach (var required in new[] { "sudo", "conntrack", "socat" })
            {
                if (IsMissing(required, node))
                {
                    _out.Log("ERRO", node + ": " + required + " is required.");
                    stop = true;
                }
            }
        }

        _out.PrintLine();
        _out.PrintLine("This is a simple check of your environment.");
        _out.PrintLine("Before installation, ensure that your machines meet all requirements specified at");
        _out.PrintLine("https://github.com/kubesphere/kubekey#requirements-and-recommendations");
        _out.PrintLine();
        var version = _cluster.KubernetesVersion.StartsWith('v') ? _cluster.KubernetesVersion : "v" + _cluster.KubernetesVersion;
        var kkDefault = KubernetesVersions.Default(_settings.Version);
        if (_cluster.KubernetesVersion == kkDefault)
        {
            _out.PrintLine("Install k8s with default version:  " + kkDefault);
            _out.PrintLine();
        }
        else if (!KubernetesVersions.Supported(_settings.Version).Contains(version))
        {
            _out.PrintLine("The Kubernetes version: " + version + " isn't supported.");
            _out.PrintLine("Use kk version --show-supported-k8s,show supported k8s versions");
            _out.PrintLine();
            stop = true;
        }
        else
        {
            _out.PrintLine("Install k8s with specify version:  " + version);
            _out.PrintLine();
        }

        if (stop)
        {
            throw KkExit.Silent(1);
        }

        if (!_assumeYes)
        {
            while (true)
            {
                _out.Print("Continue this installation? [yes/no]: ");
                var answer = Console.In.ReadLine();
                if (answer is null)
                {
                    _out.Log("FATA", "EOF");
                    throw KkExit.Silent(1);
                }

                answer = answer.Trim().ToLowerInvariant();
                if (answer is "no" or "n")
                {
                    throw KkExit.Silent(0);
                }

                if (answer is "yes" or "y")
                {
                    break;
                }
            }
        }

        _out.Result("success", LocalHost);
    }

    private bool IsMissing(string command, string node) =>
        _settings.Failures.Any(f => f.Kind == "missing" && f.Argument == command && (f.Node is null || f.Node == node));

    // The modood/table layout kk uses: one space of padding each side, +---+ borders.
    private static string Table(string[] headers, List<string[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var border = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+\n";
        string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |\n";
        var text = new StringBuilder().Append(border).Append(Row(headers)).Append(border);
        foreach (var row in rows)
        {
            text.Append(Row(row));
        }

        return text.Append(border).ToString();
    }

    private void NodeBinaries()
    {
        StartTask("NodeBinariesModule", "Download installation binaries");
        var version = _cluster.KubernetesVersion;
        var binaries = new List<(string Id, string Version)>
        {
            ("kubeadm", version), ("kubelet", version), ("kubectl", version), ("helm", "v3.14.3"), ("kubecni", "v1.2.0"),
            ("crictl", "v1.29.0"), ("etcd", "v3.5.13"),
        };
        binaries.AddRange(_cluster.ContainerManager == "docker"
            ? new[] { ("docker", "24.0.9"), ("cri-dockerd", "0.3.10") }
            : new[] { ("containerd", "1.7.13"), ("runc", "v1.1.12") });
        if (_cluster.NetworkPlugin == "calico")
        {
            binaries.Add(("calicoctl", "v3.27.3"));
        }

        var downloaded = System.IO.Path.Combine(_settings.KkDirectory, "kubekey", "sim-binaries");
        var present = System.IO.File.Exists(downloaded) ? System.IO.File.ReadAllLines(downloaded).ToHashSet(StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, binaryVersion) in binaries)
        {
            _out.Message(LocalHost, "downloading amd64 " + id + " " + binaryVersion + " ...");
            if (present.Contains(id + " " + binaryVersion))
            {
                _out.Message(LocalHost, id + " exists"); // kk reuses a download whose SHA256 matches
                continue;
            }

            CurlProgress();
            Delay(90.0 / binaries.Count);
            present.Add(id + " " + binaryVersion);
        }

        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(downloaded)!);
        System.IO.File.WriteAllLines(downloaded, present);
        _out.Result("success", LocalHost);
    }

    // kk runs `curl -L -o FILE URL` and prints every 1024-byte read of its output whole, NUL padding included
    // (kubekey@v3.1.12 cmd/kk/pkg/files/file.go), on stdout; the next log line (stderr) follows on the same line.
    private void CurlProgress()
    {
        const string meter = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
            + "                                 Dload  Upload   Total   Spent    Left  Speed\n"
            + "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
            + "\r100 43.1M  100 43.1M    0     0  9802k      0  0:00:04  0:00:04 --:--:-- 10.2M";
        _out.Print(meter + new string('\0', 1024 - meter.Length));
    }

    private void ConfigureOs()
    {
        Each("ConfigureOSModule", 20, All, "Get OS release", "Prepare to init OS", "Generate init os script", "Exec init os script");
        if (_cluster.NtpConfigured)
        {
            Simple("ConfigureOSModule", "configure the ntp server for each node", 5, All);
        }
        else
        {
            Simple("ConfigureOSModule", "configure the ntp server for each node", 0, Array.Empty<string>(), All);
        }
    }

    private void InstallContainer()
    {
        if (_cluster.ContainerManager == "docker")
        {
            Each("InstallContainerModule", 40, Kube, "Sync docker binaries", "Generate docker service", "Generate docker config", "Enable docker");
            Simple("InstallContainerModule", "Add auths to container runtime", 0, Array.Empty<string>(), Kube);
            if (_cluster.KubernetesMinor >= 24)
            {
                Each("InstallCriDockerdModule", 10, Kube, "Sync cri-dockerd binaries", "Generate cri-dockerd service", "Enable cri-dockerd", "Sync crictl binaries", "Generate crictl config");
            }

            return;
        }

        Each("InstallContainerModule", 40, Kube, "Sync containerd binaries", "Generate containerd service", "Generate containerd config", "Enable containerd", "Sync crictl binaries", "Generate crictl config");
    }

    private void PullImages()
    {
        StartTask("PullModule", "Start to pull images on all nodes");
        var version = _cluster.KubernetesVersion;
        var common = new[] { "kubesphere/pause:3.9", "kubesphere/kube-proxy:" + version, "coredns/coredns:1.9.3", "kubesphere/k8s-dns-node-cache:1.22.20", "calico/kube-controllers:v3.27.3", "calico/cni:v3.27.3", "calico/node:v3.27.3", "calico/pod2daemon-flexvol:v3.27.3" };
        var control = new[] { "kubesphere/kube-apiserver:" + version, "kubesphere/kube-controller-manager:" + version, "kubesphere/kube-scheduler:" + version };
        foreach (var node in Kube)
        {
            var images = Masters.Contains(node) ? common.Take(1).Concat(control).Concat(common.Skip(1)) : common;
            foreach (var image in images)
            {
                _out.Message(node, "downloading image: " + image);
            }

            Delay(150.0 / Kube.Count);
        }

        foreach (var node in Kube)
        {
            _out.Result("success", node);
        }
    }

    private void Etcd()
    {
        var external = _cluster.EtcdType != "kubekey";
        if (!external)
        {
            Simple("ETCDPreCheckModule", "Get etcd status", 2, EtcdNodes);
        }

        if (external)
        {
            Simple("CertsModule", "Fetch etcd certs", 1, Array.Empty<string>(), Masters);
            return;
        }

        Simple("CertsModule", "Fetch etcd certs", 1, EtcdNodes.Take(1).ToList(), EtcdNodes.Skip(1).ToList());
        Simple("CertsModule", "Generate etcd Certs", 2, new[] { LocalHost });
        Simple("CertsModule", "Synchronize certs file", 1, EtcdNodes);
        Simple("CertsModule", "Synchronize certs file to master", 1, Masters);
        Each("InstallETCDBinaryModule", 15, EtcdNodes, "Install etcd using binary", "Generate etcd service");
        Simple("InstallETCDBinaryModule", "Generate access address", 1, EtcdNodes.Take(1).ToList(), EtcdNodes.Skip(1).ToList());

        // "Health check on exist etcd" runs only where an earlier run's etcd is found; new-etcd tasks skip those nodes.
        var existing = _state.EtcdExists;
        Simple("ETCDConfigureModule", "Health check on exist etcd", 1, existing ? EtcdNodes : Array.Empty<string>(), existing ? Array.Empty<string>() : EtcdNodes);
        Simple("ETCDConfigureModule", "Generate etcd.env config on new etcd", 3, existing ? Array.Empty<string>() : EtcdNodes, existing ? EtcdNodes : Array.Empty<string>());
        Simple("ETCDConfigureModule", "Refresh etcd.env config on all etcd", 3, EtcdNodes);
        Simple("ETCDConfigureModule", "Restart etcd", 3, existing ? Array.Empty<string>() : EtcdNodes, existing ? EtcdNodes : Array.Empty<string>());
        if (!existing)
        {
            StartStandIns(ClusterArtifacts.BuildEtcdSpec(_cluster, _settings));
            System.IO.File.WriteAllText(_state.EtcdPath, string.Join("\n", EtcdNodes) + "\n");
        }

        EtcdHealthCheck();
        Simple("ETCDConfigureModule", "Refresh etcd.env config to exist mode on all etcd", 3, EtcdNodes);
        EtcdHealthCheck();
        Each("ETCDBackupModule", 5, EtcdNodes, "Backup etcd data regularly", "Generate backup ETCD service", "Generate backup ETCD timer", "Enable backup etcd service");
    }

    // HealthCheck (Retry 20): with KK_SIM_FAIL=etcd-retry the first attempt finds etcd not answering yet, as in real
    // logs (kubesphere/kubekey#1129, #2316): etcdctl's "Error:  client: …" lines inside the message block, then retry.
    private void EtcdHealthCheck()
    {
        StartTask("ETCDConfigureModule", "Health check on all etcd");
        Delay(3);
        if (_settings.Fails("etcd-retry") && !_etcdRetried)
        {
            _etcdRetried = true;
            var endpoints = string.Join(",", _cluster.Etcd.Select(h => "https://" + h.InternalAddress + ":2379"));
            foreach (var node in _cluster.Etcd)
            {
                var refused = string.Join("\n; ", _cluster.Etcd.Select((h, i) => "error #" + i.ToString(CultureInfo.InvariantCulture) + ": dial tcp " + h.InternalAddress + ":2379: connect: connection refused"));
                var causes = string.Join("\n", _cluster.Etcd.Select((h, i) => "error #" + i.ToString(CultureInfo.InvariantCulture) + ": dial tcp " + h.InternalAddress + ":2379: connect: connection refused"));
                _out.Message(node.Name, "etcd health check failed: Failed to exec command: sudo -E /bin/bash -c \"export ETCDCTL_API=2;export ETCDCTL_CERT_FILE='/etc/ssl/etcd/ssl/admin-" + node.Name + ".pem';export ETCDCTL_KEY_FILE='/etc/ssl/etcd/ssl/admin-" + node.Name + "-key.pem';export ETCDCTL_CA_FILE='/etc/ssl/etcd/ssl/ca.pem';/usr/local/bin/etcdctl --endpoints=" + endpoints + " cluster-health | grep -q 'cluster is healthy'\" \n"
                    + "Error:  client: etcd cluster is unavailable or misconfigured; " + refused + "\n\n" + causes + ": Process exited with status 1");
                _out.Result("retry", node.Name);
            }

            Delay(10);
        }

        foreach (var node in EtcdNodes)
        {
            _out.Result("success", node);
        }
    }

    // Brings up (or replaces) the stand-in server with what the cluster runs now; it outlives kk.
    private string? StartStandIns(ServeSpec spec)
    {
        _state.StopServe();
        System.IO.File.WriteAllText(_state.NodesPath, ClusterArtifacts.BuildNodeList(_cluster));
        System.IO.File.WriteAllText(_state.SpecPath, System.Text.Json.JsonSerializer.Serialize(spec, ServeSpec.Json));
        return _state.StartServe();
    }

    private void InitKubernetes()
    {
        if (_state.ClusterExists)
        {
            // ClusterIsExist{Not: true}: every init task is skipped on a cluster an earlier run made.
            foreach (var task in new[] { "Generate kubeadm config", "Generate audit policy", "Generate audit webhook", "Init cluster using kubeadm", "Copy admin.conf to ~/.kube/config", "Remove master taint" })
            {
                Simple("InitKubernetesModule", task, 0, Array.Empty<string>(), Masters);
            }

            ClusterArtifacts.WriteKubectl(_settings.BinDirectory ?? _settings.KkDirectory, ClusterArtifacts.BuildKubectlScript(_cluster, _state));
            return;
        }

        Simple("InitKubernetesModule", "Generate kubeadm config", 2, new[] { FirstMaster }, OtherMasters);
        Simple("InitKubernetesModule", "Generate audit policy", 0, Array.Empty<string>(), Masters);
        Simple("InitKubernetesModule", "Generate audit webhook", 0, Array.Empty<string>(), Masters);
        StartTask("InitKubernetesModule", "Init cluster using kubeadm");
        string? failure = null;
        if (_settings.Fails("init-timeout") && FailsThisRun("init-timeout"))
        {
            failure = KubeadmWaitTimeout(); // kubeadm reset -f follows each attempt; kk's etcd keeps running
        }
        else
        {
            var serveError = StartStandIns(ClusterArtifacts.BuildSpec(_cluster, _settings));
            if (serveError is not null)
            {
                failure = KubeadmPortInUse(serveError);
            }
            else
            {
                System.IO.File.WriteAllText(_state.ClusterPath, FirstMaster + "\n");
            }
        }

        if (failure is not null)
        {
            // KubeadmInit: Retry 3, Delay 5 s; the other masters are skipped at once, so their results print first.
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                Delay(failure.Contains("wait-control-plane", StringComparison.Ordinal) ? 240 : 10);
                _out.Message(FirstMaster, failure);
                if (attempt < 3)
                {
                    _out.Result("retry", FirstMaster);
                    Delay(5);
                }
            }

            foreach (var other in OtherMasters)
            {
                _out.Result("skipped", other);
            }

            _out.Result("failed", FirstMaster);
            throw new PipelineFailure("InitKubernetesModule", "failed: [" + FirstMaster + "] [KubeadmInit] exec failed after 3 retries: " + failure);
        }

        Delay(60);
        _out.Info("stdout: [" + FirstMaster + "]\n" + KubeadmInitOutput());
        foreach (var other in OtherMasters)
        {
            _out.Result("skipped", other);
        }

        _out.Result("success", FirstMaster);
        Simple("InitKubernetesModule", "Copy admin.conf to ~/.kube/config", 1, new[] { FirstMaster }, OtherMasters);
        ClusterArtifacts.WriteKubectl(_settings.BinDirectory ?? _settings.KkDirectory, ClusterArtifacts.BuildKubectlScript(_cluster, _state));
        var taintRemoved = _cluster.Workers.Contains(_cluster.Masters[0]);
        RemoveMasterTaint("InitKubernetesModule", taintRemoved ? new[] { FirstMaster } : Array.Empty<string>(), taintRemoved ? OtherMasters : Masters);
    }

    // A failure asked for with ":once" happens on the first run of this state folder only (a re-run then goes on).
    private bool FailsThisRun(string kind)
    {
        if (!_settings.Failures.Any(f => f.Kind == kind && f.Argument == "once"))
        {
            return true;
        }

        if (System.IO.File.Exists(_state.FailedOncePath))
        {
            return false;
        }

        System.IO.File.WriteAllText(_state.FailedOncePath, kind + "\n");
        return true;
    }

    // RemoveMasterTaint (kubekey@v3.1.12 cmd/kk/pkg/kubernetes/tasks.go) runs two kubectl taint commands with their
    // output printed; kubeadm applies only the master taint up to v1.23, both on v1.24 and only control-plane from
    // v1.25, so one of them fails on every version but v1.24. kk logs the failure as a warning and goes on: the PTY
    // puts kubectl's "error: taint … not found" into a stdout: block and into the [WARN] entry (runner.go, ssh.go).
    private void RemoveMasterTaint(string module, IReadOnlyCollection<string> nodes, IReadOnlyCollection<string> skipped)
    {
        StartTask(module, "Remove master taint");
        Delay(1);
        foreach (var node in nodes)
        {
            foreach (var role in new[] { "master", "control-plane" })
            {
                var tainted = role == "master" ? _cluster.KubernetesMinor <= 24 : _cluster.KubernetesMinor >= 24;
                if (tainted)
                {
                    _out.Info("stdout: [" + node + "]\nnode/" + node + " untainted");
                    continue;
                }

                var error = "error: taint \"node-role.kubernetes.io/" + role + ":NoSchedule\" not found";
                _out.Info("stdout: [" + node + "]\n" + error);
                _out.Log("WARN", "Failed to exec command: sudo -E /bin/bash -c \"/usr/local/bin/kubectl taint nodes " + node + " node-role.kubernetes.io/" + role + "=:NoSchedule-\" \n" + error + ": Process exited with status 1");
            }
        }

        foreach (var node in skipped)
        {
            _out.Result("skipped", node);
        }

        foreach (var node in nodes)
        {
            _out.Result("success", node);
        }
    }

    private string KubeadmFailure(string output) => "init kubernetes cluster failed: Failed to exec command: " + InitCommand + " \n" + output + ": Process exited with status 1";

    private string KubeadmWaitTimeout() => KubeadmFailure(
        "[init] Using Kubernetes version: " + _cluster.KubernetesVersion + "\n"
        + "[preflight] Running pre-flight checks\n"
        + "[preflight] Pulling images required for setting up a Kubernetes cluster\n"
        + "[certs] Using certificateDir folder \"/etc/kubernetes/pki\"\n"
        + "[kubeconfig] Using kubeconfig folder \"/etc/kubernetes\"\n"
        + "[control-plane] Using manifest folder \"/etc/kubernetes/manifests\"\n"
        + "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory \"/etc/kubernetes/manifests\". This can take up to 4m0s\n"
        + "[kubelet-check] Initial timeout of 40s passed.\n"
        + "\n"
        + "Unfortunately, an error has occurred:\n"
        + "\ttimed out waiting for the condition\n"
        + "\n"
        + "This error is likely caused by:\n"
        + "\t- The kubelet is not running\n"
        + "\t- The kubelet is unhealthy due to a misconfiguration of the node in some way (required cgroups disabled)\n"
        + "\n"
        + "If you are on a systemd-powered system, you can try to troubleshoot the error with the following commands:\n"
        + "\t- 'systemctl status kubelet'\n"
        + "\t- 'journalctl -xeu kubelet'\n"
        + "error execution phase wait-control-plane: couldn't initialize a Kubernetes cluster\n"
        + "To see the stack trace of this error execute with --v=5 or higher");

    private string KubeadmPortInUse(string serveError)
    {
        var port = serveError.Contains(":6443", StringComparison.Ordinal) || !serveError.Contains(":" + _cluster.ConsolePort, StringComparison.Ordinal)
            ? "6443"
            : _cluster.ConsolePort.ToString(CultureInfo.InvariantCulture);
        return KubeadmFailure(
            "[init] Using Kubernetes version: " + _cluster.KubernetesVersion + "\n"
            + "[preflight] Running pre-flight checks\n"
            + "error execution phase preflight: [preflight] Some fatal errors occurred:\n"
            + "\t[ERROR Port-" + port + "]: Port " + port + " is in use (" + serveError + ")\n"
            + "[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n"
            + "To see the stack trace of this error execute with --v=5 or higher");
    }

    private string KubeadmInitOutput()
    {
        var endpoint = _cluster.LbDomain + ":" + _cluster.LbPort.ToString(CultureInfo.InvariantCulture);
        var token = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        return "[init] Using Kubernetes version: " + _cluster.KubernetesVersion + "\n"
            + "[preflight] Running pre-flight checks\n"
            + "[preflight] Pulling images required for setting up a Kubernetes cluster\n"
            + "[certs] Using certificateDir folder \"/etc/kubernetes/pki\"\n"
            + "[certs] Generating \"apiserver\" certificate and key\n"
            + "[kubeconfig] Writing \"admin.conf\" kubeconfig file\n"
            + "[control-plane] Creating static Pod manifest for \"kube-apiserver\"\n"
            + "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory \"/etc/kubernetes/manifests\". This can take up to 4m0s\n"
            + "[apiclient] All control plane components are healthy after 11.503142 seconds\n"
            + "[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\" in the \"kube-system\" Namespace\n"
            + "[mark-control-plane] Marking the node " + FirstMaster + " as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]\n"
            + "[addons] Applied essential addon: CoreDNS\n"
            + "[addons] Applied essential addon: kube-proxy\n"
            + "\n"
            + "Your Kubernetes control-plane has initialized successfully!\n"
            + "\n"
            + "You can now join any number of control-plane nodes by copying certificate authorities\n"
            + "and service account keys on each node and then running the following as root:\n"
            + "\n"
            + "  kubeadm join " + endpoint + " --token " + token[..6] + "." + token[6..22] + " \\\n"
            + "\t--discovery-token-ca-cert-hash sha256:" + token + token + " \\\n"
            + "\t--control-plane";
    }

    private void JoinNodes()
    {
        // NodeInCluster{Not: true}: only nodes not yet in the cluster join (a re-run skips the others).
        var inCluster = _state.JoinedNodes.Append(FirstMaster).ToHashSet(StringComparer.Ordinal);
        var joining = Kube.Where(n => !inCluster.Contains(n)).ToList();
        var masters = OtherMasters.Where(joining.Contains).ToList();
        var workersOnly = _cluster.Workers.Except(_cluster.Masters).Select(h => h.Name).Where(joining.Contains).ToList();
        Simple("JoinNodesModule", "Generate kubeadm config", 2, joining, Kube.Except(joining).ToList());
        Simple("JoinNodesModule", "Generate audit policy", 0, Array.Empty<string>(), Kube);
        Simple("JoinNodesModule", "Generate audit webhook", 0, Array.Empty<string>(), Kube);
        Simple("JoinNodesModule", "Join control-plane node", 40, masters, Kube.Except(masters).ToList());
        Simple("JoinNodesModule", "Join worker node", 40, workersOnly, Kube.Except(workersOnly).ToList());
        Simple("JoinNodesModule", "Copy admin.conf to ~/.kube/config", 1, masters, Kube.Except(masters).ToList());
        var tainted = _cluster.Masters.Intersect(_cluster.Workers).Select(h => h.Name).Where(joining.Contains).ToList();
        RemoveMasterTaint("JoinNodesModule", tainted, Kube.Except(tainted).ToList());
        Simple("JoinNodesModule", "Add worker label to all nodes", 2, new[] { FirstMaster }, OtherMasters);
        System.IO.File.WriteAllLines(_state.ClusterPath, Kube);
    }

    private void NetworkPlugin()
    {
        switch (_cluster.NetworkPlugin)
        {
            case "calico":
                Each("DeployNetworkPluginModule", 15, new[] { FirstMaster }, OtherMasters, "Generate calico", "Deploy calico");
                break;
            case "flannel":
                Each("DeployNetworkPluginModule", 15, new[] { FirstMaster }, OtherMasters, "Generate flannel", "Deploy flannel");
                break;
            case "cilium":
                Each("DeployNetworkPluginModule", 15, new[] { FirstMaster }, OtherMasters, "Generate cilium chart", "Synchronize cilium chart", "Deploy cilium");
                break;
        }
    }

    private void SaveKubeConfig()
    {
        StartTask("SaveKubeConfigModule", "Save kube config as a configmap");
        Delay(3);
        if (_settings.CheckEndpoint)
        {
            // kk dials https://<controlPlaneEndpoint.address>:<port> from the taskbox here (kubekey.md §3.5).
            var endpoint = new SimHost { Name = LocalHost, Address = _cluster.LbAddress, InternalAddress = _cluster.LbAddress, Port = _cluster.LbPort, TimeoutSeconds = 5 };
            var error = ProbeTcp(endpoint);
            if (error is not null)
            {
                var text = "Get \"https://" + _cluster.LbAddress + ":" + _cluster.LbPort.ToString(CultureInfo.InvariantCulture) + "/api/v1/namespaces/kubekey-system\": dial tcp "
                    + _cluster.LbAddress + ":" + _cluster.LbPort.ToString(CultureInfo.InvariantCulture) + ": " + error;
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    _out.Message(LocalHost, text);
                    if (attempt < 3)
                    {
                        _out.Result("retry", LocalHost);
                        Delay(5);
                    }
                }

                _out.Result("failed", LocalHost);
                throw new PipelineFailure("SaveKubeConfigModule", "failed: [" + LocalHost + "] [SaveKubeConfig] exec failed after 3 retries: " + text);
            }
        }

        _out.Result("success", LocalHost);
    }

    private static string? ProbeTcp(SimHost endpoint)
    {
        try
        {
            using var client = new TcpClient();
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(endpoint.TimeoutSeconds));
            client.ConnectAsync(endpoint.Address, endpoint.Port, cancel.Token).AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (OperationCanceledException)
        {
            return "i/o timeout";
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode == SocketError.ConnectionRefused ? "connect: connection refused" : "connect: " + ex.Message.ToLowerInvariant();
        }
    }

    private void CheckResult()
    {
        StartTask("CheckResultModule", "Check ks-installer result");
        const string notes = "Please wait for the installation to complete: ";
        var wait = 240 / (_settings.Speed <= 0 ? double.PositiveInfinity : _settings.Speed);
        var frames = Math.Clamp((int)(wait / 0.2), 3, 50);
        for (var frame = 0; frame < frames; frame++)
        {
            var i = frame % 10;
            var text = i < 5 ? notes + new string(' ', i) + ">>--->" : notes + new string(' ', 10 - i) + "<---<<";
            _out.Print("\u001b[1A\u001b[K" + text + " \u001b[K\n");
            Delay(240.0 / frames);
        }

        _out.Print("\u001b[1A\u001b[K" + Welcome() + "\n");
        foreach (var other in OtherMasters)
        {
            _out.Result("skipped", other);
        }

        _out.Result("success", FirstMaster);
    }

    // ks-installer's kubesphere_running file (welcome.j2): Console is the first node's INTERNAL-IP in `kubectl get node -o wide`.
    private string Welcome()
    {
        var first = _cluster.KubeNodes.OrderBy(h => h.Name, StringComparer.Ordinal).First();
        return "#####################################################\n"
            + "###              Welcome to KubeSphere!           ###\n"
            + "#####################################################\n"
            + "\n"
            + "Console: http://" + first.InternalAddress + ":" + _cluster.ConsolePort.ToString(CultureInfo.InvariantCulture) + "\n"
            + "Account: admin\n"
            + "Password: " + _cluster.AdminPassword + "\n"
            + "NOTES\uFF1A\n"
            + "  1. After you log into the console, please check the\n"
            + "     monitoring status of service components in\n"
            + "     \"Cluster Management\". If any service is not\n"
            + "     ready, please wait patiently until all components\n"
            + "     are up and running.\n"
            + "\n"
            + "  2. Please change the default password after login.\n"
            + "\n"
            + "#####################################################\n"
            + "https://kubesphere.io             " + DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "\n"
            + "#####################################################";
    }

    private void StartTask(string module, string description)
    {
        _out.Info("[" + module + "] " + description);
        if (module != _module)
        {
            _module = module;
            if (string.Equals(_settings.HangAt, module, StringComparison.Ordinal))
            {
                _state.Hang(module, _settings.HangTimeout);
            }
        }
    }

    private void Simple(string module, string description, double seconds, IReadOnlyCollection<string> success, IReadOnlyCollection<string>? skipped = null)
    {
        StartTask(module, description);
        Delay(seconds);
        foreach (var node in skipped ?? Array.Empty<string>())
        {
            _out.Result("skipped", node);
        }

        foreach (var node in success)
        {
            _out.Result("success", node);
        }
    }

    private void Each(string module, double seconds, IReadOnlyCollection<string> success, params string[] descriptions) =>
        Each(module, seconds, success, Array.Empty<string>(), descriptions);

    private void Each(string module, double seconds, IReadOnlyCollection<string> success, IReadOnlyCollection<string> skipped, params string[] descriptions)
    {
        foreach (var description in descriptions)
        {
            Simple(module, description, seconds / descriptions.Length, success, skipped);
        }
    }

    private void Delay(double realSeconds)
    {
        if (_settings.Speed > 0 && realSeconds > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(realSeconds / _settings.Speed));
        }
    }

    /// <summary>A module failed: kk prints its combined error on stderr and exits 1.</summary>
    private sealed class PipelineFailure : Exception
    {
        public PipelineFailure(string module, string combinedError)
            : base(combinedError)
        {
            Module = module;
        }

        public string Module { get; }
    }
}
