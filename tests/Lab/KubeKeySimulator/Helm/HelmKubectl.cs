// Copyright (c) HaCluster contributors. MIT License.
// kubectl's view of what the helm stand-in installed: `get pods` (table, wide, json) and `rollout status`.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace HaCluster.Lab.KubeKeySimulator.Helm;

/// <summary>
/// Called by the kk simulator's kubectl stand-in for what it does not answer itself (<c>helm sim-kubectl …</c>). Output
/// follows kubectl's: the table of tests/Fixtures/helm/pods-imagepullbackoff.txt, a v1 List for <c>-o json</c> with
/// the waiting reason and image of each container, and rollout status's lines.
/// </summary>
internal static class HelmKubectl
{
    public static int Run(string[] args)
    {
        var ns = "default";
        string? output = null;
        var watch = true;
        var words = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-n" or "--namespace" && i + 1 < args.Length)
            {
                ns = args[++i];
            }
            else if (arg.StartsWith("--namespace=", StringComparison.Ordinal) || arg.StartsWith("-n=", StringComparison.Ordinal))
            {
                ns = arg[(arg.IndexOf('=') + 1)..];
            }
            else if (arg is "-o" or "--output" && i + 1 < args.Length)
            {
                output = args[++i];
            }
            else if (arg.StartsWith("-o", StringComparison.Ordinal) && arg.Length > 2)
            {
                output = arg[2..].TrimStart('=');
            }
            else if (arg.StartsWith("--output=", StringComparison.Ordinal))
            {
                output = arg["--output=".Length..];
            }
            else if (arg is "--watch=false" or "-w=false")
            {
                watch = false;
            }
            else if (!arg.StartsWith("--timeout", StringComparison.Ordinal) && !arg.StartsWith("--watch", StringComparison.Ordinal))
            {
                words.Add(arg);
            }
        }

        var cluster = HelmCluster.Find(null);
        if (cluster is null)
        {
            Console.Error.WriteLine("The connection to the server lb.kubesphere.local:6443 was refused - did you specify the right host or port?");
            return 1;
        }

        var pods = cluster.All().Where(r => r.Namespace == ns).SelectMany(cluster.Pods).ToList();
        switch (words)
        {
            case ["get", "pods" or "pod" or "po"]:
                Console.Out.Write(output switch
                {
                    "json" => Json(pods, ns),
                    "wide" => Table(pods, wide: true),
                    _ => pods.Count == 0 ? string.Empty : Table(pods, wide: false),
                });
                if (pods.Count == 0 && output is not "json")
                {
                    Console.Error.WriteLine("No resources found in " + ns + " namespace.");
                }

                return 0;
            case ["version"] when output == "json":
                // kubectl version -o json: the server's part is the apiserver's /version (the kk stand-in's Kubernetes version).
                var spec = System.Text.Json.JsonSerializer.Deserialize<ServeSpec>(System.IO.File.ReadAllText(cluster.Kk.SpecPath), ServeSpec.Json);
                var git = spec?.KubernetesVersion ?? "v1.23.17";
                // Field for field as real kubectl prints it (tests/Fixtures/kubectl, compared by KubeKeySimulatorTests).
                JsonObject Info(string v) => new()
                {
                    ["major"] = "1",
                    ["minor"] = v.TrimStart('v').Split('.').ElementAtOrDefault(1) ?? "0",
                    ["gitVersion"] = v,
                    ["gitCommit"] = "0000000000000000000000000000000000000000",
                    ["gitTreeState"] = "clean",
                    ["buildDate"] = "2024-01-01T00:00:00Z",
                    ["goVersion"] = "go1.22.5",
                    ["compiler"] = "gc",
                    ["platform"] = "linux/amd64",
                };
                Console.Out.WriteLine(new JsonObject { ["clientVersion"] = Info(git), ["kustomizeVersion"] = "v5.0.4-0.20230601165947-6ce0bf390ce3", ["serverVersion"] = Info(git) }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return 0;
            case ["rollout", "status", var target]:
                var name = target.Contains('/', StringComparison.Ordinal) ? target[(target.IndexOf('/') + 1)..] : target;
                var mine = pods.Where(p => p.Deployment == name).ToList();
                if (mine.Count == 0)
                {
                    Console.Error.WriteLine("Error from server (NotFound): deployments.apps \"" + name + "\" not found");
                    return 1;
                }

                var ready = mine.Count(p => p.Pullable);
                if (ready == mine.Count)
                {
                    Console.Out.WriteLine("deployment \"" + name + "\" successfully rolled out");
                    return 0;
                }

                Console.Out.WriteLine("Waiting for deployment \"" + name + "\" rollout to finish: " + ready.ToString(CultureInfo.InvariantCulture) + " of " + mine.Count.ToString(CultureInfo.InvariantCulture) + " updated replicas are available...");
                if (!watch)
                {
                    // kubectl rollout status --watch=false prints the status once and exits 0 whatever it is.
                    return 0;
                }

                Console.Error.WriteLine("error: timed out waiting for the condition");
                return 1;
            default:
                Console.Error.WriteLine("error: the kubectl stand-in only answers 'get nodes', 'get pods', 'rollout status' and 'version -o json' (got: " + string.Join(" ", args) + ")");
                return 1;
        }
    }

    private static string Table(IReadOnlyList<HelmPod> pods, bool wide)
    {
        var rows = pods.Select(p => new[] { p.Name, p.Pullable ? "1/1" : "0/1", p.Pullable ? "Running" : "ImagePullBackOff", "0", "4m17s", p.Node }).ToList();
        var headers = new[] { "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE" };
        var columns = wide ? 6 : 5;
        var widths = Enumerable.Range(0, columns).Select(i => Math.Max(headers[i].Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max()) + 3).ToArray();
        var text = new StringBuilder();
        foreach (var row in new[] { headers }.Concat(rows))
        {
            for (var i = 0; i < columns; i++)
            {
                text.Append(i == columns - 1 ? row[i] : row[i].PadRight(widths[i]));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Json(IReadOnlyList<HelmPod> pods, string ns)
    {
        var items = new JsonArray();
        foreach (var pod in pods)
        {
            var state = pod.Pullable
                ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-12-05T23:00:00Z" } }
                : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = "Back-off pulling image \"" + pod.Image + "\"" } };
            items.Add(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject
                {
                    ["name"] = pod.Name,
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["app"] = pod.Deployment, ["app.kubernetes.io/instance"] = "ks-core" },
                },
                ["spec"] = new JsonObject
                {
                    ["nodeName"] = pod.Node,
                    ["containers"] = new JsonArray { new JsonObject { ["name"] = pod.Deployment, ["image"] = pod.Image } },
                },
                ["status"] = new JsonObject
                {
                    ["phase"] = pod.Pullable ? "Running" : "Pending",
                    ["conditions"] = new JsonArray { new JsonObject { ["type"] = "Ready", ["status"] = pod.Pullable ? "True" : "False" } },
                    ["containerStatuses"] = new JsonArray
                    {
                        new JsonObject
                        {
                            ["name"] = pod.Deployment,
                            ["image"] = pod.Image,
                            ["ready"] = pod.Pullable,
                            ["restartCount"] = 0,
                            ["started"] = pod.Pullable,
                            ["state"] = state,
                        },
                    },
                },
            });
        }

        return new JsonObject { ["apiVersion"] = "v1", ["items"] = items, ["kind"] = "List", ["metadata"] = new JsonObject { ["resourceVersion"] = string.Empty } }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
