// Copyright (c) HaCluster contributors. MIT License.
// The one rule that decides a kk run from what the parser read: success, failure, or not decided yet.

namespace HaCluster.Engine.KubeKey;

/// <summary>How a kk run ended, as far as its output tells.</summary>
internal enum KkOutcome
{
    /// <summary>kk has not said either way (still running, or the log was cut).</summary>
    Incomplete,

    /// <summary>kk printed its success line and nothing of its own said otherwise.</summary>
    Succeeded,

    /// <summary>kk said it failed, or exited without its success line.</summary>
    Failed,
}

/// <summary>What the parser found that bears on the verdict; nothing else does.</summary>
internal sealed class KkVerdictInput
{
    /// <summary>kk's <c>Pipeline[…] execute successfully</c> (or v1.x's success line).</summary>
    public bool SuccessLine { get; set; }

    /// <summary>kk's exit-time block (<see cref="KkExitError"/>); <c>error:</c> lines inside log entries never count.</summary>
    public bool ExitError { get; set; }

    /// <summary>A <c>[FATA]</c> entry (kk exits 1 without an <c>error:</c> line).</summary>
    public bool Fatal { get; set; }

    /// <summary>ConfirmModule's <c>[ERRO] node: cmd is required.</c> (kk exits 1 without an <c>error:</c> line).</summary>
    public bool PreflightRefused { get; set; }

    /// <summary>A timestamped <c>failed: [node]</c> status line; kk stops at the first one unless <c>--ignore-err</c>.</summary>
    public bool TaskFailed { get; set; }

    /// <summary>kk's exit code, when known.</summary>
    public int? ExitCode { get; set; }
}

/// <summary>
/// The verdict rule (kubekey.md §4.5–§4.7): success needs kk's success line, exit code 0 (when known) and none of kk's
/// own failure signals; a failure signal or an exit code without the success line is a failure; anything else is
/// undecided. PTY output inside log entries (<c>error: taint … not found</c>, etcdctl's <c>Error:  client: …</c>)
/// is not a signal: kk itself goes on past it.
/// </summary>
internal static class KkVerdict
{
    /// <summary>Decides.</summary>
    /// <param name="input">What the log showed.</param>
    /// <returns>The outcome.</returns>
    public static KkOutcome Decide(KkVerdictInput input)
    {
        var reported = input.ExitError || input.Fatal || input.PreflightRefused;
        if (input.SuccessLine && !reported && (input.ExitCode is null || input.ExitCode == 0))
        {
            return KkOutcome.Succeeded;
        }

        return reported || (input.TaskFailed && !input.SuccessLine) || input.ExitCode.HasValue
            ? KkOutcome.Failed
            : KkOutcome.Incomplete;
    }
}
