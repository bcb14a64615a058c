// Copyright (c) HaCluster contributors. MIT License.
// Builds a cluster config from hosts and role choices, filling the defaults kk's template uses.

using System;
using System.Collections.Generic;
using System.Linq;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.KubeKey;

/// <summary>What <see cref="ClusterConfigBuilder.Build"/> needs; unset values take kk's defaults.</summary>
public sealed class ClusterConfigOptions
{
    /// <summary>Cluster name (metadata.name), default sample.</summary>
    public string Name { get; set; } = ClusterConfig.DefaultName;

    /// <summary>The machines.</summary>
    public IList<HaHost> Hosts { get; set; } = new List<HaHost>();

    /// <summary>Control-plane node names.</summary>
    public IList<string>? ControlPlane { get; set; }

    /// <summary>etcd node names; null means the control-plane nodes.</summary>
    public IList<string>? Etcd { get; set; }

    /// <summary>Worker node names; null means every host that is neither control plane nor etcd (or, if none, the control planes).</summary>
    public IList<string>? Worker { get; set; }

    /// <summary>Internal load balancer VIP (controlPlaneEndpoint.address).</summary>
    public string? EndpointAddress { get; set; }

    /// <summary>Endpoint domain, default lb.kubesphere.local.</summary>
    public string Domain { get; set; } = ControlPlaneEndpoint.DefaultDomain;

    /// <summary>Endpoint (LB frontend) port, default 6443.</summary>
    public int Port { get; set; } = ControlPlaneEndpoint.DefaultPort;

    /// <summary>kk's built-in load balancer (haproxy or kube-vip) instead of an external one.</summary>
    public string? InternalLoadBalancer { get; set; }

    /// <summary>Kubernetes version; default v1.23.17 (kk v3.1's default).</summary>
    public string? KubernetesVersion { get; set; }

    /// <summary>Container runtime; default containerd from v1.24, docker before (kk's template rule).</summary>
    public string? ContainerManager { get; set; }

    /// <summary>CNI plugin; default calico.</summary>
    public string? NetworkPlugin { get; set; }

    /// <summary>Pod CIDR; default 10.233.64.0/18.</summary>
    public string? PodCidr { get; set; }

    /// <summary>Service CIDR; default 10.233.0.0/18.</summary>
    public string? ServiceCidr { get; set; }

    /// <summary>KubeSphere version; null installs Kubernetes only.</summary>
    public string? KubeSphereVersion { get; set; }

    /// <summary>KubeSphere components to switch on (see <see cref="KubeSphereSettings.ComponentNames"/>).</summary>
    public IList<string> EnabledComponents { get; set; } = new List<string>();
}

/// <summary>Turns <see cref="ClusterConfigOptions"/> into a <see cref="ClusterConfig"/> (not validated: call <see cref="ClusterConfigValidator"/>).</summary>
public static class ClusterConfigBuilder
{
    /// <summary>Error id: components were asked for without a KubeSphere version.</summary>
    public const string KubeSphereVersionRequiredErrorId = "KubeSphereVersionRequired";

    /// <summary>Builds the config.</summary>
    /// <param name="options">Hosts, roles and settings.</param>
    /// <returns>The config, starting from kk's template.</returns>
    /// <exception cref="HaClusterException">KubeSphereVersionRequired, KubeSphereComponentUnknown.</exception>
    public static ClusterConfig Build(ClusterConfigOptions options)
    {
        if (options.EnabledComponents.Count > 0 && string.IsNullOrEmpty(options.KubeSphereVersion))
        {
            throw new HaClusterException(
                KubeSphereVersionRequiredErrorId,
                FailureKind.InvalidArgument,
                $"Components ({string.Join(", ", options.EnabledComponents)}) are KubeSphere components; give a KubeSphere version too, e.g. {KubeKeyVersions.LatestKubeSphere}.",
                string.Join(",", options.EnabledComponents));
        }

        var config = new ClusterConfig { Name = options.Name };
        config.Hosts.AddRange(options.Hosts);

        var controlPlane = Distinct(options.ControlPlane ?? Array.Empty<string>());
        var etcd = options.Etcd is null ? controlPlane : Distinct(options.Etcd);
        var worker = options.Worker is null ? DefaultWorkers(options.Hosts, controlPlane, etcd) : Distinct(options.Worker);
        config.RoleGroups.ControlPlane.AddRange(controlPlane);
        config.RoleGroups.Etcd.AddRange(etcd);
        config.RoleGroups.Worker.AddRange(worker);

        var endpoint = config.ControlPlaneEndpoint;
        endpoint.Domain = options.Domain;
        endpoint.Address = options.EndpointAddress ?? string.Empty;
        endpoint.Port = options.Port;
        endpoint.InternalLoadBalancer = options.InternalLoadBalancer;

        var version = KubeKeyVersions.Normalize(options.KubernetesVersion ?? KubernetesSettings.DefaultVersion);
        config.Kubernetes.Version = version;
        config.Kubernetes.ContainerManager = options.ContainerManager ?? KubernetesSettings.DefaultContainerManagerFor(version);
        config.Network.Plugin = options.NetworkPlugin ?? config.Network.Plugin;
        config.Network.PodCidr = options.PodCidr ?? config.Network.PodCidr;
        config.Network.ServiceCidr = options.ServiceCidr ?? config.Network.ServiceCidr;

        if (!string.IsNullOrEmpty(options.KubeSphereVersion))
        {
            var kubeSphere = KubeSphereSettings.CreateDefault(KubeKeyVersions.Normalize(options.KubeSphereVersion!));
            foreach (var component in options.EnabledComponents)
            {
                kubeSphere.Enable(component);
            }

            config.KubeSphere = kubeSphere;
        }

        return config;
    }

    private static List<string> Distinct(IEnumerable<string> names) => names.Distinct(StringComparer.Ordinal).ToList();

    // Dedicated workers by default; a cluster made only of control planes runs workloads on them.
    private static List<string> DefaultWorkers(IEnumerable<HaHost> hosts, ICollection<string> controlPlane, ICollection<string> etcd)
    {
        var rest = hosts.Select(h => h.Name).Where(n => !controlPlane.Contains(n) && !etcd.Contains(n)).ToList();
        return Distinct(rest.Count > 0 ? rest : controlPlane);
    }
}
