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
    public static void Save(string path, ClusterState state)
    {
        state.Updated = DateTime.UtcNow;
        var json = JsonSerializer.Serialize(state, Options);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = Utf8.GetBytes(json);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
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
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
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
