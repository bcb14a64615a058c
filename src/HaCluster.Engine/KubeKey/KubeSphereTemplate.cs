// Copyright (c) HaCluster contributors. MIT License.
// The ClusterConfiguration kk v3.1 writes for each KubeSphere v3.1-v3.4 release: v3.4.1's whole, the others as differences.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The ClusterConfiguration document kk v3.1 generates (reference/kubekey.md §1.9), every component off, without kk's
/// comments. kk has one template per KubeSphere release (kubekey@v3.1.12 <c>version/kubesphere/templates/cc_v&lt;xyz&gt;.go</c>)
/// and ks-installer reads only its own release's keys, so each release gets its own: <see cref="Text"/> is v3.4.1's,
/// and <see cref="Steps"/> walks back one release at a time with what kk's older template has differently. Kept as YAML
/// text because it is data; <c>metadata.labels.version</c> is set by <see cref="KubeSphereSettings.CreateDefault"/>.
/// Quoted values are strings in ks-installer (the edge NodePorts are quoted there too). Keys an older release has and
/// v3.4.1 lacks are appended to their mapping (ks-installer reads by key, not by position).
/// </summary>
internal static class KubeSphereTemplate
{
    public const string Text = @"apiVersion: installer.kubesphere.io/v1alpha1
kind: ClusterConfiguration
metadata:
  name: ks-installer
  namespace: kubesphere-system
  labels:
    version: v3.4.1
spec:
  persistence:
    storageClass: """"
  authentication:
    jwtSecret: """"
  local_registry: """"
  etcd:
    monitoring: false
    endpointIps: localhost
    port: 2379
    tlsEnable: true
  common:
    core:
      console:
        enableMultiLogin: true
        port: 30880
        type: NodePort
    redis:
      enabled: false
      enableHA: false
      volumeSize: 2Gi
    openldap:
      enabled: false
      volumeSize: 2Gi
    minio:
      volumeSize: 20Gi
    monitoring:
      endpoint: http://prometheus-operated.kubesphere-monitoring-system.svc:9090
      GPUMonitoring:
        enabled: false
    gpu:
      kinds:
      - resourceName: ""nvidia.com/gpu""
        resourceType: ""GPU""
        default: true
    es:
      enabled: false
      logMaxAge: 7
      elkPrefix: logstash
      basicAuth:
        enabled: false
        username: """"
        password: """"
      externalElasticsearchHost: """"
      externalElasticsearchPort: """"
    opensearch:
      enabled: true
      logMaxAge: 7
      opensearchPrefix: whizard
      basicAuth:
        enabled: true
        username: ""admin""
        password: ""admin""
      externalOpensearchHost: """"
      externalOpensearchPort: """"
      dashboard:
        enabled: false
  alerting:
    enabled: false
  auditing:
    enabled: false
  devops:
    enabled: false
    jenkinsCpuReq: 0.5
    jenkinsCpuLim: 1
    jenkinsMemoryReq: 4Gi
    jenkinsMemoryLim: 4Gi
    jenkinsVolumeSize: 16Gi
  events:
    enabled: false
    ruler:
      enabled: true
      replicas: 2
  logging:
    enabled: false
    logsidecar:
      enabled: true
      replicas: 2
  metrics_server:
    enabled: false
  monitoring:
    storageClass: """"
    node_exporter:
      port: 9100
    gpu:
      nvidia_dcgm_exporter:
        enabled: false
  multicluster:
    clusterRole: none
  network:
    networkpolicy:
      enabled: false
    ippool:
      type: none
    topology:
      type: none
  openpitrix:
    store:
      enabled: false
  servicemesh:
    enabled: false
    istio:
      components:
        ingressGateways:
        - name: istio-ingressgateway
          enabled: false
        cni:
          enabled: false
  edgeruntime:
    enabled: false
    kubeedge:
      enabled: false
      cloudCore:
        cloudHub:
          advertiseAddress:
          - """"
        service:
          cloudhubNodePort: ""30000""
          cloudhubQuicNodePort: ""30001""
          cloudhubHttpsNodePort: ""30002""
          cloudstreamNodePort: ""30003""
          tunnelNodePort: ""30004""
      iptables-manager:
        enabled: true
        mode: ""external""
  gatekeeper:
    enabled: false
  terminal:
    timeout: 600
  zone: """"
";

    /// <summary>
    /// From each release's template to the one before, newest first: the keys under <c>spec</c> the older template
    /// lacks (dotted paths) and the values it has instead or in addition (a YAML fragment merged into <c>spec</c>).
    /// Each step is the difference between two of kk's cc_v&lt;xyz&gt;.go templates; a release with the same template as
    /// the next has an empty step.
    /// </summary>
    private static readonly Step[] Steps =
    {
        new("v3.4.0", new[] { "common.es.enabled", "events.ruler" }, @"namespace_override: """""),
        new(
            "v3.3.2",
            new[] { "common.redis.enableHA", "common.opensearch", "devops.jenkinsCpuReq", "devops.jenkinsCpuLim", "gatekeeper" },
            @"devops:
  jenkinsMemoryLim: 8Gi
  jenkinsVolumeSize: 8Gi"),
        new("v3.3.1", Array.Empty<string>(), null),
        new(
            "v3.3.0",
            Array.Empty<string>(),
            @"devops:
  jenkinsMemoryLim: 2Gi
  jenkinsMemoryReq: 1500Mi
  jenkinsJavaOpts_Xms: 1200m
  jenkinsJavaOpts_Xmx: 1600m
  jenkinsJavaOpts_MaxRAM: 2g"),
        new(
            "v3.2.1",
            new[] { "monitoring.node_exporter", "servicemesh.istio", "edgeruntime", "terminal" },
            @"etcd:
  monitoring: true
devops:
  jenkinsJavaOpts_Xms: 512m
  jenkinsJavaOpts_Xmx: 512m
logging:
  containerruntime: docker
kubeedge:
  enabled: false
  cloudCore:
    nodeSelector: {""node-role.kubernetes.io/worker"": """"}
    tolerations: []
    cloudhubPort: ""10000""
    cloudhubQuicPort: ""10001""
    cloudhubHttpsPort: ""10002""
    cloudstreamPort: ""10003""
    tunnelPort: ""10004""
    cloudHub:
      advertiseAddress:
        - """"
      nodeLimit: ""100""
    service:
      cloudhubNodePort: ""30000""
      cloudhubQuicNodePort: ""30001""
      cloudhubHttpsNodePort: ""30002""
      cloudstreamNodePort: ""30003""
      tunnelNodePort: ""30004""
  edgeWatcher:
    nodeSelector: {""node-role.kubernetes.io/worker"": """"}
    tolerations: []
    edgeWatcherAgent:
      nodeSelector: {""node-role.kubernetes.io/worker"": """"}
      tolerations: []"),
        new(
            "v3.2.0",
            new[] { "namespace_override", "common.es.externalElasticsearchHost" },
            @"etcd:
  monitoring: false
common:
  es:
    externalElasticsearchUrl: """""),
        new(
            "v3.1.1",
            new[] { "common.core", "common.redis.volumeSize", "common.openldap.volumeSize", "common.minio", "common.monitoring.GPUMonitoring", "common.gpu", "logging.containerruntime", "monitoring.gpu" },
            @"common:
  redisVolumSize: 2Gi
  openldapVolumeSize: 2Gi
  minioVolumeSize: 20Gi
  es:
    elasticsearchMasterVolumeSize: 4Gi
    elasticsearchDataVolumeSize: 20Gi
console:
  enableMultiLogin: true
  port: 30880
events:
  ruler:
    enabled: true
    replicas: 2
monitoring:
  prometheusMemoryRequest: 400Mi
  prometheusVolumeSize: 20Gi"),
        new("v3.1.0", Array.Empty<string>(), null),
    };

    /// <summary>The releases with a template of their own here, oldest first.</summary>
    public static IReadOnlyList<string> Versions { get; } = Steps.Select(s => s.Version).Reverse().Append("v3.4.1").ToList();

    /// <summary>
    /// The document kk generates for <paramref name="version"/>. Releases before v3.1 (v2.1.1 is a ConfigMap, v3.0.0 another
    /// shape) and development builds get v3.4.1's shape.
    /// </summary>
    /// <param name="version">The KubeSphere version, with or without its v.</param>
    /// <returns>A new document.</returns>
    public static YMap For(string version)
    {
        var document = (YMap)YamlText.Parse(Text, "KubeSphere template")[0];
        var wanted = "v" + version.Trim().TrimStart('v');
        if (!Steps.Any(s => s.Version == wanted))
        {
            return document;
        }

        var spec = document.GetOrAddMap("spec");
        foreach (var step in Steps)
        {
            foreach (var path in step.Remove)
            {
                var keys = path.Split('.');
                (spec.Find(keys.Take(keys.Length - 1).ToArray()) as YMap)?.Remove(keys[keys.Length - 1]);
            }

            if (step.Set is not null)
            {
                Merge(spec, (YMap)YamlText.Parse(step.Set, "KubeSphere " + step.Version + " template")[0]);
            }

            if (step.Version == wanted)
            {
                break;
            }
        }

        return document;
    }

    // Mappings merge key by key; anything else replaces the value (in place) or is appended.
    private static void Merge(YMap target, YMap patch)
    {
        foreach (var entry in patch.Entries)
        {
            if (entry.Value is YMap { Flow: false } inner && target[entry.Key] is YMap existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target.Set(entry.Key, entry.Value);
            }
        }
    }

    private sealed class Step
    {
        public Step(string version, string[] remove, string? set)
        {
            Version = version;
            Remove = remove;
            Set = set;
        }

        /// <summary>The release this step arrives at.</summary>
        public string Version { get; }

        public string[] Remove { get; }

        public string? Set { get; }
    }
}
