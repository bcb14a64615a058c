// Copyright (c) HaCluster contributors. MIT License.
// Input checks shared by the request specs: each failure has its own ErrorId and names the offending value.

using System;
using System.Globalization;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>Checks request values against the documented limits (reference/qingcloud-api.md §4–5) before anything is sent.</summary>
internal static class QingCloudValidation
{
    public static void Range(string errorId, string what, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            throw new HaClusterException(errorId, FailureKind.InvalidArgument, string.Format(CultureInfo.InvariantCulture, "{0} {1} is outside {2}-{3}.", what, value, min, max), value);
        }
    }

    public static void OneOf(string errorId, string what, string? value, params string[] allowed)
    {
        if (value is null || Array.IndexOf(allowed, value) < 0)
        {
            throw new HaClusterException(errorId, FailureKind.InvalidArgument, $"{what} '{value}' is not one of: {string.Join(", ", allowed)}.", value);
        }
    }

    public static void Required(string errorId, string what, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new HaClusterException(errorId, FailureKind.InvalidArgument, $"{what} is required.", value);
        }
    }

    public static void Count(string errorId, string what, int count, int min, int max)
    {
        if (count < min || count > max)
        {
            throw new HaClusterException(errorId, FailureKind.LimitsExceeded, string.Format(CultureInfo.InvariantCulture, "{0}: {1} given, {2}-{3} allowed.", what, count, min, max), count);
        }
    }
}
