// Copyright (c) HaCluster contributors. MIT License.
// Reads kk config files (v1alpha1 and v1alpha2) into ClusterConfig and writes kk's v1alpha2 shape.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The YAML reader and writer for KubeKey configs. <see cref="Write"/> produces the multi-document
/// text kk v3 reads (what gets uploaded next to kk); <see cref="Read"/> accepts that, the v1alpha1
/// files of kk v1 (<c>master:</c> role key, quoted ports) and role ranges such as <c>node[1:3]</c>.
/// Keys the model does not know are kept, so <c>Write(Read(x))</c> loses nothing.
/// </summary>
public static class ClusterConfigYaml
{
    /// <summary>Error id: a value has the wrong type (e.g. <c>port: abc</c>).</summary>
    public const string ValueInvalidErrorId = "ConfigValueInvalid";

    /// <summary>Error id: the text has no <c>kind: Cluster</c> document.</summary>
    public const string ClusterDocumentMissingErrorId = "ConfigClusterDocumentMissing";

    /// <summary>Error id: the text has two Cluster documents.</summary>
    public const string ClusterDocumentDuplicateErrorId = "ConfigClusterDocumentDuplicate";

    /// <summary>Error id: a role range such as <c>node[3:1]</c> is backwards or too large.</summary>
    public const string RangeInvalidErrorId = "RoleGroupRangeInvalid";

    private const int MaxRangeSize = 10000;

    private static readonly Regex Range = new(@"^(?<prefix>[^\[]*)\[(?<from>\d+):(?<to>\d+)\](?<suffix>.*)$", RegexOptions.CultureInvariant);

    /// <summary>Parses a kk config.</summary>
    /// <param name="yaml">The file's text.</param>
    /// <param name="source">File name used in error messages and as error target.</param>
    /// <returns>The config.</returns>
    /// <exception cref="HaClusterException">ConfigYamlInvalid, ConfigValueInvalid, ConfigClusterDocumentMissing, ConfigClusterDocumentDuplicate, RoleGroupRangeInvalid.</exception>
    public static ClusterConfig Read(string yaml, string source = "config")
    {
        YMap? cluster = null;
        KubeSphereSettings? kubeSphere = null;
        var others = new List<YNode>();
        foreach (var document in YamlText.Parse(yaml, source))
        {
            var map = document as YMap;
            var kind = map?.GetString("kind");

            // The tutorial's snippets have no apiVersion/kind: a bare spec with hosts is a Cluster too.
            if (map is not null && (kind == "Cluster" || (kind is null && map.Find("spec", "hosts") is not null)))
            {
                if (cluster is not null)
                {
                    throw new HaClusterException(ClusterDocumentDuplicateErrorId, FailureKind.InvalidData, $"{source} has more than one Cluster document.", source);
                }

                cluster = map;
            }
            else if (map is not null && kubeSphere is null &&
                (kind == "ClusterConfiguration" || (kind == "ConfigMap" && (map["metadata"] as YMap)?.GetString("name") == "ks-installer")))
            {
                kubeSphere = new KubeSphereSettings(map);
            }
            else
            {
                others.Add(document);
            }
        }

        if (cluster is null)
        {
            throw new HaClusterException(
                ClusterDocumentMissingErrorId,
                FailureKind.InvalidData,
                $"{source} has no KubeKey cluster document (kind: Cluster with spec.hosts).",
                source);
        }

        var spec = RequireMap(cluster, "spec", "spec", source) ?? cluster.GetOrAddMap("spec");
        var config = new ClusterConfig(cluster, cluster.GetString("apiVersion")) { KubeSphere = kubeSphere };
        config.OtherDocuments.AddRange(others);
        ReadHosts(spec, config, source);
        ReadRoleGroups(spec, config.RoleGroups, source);
        if (RequireMap(spec, "controlPlaneEndpoint", "spec.controlPlaneEndpoint", source) is { } endpoint)
        {
            RequireInt(endpoint, "port", "spec.controlPlaneEndpoint.port", source);
        }

        return config;
    }

    /// <summary>Writes the config as kk v3 expects it: the Cluster document, then the KubeSphere document, then any others.</summary>
    /// <param name="config">The config.</param>
    /// <returns>Multi-document YAML. It contains host passwords in clear text: write it only to private files.</returns>
    public static string Write(ClusterConfig config)
    {
        var document = (YMap)config.Document.Clone();
        document.SetAt(0, "apiVersion", YScalar.String(ClusterConfig.ApiVersion));
        document.SetAt(1, "kind", YScalar.String("Cluster"));
        document.SetAt(2, "metadata", document["metadata"] as YMap ?? new YMap());
        ((YMap)document["metadata"]!).Set("name", YScalar.String(config.Name));
        document.SetAt(3, "spec", document["spec"] as YMap ?? new YMap());
        var spec = (YMap)document["spec"]!;
        spec.SetAt(0, "hosts", new YSeq(config.Hosts.Select(WriteHost)));
        spec.SetAt(1, "roleGroups", WriteRoleGroups(config.RoleGroups));
        spec.SetAt(2, "controlPlaneEndpoint", spec["controlPlaneEndpoint"] as YMap ?? new YMap());
        new ControlPlaneEndpoint(spec).Normalize();

        var documents = new List<YNode> { document };
        if (config.KubeSphere is not null)
        {
            documents.Add(config.KubeSphere.Document.Clone());
        }

        documents.AddRange(config.OtherDocuments.Select(d => d.Clone()));
        return YamlText.Emit(documents);
    }

    /// <summary>Expands kk's range syntax: <c>node[1:3]</c> is node1, node2, node3 (numbers without padding, as kk does).</summary>
    /// <param name="entry">A role group entry.</param>
    /// <returns>The names.</returns>
    /// <exception cref="HaClusterException">RoleGroupRangeInvalid when the range is backwards or huge.</exception>
    public static IEnumerable<string> ExpandRange(string entry)
    {
        var match = Range.Match(entry);
        if (!match.Success)
        {
            return new[] { entry };
        }

        if (!int.TryParse(match.Groups["from"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var from) ||
            !int.TryParse(match.Groups["to"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var to) ||
            to < from || to - from >= MaxRangeSize)
        {
            throw new HaClusterException(
                RangeInvalidErrorId,
                FailureKind.InvalidData,
                $"Role group entry '{entry}' is not a valid range: write [first:last] with first <= last.",
                entry);
        }

        var prefix = match.Groups["prefix"].Value;
        var suffix = match.Groups["suffix"].Value;
        return Enumerable.Range(from, to - from + 1).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture) + suffix);
    }

    private static void ReadHosts(YMap spec, ClusterConfig config, string source)
    {
        var hosts = spec["hosts"];
        if (hosts is null || hosts is YScalar { IsNull: true })
        {
            return;
        }

        if (hosts is not YSeq list)
        {
            throw Invalid("spec.hosts", "a list of hosts", source);
        }

        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"spec.hosts[{i.ToString(CultureInfo.InvariantCulture)}]";
            var entry = list.Items[i] as YMap ?? throw Invalid(path, "a mapping with name, address, ...", source);
            config.Hosts.Add(ReadHost(entry, path, source));
        }
    }

    private static HaHost ReadHost(YMap entry, string path, string source)
    {
        string? Text(string key) => entry[key] switch
        {
            null => null,
            YScalar scalar => scalar.IsNull ? null : scalar.Value,
            _ => throw Invalid($"{path}.{key}", "a single value", source),
        };

        var address = Text("address");
        var internalAddress = Text("internalAddress");

        // kk copies each address into the other when one is missing.
        var host = new HaHost(Text("name") ?? string.Empty, string.IsNullOrEmpty(address) ? internalAddress ?? string.Empty : address!)
        {
            InternalAddress = internalAddress ?? string.Empty,
            Port = RequireInt(entry, "port", $"{path}.port", source) ?? HaHost.DefaultPort,
            User = Text("user") ?? HaHost.DefaultUser,
            PrivateKeyPath = Text("privateKeyPath"),
            Arch = Text("arch") ?? HaHost.DefaultArch,
        };
        if (Text("password") is { } password)
        {
            host.Password = Secrets.Protect(password);
        }

        foreach (var item in entry.Entries)
        {
            switch (item.Key)
            {
                case "name" or "address" or "internalAddress" or "port" or "user" or "password" or "privateKeyPath" or "arch":
                    break;
                case "labels" when item.Value is YMap labels:
                    foreach (var label in labels.Entries)
                    {
                        host.Labels[label.Key] = (label.Value as YScalar)?.Value ?? throw Invalid($"{path}.labels.{label.Key}", "a single value", source);
                    }

                    break;
                default:
                    host.Extra.Set(item.Key, item.Value.Clone());
                    break;
            }
        }

        return host;
    }

    private static void ReadRoleGroups(YMap spec, RoleGroups groups, string source)
    {
        var map = RequireMap(spec, "roleGroups", "spec.roleGroups", source);
        if (map is null)
        {
            return;
        }

        foreach (var entry in map.Entries)
        {
            var target = entry.Key switch
            {
                "etcd" => groups.Etcd,
                "master" or "control-plane" => groups.ControlPlane,
                "worker" => groups.Worker,
                _ => null,
            };
            if (target is null)
            {
                groups.Extra.Set(entry.Key, entry.Value.Clone());
                continue;
            }

            var items = entry.Value switch
            {
                YSeq seq => seq.Items,
                YScalar { IsNull: true } => new List<YNode>(),
                YScalar scalar => new List<YNode> { scalar },
                _ => throw Invalid($"spec.roleGroups.{entry.Key}", "a list of host names", source),
            };
            foreach (var item in items)
            {
                var name = item as YScalar ?? throw Invalid($"spec.roleGroups.{entry.Key}", "a list of host names", source);
                foreach (var expanded in ExpandRange(name.Value).Where(n => !target.Contains(n)))
                {
                    target.Add(expanded);
                }
            }
        }
    }

    private static YMap WriteHost(HaHost host)
    {
        var entry = new YMap(flow: true)
            .Set("name", YScalar.String(host.Name))
            .Set("address", YScalar.String(host.Address))
            .Set("internalAddress", YScalar.String(host.InternalAddress));
        if (host.Port != HaHost.DefaultPort)
        {
            entry.Set("port", YScalar.Int(host.Port));
        }

        entry.Set("user", YScalar.String(host.User));
        if (host.Password is not null)
        {
            entry.Set("password", YScalar.Quoted(Secrets.Reveal(host.Password)));
        }

        if (host.PrivateKeyPath is not null)
        {
            entry.Set("privateKeyPath", YScalar.Quoted(host.PrivateKeyPath));
        }

        if (!string.Equals(host.Arch, HaHost.DefaultArch, StringComparison.Ordinal))
        {
            entry.Set("arch", YScalar.String(host.Arch));
        }

        if (host.Labels.Count > 0)
        {
            var labels = new YMap(flow: true);
            foreach (var label in host.Labels)
            {
                labels.Set(label.Key, YScalar.String(label.Value));
            }

            entry.Set("labels", labels);
        }

        foreach (var extra in host.Extra.Entries)
        {
            entry.Set(extra.Key, extra.Value.Clone());
        }

        // kk writes one flow line per host; an inline key (a block scalar) reads better as a block.
        entry.Flow = !entry.Entries.Any(e => e.Value is YScalar { Style: YStyle.Literal or YStyle.Folded } || e.Value is YScalar s && s.Value.Contains('\n'));
        return entry;
    }

    private static YMap WriteRoleGroups(RoleGroups groups)
    {
        static YSeq Names(IEnumerable<string> names)
        {
            var items = names.Select(n => (YNode)YScalar.String(n)).ToList();
            return new YSeq(items, flow: items.Count == 0);
        }

        var map = new YMap()
            .Set("etcd", Names(groups.Etcd))
            .Set("control-plane", Names(groups.ControlPlane))
            .Set("worker", Names(groups.Worker));
        foreach (var extra in groups.Extra.Entries)
        {
            map.Set(extra.Key, extra.Value.Clone());
        }

        return map;
    }

    private static YMap? RequireMap(YMap parent, string key, string path, string source) => parent[key] switch
    {
        null => null,
        YScalar { IsNull: true } => null,
        YMap map => map,
        _ => throw Invalid(path, "a mapping", source),
    };

    private static int? RequireInt(YMap parent, string key, string path, string source)
    {
        if (parent[key] is null || parent[key] is YScalar { IsNull: true })
        {
            return null;
        }

        return ConfigValues.ParseInt((parent[key] as YScalar)?.Value) ?? throw Invalid(path, "a whole number", source);
    }

    private static HaClusterException Invalid(string path, string expected, string source) =>
        new(ValueInvalidErrorId, FailureKind.InvalidData, $"{source}: {path} must be {expected}.", path);
}
