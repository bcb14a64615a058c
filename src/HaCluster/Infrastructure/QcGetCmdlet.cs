// Copyright (c) HaCluster contributors. MIT License.
// Base of the Get-Qc* cmdlets that find resources by id (from the pipeline) or by name pattern.

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Infrastructure;

/// <summary>
/// By id, ids piped in are collected and described in one call, and each unknown id is a non-terminating
/// ObjectNotFound error; by name, wildcards match case-insensitively and a literal name that matches nothing is an error.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
public abstract class QcGetCmdlet<T> : QcCmdlet
{
    /// <summary>Parameter set of the name filter.</summary>
    protected const string FilterSet = "Filter";

    /// <summary>Parameter set of the ids.</summary>
    protected const string IdSet = "Id";

    private readonly List<string> _ids = new();

    /// <summary>The ids bound for the current pipeline record.</summary>
    protected abstract IEnumerable<string> RequestedIds { get; }

    /// <summary>The name patterns, or null for all.</summary>
    protected abstract string[]? RequestedNames { get; }

    /// <summary>ErrorId for what is not found, e.g. <c>QcEipNotFound</c>.</summary>
    protected abstract string NotFoundErrorId { get; }

    /// <summary>The resource's noun for messages, e.g. <c>EIP</c>.</summary>
    protected abstract string Noun { get; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            _ids.AddRange(RequestedIds);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName == IdSet)
        {
            var ids = _ids.Distinct().ToList();
            var found = RunQc((client, token) => DescribeAsync(client, ids, null, token));
            ReportMissingIds(ids, found, IdOf, NotFoundErrorId, Noun);
            WriteObject(found, enumerateCollection: true);
            return;
        }

        if (!PrepareFilter())
        {
            return;
        }

        // A single literal name narrows the listing on the server; the exact match happens here.
        var names = RequestedNames;
        var search = names is { Length: 1 } && !WildcardPattern.ContainsWildcardCharacters(names[0]) ? names[0] : null;
        var all = RunQc((client, token) => DescribeAsync(client, null, search, token));
        WriteObject(FilterByName(all, names, NameOf, NotFoundErrorId, Noun), enumerateCollection: true);
    }

    /// <summary>Resolves further filters (tags …) before a by-name listing; false when nothing can match.</summary>
    /// <returns>Whether to list.</returns>
    protected virtual bool PrepareFilter() => true;

    /// <summary>Describes resources: by ids, or all (optionally narrowed by a search word).</summary>
    /// <param name="client">The client.</param>
    /// <param name="ids">The ids, or null.</param>
    /// <param name="searchWord">A literal name to narrow the listing, or null.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The resources.</returns>
    protected abstract Task<IReadOnlyList<T>> DescribeAsync(QingCloudClient client, IReadOnlyList<string>? ids, string? searchWord, CancellationToken cancellationToken);

    /// <summary>A resource's id.</summary>
    /// <param name="item">The resource.</param>
    /// <returns>The id.</returns>
    protected abstract string IdOf(T item);

    /// <summary>A resource's name.</summary>
    /// <param name="item">The resource.</param>
    /// <returns>The name.</returns>
    protected abstract string? NameOf(T item);
}
