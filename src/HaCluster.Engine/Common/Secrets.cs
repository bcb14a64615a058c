// Copyright (c) HaCluster contributors. MIT License.
// Moves secrets between SecureString and the plain text a wire format or file needs, in one audited place.

using System;
using System.Runtime.InteropServices;
using System.Security;

namespace HaCluster.Engine.Common;

/// <summary>
/// Conversions for secrets. Plain text exists only for the moment a file or request needs it;
/// callers must never log, format or store the returned string.
/// </summary>
internal static class Secrets
{
    /// <summary>Wraps plain text (read from a file that holds it) into a read-only SecureString.</summary>
    /// <param name="plain">The secret.</param>
    /// <returns>The secure string.</returns>
    public static SecureString Protect(string plain)
    {
        var secure = new SecureString();
        foreach (var c in plain)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>Returns the plain text of <paramref name="secure"/> for writing it where it must go.</summary>
    /// <param name="secure">The secret.</param>
    /// <returns>The plain text.</returns>
    public static string Reveal(SecureString secure)
    {
        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            return Marshal.PtrToStringUni(pointer, secure.Length);
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}
