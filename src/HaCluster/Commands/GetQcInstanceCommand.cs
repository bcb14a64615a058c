// Copyright (c) HaCluster contributors. MIT License.
// Get-QcInstance: lists QingCloud instances by id, name pattern, tag and status.

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Gets QingCloud instances (DescribeInstances, every page). By id the ids arrive from the pipeline and are
/// described in one call; otherwise instances are filtered by name (wildcards), tag and status.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QcInstance", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(Instance))]
public sealed class GetQcInstanceCommand : QcCmdlet
{
    private const string FilterSet = "Filter";
    private const string IdSet = "Id";
    private readonly List<string> _ids = new();

    /// <summary>Instance ids (i-xxxxxxxx); bind from objects with an InstanceId or instance_id property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("instance_id", "ResourceId")]
    [ArgumentCompleter(typeof(QcInstanceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] InstanceId { get; set; } = System.Array.Empty<string>();

    /// <summary>Instance names; wildcards allowed, case-insensitive.</summary>
    [Parameter(Position = 0, ParameterSetName = FilterSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QcInstanceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only instances carrying any of these tags (tag ids tag-xxxxxxxx or tag names).</summary>
    [Parameter(ParameterSetName = FilterSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>Only instances in these statuses.</summary>
    [Parameter]
    [ValidateSet("pending", "running", "stopped", "suspended", "terminated", "ceased")]
    public string[]? Status { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _ids.AddRange(InstanceId);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName == IdSet)
        {
            var ids = _ids.Distinct().ToList();
            var found = RunQc($"Describing instances {string.Join(", ", ids)}", (client, token) => client.DescribeInstancesAsync(ids, Status, cancellationToken: token));
            ReportMissingIds(ids, found, i => i.InstanceId, "QcInstanceNotFound", "instance");
            WriteObject(found, enumerateCollection: true);
            return;
        }

        var tagIds = Tag is null ? null : ResolveTags(Tag);
        if (tagIds is { Count: 0 })
        {
            return;
        }

        // A single literal name narrows the listing on the server; the exact match happens here.
        var search = Name is { Length: 1 } && !WildcardPattern.ContainsWildcardCharacters(Name[0]) ? Name[0] : null;
        var all = RunQc(Describe("instances", Name, Status, tagIds), (client, token) => client.DescribeInstancesAsync(status: Status, searchWord: search, tagIds: tagIds, cancellationToken: token));
        WriteObject(FilterByName(all, Name, i => i.InstanceName, "QcInstanceNotFound", "instance"), enumerateCollection: true);
    }

    private static string Describe(string noun, string[]? names, string[]? status, List<string>? tagIds) =>
        "Describing " + noun
        + (names is null ? string.Empty : " named " + string.Join(", ", names))
        + (status is null ? string.Empty : " with status " + string.Join(", ", status))
        + (tagIds is null ? string.Empty : " tagged " + string.Join(", ", tagIds));
}
