// Copyright (c) HaCluster contributors. MIT License.
// Reads the emulator's YAML configuration into EmulatorOptions (strict: unknown keys are errors).

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace HaCluster.Emulator;

/// <summary>YAML → <see cref="EmulatorOptions"/>. Absent keys keep the built-in defaults.</summary>
internal static class EmulatorConfigReader
{
    /// <summary>Reads and validates a YAML file.</summary>
    /// <param name="path">File path.</param>
    /// <returns>Validated options.</returns>
    public static EmulatorOptions Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new EmulatorConfigException($"Cannot read the emulator config '{path}': {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses and validates YAML text.</summary>
    /// <param name="yaml">The document.</param>
    /// <param name="source">File name for messages.</param>
    /// <returns>Validated options.</returns>
    public static EmulatorOptions Parse(string yaml, string source)
    {
        ConfigDocument? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<ConfigDocument?>(yaml);
        }
        catch (YamlException ex)
        {
            // YamlDotNet puts the useful part ("Property 'x' not found") in the innermost exception.
            var inner = ex.InnerException?.Message ?? ex.Message;
            throw new EmulatorConfigException($"{source} ({ex.Start.Line}:{ex.Start.Column}): {inner}", ex);
        }

        var options = EmulatorOptions.CreateDefault();
        if (document is not null)
        {
            Apply(document, options, source);
        }

        options.Validate();
        return options;
    }

    private static void Apply(ConfigDocument d, EmulatorOptions o, string source)
    {
        if (d.Listen is not null)
        {
            o.Listen = Uri.TryCreate(d.Listen, UriKind.Absolute, out var uri)
                ? uri
                : throw new EmulatorConfigException($"{source}: listen '{d.Listen}' is not an absolute URL such as http://127.0.0.1:7878.");
        }

        if (d.Accounts is not null)
        {
            o.Accounts.Clear();
            o.Accounts.AddRange(d.Accounts.Select(a => new EmulatorAccount { AccessKeyId = a.AccessKeyId ?? string.Empty, SecretAccessKey = a.SecretAccessKey ?? string.Empty }));
        }

        if (d.Zones is not null)
        {
            o.Zones.Clear();
            o.Zones.AddRange(d.Zones);
        }

        // The demo instances only make sense in the demo VxNet: replace both once either is given.
        if (d.VxNets is not null || d.Instances is not null)
        {
            o.VxNets.Clear();
            o.Instances.Clear();
            o.VxNets.AddRange((d.VxNets ?? []).Select(v => new EmulatorVxNet { VxNetId = v.VxNetId ?? string.Empty, VxNetName = v.VxNetName ?? string.Empty, Zone = v.Zone, IpNetwork = v.IpNetwork ?? string.Empty }));
            o.Instances.AddRange((d.Instances ?? []).Select(ToInstance));
        }

        o.EipPool = d.EipPool ?? o.EipPool;
        o.JobLatencyMs = d.JobLatencyMs ?? o.JobLatencyMs;
        o.LeaseWindowMs = d.LeaseWindowMs ?? o.LeaseWindowMs;
        o.NullOptionalIntegers = d.NullOptionalIntegers ?? o.NullOptionalIntegers;
        o.OmitTotalCount = d.OmitTotalCount ?? o.OmitTotalCount;
        o.HealthCheckTimeScale = d.HealthCheckTimeScale ?? o.HealthCheckTimeScale;
        if (d.Faults is not null)
        {
            o.Faults.RetCode5100Rate = d.Faults.RetCode5100Rate ?? 0;
            o.Faults.RetCode5000Rate = d.Faults.RetCode5000Rate ?? 0;
            o.Faults.RetCode5300Rate = d.Faults.RetCode5300Rate ?? 0;
            o.Faults.Http5xxRate = d.Faults.Http5xxRate ?? 0;
            o.Faults.DropConnectionRate = d.Faults.DropConnectionRate ?? 0;
            o.Faults.FailedJobRate = d.Faults.FailedJobRate ?? 0;
            o.Faults.Seed = d.Faults.Seed ?? o.Faults.Seed;
        }

        if (d.Quotas is not null)
        {
            o.Quotas.LoadBalancers = d.Quotas.LoadBalancers ?? o.Quotas.LoadBalancers;
            o.Quotas.Eips = d.Quotas.Eips ?? o.Quotas.Eips;
            o.Quotas.SecurityGroups = d.Quotas.SecurityGroups ?? o.Quotas.SecurityGroups;
        }
    }

    private static EmulatorInstance ToInstance(InstanceDocument i)
    {
        var instance = new EmulatorInstance
        {
            InstanceId = i.InstanceId ?? string.Empty,
            InstanceName = i.InstanceName ?? string.Empty,
            Zone = i.Zone,
            VxNetId = i.VxNetId ?? string.Empty,
            PrivateIp = i.PrivateIp ?? string.Empty,
        };
        instance.Status = i.Status ?? instance.Status;
        instance.InstanceType = i.InstanceType ?? instance.InstanceType;
        instance.VcpusCurrent = i.VcpusCurrent ?? instance.VcpusCurrent;
        instance.MemoryCurrent = i.MemoryCurrent ?? instance.MemoryCurrent;
        return instance;
    }

    // The YAML shape. Nullable members tell "absent" from "given"; aliases are the schema's snake_case keys.
#pragma warning disable CS1591 // DTO members mirror the documented keys one to one.
    public sealed class ConfigDocument
    {
        [YamlMember(Alias = "listen")] public string? Listen { get; set; }

        [YamlMember(Alias = "accounts")] public List<AccountDocument>? Accounts { get; set; }

        [YamlMember(Alias = "zones")] public List<string>? Zones { get; set; }

        [YamlMember(Alias = "vxnets")] public List<VxNetDocument>? VxNets { get; set; }

        [YamlMember(Alias = "instances")] public List<InstanceDocument>? Instances { get; set; }

        [YamlMember(Alias = "eip_pool")] public string? EipPool { get; set; }

        [YamlMember(Alias = "job_latency_ms")] public int? JobLatencyMs { get; set; }

        [YamlMember(Alias = "lease_window_ms")] public int? LeaseWindowMs { get; set; }

        [YamlMember(Alias = "null_optional_integers")] public bool? NullOptionalIntegers { get; set; }

        [YamlMember(Alias = "omit_total_count")] public bool? OmitTotalCount { get; set; }

        [YamlMember(Alias = "health_check_time_scale")] public double? HealthCheckTimeScale { get; set; }

        [YamlMember(Alias = "faults")] public FaultsDocument? Faults { get; set; }

        [YamlMember(Alias = "quotas")] public QuotasDocument? Quotas { get; set; }
    }

    public sealed class AccountDocument
    {
        [YamlMember(Alias = "access_key_id")] public string? AccessKeyId { get; set; }

        [YamlMember(Alias = "secret_access_key")] public string? SecretAccessKey { get; set; }
    }

    public sealed class VxNetDocument
    {
        [YamlMember(Alias = "vxnet_id")] public string? VxNetId { get; set; }

        [YamlMember(Alias = "vxnet_name")] public string? VxNetName { get; set; }

        [YamlMember(Alias = "zone")] public string? Zone { get; set; }

        [YamlMember(Alias = "ip_network")] public string? IpNetwork { get; set; }
    }

    public sealed class InstanceDocument
    {
        [YamlMember(Alias = "instance_id")] public string? InstanceId { get; set; }

        [YamlMember(Alias = "instance_name")] public string? InstanceName { get; set; }

        [YamlMember(Alias = "zone")] public string? Zone { get; set; }

        [YamlMember(Alias = "vxnet_id")] public string? VxNetId { get; set; }

        [YamlMember(Alias = "private_ip")] public string? PrivateIp { get; set; }

        [YamlMember(Alias = "status")] public string? Status { get; set; }

        [YamlMember(Alias = "instance_type")] public string? InstanceType { get; set; }

        [YamlMember(Alias = "vcpus_current")] public int? VcpusCurrent { get; set; }

        [YamlMember(Alias = "memory_current")] public int? MemoryCurrent { get; set; }
    }

    public sealed class FaultsDocument
    {
        [YamlMember(Alias = "ret_code_5100_rate")] public double? RetCode5100Rate { get; set; }

        [YamlMember(Alias = "ret_code_5000_rate")] public double? RetCode5000Rate { get; set; }

        [YamlMember(Alias = "ret_code_5300_rate")] public double? RetCode5300Rate { get; set; }

        [YamlMember(Alias = "http_5xx_rate")] public double? Http5xxRate { get; set; }

        [YamlMember(Alias = "drop_connection_rate")] public double? DropConnectionRate { get; set; }

        [YamlMember(Alias = "failed_job_rate")] public double? FailedJobRate { get; set; }

        [YamlMember(Alias = "seed")] public int? Seed { get; set; }
    }

    public sealed class QuotasDocument
    {
        [YamlMember(Alias = "loadbalancers")] public int? LoadBalancers { get; set; }

        [YamlMember(Alias = "eips")] public int? Eips { get; set; }

        [YamlMember(Alias = "security_groups")] public int? SecurityGroups { get; set; }
    }
#pragma warning restore CS1591
}
