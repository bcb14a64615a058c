// Copyright (c) HaCluster contributors. MIT License.
// A task whose result nobody awaits any more (an earlier step failed, or a library ignored its token) must not leave an
// unobserved fault behind.

using System.Threading;
using System.Threading.Tasks;

namespace HaCluster.Engine.Common;

/// <summary>Observing the faults of tasks left running.</summary>
internal static class TaskFaults
{
    /// <summary>Marks the task's eventual fault as observed; a null task is ignored.</summary>
    /// <param name="task">The task left running.</param>
    public static void ObserveFaults(this Task? task) =>
        task?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
