// Copyright (c) HaCluster contributors. MIT License.
// Turns -Path (wildcards) / -LiteralPath values into existing file-system files, with specific errors for the rest.

using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using HaCluster.Engine.Common;

namespace HaCluster.Infrastructure;

/// <summary>Resolves PowerShell paths to files for cmdlets that read files (logs, configs).</summary>
internal static class FilePathResolver
{
    /// <summary>
    /// Yields the provider paths of the files <paramref name="paths"/> name. A path that matches nothing gets a
    /// non-terminating <c>&lt;notFoundErrorId&gt;</c> (ObjectNotFound) error, a folder a
    /// <c>&lt;folderErrorId&gt;</c> (InvalidArgument) error; the remaining paths are still resolved.
    /// </summary>
    /// <param name="cmdlet">The calling cmdlet (for the session's paths and its error stream).</param>
    /// <param name="paths">The values of -Path or -LiteralPath.</param>
    /// <param name="literal">True for -LiteralPath (no wildcard expansion).</param>
    /// <param name="what">What the files are, for messages (e.g. "kk log").</param>
    /// <param name="notFoundErrorId">ErrorId for a path that matches nothing.</param>
    /// <param name="folderErrorId">ErrorId for a path that is a folder.</param>
    /// <returns>Existing file paths.</returns>
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, string what, string notFoundErrorId, string folderErrorId)
    {
        foreach (var path in paths)
        {
            var files = new List<string>();
            try
            {
                if (literal)
                {
                    files.Add(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
                }
                else
                {
                    files.AddRange(cmdlet.GetResolvedProviderPathFromPSPath(path, out _));
                }
            }
            catch (ItemNotFoundException)
            {
            }

            if (files.Count == 0 || (literal && !File.Exists(files[0]) && !Directory.Exists(files[0])))
            {
                cmdlet.WriteError(Error(notFoundErrorId, FailureKind.ObjectNotFound, "Cannot find the " + what + " '" + path + "'.", path));
                continue;
            }

            foreach (var file in files)
            {
                if (Directory.Exists(file))
                {
                    cmdlet.WriteError(FolderError(file, path, what, folderErrorId));
                    continue;
                }

                yield return file;
            }
        }
    }

    /// <summary>The error for a folder given where a file is needed.</summary>
    /// <param name="folder">The folder's path.</param>
    /// <param name="target">The value the user gave.</param>
    /// <param name="what">What the file should have been.</param>
    /// <param name="errorId">ErrorId.</param>
    /// <returns>The error record.</returns>
    public static ErrorRecord FolderError(string folder, object target, string what, string errorId) =>
        Error(errorId, FailureKind.InvalidArgument, "'" + folder + "' is a folder; give the " + what + " file.", target);

    private static ErrorRecord Error(string errorId, FailureKind kind, string message, object target) =>
        new(new HaClusterException(errorId, kind, message, target), errorId, kind == FailureKind.ObjectNotFound ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument, target);
}
