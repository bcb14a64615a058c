// Copyright (c) HaCluster contributors. MIT License.
// Writes files that hold secrets so they are owner-only (0600) from the first byte on Unix.

using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace HaCluster.Engine.Common;

/// <summary>
/// Writes text files, optionally owner-only. On Unix the content goes into a temporary file that
/// mkstemp(3) creates with mode 0600 (so no other user can ever open it, not even empty), which is
/// then renamed over the target. netstandard2.0 has no File.SetUnixFileMode, hence libc.
/// On Windows the file inherits the folder's ACL.
/// </summary>
internal static class PrivateFile
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>.</summary>
    /// <param name="path">Full path of the file.</param>
    /// <param name="text">Content.</param>
    /// <param name="ownerOnly">Create the file with mode 0600 (Unix).</param>
    /// <param name="overwrite">Replace an existing file; otherwise an existing file is an IOException.</param>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public static void WriteAllText(string path, string text, bool ownerOnly, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
        {
            throw new IOException($"'{path}' already exists.");
        }

        if (!ownerOnly || !IsUnix)
        {
            using var stream = new FileStream(path, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.Write, FileShare.None);
            Write(stream, text);
            return;
        }

        var directory = Path.GetDirectoryName(path) ?? ".";
        var template = Utf8.GetBytes(Path.Combine(directory, "." + Path.GetFileName(path) + ".XXXXXX") + "\0");
        var descriptor = Native.mkstemp(template);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot create a file in '{directory}': {new Win32Exception(Marshal.GetLastWin32Error()).Message}");
        }

        var temporary = Utf8.GetString(template, 0, template.Length - 1);
        try
        {
            using (var stream = new FileStream(new SafeFileHandle(new IntPtr(descriptor), ownsHandle: true), FileAccess.Write))
            {
                Write(stream, text);
            }

            if (Native.rename(temporary, path) != 0)
            {
                throw new IOException($"Cannot write '{path}': {new Win32Exception(Marshal.GetLastWin32Error()).Message}");
            }
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void Write(FileStream stream, string text)
    {
        var bytes = Utf8.GetBytes(text);
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(flushToDisk: true);
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int mkstemp(byte[] template);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int rename(string oldPath, string newPath);
    }
}
