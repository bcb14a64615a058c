// Copyright (c) HaCluster contributors. MIT License.
// Get-QcVxNet: lists QingCloud private networks by id or name pattern.

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>Gets QingCloud VxNets (DescribeVxnets, every page), by id or by name with wildcards.</summary>
[Cmdlet(VerbsCommon.Get, "QcVxNet", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(VxNet))]
public sealed class GetQcVxNetCommand : QcCmdlet
{
    private const string FilterSet = "Filter";
    private const string IdSet = "Id";
    private readonly List<string> _ids = new();

    /// <summary>VxNet ids (vxnet-xxxxxxx); bind from objects with a VxNetId or vxnet_id property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("vxnet_id")]
    [ValidateNotNullOrEmpty]
    public string[] VxNetId { get; set; } = System.Array.Empty<string>();

    /// <summary>VxNet names; wildcards allowed, case-insensitive.</summary>
    [Parameter(Position = 0, ParameterSetName = FilterSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _ids.AddRange(VxNetId);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName == IdSet)
        {
            var ids = _ids.Distinct().ToList();
            var found = RunQc($"Describing VxNets {string.Join(", ", ids)}", (client, token) => client.DescribeVxNetsAsync(ids, verbose: true, cancellationToken: token));
            ReportMissingIds(ids, found, v => v.VxNetId, "QcVxNetNotFound", "VxNet");
            WriteObject(found, enumerateCollection: true);
            return;
        }

        var all = RunQc(Name is null ? "Describing all VxNets" : $"Describing VxNets named {string.Join(", ", Name)}", (client, token) => client.DescribeVxNetsAsync(verbose: true, cancellationToken: token));
        WriteObject(FilterByName(all, Name, v => v.VxNetName, "QcVxNetNotFound", "VxNet"), enumerateCollection: true);
    }
}
