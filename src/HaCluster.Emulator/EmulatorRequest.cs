// Copyright (c) HaCluster contributors. MIT License.
// One entry of the emulator's request log.

using System;
using System.Collections.Generic;

namespace HaCluster.Emulator;

/// <summary>An API request the emulator received, as the request log records it.</summary>
/// <param name="Sequence">1-based arrival number (restarts at reset).</param>
/// <param name="Time">When it arrived (UTC).</param>
/// <param name="Method">GET or POST.</param>
/// <param name="Path">The literal path, <c>/iaas/</c> or <c>/iaas</c>.</param>
/// <param name="Action">The <c>action</c> parameter, null when missing.</param>
/// <param name="Parameters">Every parameter except <c>signature</c>.</param>
/// <param name="RetCode">
/// The ret_code answered (or that would have been, for a dropped connection); for an <c>http_5xx</c> fault, which
/// sends no ret_code, the HTTP status (502 or 503).
/// </param>
/// <param name="Message">The error message (<c>HTTP 502 Bad Gateway</c> for an <c>http_5xx</c> fault), null on success.</param>
/// <param name="Fault">
/// The injected fault: <c>ret_code_5100</c>, <c>ret_code_5000</c>, <c>ret_code_5300</c>, <c>http_5xx</c>,
/// <c>drop_connection</c>, or null.
/// </param>
public sealed record EmulatorRequest(
    long Sequence,
    DateTimeOffset Time,
    string Method,
    string Path,
    string? Action,
    IReadOnlyDictionary<string, string> Parameters,
    int RetCode,
    string? Message,
    string? Fault);
