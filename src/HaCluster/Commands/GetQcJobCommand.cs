// Copyright (c) HaCluster contributors. MIT License.
// Get-QcJob: shows QingCloud asynchronous jobs.

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;
using Job = HaCluster.Engine.QingCloud.Job;

namespace HaCluster.Commands;

/// <summary>Gets QingCloud jobs (DescribeJobs): the given ids, or every job of the zone, optionally filtered by status.</summary>
[Cmdlet(VerbsCommon.Get, "QcJob")]
[OutputType(typeof(Job))]
public sealed class GetQcJobCommand : QcCmdlet
{
    private readonly List<string> _ids = new();

    /// <summary>Job ids (j-xxxxxxxx); bind from objects with a JobId or job_id property.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("job_id")]
    [ValidateNotNullOrEmpty]
    public string[]? JobId { get; set; }

    /// <summary>Only jobs in these statuses.</summary>
    [Parameter]
    [ValidateSet("pending", "working", "successful", "failed", "done with failure")]
    public string[]? Status { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (JobId is not null)
        {
            _ids.AddRange(JobId);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var ids = _ids.Distinct().ToList();
        var jobs = RunQc(ids.Count == 0 ? "Describing jobs" : $"Describing jobs {string.Join(", ", ids)}", (client, token) => client.DescribeJobsAsync(ids.Count == 0 ? null : ids, Status, token));
        if (ids.Count > 0 && Status is null)
        {
            ReportMissingIds(ids, jobs, j => j.JobId, "QcJobNotFound", "job");
        }

        WriteObject(jobs, enumerateCollection: true);
    }
}
