// Copyright (c) HaCluster contributors. MIT License.
// One backend for AddLoadBalancerBackends (reference/qingcloud-api.md §4.3).

namespace HaCluster.Engine.QingCloud;

/// <summary>A backend to add to a listener: sent as <c>backends.N.&lt;field&gt;</c>.</summary>
public sealed class BackendSpec : IQingCloudParameterObject
{
    /// <summary>The instance (<c>i-…</c>) or router behind the backend.</summary>
    public string ResourceId { get; set; } = string.Empty;

    /// <summary>The backend port, 1-65535.</summary>
    public int Port { get; set; }

    /// <summary>The weight, 1-100 (default 1).</summary>
    public int Weight { get; set; } = 1;

    /// <summary>The name.</summary>
    public string? Name { get; set; }

    /// <summary>A forwarding policy.</summary>
    public string? PolicyId { get; set; }

    /// <inheritdoc />
    /// <exception cref="Common.HaClusterException">A value is missing or out of range.</exception>
    public void WriteTo(QingCloudParameters target)
    {
        QingCloudValidation.Required("QingCloudBackendResourceMissing", "The backend's resource id", ResourceId);
        QingCloudValidation.Range("QingCloudInvalidBackendPort", "Backend port", Port, 1, 65535);
        QingCloudValidation.Range("QingCloudInvalidBackendWeight", "Backend weight", Weight, 1, 100);
        target.Add("resource_id", ResourceId)
            .Add("port", Port)
            .Add("weight", Weight)
            .Add("loadbalancer_backend_name", Name)
            .Add("loadbalancer_policy_id", PolicyId);
    }
}
