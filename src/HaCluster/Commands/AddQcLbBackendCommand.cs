// Copyright (c) HaCluster contributors. MIT License.
// Add-QcLbBackend: instances from the pipeline become backends of listeners, one API call per listener.

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Adds the instances piped in as backends of each listener (tutorial steps 1.4 and 1.8): instances are collected
/// first and sent in ONE AddLoadBalancerBackends call per listener. Backends already on the listener, a port outside
/// 1-65535 or more than 100 backends on a listener are refused before anything is added.
/// </summary>
[Cmdlet(VerbsCommon.Add, "QcLbBackend", SupportsShouldProcess = true)]
[OutputType(typeof(Backend))]
public sealed class AddQcLbBackendCommand : QcCmdlet
{
    private readonly List<(string Id, string? Name)> _instances = new();

    /// <summary>The listeners (ids or listener objects) to add the backends to.</summary>
    [Parameter(Mandatory = true)]
    [QcIdTransformation("ListenerId", "loadbalancer_listener_id")]
    [ValidateNotNullOrEmpty]
    public string[] Listener { get; set; } = System.Array.Empty<string>();

    /// <summary>Instance ids (i-xxxxxxxx); bind by property name from instances (InstanceId) or backends (ResourceId).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("instance_id", "ResourceId", "resource_id")]
    [ValidateNotNullOrEmpty]
    public string[] InstanceId { get; set; } = System.Array.Empty<string>();

    /// <summary>The backend port on the instances, 1-65535 (6443 for the apiserver, 30880 for the console).</summary>
    [Parameter(Mandatory = true)]
    public int Port { get; set; }

    /// <summary>The weight, 1-100 (default 1).</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int Weight { get; set; } = 1;

    /// <summary>The backend's name; binds by property name, so piped instances lend theirs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("InstanceName", "instance_name")]
    public string? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _instances.AddRange(InstanceId.Select(id => (id, InstanceId.Length == 1 ? Name : null)));

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var unique = _instances.GroupBy(i => i.Id).Select(g => g.First()).ToList();
        var what = string.Join(", ", unique.Select(i => (i.Name is null ? i.Id : $"{i.Name} ({i.Id})") + $":{Port}"));
        var batches = Listener.Distinct()
            .Where(l => ShouldProcess(l, $"Add {unique.Count} backend(s) to listener: {what}"))
            .Select(l => new BackendBatch(l, unique.Select(i => new BackendSpec { ResourceId = i.Id, Port = Port, Weight = Weight, Name = i.Name }).ToList()))
            .ToList();
        if (batches.Count > 0 && unique.Count > 0)
        {
            WriteObject(RunQc($"Adding backends to listener(s) {string.Join(", ", batches.Select(b => b.ListenerId))}", (client, token) => new LoadBalancerService(client).AddBackendsAsync(batches, token)), enumerateCollection: true);
        }
    }
}
