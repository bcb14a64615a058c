// Copyright (c) HaCluster contributors. MIT License.
// One listener for AddLoadBalancerListeners (reference/qingcloud-api.md §4.2).

using System.Collections.Generic;
using HaCluster.Engine.Common;

namespace HaCluster.Engine.QingCloud;

/// <summary>A listener to add: sent as <c>listeners.N.&lt;field&gt;</c>.</summary>
public sealed class ListenerSpec : IQingCloudParameterObject
{
    /// <summary>The port clients connect to: 25, 80, 443 or 1024-65535.</summary>
    public int Port { get; set; }

    /// <summary><c>tcp</c> (default), <c>http</c> or <c>https</c>.</summary>
    public string Protocol { get; set; } = "tcp";

    /// <summary>The protocol towards the backends; the listener protocol when null.</summary>
    public string? BackendProtocol { get; set; }

    /// <summary>The name.</summary>
    public string? Name { get; set; }

    /// <summary><c>roundrobin</c> (default; the console's "Poll"), <c>leastconn</c> or <c>source</c>.</summary>
    public string BalanceMode { get; set; } = "roundrobin";

    /// <summary>Certificates for an https listener.</summary>
    public IList<string> ServerCertificateIds { get; set; } = new List<string>();

    /// <summary>Sticky sessions (http only), e.g. <c>insert|3600</c>.</summary>
    public string? SessionSticky { get; set; }

    /// <summary>Header bitmask: 1 X-Forwarded-For, 2 QC-LBID, 4 QC-LBIP.</summary>
    public int? ForwardFor { get; set; }

    /// <summary><c>tcp</c> or <c>http|/path</c>.</summary>
    public string? HealthyCheckMethod { get; set; }

    /// <summary><c>inter|timeout|fall|rise</c>, e.g. <c>10|5|2|5</c>.</summary>
    public string? HealthyCheckOption { get; set; }

    /// <summary>Option bitmask.</summary>
    public int? ListenerOption { get; set; }

    /// <summary>Idle timeout in seconds, 10-86400.</summary>
    public int? Timeout { get; set; }

    /// <inheritdoc />
    /// <exception cref="HaClusterException">A value is out of range.</exception>
    public void WriteTo(QingCloudParameters target)
    {
        if (!(Port is 25 or 80 or 443 || (Port >= 1024 && Port <= 65535)))
        {
            throw new HaClusterException("QingCloudInvalidListenerPort", FailureKind.InvalidArgument, $"Listener port {Port} is not allowed; use 25, 80, 443 or 1024-65535.", Port);
        }

        QingCloudValidation.OneOf("QingCloudInvalidListenerProtocol", "Listener protocol", Protocol, "tcp", "http", "https", "udp");
        QingCloudValidation.OneOf("QingCloudInvalidBalanceMode", "Balance mode", BalanceMode, "roundrobin", "leastconn", "source");
        if (Protocol == "https" && ServerCertificateIds.Count == 0)
        {
            throw new HaClusterException("QingCloudCertificateMissing", FailureKind.InvalidArgument, $"The https listener on port {Port} needs a server certificate.", Port);
        }

        if (Timeout is { } timeout)
        {
            QingCloudValidation.Range("QingCloudInvalidListenerTimeout", "Listener timeout (s)", timeout, 10, 86400);
        }

        target.Add("listener_port", Port)
            .Add("listener_protocol", Protocol)
            .Add("backend_protocol", BackendProtocol ?? Protocol)
            .Add("loadbalancer_listener_name", Name)
            .Add("balance_mode", BalanceMode)
            .AddJoined("server_certificate_id", ServerCertificateIds)
            .Add("session_sticky", SessionSticky)
            .Add("forwardfor", ForwardFor)
            .Add("healthy_check_method", HealthyCheckMethod)
            .Add("healthy_check_option", HealthyCheckOption)
            .Add("listener_option", ListenerOption)
            .Add("timeout", Timeout);
    }
}
