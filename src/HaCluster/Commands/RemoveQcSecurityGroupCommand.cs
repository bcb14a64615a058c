// Copyright (c) HaCluster contributors. MIT License.
// Remove-QcSecurityGroup: deletes security groups that guard nothing any more.

using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Deletes security groups (DeleteSecurityGroups, all in one call) with their rules. Refused before anything is deleted
/// for the account's default group (QcSecurityGroupIsDefault) and for a group still guarding instances or load
/// balancers (QcSecurityGroupInUse, naming them). -PassThru writes the groups as described just before the deletion.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "QcSecurityGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SecurityGroup))]
public sealed class RemoveQcSecurityGroupCommand : QcChangeCmdlet
{
    /// <summary>Group ids (sg-xxxxxxxx) or names, or group objects; bind from objects with a SecurityGroupId or security_group_id property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("security_group_id")]
    [QcIdTransformation("SecurityGroupId", "security_group_id")]
    [ValidateNotNullOrEmpty]
    public string[] SecurityGroupId { get; set; } = System.Array.Empty<string>();

    /// <inheritdoc />
    protected override IEnumerable<string> CurrentIds => SecurityGroupId;

    /// <inheritdoc />
    protected override string ActionText => "Delete security group and its rules";

    /// <inheritdoc />
    protected override IEnumerable Change(IReadOnlyList<string> ids) =>
        RunQc($"Deleting security group(s) {string.Join(", ", ids)}", (client, token) => new SecurityGroupService(client).DeleteAsync(ids, token));
}
