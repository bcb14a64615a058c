// Copyright (c) HaCluster contributors. MIT License.
// A QingCloud request that got no usable reply: connection failure, timeout, HTTP error or a non-JSON body.

using System;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// No usable reply arrived for a request: the connection failed or dropped, the attempt timed out,
/// the HTTP status was not 200, or the body was not a QingCloud envelope.
/// </summary>
public sealed class QingCloudTransportException : HaClusterException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorId">Stable identifier.</param>
    /// <param name="kind">Failure kind.</param>
    /// <param name="action">The API action.</param>
    /// <param name="message">What happened.</param>
    /// <param name="statusCode">The HTTP status, when a reply arrived.</param>
    /// <param name="isTransient">Whether trying again can help.</param>
    /// <param name="mayHaveReachedServer">Whether the server may have acted on the request.</param>
    /// <param name="innerException">The underlying failure.</param>
    public QingCloudTransportException(string errorId, FailureKind kind, string action, string message, int? statusCode, bool isTransient, bool mayHaveReachedServer, Exception? innerException = null)
        : base(errorId, kind, message, action, innerException)
    {
        Action = action;
        StatusCode = statusCode;
        IsTransient = isTransient;
        MayHaveReachedServer = mayHaveReachedServer;
    }

    /// <summary>The API action.</summary>
    public string Action { get; }

    /// <summary>The HTTP status code, or null when no reply arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>Whether the failure is worth retrying (connection errors, timeouts, HTTP 5xx).</summary>
    public bool IsTransient { get; }

    /// <summary>
    /// Whether the request may have reached the server and been acted on (a dropped connection after
    /// sending, a timeout, a 5xx) as opposed to failing before anything was sent (connection refused).
    /// </summary>
    public bool MayHaveReachedServer { get; }
}
