// Copyright (c) HaCluster contributors. MIT License.
// Test-HaCluster's KubeSphere 4 verdicts: kubectl rollout status per core deployment, and the drill's explanation of a lost console.

using System.Linq;
using HaCluster.Engine.Cluster;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.KubeSphere;
using Xunit;

namespace HaCluster.Engine.Tests.Cluster;

public sealed class KubeSphereCheckTests
{
    // kubectl's v1 List of pods, trimmed to the fields read: one ready ks-apiserver and ks-console on master1, a
    // ks-controller-manager pulling an image that is gone.
    private const string PodsJson = """
        {"apiVersion":"v1","kind":"List","items":[
         {"metadata":{"name":"ks-apiserver-6f4c9b8d5-x2v7k","namespace":"kubesphere-system","labels":{"app":"ks-apiserver"}},
          "spec":{"nodeName":"master1"},"status":{"phase":"Running","containerStatuses":[{"name":"ks-apiserver","ready":true,"image":"kse/ks-apiserver:v4.1.3","state":{"running":{}}}]}},
         {"metadata":{"name":"ks-console-7d9c6c5b4-m8qzt","namespace":"kubesphere-system","labels":{"app":"ks-console"}},
          "spec":{"nodeName":"master1"},"status":{"phase":"Running","containerStatuses":[{"name":"ks-console","ready":true,"image":"kse/ks-console:v4.1.3","state":{"running":{}}}]}},
         {"metadata":{"name":"ks-controller-manager-5b7d8f9c6-q4wrl","namespace":"kubesphere-system","labels":{"app":"ks-controller-manager"}},
          "spec":{"nodeName":"master2"},"status":{"phase":"Pending","containerStatuses":[{"name":"ks-controller-manager","ready":false,"image":"kse/ks-controller-manager:v4.1.3",
          "state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image \"kse/ks-controller-manager:v4.1.3\""}}}]}}]}
        """;

    private static readonly KubeSpherePods Pods = KubeSpherePods.Parse(PodsJson);

    [Fact]
    public void ARolledOutDeploymentPassesAndNamesWhereItsSingleReplicaRuns()
    {
        var outcome = ClusterVerifier.EvaluateRollout("ks-console", true, "deployment \"ks-console\" successfully rolled out\n", Pods, highAvailability: false);

        Assert.True(outcome.Passed, outcome.Detail);
        Assert.Equal("deployment \"ks-console\" successfully rolled out; 1 of 1 replica(s) ready on master1 (a single replica: installed without -HighAvailability, it stops with its node)", outcome.Detail);
    }

    [Fact]
    public void ADeploymentStillRollingOutFailsWithKubectlsLineAndThePodsReason()
    {
        // kubectl rollout status --watch=false exits 0 while it waits: the verdict is its line, not its exit code.
        var outcome = ClusterVerifier.EvaluateRollout("ks-controller-manager", true, "Waiting for deployment \"ks-controller-manager\" rollout to finish: 0 of 1 updated replicas are available...\n", Pods, highAvailability: true);

        Assert.False(outcome.Passed);
        Assert.StartsWith("Waiting for deployment \"ks-controller-manager\" rollout to finish: 0 of 1 updated replicas are available...; 0 of 1 replica(s) ready on master2: ", outcome.Detail);
        Assert.Contains("ImagePullBackOff pulling kse/ks-controller-manager:v4.1.3", outcome.Detail);
    }

    [Fact]
    public void AMissingDeploymentFailsWithKubectlsError()
    {
        var outcome = ClusterVerifier.EvaluateRollout("ks-apiserver", false, "\nError from server (NotFound): deployments.apps \"ks-apiserver\" not found\n", KubeSpherePods.Parse("""{"apiVersion":"v1","kind":"List","items":[]}"""), highAvailability: true);

        Assert.False(outcome.Passed);
        Assert.Equal("Error from server (NotFound): deployments.apps \"ks-apiserver\" not found; no pods", outcome.Detail);
    }

    [Fact]
    public void TheDrillExplainsAConsoleLostWithItsSingleReplicaOnTheStoppedMaster()
    {
        var down = new CheckOutcome(false, "connection refused");

        var explained = ClusterVerifier.ExplainLostConsole(down, new HaHost("master1", "127.0.0.2"), highAvailability: false, Pods);
        Assert.False(explained.Passed);
        Assert.Equal("connection refused; KubeSphere runs a single replica (installed without -HighAvailability) and the ks-apiserver and ks-console replica lived on the stopped master master1, so the console is down until Kubernetes reschedules it (about 5 minutes) or the master is back; Install-HaKubeSphere -HighAvailability runs three replicas", explained.Detail);

        var elsewhere = ClusterVerifier.ExplainLostConsole(down, new HaHost("master2", "127.0.0.3"), highAvailability: false, Pods);
        Assert.EndsWith("; ks-console and ks-apiserver did not live on master2", elsewhere.Detail);

        // With three replicas (or no KubeSphere 4, or a passing probe) there is nothing to excuse.
        Assert.Equal("connection refused", ClusterVerifier.ExplainLostConsole(down, new HaHost("master1", "127.0.0.2"), highAvailability: true, Pods).Detail);
        Assert.Equal("connection refused", ClusterVerifier.ExplainLostConsole(down, new HaHost("master1", "127.0.0.2"), highAvailability: null, Pods).Detail);
        Assert.True(ClusterVerifier.ExplainLostConsole(new CheckOutcome(true, "HTTP 200"), new HaHost("master1", "127.0.0.2"), highAvailability: false, Pods).Passed);
    }

    [Fact]
    public void KubectlIsAskedWithoutWaitingInKubeSpheresNamespace()
    {
        Assert.Equal("rollout status deployment/ks-console -n kubesphere-system --watch=false", ClusterVerifier.RolloutArguments("ks-console"));
        Assert.Equal("get pods -n kubesphere-system -o json", ClusterVerifier.PodsArguments);
        Assert.Equal(new[] { "ks-apiserver", "ks-console", "ks-controller-manager" }, KubeSpherePods.CoreWorkloads.ToArray());
    }
}
