// Copyright (c) HaCluster contributors. MIT License.
// Progress statuses fit the 120 columns PowerShell draws a bar in; what does not fit moves to the current operation.

using System.Linq;
using HaCluster.Engine.Common;
using Xunit;

namespace HaCluster.Engine.Tests.Common;

public sealed class OperationProgressTests
{
    [Fact]
    public void A_short_status_is_kept_as_it_is()
    {
        var progress = new OperationProgress(1, "Waiting", "3 of 9 backends up") { CurrentOperation = "lb-1" };
        Assert.Equal("3 of 9 backends up", progress.Status);
        Assert.Equal("lb-1", progress.CurrentOperation);
    }

    [Fact]
    public void A_long_status_keeps_its_first_clause_and_the_rest_leads_the_current_operation()
    {
        // What the backend wait reports with nine backends down (ResourceWaiter takes it as the status).
        var waiting = "waiting for " + string.Join(", ", Enumerable.Range(1, 9).Select(i => $"i-node000{i}:30880 (down)"));
        var progress = new OperationProgress(1, "Waiting", "0 of 9 backends up; " + waiting) { CurrentOperation = "poll 3" };
        Assert.Equal("0 of 9 backends up", progress.Status);
        Assert.Equal(waiting + "; poll 3", progress.CurrentOperation);
    }

    [Fact]
    public void A_long_status_without_a_clause_is_cut_to_the_limit_and_kept_whole_as_the_current_operation()
    {
        // What the job wait reports for many jobs at once.
        var jobs = string.Join(", ", Enumerable.Range(1, 20).Select(i => $"j-{i:D8}"));
        var progress = new OperationProgress(1, "Waiting for jobs", jobs);
        Assert.Equal(OperationProgress.MaxStatusLength, progress.Status.Length);
        Assert.EndsWith("\u2026", progress.Status);
        Assert.StartsWith(progress.Status.TrimEnd('\u2026'), jobs);
        Assert.Equal(jobs, progress.CurrentOperation);
    }
}
