// Copyright (c) HaCluster contributors. MIT License.
// Typed QingCloud resource: Job (snake_case wire names; PowerShell adds them as alias properties).

using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>An asynchronous QingCloud job (DescribeJobs item).</summary>
public sealed class Job
{
    /// <summary>The job id, <c>j-xxxxxxxx</c>.</summary>
    [JsonPropertyName("job_id")]
    public string JobId { get; set; } = string.Empty;

    /// <summary>The action that started the job.</summary>
    [JsonPropertyName("job_action")]
    public string? JobAction { get; set; }

    /// <summary><c>pending</c>, <c>working</c>, <c>successful</c>, <c>failed</c> or <c>done with failure</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = string.Empty;

    /// <summary>The resources the job works on.</summary>
    [JsonPropertyName("resource_ids")]
    public IReadOnlyList<string> ResourceIds { get; set; } = Array.Empty<string>();

    /// <summary>The owner.</summary>
    [JsonPropertyName("owner")]
    public string? Owner { get; set; }

    /// <summary>Error codes reported by a failed job.</summary>
    [JsonPropertyName("error_codes")]
    public string? ErrorCodes { get; set; }

    /// <summary>When the job started (UTC).</summary>
    [JsonPropertyName("create_time")]
    public DateTime? CreateTime { get; set; }

    /// <summary>When the status last changed (UTC).</summary>
    [JsonPropertyName("status_time")]
    public DateTime? StatusTime { get; set; }

    /// <summary>True once the job can no longer change (successful, failed or done with failure).</summary>
    [JsonIgnore]
    public bool IsFinished => IsSuccessful || IsFailed;

    /// <summary>True when the job succeeded.</summary>
    [JsonIgnore]
    public bool IsSuccessful => Status == "successful";

    /// <summary>True when the job ended as <c>failed</c> or <c>done with failure</c>.</summary>
    [JsonIgnore]
    public bool IsFailed => Status == "failed" || Status == "done with failure";

    /// <summary>Returns the JobId.</summary>
    /// <returns>The JobId.</returns>
    public override string ToString() => JobId ?? string.Empty;
}
