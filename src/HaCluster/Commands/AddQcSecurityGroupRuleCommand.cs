// Copyright (c) HaCluster contributors. MIT License.
// Add-QcSecurityGroupRule: adds a firewall rule, applies the group and waits until it is applied.

using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Adds a rule to a security group (AddSecurityGroupRules), applies the group (ApplySecurityGroup) and waits until it
/// is applied: the tutorial's "make sure port 6443 is allowed in the firewall". A load balancer piped in binds its
/// SecurityGroupId.
/// </summary>
[Cmdlet(VerbsCommon.Add, "QcSecurityGroupRule", SupportsShouldProcess = true, DefaultParameterSetName = PortSet)]
[OutputType(typeof(SecurityGroupRule))]
public sealed class AddQcSecurityGroupRuleCommand : QcCmdlet
{
    private const string PortSet = "Port";
    private const string RangeSet = "Range";

    /// <summary>The security group: id, name or object; binds by property name (SecurityGroupId), so load balancers bind theirs.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SecurityGroupId", "security_group_id")]
    [QcIdTransformation("SecurityGroupId", "security_group_id")]
    [ValidateNotNullOrEmpty]
    public string SecurityGroup { get; set; } = string.Empty;

    /// <summary>tcp (default), udp, icmp, gre, esp, ah or ipip.</summary>
    [Parameter]
    [ValidateSet("tcp", "udp", "icmp", "gre", "esp", "ah", "ipip")]
    public string Protocol { get; set; } = "tcp";

    /// <summary>One port (tcp/udp), 1-65535.</summary>
    [Parameter(ParameterSetName = PortSet)]
    public int? Port { get; set; }

    /// <summary>A port range first-last (tcp/udp), e.g. 30000-32767.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RangeSet)]
    [ValidatePattern(@"^\d+-\d+$")]
    public string PortRange { get; set; } = string.Empty;

    /// <summary>Only traffic from (inbound) or to (outbound) this address or CIDR; anyone when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Source { get; set; }

    /// <summary>0-100, lower wins (default 1).</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int Priority { get; set; } = 1;

    /// <summary>Accept (default) or Drop.</summary>
    [Parameter]
    [ValidateSet("Accept", "Drop")]
    public string Action { get; set; } = "Accept";

    /// <summary>Inbound (default) or Outbound.</summary>
    [Parameter]
    [ValidateSet("Inbound", "Outbound")]
    public string Direction { get; set; } = "Inbound";

    /// <summary>The rule's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Return right after ApplySecurityGroup instead of waiting until the group is applied.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var range = ParameterSetName == RangeSet ? PortRange.Split('-') : new[] { Port?.ToString(System.Globalization.CultureInfo.InvariantCulture), null };
        var rule = new SecurityGroupRuleSpec
        {
            Protocol = Protocol,
            Priority = Priority,
            Action = Action.ToLowerInvariant(),
            Direction = Direction == "Outbound" ? 1 : 0,
            Val1 = range[0],
            Val2 = range[1],
            Val3 = Source,
            Name = Name,
        };
        var ports = rule.Val1 is null ? string.Empty : " port " + rule.Val1 + (rule.Val2 is null ? string.Empty : "-" + rule.Val2);
        if (ShouldProcess(SecurityGroup, $"Add rule {rule.Action} {Direction.ToLowerInvariant()} {Protocol}{ports} from {Source ?? "anywhere"} (priority {Priority}) and apply the group"))
        {
            WriteObject(RunQc($"Adding a rule to security group {SecurityGroup}", (client, token) => new SecurityGroupService(client).AddRulesAsync(SecurityGroup, new[] { rule }, NoWait, null, token)), enumerateCollection: true);
        }
    }
}
