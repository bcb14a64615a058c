// Copyright (c) HaCluster contributors. MIT License.
// Reads and writes kk config files; files holding passwords are created owner-only.

using System;
using System.IO;
using System.Text;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey.Yaml;

namespace HaCluster.Engine.KubeKey;

/// <summary>Loads and saves <see cref="ClusterConfig"/> files (config-sample.yaml).</summary>
public static class ClusterConfigFile
{
    /// <summary>Error id: the file to read does not exist.</summary>
    public const string NotFoundErrorId = "ConfigFileNotFound";

    /// <summary>Error id: the file to write exists and overwriting was not allowed.</summary>
    public const string ExistsErrorId = "ConfigFileExists";

    /// <summary>Error id: the folder to write into does not exist.</summary>
    public const string DirectoryNotFoundErrorId = "ConfigDirectoryNotFound";

    /// <summary>Error id: reading or writing failed (permissions, a folder in the way, disk).</summary>
    public const string AccessFailedErrorId = "ConfigFileAccessFailed";

    /// <summary>Reads a kk config file.</summary>
    /// <param name="path">Full path.</param>
    /// <returns>The config.</returns>
    /// <exception cref="HaClusterException">ConfigFileNotFound, ConfigFileAccessFailed, or a <see cref="ClusterConfigYaml.Read"/> error.</exception>
    public static ClusterConfig Read(string path)
    {
        string text;
        try
        {
            text = YamlText.ReadFile(path, Path.GetFileName(path));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HaClusterException(NotFoundErrorId, FailureKind.ObjectNotFound, $"Config file '{path}' does not exist.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HaClusterException(AccessFailedErrorId, FailureKind.SecurityError, $"Cannot read config file '{path}': {ex.Message}", path, ex);
        }

        return ClusterConfigYaml.Read(text, Path.GetFileName(path));
    }

    /// <summary>
    /// Writes the config in kk's v1alpha2 shape. When it holds secrets (<see cref="ClusterConfig.HoldsSecrets"/>)
    /// the file is created with mode 0600 on Unix before any byte is written.
    /// </summary>
    /// <param name="path">Full path.</param>
    /// <param name="config">The config.</param>
    /// <param name="overwrite">Replace an existing file.</param>
    /// <exception cref="HaClusterException">ConfigFileExists, ConfigDirectoryNotFound, ConfigFileAccessFailed.</exception>
    public static void Write(string path, ClusterConfig config, bool overwrite)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            throw new HaClusterException(DirectoryNotFoundErrorId, FailureKind.ObjectNotFound, $"Folder '{directory}' does not exist.", path);
        }

        if (Directory.Exists(path))
        {
            throw new HaClusterException(AccessFailedErrorId, FailureKind.InvalidArgument, $"'{path}' is a folder; give a file path.", path);
        }

        if (!overwrite && File.Exists(path))
        {
            throw new HaClusterException(ExistsErrorId, FailureKind.ResourceExists, $"'{path}' already exists; use -Force to overwrite it.", path);
        }

        var text = ClusterConfigYaml.Write(config);
        try
        {
            PrivateFile.WriteAllText(path, text, config.HoldsSecrets, overwrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HaClusterException(AccessFailedErrorId, FailureKind.SecurityError, $"Cannot write config file '{path}': {ex.Message}", path, ex);
        }
    }
}
