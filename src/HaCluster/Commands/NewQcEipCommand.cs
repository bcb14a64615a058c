// Copyright (c) HaCluster contributors. MIT License.
// New-QcEip: allocates an elastic IP and waits until it is available.

using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Allocates an elastic IP (AllocateEips) and waits until it is <c>available</c>, as the tutorial does before the
/// external load balancer. A named allocation is never repeated blindly: after an unknown outcome the EIP is looked up by name.
/// </summary>
[Cmdlet(VerbsCommon.New, "QcEip", SupportsShouldProcess = true)]
[OutputType(typeof(Eip))]
public sealed class NewQcEipCommand : QcCmdlet
{
    /// <summary>Bandwidth in Mbps (default 1).</summary>
    [Parameter(Position = 0)]
    [ValidateRange(1, 10000)]
    public int Bandwidth { get; set; } = 1;

    /// <summary>Billing by Bandwidth (default) or by Traffic.</summary>
    [Parameter]
    [ValidateSet("Bandwidth", "Traffic")]
    public string BillingMode { get; set; } = "Bandwidth";

    /// <summary>The EIP's name; refused when a live EIP already has it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Return right after AllocateEips, while the EIP may still be pending.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var billing = BillingMode.ToLowerInvariant();
        if (!ShouldProcess(Name ?? "new EIP", $"Allocate EIP ({Bandwidth} Mbps, billed by {billing})"))
        {
            return;
        }

        var spec = new EipSpec { Bandwidth = Bandwidth, BillingMode = billing, Name = Name };
        var eips = RunQc($"Allocating EIP {Name}", (client, token) => new EipService(client).AllocateAsync(spec, NoWait, null, token));
        WriteObject(eips, enumerateCollection: true);
    }
}
