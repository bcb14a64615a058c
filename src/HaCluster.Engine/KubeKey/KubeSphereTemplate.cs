// Copyright (c) HaCluster contributors. MIT License.
// The shape and defaults of the ClusterConfiguration kk v3.1 writes for --with-kubesphere v3.4.1.

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// The ClusterConfiguration document kk v3.1 generates (reference/kubekey.md §1.9), every component
/// off, without kk's comments. Kept as YAML text because it is data; <c>metadata.labels.version</c>
/// is set by <see cref="KubeSphereSettings.CreateDefault"/>. Quoted values are strings in
/// ks-installer (the edge NodePorts are quoted there too).
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
}
