// Copyright (c) HaCluster contributors. MIT License.
// Base of every Qc* cmdlet: -Context, default-context resolution and a QingCloud client per engine call.

using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Infrastructure;

/// <summary>
/// Gives every QingCloud cmdlet a <c>-Context</c> parameter. Without it the cmdlet uses the runspace's
/// default context (Connect-QingCloud), and failing that resolves one from the environment variables or
/// the official CLI profile <c>~/.qingcloud/config.yaml</c>, so unattended runbooks need no Connect step.
/// </summary>
public abstract class QcCmdlet : HaCmdlet
{
    private QingCloudContext? _resolved;

    /// <summary>
    /// The QingCloud context to use instead of the session default (see Connect-QingCloud -PassThru and Get-QcContext).
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public QingCloudContext? Context { get; set; }

    /// <summary>The context this invocation uses; resolved once, on the pipeline thread.</summary>
    /// <returns>The context.</returns>
    protected QingCloudContext ResolveContext()
    {
        if (_resolved is not null)
        {
            return _resolved;
        }

        _resolved = Context ?? QingCloudSession.Current;
        if (_resolved is null)
        {
            try
            {
                _resolved = QingCloudContextResolver.Resolve(new QingCloudContextRequest());
            }
            catch (HaClusterException ex) when (ex.ErrorId == "QingCloudCredentialsNotFound")
            {
                ThrowTerminatingError(NewError(
                    "QingCloudNotConnected",
                    FailureKind.AuthenticationError,
                    "Not connected to QingCloud. Run Connect-QingCloud, pass -Context, or set QINGCLOUD_ACCESS_KEY, QINGCLOUD_SECRET_KEY and QINGCLOUD_ZONE.",
                    null));
            }
            catch (HaClusterException ex)
            {
                ThrowTerminatingError(ToErrorRecord(ex));
            }

            WriteVerbose($"Using QingCloud credentials from {_resolved!.Source}.");
        }

        return _resolved;
    }

    /// <summary>Runs engine work with a QingCloud client bound to this invocation's context and observer.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="what">What the call does, for the Verbose stream, e.g. <c>Describing instances named master*</c>.</param>
    /// <param name="work">The engine call.</param>
    /// <returns>Its result.</returns>
    protected T RunQc<T>(string what, Func<QingCloudClient, CancellationToken, Task<T>> work)
    {
        var context = ResolveContext();
        WriteVerbose($"{what} in QingCloud zone {context.Zone} at {context.Endpoint} as {context.AccessKeyId}.");
        return RunEngine((observer, token) => work(new QingCloudClient(context, observer), token));
    }

    /// <summary>Writes a non-terminating ObjectNotFound error for each requested id that the reply did not contain.</summary>
    /// <typeparam name="T">Resource type.</typeparam>
    /// <param name="requested">The ids asked for.</param>
    /// <param name="found">What came back.</param>
    /// <param name="idOf">Reads an item's id.</param>
    /// <param name="errorId">ErrorId, e.g. <c>QcInstanceNotFound</c>.</param>
    /// <param name="noun">For the message, e.g. <c>instance</c>.</param>
    protected void ReportMissingIds<T>(IEnumerable<string> requested, IReadOnlyList<T> found, Func<T, string> idOf, string errorId, string noun)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in found)
        {
            present.Add(idOf(item));
        }

        foreach (var id in requested)
        {
            if (!present.Contains(id))
            {
                WriteError(NewError(errorId, FailureKind.ObjectNotFound, $"QingCloud zone {ResolveContext().Zone} has no {noun} '{id}'.", id));
            }
        }
    }

    /// <summary>
    /// Keeps the items whose name matches any of <paramref name="names"/> (wildcards, case-insensitive) and writes an
    /// ObjectNotFound error for each name without wildcards that matched nothing, as Get-Process does.
    /// </summary>
    /// <typeparam name="T">Resource type.</typeparam>
    /// <param name="items">Candidates.</param>
    /// <param name="names">Name patterns; null or empty keeps everything.</param>
    /// <param name="nameOf">Reads an item's name.</param>
    /// <param name="errorId">ErrorId for unmatched literal names.</param>
    /// <param name="noun">For the message.</param>
    /// <returns>The matching items in their original order.</returns>
    protected IReadOnlyList<T> FilterByName<T>(IReadOnlyList<T> items, string[]? names, Func<T, string?> nameOf, string errorId, string noun)
    {
        if (names is null || names.Length == 0)
        {
            return items;
        }

        var patterns = Array.ConvertAll(names, n => new WildcardPattern(n, WildcardOptions.IgnoreCase));
        var matched = new bool[names.Length];
        var result = new List<T>();
        foreach (var item in items)
        {
            var name = nameOf(item) ?? string.Empty;
            var hit = false;
            for (var i = 0; i < patterns.Length; i++)
            {
                if (patterns[i].IsMatch(name))
                {
                    matched[i] = hit = true;
                }
            }

            if (hit)
            {
                result.Add(item);
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!matched[i] && !WildcardPattern.ContainsWildcardCharacters(names[i]))
            {
                WriteError(NewError(errorId, FailureKind.ObjectNotFound, $"QingCloud zone {ResolveContext().Zone} has no {noun} named '{names[i]}'.", names[i]));
            }
        }

        return result;
    }

    /// <summary>
    /// Turns tag ids (<c>tag-…</c>) and tag names into tag ids; an unknown name is a non-terminating QcTagNotFound error.
    /// </summary>
    /// <param name="tags">Tag ids or names.</param>
    /// <returns>The tag ids (empty when no name matched and no id was given).</returns>
    protected List<string> ResolveTags(string[] tags)
    {
        var names = Array.FindAll(tags, t => !t.StartsWith("tag-", StringComparison.Ordinal));
        var ids = new List<string>(Array.FindAll(tags, t => t.StartsWith("tag-", StringComparison.Ordinal)));
        if (names.Length > 0)
        {
            var known = RunQc($"Looking up tags {string.Join(", ", names)}", (client, token) => client.DescribeTagsAsync(cancellationToken: token));
            foreach (var tag in FilterByName(known, names, t => t.TagName, "QcTagNotFound", "tag"))
            {
                ids.Add(tag.TagId);
            }
        }

        return ids;
    }
}
