// Copyright (c) HaCluster contributors. MIT License.
// New-QcSecurityGroup: creates an empty security group for a load balancer of its own.

using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Creates an empty security group (CreateSecurityGroup). Give it to New-QcLoadBalancer -SecurityGroup so the load
/// balancer does not land in the account's default group, which instances share, then open ports with
/// Add-QcLbListener -OpenFirewall or Add-QcSecurityGroupRule. A name already taken is refused (QcSecurityGroupExists).
/// </summary>
[Cmdlet(VerbsCommon.New, "QcSecurityGroup", SupportsShouldProcess = true)]
[OutputType(typeof(SecurityGroup))]
public sealed class NewQcSecurityGroupCommand : QcCmdlet
{
    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("security_group_name")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ShouldProcess(Name, "Create security group"))
        {
            WriteObject(RunQc($"Creating security group '{Name}'", (client, token) => new SecurityGroupService(client).CreateAsync(Name, token)));
        }
    }
}
