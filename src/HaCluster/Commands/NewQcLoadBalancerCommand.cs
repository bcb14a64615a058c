// Copyright (c) HaCluster contributors. MIT License.
// New-QcLoadBalancer: an internal load balancer in a VxNet or an external one on EIPs; waits until it is active.

using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Creates a load balancer (CreateLoadBalancer) and waits until it is <c>active</c> with no transition: internal in a
/// VxNet (tutorial steps 1.1-1.2; the result's Vip is the control-plane address) or external on EIPs (step 1.6; the
/// result's EipAddress is where the console is reached). Every input is checked before anything is created.
/// </summary>
[Cmdlet(VerbsCommon.New, "QcLoadBalancer", SupportsShouldProcess = true, DefaultParameterSetName = InternalSet)]
[OutputType(typeof(LoadBalancer))]
public sealed class NewQcLoadBalancerCommand : QcCmdlet
{
    private const string InternalSet = "Internal";
    private const string ExternalSet = "External";

    /// <summary>The name; it identifies the load balancer across re-runs, so a live load balancer must not have it already.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The VxNet of an internal load balancer: id (vxnet-…), name, or a VxNet object.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InternalSet)]
    [QcIdTransformation("VxNetId", "vxnet_id")]
    [ArgumentCompleter(typeof(QcVxNetCompleter))]
    [ValidateNotNullOrEmpty]
    public string VxNet { get; set; } = string.Empty;

    /// <summary>The VIP of an internal load balancer, inside the VxNet; assigned automatically when omitted.</summary>
    [Parameter(ParameterSetName = InternalSet)]
    [ValidateNotNullOrEmpty]
    public string? PrivateIp { get; set; }

    /// <summary>The EIPs (ids or EIP objects, up to 4, each available) of an external load balancer.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExternalSet)]
    [QcIdTransformation("EipId", "eip_id")]
    [ArgumentCompleter(typeof(QcEipCompleter))]
    [ValidateCount(1, 4)]
    [ValidateNotNullOrEmpty]
    public string[] Eip { get; set; } = System.Array.Empty<string>();

    /// <summary>Connection class: 0 = 5,000 (default), 1 = 20,000, 2 = 40,000, 3 = 100,000, 4 = 200,000, 5 = 500,000 concurrent connections.</summary>
    [Parameter]
    [Alias("LoadBalancerType", "loadbalancer_type")]
    [ValidateRange(0, 5)]
    public int Type { get; set; }

    /// <summary>The security group (id, name or object); a new default group when omitted.</summary>
    [Parameter]
    [QcIdTransformation("SecurityGroupId", "security_group_id")]
    [ValidateNotNullOrEmpty]
    public string? SecurityGroup { get; set; }

    /// <summary>Return right after CreateLoadBalancer, while the load balancer is still pending.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var where = ParameterSetName == InternalSet ? $"in VxNet {VxNet}" : $"on EIP {string.Join(", ", Eip)}";
        if (!ShouldProcess(Name, $"Create load balancer {where}"))
        {
            return;
        }

        var spec = new LoadBalancerSpec { Name = Name, LoadBalancerType = IsBound(nameof(Type)) ? Type : null, SecurityGroupId = SecurityGroup };
        if (ParameterSetName == InternalSet)
        {
            spec.VxNetId = VxNet;
            spec.PrivateIp = PrivateIp;
        }
        else
        {
            foreach (var eip in Eip)
            {
                spec.EipIds.Add(eip);
            }
        }

        WriteObject(RunQc($"Creating load balancer {Name}", (client, token) => new LoadBalancerService(client).CreateAsync(spec, NoWait, null, token)));
    }
}
