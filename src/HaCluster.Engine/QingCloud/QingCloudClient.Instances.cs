// Copyright (c) HaCluster contributors. MIT License.
// Typed instance, VxNet and job actions.

using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Engine.QingCloud;

/// <content>DescribeInstances, StopInstances, StartInstances, DescribeVxnets, DescribeJobs.</content>
public sealed partial class QingCloudClient
{
    /// <summary>DescribeInstances, all pages.</summary>
    /// <param name="instanceIds">Only these instances.</param>
    /// <param name="status">Only these statuses (<c>running</c>, <c>stopped</c>, …).</param>
    /// <param name="searchWord">Matches the id or name.</param>
    /// <param name="tagIds">Only instances with these tags (tag ids).</param>
    /// <param name="verbose">Ask for details (security group, volumes, keypairs).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The instances.</returns>
    public Task<IReadOnlyList<Instance>> DescribeInstancesAsync(IEnumerable<string>? instanceIds = null, IEnumerable<string>? status = null, string? searchWord = null, IEnumerable<string>? tagIds = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<Instance>(
            "DescribeInstances",
            new QingCloudParameters().AddList("instances", instanceIds).AddList("status", status).Add("search_word", searchWord).AddList("tags", tagIds).Add("verbose", verbose ? 1 : null),
            "instance_set",
            cancellationToken);

    /// <summary>StopInstances: only running instances can be stopped (otherwise 1400, not retried).</summary>
    /// <param name="instanceIds">The instances.</param>
    /// <param name="force">Force a power-off.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> StopInstancesAsync(IEnumerable<string> instanceIds, bool force = false, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("StopInstances", new QingCloudParameters().AddList("instances", instanceIds).Add("force", force), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "StopInstances");
    }

    /// <summary>StartInstances: only stopped instances can be started.</summary>
    /// <param name="instanceIds">The instances.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job id.</returns>
    public async Task<string> StartInstancesAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var reply = await InvokeAsync("StartInstances", new QingCloudParameters().AddList("instances", instanceIds), QingCloudCallOptions.Default, cancellationToken).ConfigureAwait(false);
        return RequireString(reply, "job_id", "StartInstances");
    }

    /// <summary>DescribeVxnets, all pages.</summary>
    /// <param name="vxNetIds">Only these VxNets.</param>
    /// <param name="searchWord">Matches the id or name.</param>
    /// <param name="tagIds">Only VxNets with these tags.</param>
    /// <param name="verbose">Include the instance ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The VxNets.</returns>
    public Task<IReadOnlyList<VxNet>> DescribeVxNetsAsync(IEnumerable<string>? vxNetIds = null, string? searchWord = null, IEnumerable<string>? tagIds = null, bool verbose = false, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<VxNet>(
            "DescribeVxnets",
            new QingCloudParameters().AddList("vxnets", vxNetIds).Add("search_word", searchWord).AddList("tags", tagIds).Add("verbose", verbose ? 1 : null),
            "vxnet_set",
            cancellationToken);

    /// <summary>DescribeJobs, all pages.</summary>
    /// <param name="jobIds">Only these jobs.</param>
    /// <param name="status">Only these statuses.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The jobs.</returns>
    public Task<IReadOnlyList<Job>> DescribeJobsAsync(IEnumerable<string>? jobIds = null, IEnumerable<string>? status = null, CancellationToken cancellationToken = default) =>
        DescribeAllAsync<Job>("DescribeJobs", new QingCloudParameters().AddList("jobs", jobIds).AddList("status", status), "job_set", cancellationToken);
}
