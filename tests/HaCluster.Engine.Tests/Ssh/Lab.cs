// Copyright (c) HaCluster contributors. MIT License.
// xUnit access to the SSH lab (tests/Lab/lab.sh): real sshd processes on loopback addresses in 127.40.0.0/16.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.Tests.Ssh;

/// <summary>One lab host as lab.sh describes it.</summary>
public sealed class LabHost
{
    public string Name { get; set; } = string.Empty;

    public string Address { get; set; } = string.Empty;

    public int Port { get; set; }

    public string User { get; set; } = string.Empty;

    public string? Password { get; set; }

    public string PrivateKeyPath { get; set; } = string.Empty;

    public string PassphraseKeyPath { get; set; } = string.Empty;

    public string Passphrase { get; set; } = string.Empty;

    public string RsaKeyPath { get; set; } = string.Empty;

    public string HostKeyType { get; set; } = string.Empty;

    public string HostKeyFingerprint { get; set; } = string.Empty;

    public string KnownHostsLine { get; set; } = string.Empty;

    public int Pid { get; set; }

    public string BinPath { get; set; } = string.Empty;

    public string Root { get; set; } = string.Empty;

    /// <summary>An endpoint authenticating with the lab password (falls back to the key when not root).</summary>
    public SshEndpoint PasswordEndpoint()
    {
        var endpoint = new SshEndpoint(Address, Port, User) { Name = Name };
        if (Password is null)
        {
            endpoint.PrivateKeyPath = PrivateKeyPath;
        }
        else
        {
            endpoint.Password = Secure(Password);
        }

        return endpoint;
    }

    /// <summary>An endpoint authenticating with the plain lab key.</summary>
    public SshEndpoint KeyEndpoint() => new(Address, Port, User) { Name = Name, PrivateKeyPath = PrivateKeyPath };

    public static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        return secure;
    }
}

/// <summary>Starts and stops lab hosts through lab.sh.</summary>
public static class Lab
{
    public static string Script { get; } = FindScript();

    public static bool IsRoot => Environment.UserName == "root";

    public static IReadOnlyList<LabHost> Start(params string[] arguments)
    {
        var output = Run(new[] { "start" }.Concat(arguments));
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<LabHost>(line, options)!)
            .ToList();
    }

    public static void Stop(params string[] arguments) => Run(new[] { "stop" }.Concat(arguments));

    /// <summary>Runs a local shell command (the lab hosts are this machine) and returns its stdout.</summary>
    public static string Shell(string command)
    {
        var info = new ProcessStartInfo("bash", new[] { "-c", command }) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    private static string Run(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"lab.sh failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Lab", "lab.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/Lab/lab.sh not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Base of per-class fixtures: starts the class's own lab hosts, stops them afterwards, owns a temp folder.</summary>
public abstract class LabFixture : IDisposable
{
    protected LabFixture(params string[] arguments)
    {
        Hosts = Lab.Start(arguments);
        Folder = Directory.CreateTempSubdirectory("hacluster-ssh-test-").FullName;
        KnownHostsPath = Path.Combine(Folder, "known_hosts");
        File.WriteAllLines(KnownHostsPath, Hosts.Select(h => h.KnownHostsLine));
    }

    public IReadOnlyList<LabHost> Hosts { get; }

    public LabHost Host => Hosts[0];

    /// <summary>A private temp folder of this fixture.</summary>
    public string Folder { get; }

    /// <summary>known_hosts holding every host of this fixture.</summary>
    public string KnownHostsPath { get; }

    public SshConnectOptions Trusting() => new() { HostKeyPolicy = new HostKeyPolicy(KnownHostsPath), ConnectTimeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        OnDispose();
        var addresses = Hosts.Select(h => h.Address).ToList();
        var port = Hosts.Count > 0 ? Hosts[0].Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "22";
        Lab.Stop(new[] { "--port", port }.Concat(addresses).ToArray());
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops whatever a derived fixture started in addition.</summary>
    protected virtual void OnDispose()
    {
    }
}
