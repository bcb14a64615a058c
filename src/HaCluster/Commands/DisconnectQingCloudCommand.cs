// Copyright (c) HaCluster contributors. MIT License.
// Disconnect-QingCloud: forgets the runspace's default QingCloud context.

using System.Management.Automation;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>Removes the default QingCloud context of this runspace. Contexts held in variables stay usable with -Context.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "QingCloud")]
[OutputType(typeof(void))]
public sealed class DisconnectQingCloudCommand : HaCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (QingCloudSession.Current is { } context)
        {
            QingCloudSession.Current = null;
            WriteVerbose($"Disconnected {context.AccessKeyId} from QingCloud zone {context.Zone}.");
        }
        else
        {
            WriteVerbose("Not connected to QingCloud; nothing to do.");
        }
    }
}
