// Copyright (c) HaCluster contributors. MIT License.
// An API error: becomes an HTTP 200 reply with a non-zero ret_code and a message.

using System;

namespace HaCluster.Emulator.Api;

/// <summary>Thrown by action handlers; the gateway turns it into <c>{"ret_code":N,"message":…}</c>.</summary>
internal sealed class ApiException : Exception
{
    private ApiException(int retCode, string message)
        : base(message)
    {
        RetCode = retCode;
    }

    /// <summary>The QingCloud ret_code.</summary>
    public int RetCode { get; }

    /// <summary>1100: a required parameter is missing.</summary>
    /// <param name="name">Parameter name.</param>
    /// <returns>The exception.</returns>
    public static ApiException Missing(string name) => new(1100, $"MissingParameter, parameter [{name}] is required");

    /// <summary>1100: a parameter has a bad value.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="value">The value received.</param>
    /// <param name="expected">What would be valid.</param>
    /// <returns>The exception.</returns>
    public static ApiException Invalid(string name, string? value, string expected) =>
        new(1100, $"InvalidParameterValue, parameter [{name}] value [{value}] is invalid: {expected}");

    /// <summary>1101: the action is not one the emulator serves.</summary>
    /// <param name="action">The action name.</param>
    /// <returns>The exception.</returns>
    public static ApiException UnknownAction(string action) => new(1101, $"InvalidAction, action [{action}] is not supported");

    /// <summary>1200: unknown key or bad signature.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The exception.</returns>
    public static ApiException AuthFailure(string reason) => new(1200, $"AuthFailure, {reason}");

    /// <summary>1300: the time_stamp is too old.</summary>
    /// <param name="timeStamp">The value received.</param>
    /// <returns>The exception.</returns>
    public static ApiException Expired(string timeStamp) => new(1300, $"MessageExpired, time_stamp [{timeStamp}] is older than 60 seconds");

    /// <summary>1400: the resource's state forbids the operation.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The exception.</returns>
    public static ApiException Denied(string reason) => new(1400, $"PermissionDenied, {reason}");

    /// <summary>1400: deleted or released within the lease window after creation.</summary>
    /// <param name="id">Resource id.</param>
    /// <returns>The exception.</returns>
    public static ApiException LeaseNotReady(string id) => new(1400, $"PermissionDenied, lease info not ready yet, please try later (resource [{id}])");

    /// <summary>2100: no such resource.</summary>
    /// <param name="id">Resource id.</param>
    /// <returns>The exception.</returns>
    public static ApiException NotFound(string id) => new(2100, $"ResourceNotFound, resource [{id}] not found");

    /// <summary>2110: a unique name is taken.</summary>
    /// <param name="what">What exists.</param>
    /// <returns>The exception.</returns>
    public static ApiException AlreadyExists(string what) => new(2110, $"ResourceAlreadyExists, {what} already exists");

    /// <summary>2500: a quota or limit would be exceeded.</summary>
    /// <param name="what">Which limit.</param>
    /// <returns>The exception.</returns>
    public static ApiException Quota(string what) => new(2500, $"QuotaExceeded, {what}");

    /// <summary>An arbitrary ret_code (injected faults).</summary>
    /// <param name="retCode">The code.</param>
    /// <param name="message">The message.</param>
    /// <returns>The exception.</returns>
    public static ApiException Of(int retCode, string message) => new(retCode, message);
}
