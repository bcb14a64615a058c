// Copyright (c) HaCluster contributors. MIT License.
// Base of the Get-Qc* cmdlets that find resources by id (from the pipeline) or by name pattern.

using System;
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
/// <remarks>
/// Not generic over the resource type on purpose: PowerShell inspects cmdlet base types while importing the module,
/// before the engine's load context exists, so a base type must not name an engine type.
/// </remarks>
public abstract class QcGetCmdlet : QcCmdlet
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

    /// <summary>Writes the resources asked for (call from EndProcessing).</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="describe">Describes resources: by ids, or all (optionally narrowed by a literal name as search word).</param>
    /// <param name="idOf">A resource's id.</param>
    /// <param name="nameOf">A resource's name.</param>
    protected void WriteResources<T>(Func<QingCloudClient, IReadOnlyList<string>?, string?, CancellationToken, Task<IReadOnlyList<T>>> describe, Func<T, string> idOf, Func<T, string?> nameOf)
    {
        if (ParameterSetName == IdSet)
        {
            var ids = _ids.Distinct().ToList();
            var found = RunQc($"Describing {Noun}s {string.Join(", ", ids)}", (client, token) => describe(client, ids, null, token));
            ReportMissingIds(ids, found, idOf, NotFoundErrorId, Noun);
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
        var all = RunQc(names is null ? $"Describing all {Noun}s" : $"Describing {Noun}s named {string.Join(", ", names)}", (client, token) => describe(client, null, search, token));
        WriteObject(FilterByName(all, names, nameOf, NotFoundErrorId, Noun), enumerateCollection: true);
    }

    /// <summary>Resolves further filters (tags …) before a by-name listing; false when nothing can match.</summary>
    /// <returns>Whether to list.</returns>
    protected virtual bool PrepareFilter() => true;
}
