// Copyright (c) HaCluster contributors. MIT License.
// What the simulated cluster exposes: the NodeList, the stand-in server spec, and the kubectl stand-in script.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HaCluster.Lab.KubeKeySimulator;

/// <summary>An address:port the stand-in server binds.</summary>
internal sealed record Endpoint(string Address, int Port);

/// <summary>What <c>sim serve</c> brings up (written by kk to spec.json).</summary>
internal sealed record ServeSpec(
    List<Endpoint> Apiservers,
    List<Endpoint> Consoles,
    List<string> DnsNames,
    List<string> IpAddresses,
    string KubernetesVersion,
    double LifetimeSeconds,
    List<Endpoint>? Etcd = null,
    List<Endpoint>? Kubelets = null,
    string? ConsolePage = null)
{
    /// <summary><see cref="ConsolePage"/> for KubeSphere 4's ks-console (Helm's ks-core): its real page and redirect.</summary>
    public const string KsConsole4 = "ks-console-4";

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

/// <summary>Builds the cluster's observable state from the config.</summary>
internal static class ClusterArtifacts
{
    /// <summary>What stays up once kk's etcd runs and no cluster exists yet: etcd's client and peer ports.</summary>
    public static ServeSpec BuildEtcdSpec(SimCluster cluster, SimSettings settings) =>
        BuildSpec(cluster, settings) with { Apiservers = new List<Endpoint>(), Consoles = new List<Endpoint>(), Kubelets = new List<Endpoint>() };

    public static ServeSpec BuildSpec(SimCluster cluster, SimSettings settings)
    {
        var etcd = cluster.EtcdType == "kubekey"
            ? cluster.Etcd.SelectMany(h => new[] { new Endpoint(h.InternalAddress, 2379), new Endpoint(h.InternalAddress, 2380) }).Distinct().ToList()
            : new List<Endpoint>();
        var kubelets = cluster.KubeNodes.Select(h => new Endpoint(h.InternalAddress, 10250)).Distinct().ToList();
        var apiservers = cluster.Masters
            .SelectMany(h => new[] { h.InternalAddress, h.Address })
            .Distinct(StringComparer.Ordinal)
            .Select(a => new Endpoint(a, 6443))
            .ToList();
        var consoles = cluster.KubeSphere
            ? cluster.KubeNodes.SelectMany(h => new[] { h.Address, h.InternalAddress }).Distinct(StringComparer.Ordinal).Select(a => new Endpoint(a, cluster.ConsolePort)).ToList()
            : new List<Endpoint>();
        var dns = new List<string> { "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", cluster.LbDomain, "localhost" };
        dns.AddRange(cluster.Masters.Select(m => m.Name));
        var ips = new List<string> { "127.0.0.1", "10.233.0.1", cluster.LbAddress };
        ips.AddRange(cluster.Masters.SelectMany(m => new[] { m.InternalAddress, m.Address }));
        return new ServeSpec(
            apiservers,
            consoles,
            dns.Distinct(StringComparer.Ordinal).ToList(),
            ips.Where(ip => System.Net.IPAddress.TryParse(ip, out _)).Distinct(StringComparer.Ordinal).ToList(),
            cluster.KubernetesVersion,
            settings.ServeLifetime.TotalSeconds,
            etcd,
            kubelets);
    }

    /// <summary>A v1 NodeList as <c>kubectl get nodes -o json</c> prints it, every node Ready.</summary>
    public static string BuildNodeList(SimCluster cluster)
    {
        var created = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var atLeast124 = cluster.KubernetesMinor >= 24;
        var items = new JsonArray();
        foreach (var node in cluster.KubeNodes)
        {
            var labels = new JsonObject
            {
                ["beta.kubernetes.io/arch"] = "amd64",
                ["beta.kubernetes.io/os"] = "linux",
                ["kubernetes.io/arch"] = "amd64",
                ["kubernetes.io/hostname"] = node.Name,
                ["kubernetes.io/os"] = "linux",
            };
            if (cluster.Masters.Contains(node))
            {
                labels["node-role.kubernetes.io/control-plane"] = string.Empty;
                if (!atLeast124)
                {
                    labels["node-role.kubernetes.io/master"] = string.Empty;
                }
            }

            if (cluster.Workers.Contains(node))
            {
                labels["node-role.kubernetes.io/worker"] = string.Empty;
            }

            items.Add(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Node",
                ["metadata"] = new JsonObject
                {
                    ["name"] = node.Name,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["creationTimestamp"] = created,
                    ["labels"] = labels,
                },
                ["spec"] = new JsonObject { ["podCIDR"] = "10.233.64.0/24" },
                ["status"] = new JsonObject
                {
                    ["addresses"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "InternalIP", ["address"] = node.InternalAddress },
                        new JsonObject { ["type"] = "Hostname", ["address"] = node.Name },
                    },
                    ["conditions"] = new JsonArray
                    {
                        Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", created),
                        Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", created),
                        Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", created),
                        Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", created),
                    },
                    ["nodeInfo"] = new JsonObject
                    {
                        ["architecture"] = "amd64",
                        ["containerRuntimeVersion"] = cluster.ContainerManager == "docker" ? "docker://24.0.9" : "containerd://1.7.13",
                        ["kernelVersion"] = "5.15.0-105-generic",
                        ["kubeProxyVersion"] = cluster.KubernetesVersion,
                        ["kubeletVersion"] = cluster.KubernetesVersion,
                        ["operatingSystem"] = "linux",
                        ["osImage"] = "Ubuntu 22.04.4 LTS",
                    },
                },
            });
        }

        var list = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "NodeList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
            ["items"] = items,
        };
        return list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>
    /// A kubectl stand-in answering <c>get nodes [-o json|wide]</c> from the NodeList while the stand-in servers run,
    /// and failing like kubectl against a dead apiserver once they are stopped.
    /// </summary>
    public static string BuildKubectlScript(SimCluster cluster, SimState state)
    {
        var atLeast124 = cluster.KubernetesMinor >= 24;
        var rows = new List<string[]>();
        foreach (var node in cluster.KubeNodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var roles = new List<string>();
            if (cluster.Masters.Contains(node))
            {
                roles.Add(atLeast124 ? "control-plane" : "control-plane,master");
            }

            if (cluster.Workers.Contains(node))
            {
                roles.Add("worker");
            }

            rows.Add(new[]
            {
                node.Name, "Ready", string.Join(",", roles), cluster.KubernetesVersion, node.InternalAddress, "<none>",
                "Ubuntu 22.04.4 LTS", "5.15.0-105-generic", cluster.ContainerManager == "docker" ? "docker://24.0.9" : "containerd://1.7.13",
            });
        }

        var table = PrintfTable(new[] { "NAME", "STATUS", "ROLES", "VERSION" }, rows, 4);
        var wide = PrintfTable(new[] { "NAME", "STATUS", "ROLES", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME" }, rows, 9);
        var endpoint = cluster.LbDomain + ":" + cluster.LbPort.ToString(CultureInfo.InvariantCulture);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $$"""
            #!/bin/sh
            # kubectl stand-in written by the KubeKey simulator (tests/Lab/KubeKeySimulator) for cluster '{{cluster.Name}}'.
            # Answers "get nodes [-o json|-o wide]" while the stand-in apiservers run (state: {{state.Directory}}).
            state={{Quote(state.Directory)}}
            pid=$(cat "$state/serve.pid" 2>/dev/null)
            if [ -z "$pid" ] || [ ! -d "/proc/$pid" ] || [ ! -f "$state/serve.ready" ]; then
              echo "The connection to the server {{endpoint}} was refused - did you specify the right host or port?" >&2
              exit 1
            fi
            age="$(( ($(date +%s) - {{created}}) / 60 ))m"
            args=$(echo "$*" | sed 's/--output[= ]/-o /; s/-o=/-o /; s/-ojson/-o json/; s/-owide/-o wide/')
            case "$args" in
              "get nodes -o json"|"get node -o json"|"get no -o json")
                cat "$state/nodes.json" ;;
              "get nodes"|"get node"|"get no")
                {{table}} ;;
              "get nodes -o wide"|"get node -o wide"|"get no -o wide")
                {{wide}} ;;
              *)
                # What Helm installed (pods, rollouts) is answered by the helm stand-in next to this script.
                if [ -x "$(dirname "$0")/helm" ]; then HELM_SIM_KK_STATE="$state" exec "$(dirname "$0")/helm" sim-kubectl "$@"; fi
                echo "error: the kubectl stand-in only answers 'get nodes [-o json|-o wide]' (got: $*)" >&2
                exit 1 ;;
            esac

            """;
    }

    public static void WriteKubectl(string binDirectory, string script)
    {
        Directory.CreateDirectory(binDirectory);
        var path = Path.Combine(binDirectory, "kubectl");
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    // kubectl's table: columns padded to the widest cell plus three spaces; AGE (computed by the script) after ROLES.
    private static string PrintfTable(string[] headers, List<string[]> rows, int columns)
    {
        var widths = Enumerable.Range(0, columns)
            .Select(i => Math.Max(headers[i].Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max()) + 3)
            .ToArray();
        string Line(IReadOnlyList<string> cells, string age)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < columns; i++)
            {
                if (i == 3)
                {
                    builder.Append(age);
                }

                builder.Append(i == columns - 1 ? cells[i] : cells[i].PadRight(widths[i]));
            }

            return builder.ToString();
        }

        var script = new StringBuilder();
        script.Append("    printf '%s\\n' ").Append(Quote(Line(headers, "AGE   "))).Append('\n');
        foreach (var row in rows)
        {
            var text = Line(row, "@AGE@");
            script.Append("    printf '%s\\n' \"$(echo ").Append(Quote(text)).Append(" | sed \"s/@AGE@/$(printf '%-6s' \"$age\")/\")\"\n");
        }

        return script.ToString().TrimEnd('\n');
    }

    private static JsonObject Condition(string type, string status, string reason, string message, string time) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastHeartbeatTime"] = time,
        ["lastTransitionTime"] = time,
    };

    /// <summary>Single-quotes a value for /bin/sh.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
