// Copyright (c) HaCluster contributors. MIT License.
// Remove-QcEip: releases elastic IPs; -Force dissociates them first.

using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Releases elastic IPs (ReleaseEips), all of them in one call, retrying while QingCloud answers 1400 "lease info not
/// ready yet". An associated EIP is refused (QcEipAssociated) unless -Force, which dissociates it from its load
/// balancer or instance first. -PassThru writes the EIPs as described just before ReleaseEips.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "QcEip", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Eip))]
public sealed class RemoveQcEipCommand : QcChangeCmdlet
{
    /// <summary>EIP ids (eip-xxxxxxxx) or EIP objects; bind from objects with an EipId or eip_id property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("eip_id")]
    [QcIdTransformation("EipId", "eip_id")]
    [ArgumentCompleter(typeof(QcEipCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] EipId { get; set; } = System.Array.Empty<string>();

    /// <summary>Dissociate associated EIPs from their load balancer or instance before releasing them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return right after ReleaseEips instead of waiting for its job.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<string> CurrentIds => EipId;

    /// <inheritdoc />
    protected override string ActionText => Force ? "Dissociate if needed and release EIP" : "Release EIP";

    /// <inheritdoc />
    protected override IEnumerable Change(IReadOnlyList<string> ids) =>
        RunQc($"Releasing EIP(s) {string.Join(", ", ids)}", (client, token) => new EipService(client).ReleaseAsync(ids, Force, NoWait, null, token));
}
