// Copyright (c) HaCluster contributors. MIT License.
// Get-QcLoadBalancer: lists load balancers by id, name pattern or tag; -Detailed adds listeners and backends.

using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Gets QingCloud load balancers (DescribeLoadBalancers, every page): by id, or by name (wildcards) and tag. Deleted
/// ones are listed only when asked for by id. With -Detailed each carries its Listeners, each listener its Backends.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QcLoadBalancer", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(LoadBalancer))]
public sealed class GetQcLoadBalancerCommand : QcGetCmdlet
{
    private List<string>? _tagIds;

    /// <summary>Load balancer ids (lb-xxxxxxxx); bind from objects with a LoadBalancerId or loadbalancer_id property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("loadbalancer_id")]
    [ArgumentCompleter(typeof(QcLoadBalancerCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] LoadBalancerId { get; set; } = System.Array.Empty<string>();

    /// <summary>Load balancer names; wildcards allowed, case-insensitive.</summary>
    [Parameter(Position = 0, ParameterSetName = FilterSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only load balancers carrying any of these tags (tag ids or names).</summary>
    [Parameter(ParameterSetName = FilterSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary>Include each load balancer's listeners and their backends (with health status).</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <inheritdoc />
    protected override IEnumerable<string> RequestedIds => LoadBalancerId;

    /// <inheritdoc />
    protected override string[]? RequestedNames => Name;

    /// <inheritdoc />
    protected override string NotFoundErrorId => "QcLoadBalancerNotFound";

    /// <inheritdoc />
    protected override string Noun => "load balancer";

    /// <inheritdoc />
    protected override bool PrepareFilter()
    {
        _tagIds = Tag is null ? null : ResolveTags(Tag);
        return _tagIds is not { Count: 0 };
    }

    // Describes by ids, or all narrowed by an optional search word.
    private Task<IReadOnlyList<LoadBalancer>> DescribeAsync(QingCloudClient client, IReadOnlyList<string>? ids, string? searchWord, CancellationToken cancellationToken) =>
        client.DescribeLoadBalancersAsync(ids, searchWord: searchWord, tagIds: _tagIds, verbose: Detailed, cancellationToken: cancellationToken);

    /// <inheritdoc />
    protected override void EndProcessing() => WriteResources<LoadBalancer>(DescribeAsync, item => item.LoadBalancerId, item => item.LoadBalancerName);
}
