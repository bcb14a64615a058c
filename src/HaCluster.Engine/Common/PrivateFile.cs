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
            ReplaceAtomically(path, Utf8.GetBytes(text));
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
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file in the same folder and renames it over <paramref name="path"/>, so a
    /// failed write leaves the previous file whole and no partial file behind.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="bytes">Content.</param>
    /// <exception cref="IOException">Writing or renaming failed (the temporary file is removed).</exception>
    public static void ReplaceAtomically(string path, byte[] bytes)
    {
        var temporary = TemporaryPath(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                WriteSynced(stream, bytes);
            }

            if (File.Exists(path))
            {
                File.Replace(temporary, path, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }
        finally
        {
            DeleteQuietly(temporary);
        }
    }

    /// <summary>A fresh temporary file name beside <paramref name="path"/> (same folder, so a rename replaces the file).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The temporary path.</returns>
    public static string TemporaryPath(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
    }

    /// <summary>Removes a temporary file if it is there; a failure is ignored (the error that matters is already on its way).</summary>
    /// <param name="path">The temporary file.</param>
    public static void DeleteQuietly(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a temporary file.
        }
    }

    private static void Write(FileStream stream, string text) => WriteSynced(stream, Utf8.GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> and flushes them to disk: the one home of our file writes' error rule.</summary>
    /// <param name="stream">The open file.</param>
    /// <param name="bytes">Content.</param>
    /// <exception cref="IOException">Writing failed; a write past the file-size limit is a <see cref="FileTooLargeException"/>.</exception>
    public static void WriteSynced(FileStream stream, byte[] bytes)
    {
        try
        {
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(flushToDisk: true);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // .NET reports EFBIG (a write past the file-size limit, RLIMIT_FSIZE / ulimit -f) as this, not as an IOException.
            throw new FileTooLargeException(ex);
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int mkstemp(byte[] template);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int rename(string oldPath, string newPath);
    }
}

/// <summary>EFBIG: a write went past the largest file the process may write (the file-size limit, <c>ulimit -f</c>).</summary>
internal sealed class FileTooLargeException : IOException
{
    /// <summary>Wraps the runtime's report of EFBIG.</summary>
    /// <param name="inner">The runtime's exception.</param>
    public FileTooLargeException(Exception inner)
        : base("File too large (the file-size limit, ulimit -f, is reached).", inner)
    {
    }
}
