// Copyright (c) HaCluster contributors. MIT License.
// Config files on disk: owner-only when they hold a password, no silent overwrite.

using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.Versioning;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using Xunit;

namespace HaCluster.Engine.Tests.KubeKey;

// File modes are a Unix matter; CI and the lab run on Linux.
[UnsupportedOSPlatform("windows")]
public sealed class ClusterConfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hacluster-kk-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void FileWithPasswordIsOwnerOnly()
    {
        var path = Path.Combine(_directory, "config-sample.yaml");

        ClusterConfigFile.Write(path, KubeKeyFixtures.Tutorial(), overwrite: false);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("600", Stat(path));
        Assert.Equal(KubeKeyFixtures.Text("tutorial-v1alpha2.yaml"), File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void OverwriteNeedsPermissionAndKeepsTheFilePrivate()
    {
        var path = Path.Combine(_directory, "config.yaml");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));

        var error = Assert.Throws<HaClusterException>(() => ClusterConfigFile.Write(path, KubeKeyFixtures.Tutorial(), overwrite: false));
        Assert.Equal("ConfigFileExists", error.ErrorId);
        Assert.Equal(FailureKind.ResourceExists, error.Kind);
        Assert.Equal("old", File.ReadAllText(path));

        ClusterConfigFile.Write(path, KubeKeyFixtures.Tutorial(), overwrite: true);

        Assert.Equal("600", Stat(path));
        Assert.StartsWith("apiVersion: kubekey.kubesphere.io/v1alpha2", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void FileWithoutSecretsIsWrittenNormally()
    {
        var path = Path.Combine(_directory, "keys.yaml");
        var config = KubeKeyFixtures.Tutorial();
        foreach (var host in config.Hosts)
        {
            host.Password = null;
            host.PrivateKeyPath = "~/.ssh/id_ed25519";
        }

        ClusterConfigFile.Write(path, config, overwrite: false);

        Assert.False(config.HoldsSecrets);
        Assert.Contains("privateKeyPath: \"~/.ssh/id_ed25519\"", File.ReadAllText(path));
    }

    [Fact]
    public void ReadBackGivesTheSameConfig()
    {
        var path = Path.Combine(_directory, "config.yaml");
        ClusterConfigFile.Write(path, KubeKeyFixtures.Tutorial(), overwrite: false);

        var config = ClusterConfigFile.Read(path);

        Assert.Equal(KubeKeyFixtures.Text("tutorial-v1alpha2.yaml"), ClusterConfigYaml.Write(config));
    }

    [Fact]
    public void MissingFileAndFolderGetSpecificErrors()
    {
        var missing = Assert.Throws<HaClusterException>(() => ClusterConfigFile.Read(Path.Combine(_directory, "nope.yaml")));
        Assert.Equal("ConfigFileNotFound", missing.ErrorId);

        var folder = Assert.Throws<HaClusterException>(() => ClusterConfigFile.Write(Path.Combine(_directory, "no", "x.yaml"), KubeKeyFixtures.Tutorial(), false));
        Assert.Equal("ConfigDirectoryNotFound", folder.ErrorId);

        var isFolder = Assert.Throws<HaClusterException>(() => ClusterConfigFile.Write(_directory, KubeKeyFixtures.Tutorial(), true));
        Assert.Equal("ConfigFileAccessFailed", isFolder.ErrorId);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    private static string Stat(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", new[] { "-c", "%a", path }) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return output;
    }
}
