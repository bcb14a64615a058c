// Copyright (c) HaCluster contributors. MIT License.
// The one exception type the cmdlets translate into ErrorRecords.

using System;

namespace HaCluster.Engine.Common;

/// <summary>What kind of failure an engine error is; mapped one to one onto PowerShell's ErrorCategory.</summary>
public enum FailureKind
{
    /// <summary>Unclassified.</summary>
    NotSpecified,

    /// <summary>An argument or input value is wrong.</summary>
    InvalidArgument,

    /// <summary>Input data (a file, a document) is malformed.</summary>
    InvalidData,

    /// <summary>The operation is not valid in the current state.</summary>
    InvalidOperation,

    /// <summary>Something named does not exist.</summary>
    ObjectNotFound,

    /// <summary>Something already exists.</summary>
    ResourceExists,

    /// <summary>A resource is busy or unavailable.</summary>
    ResourceUnavailable,

    /// <summary>A quota or limit would be exceeded.</summary>
    LimitsExceeded,

    /// <summary>Network or transport failure.</summary>
    ConnectionError,

    /// <summary>Credentials were rejected.</summary>
    AuthenticationError,

    /// <summary>A security check failed (for example a changed SSH host key).</summary>
    SecurityError,

    /// <summary>A wait ran out of time.</summary>
    OperationTimeout,

    /// <summary>The user cancelled.</summary>
    OperationStopped,

    /// <summary>A remote operation reported failure.</summary>
    InvalidResult,
}

/// <summary>
/// An engine failure with a stable <see cref="ErrorId"/>, a <see cref="Kind"/> and the offending
/// <see cref="Target"/>. Messages never contain secrets.
/// </summary>
public class HaClusterException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorId">Stable identifier (becomes the ErrorRecord's ErrorId).</param>
    /// <param name="kind">Failure kind (becomes the ErrorCategory).</param>
    /// <param name="message">Human-readable message.</param>
    /// <param name="target">The offending value or object.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public HaClusterException(string errorId, FailureKind kind, string message, object? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>Stable identifier of the failure.</summary>
    public string ErrorId { get; }

    /// <summary>The kind of failure.</summary>
    public FailureKind Kind { get; }

    /// <summary>The offending value or object.</summary>
    public object? Target { get; }
}
