// Copyright (c) HaCluster contributors. MIT License.
// Get-QcSecurityGroup: lists security groups by id or name pattern, with the resources that use them.

using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Gets QingCloud security groups (DescribeSecurityGroups with the resources using each), by id or by name with
/// wildcards. A load balancer piped in binds its SecurityGroupId, so <c>$lb | Get-QcSecurityGroup</c> shows its firewall.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QcSecurityGroup", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(SecurityGroup))]
public sealed class GetQcSecurityGroupCommand : QcGetCmdlet
{
    /// <summary>Security group ids (sg-xxxxxxxx); bind from objects with a SecurityGroupId or security_group_id property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("security_group_id")]
    [ValidateNotNullOrEmpty]
    public string[] SecurityGroupId { get; set; } = System.Array.Empty<string>();

    /// <summary>Security group names; wildcards allowed, case-insensitive.</summary>
    [Parameter(Position = 0, ParameterSetName = FilterSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<string> RequestedIds => SecurityGroupId;

    /// <inheritdoc />
    protected override string[]? RequestedNames => Name;

    /// <inheritdoc />
    protected override string NotFoundErrorId => "QcSecurityGroupNotFound";

    /// <inheritdoc />
    protected override string Noun => "security group";

    // Describes by ids, or all narrowed by an optional search word.
    private Task<IReadOnlyList<SecurityGroup>> DescribeAsync(QingCloudClient client, IReadOnlyList<string>? ids, string? searchWord, CancellationToken cancellationToken) =>
        client.DescribeSecurityGroupsAsync(ids, searchWord, verbose: true, cancellationToken: cancellationToken);

    /// <inheritdoc />
    protected override void EndProcessing() => WriteResources<SecurityGroup>(DescribeAsync, item => item.SecurityGroupId, item => item.SecurityGroupName);
}
