// Copyright (c) HaCluster contributors. MIT License.
// Get-QcEip: lists elastic IPs by id, name pattern or status.

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>Gets QingCloud elastic IPs (DescribeEips, every page), by id or by name with wildcards; released ones are not listed.</summary>
[Cmdlet(VerbsCommon.Get, "QcEip", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(Eip))]
public sealed class GetQcEipCommand : QcGetCmdlet
{
    private static readonly string[] LiveStatuses = { "pending", "available", "associated", "suspended" };

    /// <summary>EIP ids (eip-xxxxxxxx); bind from objects with an EipId or eip_id property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("eip_id")]
    [ArgumentCompleter(typeof(QcLiveEipCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] EipId { get; set; } = System.Array.Empty<string>();

    /// <summary>EIP names; wildcards allowed, case-insensitive.</summary>
    [Parameter(Position = 0, ParameterSetName = FilterSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QcEipNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only EIPs in these statuses (default: every live status).</summary>
    [Parameter]
    [ValidateSet("pending", "available", "associated", "suspended")]
    public string[]? Status { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<string> RequestedIds => EipId;

    /// <inheritdoc />
    protected override string[]? RequestedNames => Name;

    /// <inheritdoc />
    protected override string NotFoundErrorId => "QcEipNotFound";

    /// <inheritdoc />
    protected override string Noun => "EIP";

    // Describes by ids, or all narrowed by an optional search word.
    private async Task<IReadOnlyList<Eip>> DescribeAsync(QingCloudClient client, IReadOnlyList<string>? ids, string? searchWord, CancellationToken cancellationToken)
    {
        // DescribeEips rejects the whole call for one unknown id, so ids are matched here against the live list.
        var all = await client.DescribeEipsAsync(status: Status ?? LiveStatuses, searchWord: searchWord, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ids is null ? all : all.Where(e => ids.Contains(e.EipId)).ToList();
    }

    /// <inheritdoc />
    protected override void EndProcessing() => WriteResources<Eip>(DescribeAsync, item => item.EipId, item => item.EipName);
}
