// Copyright (c) HaCluster contributors. MIT License.
// The Ready condition of each node in `kubectl get nodes -o json` (a v1 NodeList).

using System;
using System.Collections.Generic;
using System.Text.Json;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Cluster;

/// <summary>One node of a NodeList: its name, internal IP and Ready condition.</summary>
public sealed class KubeNodeStatus
{
    /// <summary>Creates a node status.</summary>
    /// <param name="name">metadata.name.</param>
    /// <param name="internalIp">The InternalIP address, if reported.</param>
    /// <param name="ready">The Ready condition's status: <c>True</c>, <c>False</c> or <c>Unknown</c> (or null when absent).</param>
    /// <param name="reason">The Ready condition's reason and message, if any.</param>
    public KubeNodeStatus(string name, string? internalIp, string? ready, string? reason)
    {
        Name = name;
        InternalIp = internalIp;
        Ready = ready;
        Reason = reason;
    }

    /// <summary>Node name.</summary>
    public string Name { get; }

    /// <summary>The node's InternalIP.</summary>
    public string? InternalIp { get; }

    /// <summary>Status of the Ready condition (<c>True</c>, <c>False</c>, <c>Unknown</c>), null without one.</summary>
    public string? Ready { get; }

    /// <summary>Reason and message of the Ready condition.</summary>
    public string? Reason { get; }

    /// <summary>True when the Ready condition is <c>True</c>.</summary>
    public bool IsReady => string.Equals(Ready, "True", StringComparison.Ordinal);

    /// <summary>Parses the output of <c>kubectl get nodes -o json</c>.</summary>
    /// <param name="json">The NodeList (or a single Node).</param>
    /// <returns>The nodes in document order.</returns>
    /// <exception cref="HaClusterException"><c>HaClusterNodeListInvalid</c> when the text is not a NodeList.</exception>
    public static IReadOnlyList<KubeNodeStatus> ParseNodeList(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json ?? string.Empty);
            var root = document.RootElement;
            var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var k) ? k.GetString() : null;
            var nodes = new List<KubeNodeStatus>();
            if (kind == "Node")
            {
                nodes.Add(ParseNode(root));
            }
            else if (kind is "NodeList" or "List" && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    nodes.Add(ParseNode(item));
                }
            }
            else
            {
                throw new HaClusterException("HaClusterNodeListInvalid", FailureKind.InvalidData, $"kubectl printed a {kind ?? "document without a kind"}, not a NodeList.", kind);
            }

            return nodes;
        }
        catch (JsonException ex)
        {
            throw new HaClusterException("HaClusterNodeListInvalid", FailureKind.InvalidData, $"kubectl's output is not JSON: {ex.Message}", null, ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException)
        {
            throw new HaClusterException("HaClusterNodeListInvalid", FailureKind.InvalidData, $"kubectl's output is not a NodeList: {ex.Message}", null, ex);
        }
    }

    /// <summary><c>name Ready</c> or <c>name NotReady (reason)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsReady ? Name + " Ready" : $"{Name} NotReady ({Ready ?? "no Ready condition"}{(string.IsNullOrEmpty(Reason) ? string.Empty : ": " + Reason)})";

    private static KubeNodeStatus ParseNode(JsonElement node)
    {
        var name = node.GetProperty("metadata").GetProperty("name").GetString() ?? string.Empty;
        string? ip = null;
        string? ready = null;
        string? reason = null;
        if (node.TryGetProperty("status", out var status))
        {
            if (status.TryGetProperty("addresses", out var addresses) && addresses.ValueKind == JsonValueKind.Array)
            {
                foreach (var address in addresses.EnumerateArray())
                {
                    if (Text(address, "type") == "InternalIP")
                    {
                        ip = Text(address, "address");
                        break;
                    }
                }
            }

            if (status.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array)
            {
                foreach (var condition in conditions.EnumerateArray())
                {
                    if (Text(condition, "type") == "Ready")
                    {
                        ready = Text(condition, "status");
                        var parts = new[] { Text(condition, "reason"), Text(condition, "message") };
                        reason = string.Join(": ", Array.FindAll(parts, p => !string.IsNullOrEmpty(p)));
                    }
                }
            }
        }

        return new KubeNodeStatus(name, ip, ready, reason);
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
