// Copyright (c) HaCluster contributors. MIT License.
// The Polly pipeline around one QingCloud call: lease wait, one re-sign on 1300, transient retries.

using System;
using System.Globalization;
using System.Threading.Tasks;
using HaCluster.Engine.Common;
using Polly;
using Polly.Retry;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// Builds the retry pipeline for one call. Outermost first: 1400 "lease not ready" (delete/release only),
/// 1300 re-sign once, then transient failures. Every attempt runs the whole send, so each one is signed
/// afresh with a new <c>time_stamp</c>. Polly types stay inside this class.
/// </summary>
internal static class QingCloudResilience
{
    private static readonly int[] RetryableCodes = { 5000, 5100, 5300 };

    public static ResiliencePipeline Build(QingCloudClientOptions options, QingCloudClient.CallState call, IOperationObserver observer)
    {
        var builder = new ResiliencePipelineBuilder();
        if (call.Options.RetryLeaseNotReady && options.LeaseRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "lease",
                ShouldHandle = new PredicateBuilder().Handle<QingCloudApiException>(e => e.IsLeaseNotReady),
                MaxRetryAttempts = options.LeaseRetryAttempts,
                DelayGenerator = args => new ValueTask<TimeSpan?>(options.LeaseDelay(args.AttemptNumber)),
                OnRetry = args => Narrate(observer, call, args.AttemptNumber, args.RetryDelay, args.Outcome.Exception, "lease not ready"),
            });
        }

        builder.AddRetry(new RetryStrategyOptions
        {
            Name = "resign",
            ShouldHandle = new PredicateBuilder().Handle<QingCloudApiException>(e => e.RetCode == 1300),
            MaxRetryAttempts = 1,
            Delay = TimeSpan.Zero,
            OnRetry = args => Narrate(observer, call, args.AttemptNumber, args.RetryDelay, args.Outcome.Exception, "re-signing with a fresh time_stamp"),
        });

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "transient",
                ShouldHandle = new PredicateBuilder()
                    .Handle<QingCloudTransportException>(e => e.IsTransient)
                    .Handle<QingCloudApiException>(e => Array.IndexOf(RetryableCodes, e.RetCode) >= 0),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args => Narrate(observer, call, args.AttemptNumber, args.RetryDelay, args.Outcome.Exception, null),
            });
        }

        return builder.Build();
    }

    private static ValueTask Narrate(IOperationObserver observer, QingCloudClient.CallState call, int attemptNumber, TimeSpan delay, Exception? failure, string? what)
    {
        var reason = failure switch
        {
            QingCloudApiException api => "ret_code " + api.RetCode.ToString(CultureInfo.InvariantCulture) + (api.ServerMessage.Length == 0 ? string.Empty : " (" + api.ServerMessage + ")"),
            QingCloudTransportException transport => transport.ErrorId + ": " + transport.Message,
            null => "no reply",
            _ => failure.GetType().Name,
        };
        observer.Verbose(string.Format(
            CultureInfo.InvariantCulture,
            "QingCloud {0}: attempt {1} failed with {2}; {3}retrying in {4:0.###} s.",
            call.Action,
            attemptNumber + 1,
            reason,
            what is null ? string.Empty : what + ", ",
            delay.TotalSeconds));
        return default;
    }
}
