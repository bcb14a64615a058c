// Copyright (c) HaCluster contributors. MIT License.
// A QingCloud reply with a non-zero ret_code, mapped onto a stable ErrorId and FailureKind.

using System.Text.RegularExpressions;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// QingCloud answered with a non-zero <c>ret_code</c> (reference/qingcloud-api.md §2.2). The ErrorId
/// is stable per code (e.g. 2100 → <c>QingCloudResourceNotFound</c>) and the kind follows the code's meaning.
/// </summary>
public sealed class QingCloudApiException : HaClusterException
{
    // "lease" as a word: "only an available eip can be released" is a state error, not the lease window.
    private static readonly Regex LeaseWord = new(@"\blease\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Creates the exception.</summary>
    /// <param name="retCode">The <c>ret_code</c>.</param>
    /// <param name="action">The API action, e.g. <c>DeleteLoadBalancers</c>.</param>
    /// <param name="serverMessage">The reply's <c>message</c>, if any.</param>
    /// <param name="target">The offending value; defaults to the action.</param>
    public QingCloudApiException(int retCode, string action, string? serverMessage, object? target = null)
        : base(ErrorIdFor(retCode), KindFor(retCode), $"QingCloud {action} failed with ret_code {retCode}: {(string.IsNullOrEmpty(serverMessage) ? Describe(retCode) : serverMessage)}", target ?? action)
    {
        RetCode = retCode;
        Action = action;
        ServerMessage = serverMessage ?? string.Empty;
    }

    /// <summary>The <c>ret_code</c>.</summary>
    public int RetCode { get; }

    /// <summary>The API action that failed.</summary>
    public string Action { get; }

    /// <summary>The reply's <c>message</c> text (empty when the reply had none).</summary>
    public string ServerMessage { get; }

    /// <summary>True for 1400 replies that mean "lease info not ready yet", which clear on their own.</summary>
    public bool IsLeaseNotReady => RetCode == 1400 && LeaseWord.IsMatch(ServerMessage);

    /// <summary>The stable ErrorId for a ret_code.</summary>
    /// <param name="retCode">The code.</param>
    /// <returns>The ErrorId.</returns>
    public static string ErrorIdFor(int retCode) => retCode switch
    {
        1100 => "QingCloudInvalidParameter",
        1101 => "QingCloudInvalidMethod",
        1200 => "QingCloudAuthenticationFailed",
        1300 => "QingCloudMessageExpired",
        1400 => "QingCloudPermissionDenied",
        2100 => "QingCloudResourceNotFound",
        2110 => "QingCloudResourceExists",
        2400 => "QingCloudInsufficientBalance",
        2500 => "QingCloudQuotaExceeded",
        5000 => "QingCloudInternalError",
        5100 => "QingCloudServerBusy",
        5200 => "QingCloudInsufficientResources",
        5300 => "QingCloudServiceUpdating",
        5400 => "QingCloudDependencyExists",
        _ => "QingCloudApiError",
    };

    /// <summary>The failure kind for a ret_code.</summary>
    /// <param name="retCode">The code.</param>
    /// <returns>The kind.</returns>
    public static FailureKind KindFor(int retCode) => retCode switch
    {
        1100 or 1101 => FailureKind.InvalidArgument,
        1200 or 1300 => FailureKind.AuthenticationError,
        1400 => FailureKind.InvalidOperation,
        2100 => FailureKind.ObjectNotFound,
        2110 => FailureKind.ResourceExists,
        2400 or 2500 => FailureKind.LimitsExceeded,
        5400 => FailureKind.InvalidOperation,
        >= 5000 and < 6000 => FailureKind.ResourceUnavailable,
        _ => FailureKind.NotSpecified,
    };

    private static string Describe(int retCode) => retCode switch
    {
        1100 => "missing or malformed parameter",
        1200 => "authentication failed",
        1300 => "message expired",
        1400 => "permission denied or wrong resource state",
        2100 => "resource not found",
        2500 => "quota exceeded",
        5100 => "server busy",
        _ => "no message",
    };
}
