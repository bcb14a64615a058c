// Copyright (c) HaCluster contributors. MIT License.
// Lets a string id parameter take the resource object itself (or any object carrying its id property).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace HaCluster.Infrastructure;

/// <summary>
/// Turns a resource object given to an id parameter into its id: <c>-LoadBalancer $lb</c> binds
/// <c>$lb.LoadBalancerId</c>. Strings pass through; so do objects without any of the named properties (binding
/// then reports them). Works for arrays, deserialized objects and <c>Select-Object</c> output alike.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class QcIdTransformationAttribute : ArgumentTransformationAttribute
{
    private readonly string[] _properties;

    /// <summary>Creates the attribute.</summary>
    /// <param name="properties">Property names that hold the id, tried in order (e.g. <c>LoadBalancerId</c>, <c>loadbalancer_id</c>).</param>
    public QcIdTransformationAttribute(params string[] properties) => _properties = properties;

    /// <summary>Returns the id(s) found in <paramref name="inputData"/>.</summary>
    /// <param name="engineIntrinsics">Unused.</param>
    /// <param name="inputData">A string, a resource object, or a list of them.</param>
    /// <returns>The id, a list of ids, or the input unchanged.</returns>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is IList list)
        {
            var ids = new List<object?>(list.Count);
            foreach (var item in list)
            {
                ids.Add(IdOf(item));
            }

            return ids.ToArray();
        }

        return IdOf(inputData);
    }

    private object? IdOf(object? item)
    {
        if (item is null)
        {
            return null;
        }

        var ps = PSObject.AsPSObject(item);
        if (ps.BaseObject is string)
        {
            return ps.BaseObject;
        }

        foreach (var name in _properties)
        {
            if (ps.Properties[name]?.Value is string { Length: > 0 } id)
            {
                return id;
            }
        }

        return item;
    }
}
