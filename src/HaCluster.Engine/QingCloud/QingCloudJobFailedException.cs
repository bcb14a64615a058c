// Copyright (c) HaCluster contributors. MIT License.
// An asynchronous QingCloud job that ended as failed or "done with failure".

using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>A job ended in <c>failed</c> or <c>done with failure</c>. ErrorId <c>QingCloudJobFailed</c>; the target is the job.</summary>
public sealed class QingCloudJobFailedException : HaClusterException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="job">The failed job as last described.</param>
    public QingCloudJobFailedException(Job job)
        : base("QingCloudJobFailed", FailureKind.InvalidResult, $"QingCloud job {job.JobId} ({job.JobAction} on {(job.ResourceIds.Count == 0 ? "no resource" : string.Join(", ", job.ResourceIds))}) ended with status '{job.Status}'{(string.IsNullOrEmpty(job.ErrorCodes) ? string.Empty : ", error codes " + job.ErrorCodes)}.", job)
    {
        Job = job;
    }

    /// <summary>The failed job's id.</summary>
    public string JobId => Job.JobId;

    /// <summary>The failed job.</summary>
    public Job Job { get; }
}
