// Copyright (c) HaCluster contributors. MIT License.
// Wait-QcJob: waits for QingCloud jobs with one DescribeJobs per poll and shows progress.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;
using Job = HaCluster.Engine.QingCloud.Job;

namespace HaCluster.Commands;

/// <summary>
/// Waits until QingCloud jobs finish, polling all of them with one DescribeJobs call (200 ms at first, backing
/// off to 3 s) and showing progress. Writes each successful job; each failed job becomes a QingCloudJobFailed error.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "QcJob")]
[OutputType(typeof(Job))]
public sealed class WaitQcJobCommand : QcCmdlet
{
    private readonly List<string> _ids = new();

    /// <summary>Job ids (j-xxxxxxxx); bind from objects with a JobId or job_id property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("job_id")]
    [ValidateNotNullOrEmpty]
    public string[] JobId { get; set; } = Array.Empty<string>();

    /// <summary>Seconds to wait before failing with QingCloudJobTimeout (default 600).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 600;

    /// <inheritdoc />
    protected override void ProcessRecord() => _ids.AddRange(JobId);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var ids = _ids.Distinct().ToList();
        var options = new WaitOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec), ReturnFailedJobs = true };
        var jobs = RunQc($"Waiting up to {TimeoutSec} s for jobs {string.Join(", ", ids)}", (client, token) => client.WaitForJobsAsync(ids, options, token));
        foreach (var job in jobs)
        {
            if (job.IsFailed)
            {
                WriteError(ToErrorRecord(new QingCloudJobFailedException(job)));
            }
            else
            {
                WriteObject(job);
            }
        }
    }
}
