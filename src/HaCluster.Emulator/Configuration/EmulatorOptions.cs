// Copyright (c) HaCluster contributors. MIT License.
// The emulator's configuration: the YAML schema's object form, with the built-in demo defaults.

using System;
using System.Collections.Generic;

namespace HaCluster.Emulator;

/// <summary>
/// Everything the emulator starts from: where it listens, who may call it, the pre-existing network and
/// instances, the EIP pool, timings and injected faults. Parse it from YAML with <see cref="Parse"/> /
/// <see cref="Load"/>, or build it in code; <see cref="CreateDefault"/> is the built-in demo world.
/// </summary>
public sealed class EmulatorOptions
{
    /// <summary>The built-in access key id.</summary>
    public const string DefaultAccessKeyId = "QYACCESSKEYIDEXAMPLE";

    /// <summary>The built-in secret access key (a published documentation example, not a secret).</summary>
    public const string DefaultSecretAccessKey = "SECRETACCESSKEY";

    /// <summary>The built-in zone.</summary>
    public const string DefaultZone = "pek3b";

    /// <summary>HTTP URL Kestrel listens on (<c>listen</c>); port 0 picks a free port.</summary>
    public Uri Listen { get; set; } = new("http://127.0.0.1:7878");

    /// <summary>Accepted key pairs (<c>accounts</c>).</summary>
    public List<EmulatorAccount> Accounts { get; init; } = [];

    /// <summary>Zone ids the API accepts (<c>zones</c>).</summary>
    public List<string> Zones { get; init; } = [];

    /// <summary>Pre-existing VxNets (<c>vxnets</c>).</summary>
    public List<EmulatorVxNet> VxNets { get; init; } = [];

    /// <summary>Pre-existing instances (<c>instances</c>).</summary>
    public List<EmulatorInstance> Instances { get; init; } = [];

    /// <summary>CIDR that AllocateEips hands addresses from (<c>eip_pool</c>), e.g. <c>127.0.1.0/24</c>.</summary>
    public string EipPool { get; set; } = "127.0.1.0/24";

    /// <summary>How long every asynchronous job takes, in milliseconds (<c>job_latency_ms</c>).</summary>
    public int JobLatencyMs { get; set; } = 300;

    /// <summary>Milliseconds after creation during which delete/release answers 1400 "lease info not ready" (<c>lease_window_ms</c>).</summary>
    public int LeaseWindowMs { get; set; } = 2000;

    /// <summary>
    /// Send <c>null</c> for optional integer fields (<c>http_header_size</c>, <c>node_count</c>, listener <c>timeout</c>,
    /// backend <c>weight</c>, EIP <c>bandwidth</c> …) as the real API can (<c>null_optional_integers</c>).
    /// </summary>
    public bool NullOptionalIntegers { get; set; }

    /// <summary>Leave <c>total_count</c> out of Describe replies, as the API spec of some actions allows (<c>omit_total_count</c>).</summary>
    public bool OmitTotalCount { get; set; }

    /// <summary>Factor applied to health-check interval and timeout handed to the data plane (<c>health_check_time_scale</c>).</summary>
    public double HealthCheckTimeScale { get; set; } = 0.1;

    /// <summary>Injected faults (<c>faults</c>).</summary>
    public EmulatorFaults Faults { get; set; } = new();

    /// <summary>Resource quotas (<c>quotas</c>); exceeding one answers 2500.</summary>
    public EmulatorQuotas Quotas { get; set; } = new();

    /// <summary>The built-in demo world: VxNet <c>vxnet-pn</c> (<c>pn</c>, 127.0.0.0/24), masters 1-3 and nodes 1-3 on 127.0.0.2-7, zone <c>pek3b</c>.</summary>
    /// <returns>A fresh options object.</returns>
    public static EmulatorOptions CreateDefault()
    {
        var options = new EmulatorOptions
        {
            Accounts = { new EmulatorAccount { AccessKeyId = DefaultAccessKeyId, SecretAccessKey = DefaultSecretAccessKey } },
            Zones = { DefaultZone },
        };
        options.VxNets.AddRange(DefaultVxNets());
        options.Instances.AddRange(DefaultInstances());
        return options;
    }

    /// <summary>Reads options from YAML text; keys that are absent keep their defaults.</summary>
    /// <param name="yaml">The YAML document.</param>
    /// <returns>Validated options.</returns>
    /// <exception cref="EmulatorConfigException">The YAML is malformed, has unknown keys or invalid values.</exception>
    public static EmulatorOptions Parse(string yaml) => EmulatorConfigReader.Parse(yaml, "<yaml>");

    /// <summary>Reads options from a YAML file.</summary>
    /// <param name="path">Path of the file.</param>
    /// <returns>Validated options.</returns>
    /// <exception cref="EmulatorConfigException">The file is unreadable or invalid.</exception>
    public static EmulatorOptions Load(string path) => EmulatorConfigReader.Load(path);

    /// <summary>Checks every value and cross-reference (instance in its VxNet's CIDR, known zones, unique ids …).</summary>
    /// <exception cref="EmulatorConfigException">The first problem found.</exception>
    public void Validate() => EmulatorConfigValidator.Validate(this);

    /// <summary>The demo VxNet.</summary>
    /// <returns>One VxNet.</returns>
    internal static IEnumerable<EmulatorVxNet> DefaultVxNets()
    {
        yield return new EmulatorVxNet { VxNetId = "vxnet-pn", VxNetName = "pn", Zone = DefaultZone, IpNetwork = "127.0.0.0/24" };
    }

    /// <summary>The six demo instances.</summary>
    /// <returns>master1-3 on .2-.4, node1-3 on .5-.7.</returns>
    internal static IEnumerable<EmulatorInstance> DefaultInstances()
    {
        string[] names = ["master1", "master2", "master3", "node1", "node2", "node3"];
        string[] ids = ["i-master01", "i-master02", "i-master03", "i-node0001", "i-node0002", "i-node0003"];
        for (var i = 0; i < names.Length; i++)
        {
            yield return new EmulatorInstance
            {
                InstanceId = ids[i],
                InstanceName = names[i],
                Zone = DefaultZone,
                VxNetId = "vxnet-pn",
                PrivateIp = "127.0.0." + (i + 2),
                Status = "running",
            };
        }
    }
}
