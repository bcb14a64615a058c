// Copyright (c) HaCluster contributors. MIT License.
// Get-QcContext: shows the runspace's default QingCloud context.

using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>Returns the default QingCloud context set by Connect-QingCloud in this runspace, or nothing when not connected.</summary>
[Cmdlet(VerbsCommon.Get, "QcContext")]
[OutputType(typeof(QingCloudContext))]
public sealed class GetQcContextCommand : HaCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (QingCloudSession.Current is { } context)
        {
            WriteObject(context);
        }
        else
        {
            WriteVerbose("Not connected: Qc cmdlets will use QINGCLOUD_* environment variables or ~/.qingcloud/config.yaml.");
        }
    }
}
