// Copyright (c) HaCluster contributors. MIT License.
// Test-HaNode: KubeKey's node preflight over SSH for many hosts at once, one result per host and check.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Checks that hosts are ready for a KubeKey install: SSH, sudo, required commands, clock, name, ports.</para>
/// <para type="description">Replaces the manual checks before "kk create cluster". Emits one PreflightResult per host and
/// check (or, with -Quiet, one Boolean per host); hosts are checked concurrently.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HaNode")]
[OutputType(typeof(PreflightResult))]
[OutputType(typeof(bool))]
public sealed class TestHaNodeCommand : HaCmdlet
{
    private readonly List<PreflightTarget> _targets = new();

    /// <summary>Host name or IP address to connect to.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("HostAddress", "IPAddress")]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    /// <summary>Node name used in results and checked for the lowercase rule; defaults to the remote hostname.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Name { get; set; }

    /// <summary>SSH port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 22;

    /// <summary>SSH user; defaults to the credential's user name, else the current user.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    public string? User { get; set; }

    /// <summary>Credential whose password is used for SSH password authentication and for sudo.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Password for SSH and sudo (a SecureString, or text from an object such as a CSV row); overrides -Credential's.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SecureStringTransformation]
    public SecureString? Password { get; set; }

    /// <summary>Private key file for key authentication (empty means none, as on objects that use a password).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PrivateKeyPath { get; set; }

    /// <summary>Passphrase of the private key.</summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>Cluster-internal address of the host, when services bind an address other than -Address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? InternalAddress { get; set; }

    /// <summary>Roles of the host (decide the ports checked: 6443 control plane, 2379-2380 etcd, 10250 all). Default: all.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Roles")]
    [ValidateSet("ControlPlane", "Etcd", "Worker", "control-plane", "master")]
    public string[] Role { get; set; } = Array.Empty<string>();

    /// <summary>known_hosts file to verify host keys against. Default: ~/.ssh/known_hosts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>Trust hosts whose key is not yet known and record their keys (never accepts a changed key).</summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary>How many hosts are checked at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = SshFanOutOptions.DefaultDegree;

    /// <summary>Emit one Boolean per host: true when every Required check passed.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>The pipeline object itself: a New-HaHost object keeps its password out of its public properties, so
    /// it is read from the host, not bound by property name.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Collects one target per input object.</summary>
    protected override void ProcessRecord()
    {
        var keyPath = string.IsNullOrWhiteSpace(PrivateKeyPath) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PrivateKeyPath);
        if (keyPath is not null && !File.Exists(keyPath))
        {
            // Bad input for this host only: reported before any connection, the other hosts are still checked.
            WriteError(NewError(SshErrorIds.KeyFileNotFound, FailureKind.ObjectNotFound, $"The private key file '{keyPath}' for {Address} does not exist.", keyPath));
            return;
        }

        var user = IsBound(nameof(User)) && !string.IsNullOrWhiteSpace(User) ? User : Credential?.UserName;
        var endpoint = new SshEndpoint(Address, Port, user)
        {
            Name = string.IsNullOrWhiteSpace(Name) ? null : Name,
            Password = Password ?? Credential?.Password ?? (InputObject?.BaseObject as HaHost)?.Password,
            PrivateKeyPath = keyPath,
            Passphrase = Passphrase,
        };
        _targets.Add(new PreflightTarget(endpoint, ParseRoles(Role)) { InternalAddress = InternalAddress });
    }

    /// <summary>Checks every collected host and writes the results.</summary>
    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        var hostKeys = SshLogin.HostKeys(this, KnownHostsPath, AcceptNewHostKey);
        WriteVerbose($"Checking {_targets.Count} host(s), {ThrottleLimit} at a time; host keys from {hostKeys.KnownHostsPath}.");
        var results = RunEngine((observer, token) => NodePreflight.RunAsync(
            _targets,
            new PreflightOptions
            {
                ThrottleLimit = ThrottleLimit,
                Connect = new SshConnectOptions { HostKeyPolicy = hostKeys, Observer = observer },
            },
            observer,
            token));

        if (!Quiet)
        {
            WriteObject(results, enumerateCollection: true);
            return;
        }

        foreach (var target in _targets)
        {
            var mine = results.Where(r => r.Host == target.Endpoint.DisplayName && r.Address == target.Endpoint.Address);
            WriteObject(mine.Where(r => r.Severity == PreflightSeverity.Required).All(r => r.Passed));
        }
    }

    private static NodeRole ParseRoles(IEnumerable<string> roles) => roles.Aggregate(NodeRole.None, (all, role) => all | role.ToLowerInvariant() switch
    {
        "controlplane" or "control-plane" or "master" => NodeRole.ControlPlane,
        "etcd" => NodeRole.Etcd,
        _ => NodeRole.Worker,
    });
}
