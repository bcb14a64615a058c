// Copyright (c) HaCluster contributors. MIT License.
// Lets a SecureString parameter also bind plain text (CSV rows, objects that carry a string password).

using System.Management.Automation;
using System.Security;

namespace HaCluster.Infrastructure;

/// <summary>Converts a string argument into a read-only <see cref="SecureString"/>; SecureStrings pass unchanged.</summary>
public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Performs the conversion.</summary>
    /// <param name="engineIntrinsics">Engine APIs (unused).</param>
    /// <param name="inputData">The argument.</param>
    /// <returns>A SecureString, or the input when it is something else.</returns>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return value;
        }

        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
