// Copyright (c) HaCluster contributors. MIT License.
// `helm` in the lab: Helm 3.18's command line and output for what installing ks-core needs (upgrade --install, status,
// list, uninstall, rollback, show chart, version), against the kk simulator's cluster, failing the ways Helm fails.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using YamlDotNet.RepresentationModel;

namespace HaCluster.Lab.KubeKeySimulator.Helm;

/// <summary>
/// The helm stand-in. Knobs: <c>HELM_SIM_SPEED</c> (default 300: a 30m --timeout runs out in 6 s), <c>HELM_SIM_FAIL</c>
/// (<c>image-pull:&lt;image prefix&gt;</c>, <c>hang</c>), <c>HELM_SIM_CHARTS</c> (more charts the registry holds:
/// <c>ref=version:appVersion;…</c>), <c>HELM_SIM_KK_STATE</c>. See tests/Lab/KubeKeySimulator/README.md.
/// </summary>
internal static class HelmSimulator
{
    public const string Version = "v3.18.5";
    private const string GitCommit = "b78692c18f0fb38fe5ba4571a674de067a4c53a5";

    public static int Run(string[] args)
    {
        try
        {
            return args switch
            {
                ["sim-kubectl", .. var rest] => HelmKubectl.Run(rest),
                ["version", .. var rest] => VersionCommand(HelmCommandLine.Parse(rest)),
                ["show", "chart", .. var rest] => ShowChart(HelmCommandLine.Parse(rest)),
                ["upgrade", .. var rest] => Upgrade(HelmCommandLine.Parse(rest)),
                ["status", .. var rest] => Status(HelmCommandLine.Parse(rest)),
                ["list" or "ls", .. var rest] => List(HelmCommandLine.Parse(rest)),
                ["uninstall" or "delete" or "un", .. var rest] => Uninstall(HelmCommandLine.Parse(rest)),
                ["rollback", .. var rest] => Rollback(HelmCommandLine.Parse(rest)),
                [var other, ..] => throw new HelmError("unknown command \"" + other + "\" for \"helm\"\nRun 'helm --help' for usage."),
                [] => throw new HelmError("the helm stand-in needs a command"),
            };
        }
        catch (HelmError error)
        {
            Console.Error.WriteLine("Error: " + error.Message);
            return 1;
        }
    }

    /// <summary>The arguments of the <c>HELM_SIM_FAIL</c> entries of <paramref name="kind"/> (<c>hang</c> → one empty string).</summary>
    public static IEnumerable<string> Failures(string kind) =>
        (Environment.GetEnvironmentVariable("HELM_SIM_FAIL") ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(e => e == kind || e.StartsWith(kind + ":", StringComparison.Ordinal))
            .Select(e => e.Length > kind.Length ? e[(kind.Length + 1)..] : string.Empty);

    private static double Speed =>
        double.TryParse(Environment.GetEnvironmentVariable("HELM_SIM_SPEED"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 300;

    private static string? BinDirectory =>
        Environment.GetEnvironmentVariable("KK_SIM_BIN") is { Length: > 0 } bin ? bin
            : Environment.GetEnvironmentVariable("KK_SIM_ARGV0") is { Length: > 0 } argv0 ? Path.GetDirectoryName(Path.GetFullPath(argv0)) : null;

    private static HelmCluster Cluster() => HelmCluster.Find(BinDirectory)
        ?? throw new HelmError("Kubernetes cluster unreachable: Get \"http://localhost:8080/version\": dial tcp 127.0.0.1:8080: connect: connection refused");

    private static int VersionCommand(HelmCommandLine line)
    {
        Console.Out.WriteLine(line.Has("--short")
            ? Version + "+g" + GitCommit[..7]
            : "version.BuildInfo{Version:\"" + Version + "\", GitCommit:\"" + GitCommit + "\", GitTreeState:\"clean\", GoVersion:\"go1.24.5\"}");
        return 0;
    }

    private static int ShowChart(HelmCommandLine line)
    {
        if (line.Positional.Count != 1)
        {
            throw new HelmError("\"helm show chart\" requires 1 argument\n\nUsage:  helm show chart [CHART] [flags]");
        }

        var (version, appVersion) = Locate(line.Positional[0], line.Value("--version"));
        Console.Out.WriteLine("apiVersion: v2\nappVersion: " + appVersion + "\ndescription: A Helm chart for KubeSphere Core components\nname: ks-core\ntype: application\nversion: " + version);
        return 0;
    }

    /// <summary>Finds a chart as Helm's LocateChart does, with Helm's errors for what is not there.</summary>
    private static (string Version, string AppVersion) Locate(string reference, string? version)
    {
        if (reference.StartsWith("oci://", StringComparison.Ordinal))
        {
            var path = reference["oci://".Length..];
            if (path.Contains(':', StringComparison.Ordinal) && !path.Split('/')[0].Contains(':', StringComparison.Ordinal))
            {
                throw new HelmError("invalid_reference: invalid tag");
            }

            var versions = Charts().TryGetValue(reference, out var known) ? known : null;
            if (string.IsNullOrEmpty(version))
            {
                if (versions is null || versions.Count == 0)
                {
                    throw new HelmError("Unable to locate any tags in provided repository: " + reference);
                }

                version = versions.Keys.OrderBy(v => v, StringComparer.Ordinal).Last();
            }

            if (versions is null || !versions.TryGetValue(version, out var app))
            {
                throw new HelmError("failed to perform \"FetchReference\" on source: " + path + ":" + version + ": not found");
            }

            return (version, app);
        }

        if (reference.StartsWith("https://", StringComparison.Ordinal) || reference.StartsWith("http://", StringComparison.Ordinal))
        {
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            if (Charts().TryGetValue(reference, out var fromUrl) && fromUrl.Count > 0)
            {
                var first = fromUrl.First();
                return (first.Key, first.Value);
            }

            // charts.kubesphere.io no longer serves the ks-core archives (kubesphere#6580).
            throw new HelmError("failed to fetch " + reference + " : 404 Not Found");
        }

        if (reference.EndsWith(".tgz", StringComparison.Ordinal) || reference.StartsWith("/", StringComparison.Ordinal) || reference.StartsWith(".", StringComparison.Ordinal))
        {
            if (!File.Exists(reference) && !Directory.Exists(reference))
            {
                throw new HelmError("path \"" + reference + "\" not found");
            }

            var file = Path.GetFileNameWithoutExtension(reference);
            var chartVersion = file.StartsWith("ks-core-", StringComparison.Ordinal) ? file["ks-core-".Length..] : "1.1.5";
            if (!string.IsNullOrEmpty(version) && version != chartVersion)
            {
                throw new HelmError("chart \"ks-core\" version \"" + chartVersion + "\" does not satisfy \"" + version + "\"");
            }

            return (chartVersion, chartVersion.StartsWith("1.1", StringComparison.Ordinal) ? "v4.1.3" : "v4.2.1");
        }

        throw new HelmError("repo " + reference.Split('/')[0] + " not found");
    }

    private static Dictionary<string, Dictionary<string, string>> Charts()
    {
        var charts = Registry.RegistryHoldings.Charts.ToDictionary(p => p.Key, p => new Dictionary<string, string>(p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var entry in (Environment.GetEnvironmentVariable("HELM_SIM_CHARTS") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.LastIndexOf('=');
            var parts = entry[(equals + 1)..].Split(':');
            var reference = entry[..equals];
            if (!charts.TryGetValue(reference, out var versions))
            {
                charts[reference] = versions = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            versions[parts[0]] = parts.Length > 1 ? parts[1] : "v4.2.1";
        }

        return charts;
    }

    private static int Upgrade(HelmCommandLine line)
    {
        if (line.Positional.Count != 2)
        {
            throw new HelmError("\"helm upgrade\" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]");
        }

        var name = line.Positional[0];
        var ns = line.Namespace;
        var timeout = line.Timeout;
        var values = ReadValues(line);
        var cluster = Cluster();
        var record = cluster.Load(ns, name);
        var last = record?.Last;
        var installing = last is null || last.Status == "uninstalled";
        if (!installing && line.Has("--install") == false && last is null)
        {
            throw new HelmError("UPGRADE FAILED: \"" + name + "\" has no deployed releases");
        }

        if (installing && !line.Has("--install"))
        {
            throw new HelmError("UPGRADE FAILED: \"" + name + "\" has no deployed releases");
        }

        if (installing)
        {
            Console.Out.WriteLine("Release \"" + name + "\" does not exist. Installing it now.");
        }
        else if (last!.Status is "pending-install" or "pending-upgrade" or "pending-rollback")
        {
            throw new HelmError("UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress");
        }

        var (version, appVersion) = Locate(line.Positional[1], line.Value("--version"));
        if (installing && ns != "default" && !line.Has("--create-namespace") && record is null)
        {
            throw new HelmError("create: failed to create: namespaces \"" + ns + "\" not found");
        }

        if (ns != "kubesphere-system")
        {
            // config/ks-core/templates/kubesphere-config.yaml: the chart refuses any other namespace.
            throw new HelmError((installing ? string.Empty : "UPGRADE FAILED: ") + "execution error at (ks-core/templates/kubesphere-config.yaml:1:4): KubeSphere must be installed in namespace kubesphere-system");
        }

        if (!installing && !line.Has("--reset-values") && !line.Has("--reuse-values"))
        {
            // Helm 3 reuses the last release's values when none are given; with -f/--set it starts from the chart's.
            if (values.Count == 0)
            {
                values = new Dictionary<string, string>(last!.Values, StringComparer.Ordinal);
            }
        }

        record ??= new ReleaseRecord { Name = name, Namespace = ns };
        var now = DateTime.Now;
        var revision = new ReleaseRevision
        {
            Revision = (last?.Revision ?? 0) + 1,
            Status = installing ? "pending-install" : "pending-upgrade",
            Description = installing ? "Initial install underway" : "Preparing upgrade",
            ChartVersion = version,
            AppVersion = appVersion,
            Values = values,
            FirstDeployed = record.Revisions.FirstOrDefault()?.FirstDeployed ?? now,
            LastDeployed = now,
        };
        revision.Notes = Notes(cluster, revision);
        record.Revisions.Add(revision);
        cluster.Save(record);

        if (Failures("hang").Any())
        {
            Hang(cluster);
        }

        var failure = line.Has("--wait") ? Wait(cluster, record, timeout, line.Has("--debug")) : null;
        if (failure is not null)
        {
            revision.Status = "failed";
            revision.Description = (installing ? "Release \"" + name + "\" failed: " : "Upgrade \"" + name + "\" failed: ") + failure;
            cluster.Save(record);
            throw new HelmError(installing ? failure : "UPGRADE FAILED: " + failure);
        }

        foreach (var earlier in record.Revisions.Where(r => r != revision && r.Status == "deployed"))
        {
            earlier.Status = "superseded";
        }

        revision.Status = "deployed";
        revision.Description = installing ? "Install complete" : "Upgrade complete";
        cluster.Save(record);
        var nodePort = int.TryParse(values.GetValueOrDefault("console.nodePort"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : 30880;
        if (cluster.Pods(record).Any(p => p.Deployment == "ks-console" && p.Pullable))
        {
            var error = cluster.StartConsole(nodePort, ReadTtl());
            if (error is not null)
            {
                Console.Error.WriteLine("Error: " + (installing ? string.Empty : "UPGRADE FAILED: ") + "failed to create resource: Service \"ks-console\" is invalid: spec.ports[0].nodePort: Invalid value: " + nodePort.ToString(CultureInfo.InvariantCulture) + ": provided port is already allocated (" + error + ")");
                return 1;
            }
        }

        if (!installing)
        {
            Console.Out.WriteLine("Release \"" + name + "\" has been upgraded. Happy Helming!");
        }

        PrintStatus(record, revision);
        return 0;
    }

    private static double ReadTtl() =>
        double.TryParse(Environment.GetEnvironmentVariable("KK_SIM_TTL"), NumberStyles.Float, CultureInfo.InvariantCulture, out var ttl) ? ttl : 7200;

    // --wait: every Deployment's pods ready, or the deadline (scaled by HELM_SIM_SPEED) passes.
    private static string? Wait(HelmCluster cluster, ReleaseRecord record, TimeSpan timeout, bool debug)
    {
        var pods = cluster.Pods(record);
        var stuck = pods.Where(p => !p.Pullable).ToList();
        Debug(debug, "wait.go:50", "beginning wait for " + (pods.Select(p => p.Deployment).Distinct().Count() + 3).ToString(CultureInfo.InvariantCulture) + " resources with timeout of " + HelmCommandLine.GoDuration(timeout));
        var scaled = Speed <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(timeout.TotalSeconds / Speed);
        if (stuck.Count == 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(Math.Min(scaled.TotalSeconds, Speed <= 0 ? 0 : 90 / Speed)));
            return null;
        }

        var deadline = DateTime.UtcNow + scaled;
        do
        {
            foreach (var deployment in stuck.Select(p => p.Deployment).Distinct())
            {
                var total = pods.Count(p => p.Deployment == deployment);
                Debug(debug, "ready.go:303", "Deployment is not ready: " + record.Namespace + "/" + deployment + ". 0 out of " + total.ToString(CultureInfo.InvariantCulture) + " expected pods are ready");
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(10, Math.Min(2000, scaled.TotalMilliseconds / 4))));
        }
        while (DateTime.UtcNow < deadline);
        return "context deadline exceeded";
    }

    private static void Debug(bool on, string where, string message)
    {
        if (on)
        {
            Console.Error.WriteLine(where + ": " + DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss.fffffff zzz", CultureInfo.InvariantCulture) + " [debug] " + message);
        }
    }

    // HELM_SIM_FAIL=hang: the release stays pending-install until the process is killed (or HELM_SIM_HANG_SECONDS).
    private static void Hang(HelmCluster cluster)
    {
        File.WriteAllText(cluster.HangingPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("HELM_SIM_HANG_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 600;
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        File.Delete(cluster.HangingPath);
    }

    // config/ks-core/templates/NOTES.txt @helm-chart-1.1.5 with the first control-plane node's InternalIP.
    private static string Notes(HelmCluster cluster, ReleaseRevision revision)
    {
        var address = cluster.Nodes.FirstOrDefault(n => n.ControlPlane)?.Address ?? "127.0.0.1";
        var port = revision.Values.GetValueOrDefault("console.nodePort") is { Length: > 0 } p ? p : "30880";
        var password = revision.Values.GetValueOrDefault("authentication.adminPassword") is { Length: > 0 } pw ? pw : "P@88w0rd";
        return "Thank you for choosing KubeSphere Helm Chart.\n\nPlease be patient and wait for several seconds for the KubeSphere deployment to complete.\n\n"
            + "1. Wait for Deployment Completion\n\n    Confirm that all KubeSphere components are running by executing the following command:\n\n    kubectl get pods -n kubesphere-system\n"
            + "2. Access the KubeSphere Console\n\n    Once the deployment is complete, you can access the KubeSphere console using the following URL:  \n\n"
            + "    http://" + address + ":" + port + "\n\n"
            + "3. Login to KubeSphere Console\n\n    Use the following credentials to log in:\n\n    Account: admin\n    Password: " + password + "\n\n"
            + "NOTE: It is highly recommended to change the default password immediately after the first login.\nFor additional information and details, please visit https://kubesphere.io.";
    }

    // cmd/helm/status.go's table printer.
    private static void PrintStatus(ReleaseRecord record, ReleaseRevision revision, bool notes = true)
    {
        var text = new StringBuilder();
        text.Append("NAME: ").Append(record.Name).Append('\n');
        text.Append("LAST DEPLOYED: ").Append(Ansic(revision.LastDeployed)).Append('\n');
        text.Append("NAMESPACE: ").Append(record.Namespace).Append('\n');
        text.Append("STATUS: ").Append(revision.Status).Append('\n');
        text.Append("REVISION: ").Append(revision.Revision.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("TEST SUITE: None\n");
        if (notes && revision.Notes.Length > 0)
        {
            text.Append("NOTES:\n").Append(revision.Notes.Trim()).Append('\n');
        }

        Console.Out.Write(text.ToString());
    }

    // Go's time.ANSIC: "Mon Jan _2 15:04:05 2006".
    private static string Ansic(DateTime time) =>
        time.ToString("ddd MMM ", CultureInfo.InvariantCulture) + time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + time.ToString(" HH:mm:ss yyyy", CultureInfo.InvariantCulture);

    private static string Rfc3339(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    private static int Status(HelmCommandLine line)
    {
        if (line.Positional.Count != 1)
        {
            throw new HelmError("\"helm status\" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]");
        }

        var record = Cluster().Load(line.Namespace, line.Positional[0]);
        var last = record?.Last;
        if (record is null || last is null || last.Status == "uninstalled")
        {
            throw new HelmError("release: not found");
        }

        if (line.Value("--output") is "json")
        {
            var config = new JsonObject();
            foreach (var (key, value) in last.Values)
            {
                Put(config, key, value);
            }

            var json = new JsonObject
            {
                ["name"] = record.Name,
                ["info"] = new JsonObject
                {
                    ["first_deployed"] = Rfc3339(last.FirstDeployed),
                    ["last_deployed"] = Rfc3339(last.LastDeployed),
                    ["deleted"] = string.Empty,
                    ["description"] = last.Description,
                    ["status"] = last.Status,
                    ["notes"] = last.Notes,
                },
                ["chart"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = last.Chart,
                        ["version"] = last.ChartVersion,
                        ["description"] = "A Helm chart for KubeSphere Core components",
                        ["apiVersion"] = "v2",
                        ["appVersion"] = last.AppVersion,
                        ["type"] = "application",
                    },
                },
                ["config"] = config,
                ["manifest"] = "---\n# Source: ks-core/templates/ks-console.yaml\n",
                ["version"] = last.Revision,
                ["namespace"] = record.Namespace,
            };
            Console.Out.WriteLine(json.ToJsonString());
            return 0;
        }

        PrintStatus(record, last, notes: !line.Has("--hide-notes"));
        return 0;
    }

    private static int List(HelmCommandLine line)
    {
        var all = line.Has("--all");
        var releases = Cluster().All()
            .Where(r => line.Has("--all-namespaces") || r.Namespace == line.Namespace)
            .Where(r => r.Last is { } last && (all || line.Has("--pending") ? last.Status != "uninstalled" : last.Status is "deployed" or "failed"))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        if (line.Value("--output") is "json")
        {
            var array = new JsonArray();
            foreach (var r in releases)
            {
                array.Add(new JsonObject
                {
                    ["name"] = r.Name,
                    ["namespace"] = r.Namespace,
                    ["revision"] = r.Last!.Revision.ToString(CultureInfo.InvariantCulture),
                    ["updated"] = r.Last.LastDeployed.ToString("yyyy-MM-dd HH:mm:ss.fffffff zzz", CultureInfo.InvariantCulture) + " " + TimeZoneInfo.Local.StandardName,
                    ["status"] = r.Last.Status,
                    ["chart"] = r.Last.Chart + "-" + r.Last.ChartVersion,
                    ["app_version"] = r.Last.AppVersion,
                });
            }

            Console.Out.WriteLine(array.ToJsonString());
            return 0;
        }

        Console.Out.WriteLine("NAME   \tNAMESPACE        \tREVISION\tUPDATED\tSTATUS  \tCHART        \tAPP VERSION");
        foreach (var r in releases)
        {
            Console.Out.WriteLine(string.Join("\t", r.Name, r.Namespace, r.Last!.Revision.ToString(CultureInfo.InvariantCulture), r.Last.LastDeployed.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), r.Last.Status, r.Last.Chart + "-" + r.Last.ChartVersion, r.Last.AppVersion));
        }

        return 0;
    }

    private static int Uninstall(HelmCommandLine line)
    {
        if (line.Positional.Count < 1)
        {
            throw new HelmError("\"helm uninstall\" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]");
        }

        var cluster = Cluster();
        foreach (var name in line.Positional)
        {
            var record = cluster.Load(line.Namespace, name);
            if (record?.Last is null || record.Last.Status == "uninstalled")
            {
                if (line.Has("--ignore-not-found"))
                {
                    continue;
                }

                throw new HelmError("uninstall: Release not loaded: " + name + ": release: not found");
            }

            cluster.StopConsole();
            cluster.Delete(line.Namespace, name);
            Console.Out.WriteLine("release \"" + name + "\" uninstalled");
        }

        return 0;
    }

    private static int Rollback(HelmCommandLine line)
    {
        if (line.Positional.Count < 1)
        {
            throw new HelmError("\"helm rollback\" requires at least 1 argument\n\nUsage:  helm rollback <RELEASE> [REVISION] [flags]");
        }

        var cluster = Cluster();
        var record = cluster.Load(line.Namespace, line.Positional[0]);
        var target = line.Positional.Count > 1 && int.TryParse(line.Positional[1], out var wanted)
            ? record?.Revisions.FirstOrDefault(r => r.Revision == wanted)
            : record?.Revisions.LastOrDefault(r => r.Status is "superseded" or "deployed");
        if (record?.Last is null || target is null)
        {
            throw new HelmError("release has no " + (line.Positional.Count > 1 ? line.Positional[1] : "previous") + " version");
        }

        foreach (var r in record.Revisions.Where(r => r.Status is "deployed" or "pending-upgrade" or "pending-install"))
        {
            r.Status = r.Status == "deployed" ? "superseded" : "failed";
        }

        record.Revisions.Add(new ReleaseRevision
        {
            Revision = record.Last.Revision + 1,
            Status = "deployed",
            Description = "Rollback to " + target.Revision.ToString(CultureInfo.InvariantCulture),
            ChartVersion = target.ChartVersion,
            AppVersion = target.AppVersion,
            Values = target.Values,
            FirstDeployed = target.FirstDeployed,
            LastDeployed = DateTime.Now,
            Notes = target.Notes,
        });
        cluster.Save(record);
        Console.Out.WriteLine("Rollback was a success! Happy Helming!");
        return 0;
    }

    // -f files (YAML, merged in order), then --set a.b=c,d=e (pkg/strvals: later wins).
    private static Dictionary<string, string> ReadValues(HelmCommandLine line)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in line.Values("--values"))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new HelmError("open " + file + ": no such file or directory");
            }

            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlDotNet.Core.YamlException ex)
            {
                throw new HelmError("failed to parse " + file + ": error converting YAML to JSON: yaml: line " + ex.Start.Line.ToString(CultureInfo.InvariantCulture) + ": " + ex.Message);
            }

            if (stream.Documents.Count > 0)
            {
                Flatten(stream.Documents[0].RootNode, string.Empty, values);
            }
        }

        foreach (var set in line.Values("--set"))
        {
            foreach (var pair in set.Split(','))
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0)
                {
                    throw new HelmError("failed parsing --set data: key \"" + pair + "\" has no value");
                }

                values[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return values;
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string> into)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    Flatten(value, (prefix.Length == 0 ? string.Empty : prefix + ".") + ((YamlScalarNode)key).Value, into);
                }

                break;
            case YamlScalarNode scalar:
                into[prefix] = scalar.Value ?? string.Empty;
                break;
            default:
                into[prefix] = node.ToString();
                break;
        }
    }

    private static void Put(JsonObject root, string dotted, string value)
    {
        var parts = dotted.Split('.');
        var map = root;
        foreach (var part in parts.Take(parts.Length - 1))
        {
            if (map[part] is not JsonObject next)
            {
                map[part] = next = new JsonObject();
            }

            map = next;
        }

        map[parts[^1]] = value is "true" or "false" ? JsonValue.Create(value == "true") : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(value);
    }
}
