// Copyright (c) HaCluster contributors. MIT License.
// Base of Stop-QcInstance and Start-QcInstance: instances by name or id, confirmed one by one, changed in one call.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Engine.QingCloud;

namespace HaCluster.Infrastructure;

/// <summary>
/// Takes instances by name (wildcards) or by id from the pipeline, asks ShouldProcess for each, makes the change for
/// all approved instances in one call and waits for the new status; -PassThru writes the instances afterwards.
/// </summary>
public abstract class QcInstancePowerCmdlet : QcCmdlet
{
    /// <summary>Parameter set of <see cref="Name"/>.</summary>
    protected const string NameSet = "Name";

    /// <summary>Parameter set of <see cref="InstanceId"/>.</summary>
    protected const string IdSet = "Id";

    private readonly List<string> _ids = new();

    /// <summary>Instance names; wildcards allowed, case-insensitive.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QcInstanceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Instance ids (i-xxxxxxxx); bind from objects with an InstanceId or instance_id property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("instance_id")]
    [ArgumentCompleter(typeof(QcInstanceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] InstanceId { get; set; } = Array.Empty<string>();

    /// <summary>Return right after the API call instead of waiting for the new status.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>Write the instances afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>What ShouldProcess says, e.g. <c>Stop instance</c>.</summary>
    protected abstract string ActionText { get; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            _ids.AddRange(InstanceId);
            return;
        }

        var search = Name.Length == 1 && !WildcardPattern.ContainsWildcardCharacters(Name[0]) ? Name[0] : null;
        var all = RunQc($"Describing instances named {string.Join(", ", Name)}", (client, token) => client.DescribeInstancesAsync(searchWord: search, cancellationToken: token));
        _ids.AddRange(FilterByName(all, Name, i => i.InstanceName, "QcInstanceNotFound", "instance").Select(i => i.InstanceId));
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var approved = _ids.Distinct(StringComparer.Ordinal).Where(id => ShouldProcess(id, ActionText)).ToList();
        if (approved.Count == 0)
        {
            return;
        }

        var instances = RunQc($"{ActionText}: {string.Join(", ", approved)}", (client, token) => ChangeAsync(new InstanceService(client), approved, token));
        if (PassThru)
        {
            WriteObject(instances, enumerateCollection: true);
        }
    }

    /// <summary>Makes the change.</summary>
    /// <param name="service">The instance service.</param>
    /// <param name="instanceIds">The approved instances.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The instances afterwards.</returns>
    protected abstract Task<IReadOnlyList<Instance>> ChangeAsync(InstanceService service, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);
}
