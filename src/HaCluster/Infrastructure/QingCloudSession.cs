// Copyright (c) HaCluster contributors. MIT License.
// The default QingCloud context of each runspace, set by Connect-QingCloud.

using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Infrastructure;

/// <summary>
/// Holds one default <see cref="QingCloudContext"/> per runspace, so parallel runspaces (jobs,
/// ForEach-Object -Parallel, hosted automation) never share or overwrite each other's credentials.
/// Call only from the pipeline thread: <see cref="Runspace.DefaultRunspace"/> is thread-bound.
/// </summary>
internal static class QingCloudSession
{
    // Weak keys: a closed runspace's context goes away with it.
    private static readonly ConditionalWeakTable<Runspace, Holder> Contexts = new();

    /// <summary>The current runspace's default context, or null when not connected.</summary>
    public static QingCloudContext? Current
    {
        get => Runspace.DefaultRunspace is { } runspace && Contexts.TryGetValue(runspace, out var holder) ? holder.Context : null;
        set
        {
            if (Runspace.DefaultRunspace is { } runspace)
            {
                Contexts.GetValue(runspace, _ => new Holder()).Context = value;
            }
        }
    }

    private sealed class Holder
    {
        public QingCloudContext? Context { get; set; }
    }
}
