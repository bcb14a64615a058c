// Copyright (c) HaCluster contributors. MIT License.
// New-HaHost: one machine of the cluster, from parameters, CSV rows or QingCloud instances.

using System.Collections;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Describes one cluster machine for the KubeKey config (kk's spec.hosts entry).</para>
/// <para type="description">Replaces writing a host line of config-sample.yaml by hand. Returns an HaHost;
/// binds CSV rows and instance objects by property name.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "HaHost")]
[OutputType(typeof(HaHost))]
public sealed class NewHaHostCommand : HaCmdlet
{
    #region Parameters

    /// <summary>Node name: lowercase RFC 1123 (kk sets it as hostname and Kubernetes node name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("instance_name", "HostName")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Address KubeKey connects to over SSH.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("private_ip", "IPAddress")]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    /// <summary>Cluster-internal address; defaults to Address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("internal_address")]
    public string? InternalAddress { get; set; }

    /// <summary>SSH port (default 22).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; } = HaHost.DefaultPort;

    /// <summary>SSH user (default root, or the user of -Credential).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    public string? User { get; set; }

    /// <summary>SSH user and password (the password is also kk's sudo password).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Private key file on the taskbox, instead of or as well as a password.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PrivateKeyPath { get; set; }

    /// <summary>CPU architecture: amd64 (default) or arm64.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("amd64", "arm64")]
    public string Arch { get; set; } = HaHost.DefaultArch;

    /// <summary>Node labels kk applies, as a hashtable.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public IDictionary? Labels { get; set; }

    #endregion

    #region Method overrides

    /// <summary>Builds and checks one host.</summary>
    protected override void ProcessRecord()
    {
        var credentialUser = Credential?.UserName.TrimStart('\\');
        if (credentialUser is not null && User is not null && credentialUser != User)
        {
            WriteError(NewError("HostUserConflict", FailureKind.InvalidArgument, $"-User '{User}' and the user of -Credential ('{credentialUser}') differ for host '{Name}'; give one.", User));
            return;
        }

        var host = new HaHost(Name, Address)
        {
            InternalAddress = InternalAddress ?? string.Empty,
            Port = Port,
            User = User ?? credentialUser ?? HaHost.DefaultUser,
            Password = Credential is { Password.Length: > 0 } ? Credential.Password : null,
            PrivateKeyPath = string.IsNullOrEmpty(PrivateKeyPath) ? null : PrivateKeyPath,
            Arch = Arch,
        };
        foreach (DictionaryEntry label in Labels ?? new Hashtable())
        {
            host.Labels[label.Key.ToString() ?? string.Empty] = label.Value?.ToString() ?? string.Empty;
        }

        var errors = ClusterConfigValidator.ValidateHost(host).Where(f => f.Severity == FindingSeverity.Error).ToList();
        foreach (var error in errors)
        {
            WriteError(NewError(error.Code, FailureKind.InvalidArgument, error.Message, error.Target));
        }

        if (errors.Count == 0)
        {
            WriteVerbose($"Host '{host.Name}': {host.User}@{host.Address}:{host.Port} (internal {host.InternalAddress}), authentication {host.AuthenticationMethod}.");
            WriteObject(host);
        }
    }

    #endregion
}
