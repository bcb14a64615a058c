// Copyright (c) HaCluster contributors. MIT License.
// Base for every HaCluster cmdlet: Ctrl+C, engine errors, and async engine work on the pipeline thread.

using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.Common;

namespace HaCluster.Infrastructure;

/// <summary>
/// Common behaviour: a cancellation token that Ctrl+C (StopProcessing) trips, translation of
/// <see cref="HaClusterException"/> into ErrorRecords with stable ErrorIds, and
/// <see cref="RunEngine{T}"/>, which runs async engine work on a worker thread while every
/// Write* call stays on the pipeline thread.
/// </summary>
public abstract class HaCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action<HaCmdlet>>? _queue;
    private bool _debugPreferenceChecked;

    /// <summary>Tripped when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    /// <summary>True when the named parameter was given on the command line or by the pipeline.</summary>
    /// <param name="parameterName">The parameter name (use nameof).</param>
    /// <returns>Whether it was bound.</returns>
    protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    /// <summary>Cancels engine work in flight.</summary>
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Writes a debug line without ever prompting. <c>-Debug</c> makes a compiled cmdlet ask "Continue?" at each Debug,
    /// Verbose and Warning line, and a non-interactive host (a runbook, <c>pwsh -NonInteractive</c>) refuses the prompt
    /// with an error that ends the command. <c>-Debug</c> asks to see the lines: they are written without asking.
    /// </summary>
    /// <param name="message">The line.</param>
    protected void WriteDebugLine(string message)
    {
        if (!_debugPreferenceChecked)
        {
            ContinueInsteadOfInquire();
        }

        WriteDebug(message);
    }

    /// <summary>Makes <c>-Debug</c> show Debug and Verbose lines without prompting (see <see cref="WriteDebugLine"/>); overrides call it first.</summary>
    protected override void BeginProcessing() => ContinueInsteadOfInquire();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a worker thread. Narration it sends to the observer is written
    /// (Verbose, Debug, Warning, Progress) on the pipeline thread as it arrives, and so are objects it hands to
    /// <see cref="QueueWriteObject"/>. Engine failures become terminating errors; cancellation becomes a pipeline
    /// stop. When the pipeline stops (Ctrl+C), the work is cancelled and this still waits for it to unwind, so the
    /// engine's own cleanup (for example restarting a stopped instance) finishes before the cmdlet returns.
    /// </summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="work">The engine call.</param>
    /// <returns>The result of the work.</returns>
    protected T RunEngine<T>(Func<IOperationObserver, CancellationToken, Task<T>> work)
    {
        using var messages = new BlockingCollection<Action<HaCmdlet>>();
        var outer = _queue;
        _queue = messages;
        try
        {
            var observer = new PipelineObserver(messages);
            var task = Task.Run(async () =>
            {
                try
                {
                    return await work(observer, CancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    messages.CompleteAdding();
                }
            });

            PipelineStoppedException? stopped = null;
            foreach (var write in messages.GetConsumingEnumerable())
            {
                if (stopped is not null)
                {
                    continue; // keep draining so the engine never blocks, but the pipeline takes no more writes
                }

                try
                {
                    write(this);
                }
                catch (PipelineStoppedException ex)
                {
                    // Ctrl+C, or Select-Object -First having all it wants (StopUpstreamCommandsException, rethrown as is).
                    stopped = ex;
                    _stopping.Cancel();
                }
            }

            if (stopped is not null)
            {
                // The pipeline is gone: wait for the work to end, but whatever it ended with, nobody can see it.
                try
                {
                    task.Wait();
                }
                catch (AggregateException)
                {
                }

                ExceptionDispatchInfo.Capture(stopped).Throw();
            }

            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (HaClusterException ex)
            {
                ThrowTerminatingError(ToErrorRecord(ex));
                throw; // unreachable: ThrowTerminatingError always throws.
            }
        }
        finally
        {
            _queue = outer;
        }
    }

    /// <summary>Runs engine work that returns nothing. See <see cref="RunEngine{T}"/>.</summary>
    /// <param name="work">The engine call.</param>
    protected void RunEngine(Func<IOperationObserver, CancellationToken, Task> work) =>
        RunEngine<bool>(async (observer, token) =>
        {
            await work(observer, token).ConfigureAwait(false);
            return true;
        });

    /// <summary>
    /// Writes an object to the pipeline from engine work running under <see cref="RunEngine{T}"/>, from any thread:
    /// it is queued and written on the pipeline thread in order with the narration, so results can stream while
    /// the work goes on (an engine callback such as <c>onResult</c> can simply be <c>QueueWriteObject</c>).
    /// </summary>
    /// <param name="sendToPipeline">The object.</param>
    /// <exception cref="InvalidOperationException">No engine work is running.</exception>
    protected void QueueWriteObject(object? sendToPipeline)
    {
        var queue = _queue ?? throw new InvalidOperationException("QueueWriteObject works only inside RunEngine.");
        Post(queue, c => c.WriteObject(sendToPipeline));
    }

    /// <summary>Turns an engine failure into an ErrorRecord with its ErrorId, category and target.</summary>
    /// <param name="exception">The engine failure.</param>
    /// <returns>The error record.</returns>
    protected static ErrorRecord ToErrorRecord(HaClusterException exception) =>
        new(exception, exception.ErrorId, ToCategory(exception.Kind), exception.Target);

    /// <summary>Builds an error record for a failure detected in the cmdlet itself.</summary>
    /// <param name="errorId">Stable identifier.</param>
    /// <param name="kind">Failure kind.</param>
    /// <param name="message">Message.</param>
    /// <param name="target">Offending value.</param>
    /// <returns>The error record.</returns>
    protected static ErrorRecord NewError(string errorId, FailureKind kind, string message, object? target) =>
        ToErrorRecord(new HaClusterException(errorId, kind, message, target));

    /// <summary>Maps the engine's failure kind to PowerShell's category.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The category.</returns>
    protected static ErrorCategory ToCategory(FailureKind kind) => kind switch
    {
        FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
        FailureKind.InvalidData => ErrorCategory.InvalidData,
        FailureKind.InvalidOperation => ErrorCategory.InvalidOperation,
        FailureKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        FailureKind.ResourceExists => ErrorCategory.ResourceExists,
        FailureKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        FailureKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        FailureKind.ConnectionError => ErrorCategory.ConnectionError,
        FailureKind.AuthenticationError => ErrorCategory.AuthenticationError,
        FailureKind.SecurityError => ErrorCategory.SecurityError,
        FailureKind.OperationTimeout => ErrorCategory.OperationTimeout,
        FailureKind.OperationStopped => ErrorCategory.OperationStopped,
        FailureKind.InvalidResult => ErrorCategory.InvalidResult,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>Queues a write for the pipeline thread; a write after the work completed is dropped, never thrown back into the engine.</summary>
    // -Debug makes every Debug, Verbose and Warning line ask "Continue? [Y] Yes [A] Yes to All ...". The runtime keeps
    // the answer per stream in a non-public field; "Yes to All" is set for those three streams up front, as the user
    // would answer. Where the fields cannot be found (another PowerShell) nothing changes. ShouldProcess (-Confirm)
    // and errors are left alone.
    private void ContinueInsteadOfInquire()
    {
        _debugPreferenceChecked = true;
        if (!(MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true }) || CommandRuntime is null)
        {
            return;
        }

        foreach (var name in new[] { "lastDebugContinueStatus", "lastVerboseContinueStatus", "lastWarningContinueStatus" })
        {
            var field = CommandRuntime.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic);
            if (field is { FieldType.IsEnum: true } && Enum.IsDefined(field.FieldType, "YesToAll"))
            {
                field.SetValue(CommandRuntime, Enum.Parse(field.FieldType, "YesToAll"));
            }
        }
    }

    private static void Post(BlockingCollection<Action<HaCmdlet>> queue, Action<HaCmdlet> write)
    {
        if (!queue.IsAddingCompleted)
        {
            try
            {
                queue.Add(write);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    /// <summary>Queues the engine's narration for the pipeline thread.</summary>
    private sealed class PipelineObserver : IOperationObserver
    {
        private readonly BlockingCollection<Action<HaCmdlet>> _messages;

        public PipelineObserver(BlockingCollection<Action<HaCmdlet>> messages) => _messages = messages;

        public void Verbose(string message) => Post(c => c.WriteVerbose(message));

        public void Debug(string message) => Post(c => c.WriteDebugLine(message));

        public void Warning(string message) => Post(c => c.WriteWarning(message));

        public void Progress(OperationProgress progress) => Post(c =>
        {
            var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status)
            {
                ParentActivityId = progress.ParentActivityId,
                PercentComplete = Math.Min(100, progress.PercentComplete),
                RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            if (progress.CurrentOperation is not null)
            {
                record.CurrentOperation = progress.CurrentOperation;
            }

            c.WriteProgress(record);
        });

        private void Post(Action<HaCmdlet> write) => HaCmdlet.Post(_messages, write);
    }
}
