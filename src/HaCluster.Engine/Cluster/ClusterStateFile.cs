// Copyright (c) HaCluster contributors. MIT License.
// Reads and atomically writes <Name>.hacluster.json; one writer at a time while both load balancer paths run.

using System;
using System.IO;
using System.Text;
using System.Text.Json;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.Cluster;

/// <summary>
/// The state file on disk. Writes go to a temporary file in the same folder that is then renamed over the target, so a
/// crash (or Ctrl+C, or a killed process) at any moment leaves either the previous or the new complete file.
/// </summary>
public static class ClusterStateFile
{
    /// <summary>The file name suffix: <c>prod.hacluster.json</c>.</summary>
    public const string Suffix = ".hacluster.json";

    /// <summary>Error id: the file exists but is not a state file this module can read.</summary>
    public const string InvalidErrorId = "HaClusterStateInvalid";

    /// <summary>Error id: the path cannot hold a state file (a folder, read-only, a missing folder, a full disk, no permission).</summary>
    public const string UnusableErrorId = "HaClusterStateFileUnusable";

    /// <summary>Error id: the state file belongs to another cluster, zone, endpoint or network.</summary>
    public const string MismatchErrorId = "HaClusterStateMismatch";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The default path of a cluster's state file.</summary>
    /// <param name="directory">The working directory.</param>
    /// <param name="name">The cluster name.</param>
    /// <returns>The full path.</returns>
    public static string DefaultPath(string directory, string name) => Path.Combine(directory, name + Suffix);

    /// <summary>Reads a state file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The state, or null when the file does not exist.</returns>
    /// <exception cref="HaClusterException"><c>HaClusterStateInvalid</c> when the file is not a readable state file.</exception>
    public static ClusterState? TryLoad(string path)
    {
        if (Directory.Exists(path))
        {
            throw Unusable(path, "it is a folder, not a file");
        }

        if (!File.Exists(path))
        {
            return null;
        }

        ClusterState? state;
        try
        {
            state = JsonSerializer.Deserialize<ClusterState>(File.ReadAllText(path, Utf8), Options);
        }
        catch (JsonException ex)
        {
            throw new HaClusterException(InvalidErrorId, FailureKind.InvalidData, $"'{path}' is not a HaCluster state file: {ex.Message}", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, Cause(ex), ex);
        }

        if (state is null || string.IsNullOrEmpty(state.Name))
        {
            throw new HaClusterException(InvalidErrorId, FailureKind.InvalidData, $"'{path}' is not a HaCluster state file: it names no cluster.", path);
        }

        if (state.Schema > ClusterState.CurrentSchema)
        {
            throw new HaClusterException(InvalidErrorId, FailureKind.InvalidData, $"'{path}' was written by a newer HaCluster (schema {state.Schema}); this one reads schema {ClusterState.CurrentSchema}.", path);
        }

        return state;
    }

    /// <summary>Writes the state atomically (temporary file in the same folder, then rename).</summary>
    /// <param name="path">The file.</param>
    /// <param name="state">The state.</param>
    /// <exception cref="HaClusterException"><c>HaClusterStateFileUnusable</c> naming the path and the cause.</exception>
    public static void Save(string path, ClusterState state)
    {
        state.Updated = DateTime.UtcNow;
        var json = JsonSerializer.Serialize(state, Options);
        try
        {
            PrivateFile.ReplaceAtomically(path, Utf8.GetBytes(json));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, Cause(ex), ex);
        }
    }

    /// <summary>
    /// Proves, before anything is created, that the state file can be written (and later deleted): the path is no
    /// folder, the file is not read-only, its folder exists and is writable, and the disk takes a file of this size.
    /// The rename that replaces the file would silently overwrite a read-only file, so that is refused here.
    /// </summary>
    /// <param name="path">The state file.</param>
    /// <exception cref="HaClusterException"><c>HaClusterStateFileUnusable</c> naming the path and the cause.</exception>
    public static void EnsureWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw Unusable(path, "it is a folder, not a file");
        }

        var directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw Unusable(path, $"its folder '{directory}' does not exist");
        }

        if ((new DirectoryInfo(directory).Attributes & FileAttributes.ReadOnly) != 0)
        {
            throw Unusable(path, $"its folder '{directory}' is read-only");
        }

        if (File.Exists(full) && (File.GetAttributes(full) & FileAttributes.ReadOnly) != 0)
        {
            throw Unusable(path, "the file is read-only");
        }

        var probe = PrivateFile.TemporaryPath(full);
        try
        {
            // A state file grows to a few KB; a disk that cannot take that fails here rather than mid-build.
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            PrivateFile.WriteSynced(stream, new byte[16 * 1024]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, Cause(ex), ex);
        }
        finally
        {
            PrivateFile.DeleteQuietly(probe);
        }
    }

    /// <summary>Deletes the state file.</summary>
    /// <param name="path">The state file.</param>
    /// <exception cref="HaClusterException"><c>HaClusterStateFileUnusable</c> naming the path and the cause.</exception>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, Cause(ex), ex);
        }
    }

    /// <summary>
    /// Refuses a state file written for another cluster, zone or API endpoint, naming both sides: acting on its ids
    /// there would orphan the real resources or touch someone else's.
    /// </summary>
    /// <param name="state">The state file's content.</param>
    /// <param name="path">The state file.</param>
    /// <param name="name">The cluster asked for, or null when the file itself names it.</param>
    /// <param name="zone">The zone of the QingCloud context.</param>
    /// <param name="endpoint">The endpoint of the QingCloud context.</param>
    /// <exception cref="HaClusterException"><c>HaClusterStateMismatch</c>.</exception>
    public static void CheckBelongs(ClusterState state, string path, string? name, string zone, Uri endpoint)
    {
        if (name is not null && state.Name != name)
        {
            throw Mismatch(path, $"The state file '{path}' belongs to cluster '{state.Name}', not '{name}'.");
        }

        if (state.Zone is { } recordedZone && !string.Equals(recordedZone, zone, StringComparison.OrdinalIgnoreCase))
        {
            throw Mismatch(path, $"The state file '{path}' records cluster '{state.Name}' in zone {recordedZone}, but the QingCloud context is in zone {zone}; connect to {recordedZone} (Connect-QingCloud -Zone {recordedZone}) or use the state file of this zone.");
        }

        if (state.Endpoint is { } recordedEndpoint && !SameEndpoint(recordedEndpoint, endpoint))
        {
            throw Mismatch(path, $"The state file '{path}' records cluster '{state.Name}' at endpoint {recordedEndpoint}, but the QingCloud context uses {endpoint}; connect to {recordedEndpoint} or use the state file of that endpoint.");
        }
    }

    private static bool SameEndpoint(string recorded, Uri endpoint) =>
        Uri.TryCreate(recorded, UriKind.Absolute, out var uri)
        && Uri.Compare(uri, endpoint, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static HaClusterException Mismatch(string path, string message) => new(MismatchErrorId, FailureKind.InvalidOperation, message, path);

    // errno values (EDQUOT 122) mean other things as Windows error codes.
    private static bool IsUnix => Path.DirectorySeparatorChar == '/';

    // The OS's words for the common causes, without the stack of .NET types around them.
    private static string Cause(Exception ex) => ex switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "its folder does not exist",
        IOException io when (io.HResult & 0xFFFF) is 28 or 112 => "the disk is full",
        IOException io when IsUnix && (io.HResult & 0xFFFF) is 122 => "the disk quota is exceeded",
        FileTooLargeException => "the disk refused the write: file too large (the file-size limit, ulimit -f, is reached)",
        _ => ex.Message,
    };

    private static HaClusterException Unusable(string path, string cause, Exception? inner = null) =>
        new(UnusableErrorId, FailureKind.ResourceUnavailable, $"The state file '{path}' cannot be used: {cause}. Give -StatePath a writable file in an existing folder.", path, inner);
}

/// <summary>The state of one run, saved after every change. Thread-safe: both load balancer paths update it concurrently.</summary>
internal sealed class ClusterStateStore
{
    private readonly object _gate = new();

    public ClusterStateStore(string path, ClusterState state)
    {
        Path = path;
        State = state;
    }

    public string Path { get; }

    /// <summary>The live state; read it only under <see cref="Read{T}"/> while paths run.</summary>
    public ClusterState State { get; }

    /// <summary>Changes the state and writes the file before returning.</summary>
    /// <param name="change">The change.</param>
    public void Update(Action<ClusterState> change)
    {
        lock (_gate)
        {
            change(State);
            ClusterStateFile.Save(Path, State);
        }
    }

    /// <summary>Reads the state consistently.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="read">What to read.</param>
    /// <returns>The value read.</returns>
    public T Read<T>(Func<ClusterState, T> read)
    {
        lock (_gate)
        {
            return read(State);
        }
    }

    /// <summary>Marks a step completed and saves.</summary>
    /// <param name="stepId">The step.</param>
    public void Complete(string stepId) => Update(s => s.Complete(stepId));

    /// <summary>Whether a step has completed.</summary>
    /// <param name="stepId">The step.</param>
    /// <returns>True when completed.</returns>
    public bool IsCompleted(string stepId) => Read(s => s.IsCompleted(stepId));
}
