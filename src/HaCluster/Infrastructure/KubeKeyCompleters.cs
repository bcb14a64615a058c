// Copyright (c) HaCluster contributors. MIT License.
// Tab completion for the values kk knows (versions, runtimes, plugins, KubeSphere components).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>
/// Completes a parameter from a fixed list. Completion rather than ValidateSet, so an unknown value
/// still reaches the validator and fails with its stable code (ContainerManagerUnknown, ...).
/// </summary>
public abstract class ListCompleter : IArgumentCompleter
{
    /// <summary>The values to offer.</summary>
    protected abstract IEnumerable<string> Values { get; }

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Values
            .Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
    }
}

/// <summary>KubeSphere pluggable components.</summary>
public sealed class KubeSphereComponentCompleter : ListCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Values => KubeSphereSettings.ComponentNames;
}

/// <summary>KubeSphere releases kk v3 installs, newest first.</summary>
public sealed class KubeSphereVersionCompleter : ListCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Values => ClusterConfigValidator.KubeSphereVersions.Reverse();
}

/// <summary>Container runtimes kk installs.</summary>
public sealed class ContainerManagerCompleter : ListCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Values => ClusterConfigValidator.ContainerManagers;
}

/// <summary>CNI plugins kk installs.</summary>
public sealed class NetworkPluginCompleter : ListCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Values => ClusterConfigValidator.NetworkPlugins;
}
