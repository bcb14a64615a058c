// Copyright (c) HaCluster contributors. MIT License.
// A non-idempotent request whose outcome is unknown; the caller must look before it tries again.

using System;
using System.Collections.Generic;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// A request that is not safe to repeat (a create, an allocate, an add) failed in a way that leaves
/// its outcome unknown: the connection dropped or timed out after the request was sent, or a retry of
/// a state-changing action met a state conflict after an earlier attempt may already have succeeded.
/// The client never repeats such a request itself. The caller looks the resource up (by name, port,
/// resource id, the values in <see cref="Parameters"/>) and creates it again only when it is absent;
/// <see cref="QingCloudClient.CreateOnceAsync{T}"/> does exactly that.
/// </summary>
public sealed class QingCloudAmbiguousResultException : HaClusterException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="action">The API action.</param>
    /// <param name="parameters">The action's own parameters (no credentials, no signature).</param>
    /// <param name="innerException">The failure that left the outcome unknown.</param>
    public QingCloudAmbiguousResultException(string action, IReadOnlyDictionary<string, string> parameters, Exception innerException)
        : base("QingCloudAmbiguousResult", FailureKind.ConnectionError, $"QingCloud {action} may or may not have taken effect ({innerException.Message}); it was not repeated, so nothing is created twice. Look the resource up before trying again.", action, innerException)
    {
        Action = action;
        Parameters = parameters;
    }

    /// <summary>The API action.</summary>
    public string Action { get; }

    /// <summary>The action's parameters as sent (without credentials or signature), to look the resource up by.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }
}
