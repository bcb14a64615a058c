// Copyright (c) HaCluster contributors. MIT License.
// Base of the config cmdlets: validation findings become warnings or a refusal with the finding's code.

using System.Linq;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;

namespace HaCluster.Infrastructure;

/// <summary>Shared behaviour of New-HaClusterConfig and Export-HaClusterConfig.</summary>
public abstract class ClusterConfigCmdlet : HaCmdlet
{
    /// <summary>
    /// Validates <paramref name="config"/>: warnings go to the warning stream; errors stop the cmdlet
    /// with a terminating error whose ErrorId is the first finding's code, unless <paramref name="force"/>
    /// (then they are written as warnings and the cmdlet goes on).
    /// </summary>
    /// <param name="config">The config.</param>
    /// <param name="force">Accept errors.</param>
    /// <param name="kind">Category of a refusal: InvalidArgument for parameters, InvalidData for a config object.</param>
    protected void RefuseInvalid(ClusterConfig config, bool force, FailureKind kind)
    {
        var findings = ClusterConfigValidator.Validate(config);
        foreach (var warning in findings.Where(f => f.Severity == FindingSeverity.Warning))
        {
            WriteWarning($"{warning.Code}: {warning.Message}");
        }

        var errors = findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (errors.Count == 0)
        {
            return;
        }

        if (force)
        {
            foreach (var error in errors)
            {
                WriteWarning($"{error.Code} (accepted because of -Force): {error.Message}");
            }

            return;
        }

        var first = errors[0];
        var more = errors.Count == 1
            ? string.Empty
            : $" ({errors.Count - 1} more: {string.Join(", ", errors.Skip(1).Select(e => e.Code))}; Test-HaClusterConfig lists them all.)";
        ThrowTerminatingError(NewError(first.Code, kind, first.Message + more, first.Target));
    }
}
