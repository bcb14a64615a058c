// Copyright (c) HaCluster contributors. MIT License.
// Typed EIP actions.

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <content>AllocateEips, DescribeEips, ReleaseEips.</content>
public sealed partial class QingCloudClient
{
    private static readonly string[] LiveEipStatuses = { "pending", "available", "associated", "suspended" };

    /// <summary>AllocateEips (synchronous; the EIPs start <c>pending</c>). Not repeated after an ambiguous failure: look up with <see cref="FindEipsByNameAsync"/>.</summary>
    /// <param name="spec">What to allocate.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new EIP ids.</returns>
    /// <exception cref="HaClusterException">The spec is invalid (nothing is sent).</exception>
    public async Task<IReadOnlyList<string>> AllocateEipsAsync(EipSpec spec, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("AllocateEips", spec.ToParameters(), QingCloudCallOptions.NonIdempotent, cancellationToken).ConfigureAwait(false);
        var ids = ReadStringList(reply, "eips", "AllocateEips");

        // Their way to "available" is timed like a job's (WaitForEipsAsync).
        foreach (var id in ids)
        {
            Context.JobDurations.Submitted(id, "AllocateEips");
        }

        return ids;
    }

    /// <summary>DescribeEips, all pages. QingCloud answers an error for an unknown id.</summary>
    /// <param name="eipIds">Only these EIPs.</param>
    /// <param name="status">Only these statuses.</param>
    /// <param name="searchWord">Matches the id, name or address.</param>
    /// <param name="instanceId">Only the EIP bound to this instance.</param>
    /// <param name="tagIds">Only EIPs with these tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The EIPs.</returns>
    public Task<IReadOnlyList<Eip>> DescribeEipsAsync(IEnumerable<string>? eipIds = null, IEnumerable<string>? status = null, string? searchWord = null, string? instanceId = null, IEnumerable<string>? tagIds = null, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<Eip>(
            "DescribeEips",
            new QingCloudParameters().AddList("eips", eipIds).AddList("status", status).Add("search_word", searchWord).Add("instance_id", instanceId).AddList("tags", tagIds),
            "eip_set",
            cancellationToken);

    /// <summary>Live EIPs whose name is exactly <paramref name="name"/>: the look-up before an allocation.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The matches.</returns>
    public async Task<IReadOnlyList<Eip>> FindEipsByNameAsync(string name, CancellationToken cancellationToken = default) =>
        (await DescribeEipsAsync(status: LiveEipStatuses, searchWord: name, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Where(e => e.EipName == name).ToList();

    /// <summary>ReleaseEips: the EIPs must be <c>available</c>; waits out 1400 "lease not ready".</summary>
    /// <param name="eipIds">The EIPs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> ReleaseEipsAsync(IEnumerable<string> eipIds, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("ReleaseEips", new QingCloudParameters().AddList("eips", eipIds), QingCloudCallOptions.DeleteOrRelease, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "ReleaseEips");
    }
}
