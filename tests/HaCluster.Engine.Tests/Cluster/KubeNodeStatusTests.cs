// Copyright (c) HaCluster contributors. MIT License.
// Parsing `kubectl get nodes -o json`: Ready and NotReady nodes, a single Node, and output that is not a NodeList.

using System.Linq;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.Common;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

public sealed class KubeNodeStatusTests
{
    private const string NodeList = """
        {
          "apiVersion": "v1",
          "kind": "List",
          "items": [
            {
              "apiVersion": "v1", "kind": "Node",
              "metadata": { "name": "master1", "labels": { "node-role.kubernetes.io/control-plane": "" } },
              "status": {
                "addresses": [ { "type": "InternalIP", "address": "192.168.0.2" }, { "type": "Hostname", "address": "master1" } ],
                "conditions": [
                  { "type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory" },
                  { "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status" }
                ]
              }
            },
            {
              "apiVersion": "v1", "kind": "Node",
              "metadata": { "name": "node1" },
              "status": {
                "addresses": [ { "type": "InternalIP", "address": "192.168.0.5" } ],
                "conditions": [ { "type": "Ready", "status": "False", "reason": "KubeletNotReady", "message": "container runtime network not ready" } ]
              }
            },
            { "apiVersion": "v1", "kind": "Node", "metadata": { "name": "node2" }, "status": {} }
          ],
          "metadata": { "resourceVersion": "" }
        }
        """;

    [Fact]
    public void ReadsNameAddressAndReadyCondition()
    {
        var nodes = KubeNodeStatus.ParseNodeList(NodeList);

        Assert.Equal(new[] { "master1", "node1", "node2" }, nodes.Select(n => n.Name));
        Assert.True(nodes[0].IsReady);
        Assert.Equal("192.168.0.2", nodes[0].InternalIp);
        Assert.Equal("master1 Ready", nodes[0].ToString());
        Assert.False(nodes[1].IsReady);
        Assert.Equal("node1 NotReady (False: KubeletNotReady: container runtime network not ready)", nodes[1].ToString());
        Assert.Null(nodes[2].Ready);
        Assert.Equal("node2 NotReady (no Ready condition)", nodes[2].ToString());
    }

    [Fact]
    public void ReadsASingleNodeAndANodeListKind()
    {
        var single = KubeNodeStatus.ParseNodeList("""{"kind":"Node","metadata":{"name":"m"},"status":{"conditions":[{"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown"}]}}""");
        Assert.Equal("m NotReady (Unknown: NodeStatusUnknown)", Assert.Single(single).ToString());
        Assert.Empty(KubeNodeStatus.ParseNodeList("""{"kind":"NodeList","items":[]}"""));
    }

    [Theory]
    [InlineData("The connection to the server lb.kubesphere.local:6443 was refused", "not JSON")]
    [InlineData("""{"kind":"PodList","items":[]}""", "a PodList, not a NodeList")]
    [InlineData("[1,2]", "a document without a kind")]
    [InlineData("""{"kind":"List","items":[{"kind":"Node"}]}""", "not a NodeList")]
    public void RejectsOutputThatIsNotANodeList(string text, string message)
    {
        var ex = Assert.Throws<HaClusterException>(() => KubeNodeStatus.ParseNodeList(text));
        Assert.Equal("HaClusterNodeListInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Contains(message, ex.Message);
    }
}
