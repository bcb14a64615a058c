// Copyright (c) HaCluster contributors. MIT License.
// One pre-existing instance of the emulator's configuration.

namespace HaCluster.Emulator;

/// <summary>An instance that exists from the start (<c>instances[]</c>).</summary>
public sealed class EmulatorInstance
{
    /// <summary>Id (<c>instance_id</c>), e.g. <c>i-master01</c>.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>Name (<c>instance_name</c>).</summary>
    public string InstanceName { get; set; } = string.Empty;

    /// <summary>Zone (<c>zone</c>); defaults to the VxNet's zone.</summary>
    public string? Zone { get; set; }

    /// <summary>The VxNet it sits in (<c>vxnet_id</c>).</summary>
    public string VxNetId { get; set; } = string.Empty;

    /// <summary>Its address inside the VxNet's CIDR (<c>private_ip</c>).</summary>
    public string PrivateIp { get; set; } = string.Empty;

    /// <summary><c>running</c> (default) or <c>stopped</c> (<c>status</c>).</summary>
    public string Status { get; set; } = "running";

    /// <summary>Instance type reported by DescribeInstances (<c>instance_type</c>).</summary>
    public string InstanceType { get; set; } = "s1.large.r1";

    /// <summary>vCPU count (<c>vcpus_current</c>).</summary>
    public int VcpusCurrent { get; set; } = 4;

    /// <summary>Memory in MB (<c>memory_current</c>).</summary>
    public int MemoryCurrent { get; set; } = 8192;
}
