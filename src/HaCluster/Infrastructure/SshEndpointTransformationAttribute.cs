// Copyright (c) HaCluster contributors. MIT License.
// Lets an SSH target parameter take an address ("user@host:port"), a New-HaHost object or any object with Address etc.

using System;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.Ssh;

namespace HaCluster.Infrastructure;

/// <summary>
/// Turns the argument into an <see cref="SshEndpoint"/>: a string <c>[user@]address[:port]</c> (IPv6 in brackets),
/// an <see cref="HaHost"/>, or any object with an <c>Address</c> property and optionally <c>Port</c>, <c>User</c>,
/// <c>Credential</c>, <c>Password</c>, <c>PrivateKeyPath</c> and <c>Name</c> (lab hosts, CSV rows).
/// Key paths are resolved against the current PowerShell location.
/// </summary>
public sealed class SshEndpointTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var item = inputData is PSObject wrapper ? wrapper.BaseObject : inputData;
        var endpoint = item switch
        {
            SshEndpoint ready => ready,
            string text => Parse(text),
            HaHost host => HostEndpoints.For(host),
            null => throw new ArgumentTransformationMetadataException("No SSH host was given."),
            _ => FromProperties(PSObject.AsPSObject(inputData)),
        };
        if (endpoint.PrivateKeyPath is not null && engineIntrinsics is not null && !endpoint.PrivateKeyPath.StartsWith("~", StringComparison.Ordinal))
        {
            endpoint.PrivateKeyPath = engineIntrinsics.SessionState.Path.GetUnresolvedProviderPathFromPSPath(endpoint.PrivateKeyPath);
        }

        return endpoint;
    }

    private static SshEndpoint Parse(string text)
    {
        var rest = text.Trim();
        string? user = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest.Substring(0, at);
            rest = rest.Substring(at + 1);
        }

        var port = HaHost.DefaultPort;
        if (rest.StartsWith("[", StringComparison.Ordinal) && rest.IndexOf(']') is var close and > 0)
        {
            var after = rest.Substring(close + 1);
            rest = rest.Substring(1, close - 1);
            if (after.StartsWith(":", StringComparison.Ordinal))
            {
                port = ParsePort(after.Substring(1), text);
            }
        }
        else if (rest.IndexOf(':') is var colon and > 0 && rest.IndexOf(':', colon + 1) < 0)
        {
            port = ParsePort(rest.Substring(colon + 1), text);
            rest = rest.Substring(0, colon);
        }

        if (rest.Length == 0)
        {
            throw new ArgumentTransformationMetadataException($"'{text}' names no SSH host; give an address such as 10.0.0.5 or user@10.0.0.5:22.");
        }

        return new SshEndpoint(rest, port, string.IsNullOrEmpty(user) ? null : user);
    }

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new ArgumentTransformationMetadataException($"'{whole}' has no valid SSH port.");

    private static SshEndpoint FromProperties(PSObject source)
    {
        object? Value(params string[] names)
        {
            foreach (var name in names)
            {
                var value = source.Properties[name]?.Value;
                value = value is PSObject inner ? inner.BaseObject : value;
                if (value is not null && !(value is string s && s.Length == 0))
                {
                    return value;
                }
            }

            return null;
        }

        var address = Value("Address", "HostAddress", "IPAddress")?.ToString()
            ?? throw new ArgumentTransformationMetadataException("The object has no Address property; give an address, a New-HaHost object or an object with Address (and Port, User, Credential, PrivateKeyPath).");
        var port = Value("Port") is { } p ? Convert.ToInt32(p, CultureInfo.InvariantCulture) : HaHost.DefaultPort;
        var credential = Value("Credential") as PSCredential;
        var user = Value("User", "UserName")?.ToString() ?? credential?.UserName;
        var endpoint = new SshEndpoint(address, port, user)
        {
            Name = Value("Name")?.ToString(),
            PrivateKeyPath = Value("PrivateKeyPath")?.ToString(),
            Password = Value("Password") is { } password
                ? new SecureStringTransformationAttribute().Transform(null!, password) as SecureString
                : credential?.Password,
        };
        return endpoint;
    }
}
