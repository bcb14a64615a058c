// Copyright (c) HaCluster contributors. MIT License.
// The one rule for text a user gives as a name or value: no control characters (they hide in logs, consoles and files).

using System;
using System.Globalization;
using System.Text;

namespace HaCluster.Engine.Common;

/// <summary>
/// Refuses names and values that carry control characters (a newline, an escape sequence, a NUL): in a resource name
/// they forge log lines and console output, in a path or a version they split the commands built from them.
/// </summary>
public static class InputText
{
    /// <summary>Error id: a name or value holds a control character.</summary>
    public const string ControlCharacterErrorId = "HaClusterControlCharacter";

    /// <summary>Throws when <paramref name="value"/> holds a control character.</summary>
    /// <param name="what">What the value is, for the message (e.g. <c>The load balancer name</c>).</param>
    /// <param name="value">The value; null passes.</param>
    /// <exception cref="HaClusterException"><c>HaClusterControlCharacter</c>, naming the value with its control characters escaped.</exception>
    public static void RequirePrintable(string what, string? value)
    {
        if (value is null)
        {
            return;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                var escaped = Escape(value);
                throw new HaClusterException(ControlCharacterErrorId, FailureKind.InvalidArgument, $"{what} '{escaped}' contains a control character (U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)}); use printable characters only.", escaped);
            }
        }
    }

    /// <summary>The value with every control character written as <c>\uXXXX</c>, safe to print.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The escaped text.</returns>
    public static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString());
        }

        return text.ToString();
    }
}
