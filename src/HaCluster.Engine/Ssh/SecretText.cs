// Copyright (c) HaCluster contributors. MIT License.
// Short-lived access to SecureString contents for the few places that must hand them to SSH.

using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace HaCluster.Engine.Ssh;

/// <summary>Reads secrets only at the moment they are sent; never logged, never part of a message.</summary>
internal static class SecretText
{
    /// <summary>The UTF-8 bytes of a secret (callers clear the array when done).</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ToUtf8(SecureString secret)
    {
        var text = Reveal(secret);
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The plain text of a secret, for APIs that only take strings.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The text.</returns>
    public static string Reveal(SecureString secret)
    {
        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>Wraps plain text in a read-only SecureString.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The secure string.</returns>
    public static SecureString Protect(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
