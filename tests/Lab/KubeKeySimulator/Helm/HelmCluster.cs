// Copyright (c) HaCluster contributors. MIT License.
// What the helm stand-in talks to: the kk simulator's cluster (found through its kubectl stand-in), the releases Helm
// keeps there, the ks-core workloads they make, and the console stand-in on the NodePort of every node.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HaCluster.Lab.KubeKeySimulator.Helm;

/// <summary>A node of the simulated cluster.</summary>
internal sealed record HelmNode(string Name, string Address, bool ControlPlane);

/// <summary>One revision of a release, as Helm stores it (in Secrets; here in a JSON file in the cluster's state folder).</summary>
internal sealed class ReleaseRevision
{
    public int Revision { get; set; }

    public string Status { get; set; } = "pending-install";

    public string Description { get; set; } = "Initial install underway";

    public string Chart { get; set; } = "ks-core";

    public string ChartVersion { get; set; } = string.Empty;

    public string AppVersion { get; set; } = string.Empty;

    public Dictionary<string, string> Values { get; set; } = new(StringComparer.Ordinal);

    public DateTime FirstDeployed { get; set; }

    public DateTime LastDeployed { get; set; }

    public string Notes { get; set; } = string.Empty;
}

/// <summary>A release's history.</summary>
internal sealed class ReleaseRecord
{
    public string Name { get; set; } = string.Empty;

    public string Namespace { get; set; } = string.Empty;

    public List<ReleaseRevision> Revisions { get; set; } = new();

    public ReleaseRevision? Last => Revisions.Count == 0 ? null : Revisions[^1];
}

/// <summary>A ks-core pod as the stand-in models it.</summary>
internal sealed record HelmPod(string Name, string Deployment, string Image, string Node, bool Pullable);

/// <summary>The cluster behind the kk simulator's kubectl stand-in, as Helm sees it.</summary>
internal sealed class HelmCluster
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static readonly string[] Deployments = { "ks-apiserver", "ks-console", "ks-controller-manager", "extensions-museum" };

    private HelmCluster(SimState kk, IReadOnlyList<HelmNode> nodes)
    {
        Kk = kk;
        Nodes = nodes;
        Directory = Path.Combine(kk.Directory, "helm");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public SimState Kk { get; }

    public IReadOnlyList<HelmNode> Nodes { get; }

    /// <summary>Where releases, the hang handshake and the console's state live.</summary>
    public string Directory { get; }

    public SimState Console => new(Path.Combine(Kk.Directory, "helm-console"));

    public string HangingPath => Path.Combine(Directory, "hanging");

    /// <summary>
    /// The cluster kubectl on this machine reaches: <c>HELM_SIM_KK_STATE</c>, else the state folder named in the kk
    /// simulator's kubectl stand-in next to this helm. Null when there is none or its apiservers are down (Helm's
    /// "Kubernetes cluster unreachable").
    /// </summary>
    public static HelmCluster? Find(string? binDirectory)
    {
        var state = Environment.GetEnvironmentVariable("HELM_SIM_KK_STATE");
        if (string.IsNullOrEmpty(state) && binDirectory is not null)
        {
            var kubectl = Path.Combine(binDirectory, "kubectl");
            if (File.Exists(kubectl))
            {
                var match = Regex.Match(File.ReadAllText(kubectl), "^state='(.*)'$", RegexOptions.Multiline);
                state = match.Success ? match.Groups[1].Value.Replace("'\\''", "'", StringComparison.Ordinal) : null;
            }
        }

        if (string.IsNullOrEmpty(state) || !System.IO.Directory.Exists(state))
        {
            return null;
        }

        var kk = new SimState(state);
        if (!SimState.IsRunning(kk.ServePidPath, "serve") || !File.Exists(kk.ReadyPath) || !File.Exists(kk.NodesPath))
        {
            return null;
        }

        var nodes = new List<HelmNode>();
        foreach (var item in JsonNode.Parse(File.ReadAllText(kk.NodesPath))?["items"]?.AsArray() ?? new JsonArray())
        {
            var labels = item?["metadata"]?["labels"]?.AsObject();
            var address = item?["status"]?["addresses"]?.AsArray().FirstOrDefault(a => (string?)a?["type"] == "InternalIP")?["address"]?.GetValue<string>();
            nodes.Add(new HelmNode(item?["metadata"]?["name"]?.GetValue<string>() ?? "node", address ?? "127.0.0.1", labels?.ContainsKey("node-role.kubernetes.io/control-plane") == true));
        }

        return new HelmCluster(kk, nodes);
    }

    public ReleaseRecord? Load(string ns, string name)
    {
        var path = RecordPath(ns, name);
        return File.Exists(path) ? JsonSerializer.Deserialize<ReleaseRecord>(File.ReadAllText(path), Json) : null;
    }

    public void Save(ReleaseRecord record) => File.WriteAllText(RecordPath(record.Namespace, record.Name), JsonSerializer.Serialize(record, Json));

    public void Delete(string ns, string name) => File.Delete(RecordPath(ns, name));

    public IEnumerable<ReleaseRecord> All() =>
        System.IO.Directory.EnumerateFiles(Directory, "release.*.json").Select(p => JsonSerializer.Deserialize<ReleaseRecord>(File.ReadAllText(p), Json)!);

    /// <summary>The pods the release's last revision runs: three replicas with ha.enabled, on the control plane first.</summary>
    public IReadOnlyList<HelmPod> Pods(ReleaseRecord? record)
    {
        var last = record?.Last;
        if (last is null || last.Status == "uninstalled")
        {
            return Array.Empty<HelmPod>();
        }

        var replicas = Flag(last.Values, "ha.enabled") ? 3 : 1;
        var registry = last.Values.TryGetValue("global.imageRegistry", out var r) && r.Length > 0 ? r : "docker.io";
        var tag = last.Values.TryGetValue("global.tag", out var t) && t.Length > 0 ? t : last.AppVersion;
        var placement = Nodes.Where(n => n.ControlPlane).Concat(Nodes.Where(n => !n.ControlPlane)).ToList();
        var pods = new List<HelmPod>();
        foreach (var deployment in Deployments)
        {
            var count = deployment == "extensions-museum" ? 1 : replicas;
            var hash = Hash(deployment + last.Revision.ToString(CultureInfo.InvariantCulture), 10);
            for (var i = 0; i < count; i++)
            {
                var image = registry + "/kubesphere/" + deployment + ":" + tag;
                var node = placement.Count == 0 ? "node" : placement[i % placement.Count].Name;
                pods.Add(new HelmPod(deployment + "-" + hash + "-" + Hash(deployment + i.ToString(CultureInfo.InvariantCulture), 5), deployment, image, node, Pullable(image)));
            }
        }

        return pods;
    }

    /// <summary>Starts the console stand-in (ks-console's NodePort answers on every node, as kube-proxy makes it).</summary>
    public string? StartConsole(int nodePort, double lifetimeSeconds)
    {
        var console = Console;
        console.StopServe();
        var spec = new ServeSpec(
            new List<Endpoint>(),
            Nodes.Select(n => new Endpoint(n.Address, nodePort)).ToList(),
            new List<string> { "ks-console.kubesphere-system.svc" },
            new List<string>(),
            "v1",
            lifetimeSeconds,
            ConsolePage: ServeSpec.KsConsole4);
        File.WriteAllText(console.SpecPath, JsonSerializer.Serialize(spec, ServeSpec.Json));
        File.WriteAllText(console.NodesPath, "{}\n");
        return console.StartServe();
    }

    public void StopConsole() => Console.StopAll();

    /// <summary>Stops the console stand-in of the kk state folder <paramref name="kkState"/> (kk-sim stop calls it).</summary>
    public static void StopConsole(string kkState)
    {
        var directory = Path.Combine(kkState, "helm-console");
        if (System.IO.Directory.Exists(directory))
        {
            new SimState(directory).StopAll();
        }
    }

    public static bool Flag(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the registry has the image: what the registry stand-in holds (<see cref="Registry.RegistryHoldings"/>: the
    /// withdrawn <c>docker.io/kubesphere/*</c> images are gone, as they are for real); <c>HELM_SIM_FAIL=image-pull:&lt;prefix&gt;</c>
    /// withdraws more from the nodes' view only (an image the preflight saw that the nodes then cannot pull).
    /// </summary>
    private static bool Pullable(string image)
    {
        if (!Registry.RegistryHoldings.Pullable(image))
        {
            return false;
        }

        return !HelmSimulator.Failures("image-pull").Any(prefix => prefix.Length > 0 && image.StartsWith(prefix, StringComparison.Ordinal));
    }

    private static string Hash(string text, int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var value = (uint)text.Aggregate(17, (h, c) => unchecked((h * 31) + c));
        var result = new char[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = alphabet[(int)(value % (uint)alphabet.Length)];
            value = (value / (uint)alphabet.Length) ^ (uint)(i * 2654435761);
        }

        return new string(result);
    }

    private string RecordPath(string ns, string name) => Path.Combine(Directory, "release." + ns + "." + name + ".json");
}
