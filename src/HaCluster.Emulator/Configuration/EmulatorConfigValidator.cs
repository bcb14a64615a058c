// Copyright (c) HaCluster contributors. MIT License.
// Validates EmulatorOptions and fills defaults that depend on other entries (zones of vxnets and instances).

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace HaCluster.Emulator;

/// <summary>Checks an <see cref="EmulatorOptions"/> object and reports the first problem by key and value.</summary>
internal static class EmulatorConfigValidator
{
    private static readonly string[] InstanceStatuses = ["running", "stopped"];

    /// <summary>Validates <paramref name="o"/>, defaulting VxNet zones to the first zone and instance zones to their VxNet's.</summary>
    /// <param name="o">Options to check.</param>
    public static void Validate(EmulatorOptions o)
    {
        ValidateListen(o.Listen);
        Require(o.Accounts.Count > 0, "accounts: at least one access key pair is required.");
        Unique(o.Accounts.Select(a => a.AccessKeyId), "accounts[].access_key_id");
        foreach (var a in o.Accounts)
        {
            Require(!string.IsNullOrWhiteSpace(a.AccessKeyId), "accounts[].access_key_id must not be empty.");
            Require(!string.IsNullOrEmpty(a.SecretAccessKey), $"accounts[{a.AccessKeyId}].secret_access_key must not be empty.");
        }

        Require(o.Zones.Count > 0, "zones: at least one zone is required.");
        Unique(o.Zones, "zones[]");
        Require(o.Zones.All(z => !string.IsNullOrWhiteSpace(z)), "zones[] must not contain empty names.");

        var vxnets = new Dictionary<string, (EmulatorVxNet VxNet, IPNetwork Net)>(StringComparer.Ordinal);
        foreach (var v in o.VxNets)
        {
            Require(v.VxNetId.StartsWith("vxnet-", StringComparison.Ordinal) && v.VxNetId.Length > 6, $"vxnets[].vxnet_id '{v.VxNetId}' must look like vxnet-xxxxxxx.");
            Require(!vxnets.ContainsKey(v.VxNetId), $"vxnets[].vxnet_id '{v.VxNetId}' appears twice.");
            v.Zone ??= o.Zones[0];
            Require(o.Zones.Contains(v.Zone), $"vxnets[{v.VxNetId}].zone '{v.Zone}' is not one of zones[].");
            vxnets[v.VxNetId] = (v, ParseCidr(v.IpNetwork, $"vxnets[{v.VxNetId}].ip_network"));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in o.Instances)
        {
            Require(i.InstanceId.StartsWith("i-", StringComparison.Ordinal) && i.InstanceId.Length > 2, $"instances[].instance_id '{i.InstanceId}' must look like i-xxxxxxxx.");
            Require(ids.Add(i.InstanceId), $"instances[].instance_id '{i.InstanceId}' appears twice.");
            Require(vxnets.TryGetValue(i.VxNetId, out var vxnet), $"instances[{i.InstanceId}].vxnet_id '{i.VxNetId}' is not one of vxnets[].");
            i.Zone ??= vxnet.VxNet.Zone;
            Require(i.Zone == vxnet.VxNet.Zone, $"instances[{i.InstanceId}].zone '{i.Zone}' differs from its VxNet's zone '{vxnet.VxNet.Zone}'.");
            Require(IPAddress.TryParse(i.PrivateIp, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && vxnet.Net.Contains(ip),
                $"instances[{i.InstanceId}].private_ip '{i.PrivateIp}' is not an IPv4 address inside {i.VxNetId} ({vxnet.VxNet.IpNetwork}).");
            Require(addresses.Add(i.PrivateIp), $"instances[{i.InstanceId}].private_ip '{i.PrivateIp}' is used twice.");
            Require(InstanceStatuses.Contains(i.Status), $"instances[{i.InstanceId}].status '{i.Status}' must be running or stopped.");
            Require(i.VcpusCurrent > 0 && i.MemoryCurrent > 0, $"instances[{i.InstanceId}]: vcpus_current and memory_current must be positive.");
        }

        Require(ParseCidr(o.EipPool, "eip_pool").PrefixLength <= 30, $"eip_pool '{o.EipPool}' must hold at least two usable addresses (prefix /30 or shorter).");
        Require(o.JobLatencyMs >= 0, $"job_latency_ms '{o.JobLatencyMs}' must not be negative.");
        Require(o.LeaseWindowMs >= 0, $"lease_window_ms '{o.LeaseWindowMs}' must not be negative.");
        Require(o.HealthCheckTimeScale > 0 && o.HealthCheckTimeScale <= 10, $"health_check_time_scale '{o.HealthCheckTimeScale}' must be greater than 0 and at most 10.");
        Rate(o.Faults.RetCode5100Rate, "ret_code_5100_rate");
        Rate(o.Faults.RetCode5000Rate, "ret_code_5000_rate");
        Rate(o.Faults.RetCode5300Rate, "ret_code_5300_rate");
        Rate(o.Faults.Http5xxRate, "http_5xx_rate");
        Rate(o.Faults.DropConnectionRate, "drop_connection_rate");
        Rate(o.Faults.FailedJobRate, "failed_job_rate");

        // Each request draws one fault, so the per-request rates share one unit interval.
        Require(o.Faults.RetCode5100Rate + o.Faults.RetCode5000Rate + o.Faults.RetCode5300Rate + o.Faults.Http5xxRate + o.Faults.DropConnectionRate <= 1,
            "faults: ret_code_5100_rate + ret_code_5000_rate + ret_code_5300_rate + http_5xx_rate + drop_connection_rate must not exceed 1.");
        Require(o.Quotas.LoadBalancers >= 0 && o.Quotas.Eips >= 0 && o.Quotas.SecurityGroups >= 0, "quotas must not be negative.");
    }

    /// <summary>Parses an IPv4 CIDR such as <c>127.0.0.0/24</c>.</summary>
    /// <param name="text">CIDR text.</param>
    /// <param name="key">Config key for the message.</param>
    /// <returns>The network.</returns>
    public static IPNetwork ParseCidr(string text, string key)
    {
        Require(IPNetwork.TryParse(text, out var net) && net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                && text.StartsWith(net.BaseAddress + "/", StringComparison.Ordinal),
            $"{key} '{text}' is not an IPv4 CIDR with a network address, such as 127.0.0.0/24.");
        return net;
    }

    private static void ValidateListen(Uri listen)
    {
        Require(listen.Scheme == Uri.UriSchemeHttp, $"listen '{listen}' must be an http:// URL (the emulator does not serve TLS).");
        Require(listen.IsLoopback || IPAddress.TryParse(listen.Host.Trim('[', ']'), out _), $"listen '{listen}' must name an IP address or localhost.");
        Require(listen.AbsolutePath == "/", $"listen '{listen}' must not have a path; the API is served at /iaas/.");
    }

    private static void Rate(double value, string key) =>
        Require(value >= 0 && value <= 1, $"faults.{key} '{value}' must be between 0 and 1.");

    private static void Unique(IEnumerable<string> values, string key)
    {
        var duplicate = values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, $"{key} '{duplicate?.Key}' appears twice.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new EmulatorConfigException(message);
        }
    }
}
