// Copyright (c) HaCluster contributors. MIT License.
// Lets a host parameter take HaHost objects, QingCloud instances (Get-QcInstance) or any object with Name and Address.

using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>
/// Turns each item of a host parameter into an <see cref="HaHost"/>: an HaHost stays as is; a QingCloud instance
/// becomes a host named after the instance at its private IP; any other object (a CSV row, a lab host) gives its
/// <c>Name</c>, <c>Address</c> and, when present, <c>InternalAddress</c>, <c>Port</c>, <c>User</c>,
/// <c>PrivateKeyPath</c> and <c>Credential</c>. Anything else passes through for the binder to report.
/// </summary>
public sealed class HaHostTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is IEnumerable items and not string)
        {
            var hosts = new List<object?>();
            foreach (var item in items)
            {
                hosts.Add(ToHost(item));
            }

            return hosts.ToArray();
        }

        return ToHost(inputData);
    }

    /// <summary>The host an object describes, or the object itself when it describes none.</summary>
    /// <param name="item">The object.</param>
    /// <returns>An <see cref="HaHost"/> or <paramref name="item"/>.</returns>
    public static object? ToHost(object? item)
    {
        var ps = item is null ? null : PSObject.AsPSObject(item);
        if (ps is null || ps.BaseObject is HaHost)
        {
            return ps?.BaseObject;
        }

        var name = Text(ps, "Name") ?? Text(ps, "InstanceName") ?? Text(ps, "instance_name");
        var address = Text(ps, "Address") ?? Text(ps, "PrivateIp") ?? Text(ps, "private_ip");
        if (name is null || address is null)
        {
            return item;
        }

        var host = new HaHost(name, address) { InternalAddress = Text(ps, "InternalAddress") ?? string.Empty };
        if (int.TryParse(Text(ps, "Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            host.Port = port;
        }

        var credential = ps.Properties["Credential"]?.Value is PSObject c ? c.BaseObject as PSCredential : ps.Properties["Credential"]?.Value as PSCredential;
        host.User = Text(ps, "User") ?? credential?.UserName ?? HaHost.DefaultUser;
        host.Password = credential?.Password is { Length: > 0 } password ? password : ps.Properties["Password"]?.Value as SecureString;
        host.PrivateKeyPath = Text(ps, "PrivateKeyPath");
        return host;
    }

    private static string? Text(PSObject ps, string property) =>
        ps.Properties[property]?.Value is { } value && value.ToString() is { Length: > 0 } text ? text : null;
}
