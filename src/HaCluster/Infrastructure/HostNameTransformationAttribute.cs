// Copyright (c) HaCluster contributors. MIT License.
// Lets role parameters take host objects as well as names: -ControlPlane $masters or -ControlPlane master1,master2.

using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>
/// Turns each item of a role parameter into a node name: a string stays as is, an
/// <see cref="HaHost"/> (or any object with a Name property, such as a CSV row) gives its Name.
/// </summary>
public sealed class HostNameTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var names = new List<string>();
        var items = inputData is IEnumerable enumerable && inputData is not string
            ? enumerable
            : new[] { inputData };
        foreach (var item in items)
        {
            names.Add(NameOf(item));
        }

        return names.ToArray();
    }

    private static string NameOf(object? item) => (item is PSObject wrapper ? wrapper.BaseObject : item) switch
    {
        null => string.Empty,
        string name => name,
        HaHost host => host.Name,
        _ when PSObject.AsPSObject(item).Properties["Name"]?.Value is { } name => name.ToString() ?? string.Empty,
        var other => other.ToString() ?? string.Empty,
    };
}
