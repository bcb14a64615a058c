// Copyright (c) HaCluster contributors. MIT License.
// Fault-injection rates of the emulator's configuration.

namespace HaCluster.Emulator;

/// <summary>
/// Faults injected into API traffic (<c>faults</c>). One seeded draw per request decides its fate, so the
/// same seed and the same request sequence give the same faults.
/// </summary>
public sealed class EmulatorFaults
{
    /// <summary>Share of requests answered ret_code 5100 (server busy) without being processed (<c>ret_code_5100_rate</c>).</summary>
    public double RetCode5100Rate { get; set; }

    /// <summary>Share of requests answered ret_code 5000 (internal error) without being processed (<c>ret_code_5000_rate</c>).</summary>
    public double RetCode5000Rate { get; set; }

    /// <summary>Share of requests answered ret_code 5300 (service updating) without being processed (<c>ret_code_5300_rate</c>).</summary>
    public double RetCode5300Rate { get; set; }

    /// <summary>
    /// Share of requests answered HTTP 502 or 503 with a small HTML body, as a gateway in front of the API does, without
    /// being processed (<c>http_5xx_rate</c>). The caller cannot tell from the answer whether the API saw the call.
    /// </summary>
    public double Http5xxRate { get; set; }

    /// <summary>
    /// Share of requests that ARE processed but whose TCP connection is then aborted with no response
    /// (<c>drop_connection_rate</c>): the caller cannot tell whether the call took effect.
    /// </summary>
    public double DropConnectionRate { get; set; }

    /// <summary>Share of asynchronous jobs that end <c>failed</c> with no effect (<c>failed_job_rate</c>).</summary>
    public double FailedJobRate { get; set; }

    /// <summary>Seed for the fault draws and the generated ids (<c>seed</c>).</summary>
    public int Seed { get; set; } = 1;
}
