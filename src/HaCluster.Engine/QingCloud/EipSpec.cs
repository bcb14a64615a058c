// Copyright (c) HaCluster contributors. MIT License.
// What AllocateEips takes (reference/qingcloud-api.md §4.4).

namespace HaCluster.Engine.QingCloud;

/// <summary>EIPs to allocate.</summary>
public sealed class EipSpec
{
    /// <summary>Bandwidth in Mbps (required, at least 1).</summary>
    public int Bandwidth { get; set; } = 1;

    /// <summary><c>bandwidth</c> (default) or <c>traffic</c>.</summary>
    public string? BillingMode { get; set; }

    /// <summary>The name; also what a re-run looks the EIP up by.</summary>
    public string? Name { get; set; }

    /// <summary>How many to allocate (default 1).</summary>
    public int Count { get; set; } = 1;

    /// <summary>Whether an ICP record is needed.</summary>
    public bool? NeedIcp { get; set; }

    /// <summary>0 external (default), 1 internal.</summary>
    public int? AssociateMode { get; set; }

    /// <summary>Checks the spec and returns the wire parameters.</summary>
    /// <returns>The parameters.</returns>
    /// <exception cref="Common.HaClusterException">A value is out of range.</exception>
    public QingCloudParameters ToParameters()
    {
        QingCloudValidation.Range("QingCloudInvalidBandwidth", "EIP bandwidth (Mbps)", Bandwidth, 1, 10000);
        QingCloudValidation.Range("QingCloudInvalidEipCount", "EIP count", Count, 1, 100);
        if (BillingMode is not null)
        {
            QingCloudValidation.OneOf("QingCloudInvalidBillingMode", "Billing mode", BillingMode, "bandwidth", "traffic");
        }

        return new QingCloudParameters()
            .Add("bandwidth", Bandwidth)
            .Add("billing_mode", BillingMode)
            .Add("eip_name", Name)
            .Add("count", Count)
            .Add("need_icp", NeedIcp)
            .Add("associate_mode", AssociateMode);
    }
}
