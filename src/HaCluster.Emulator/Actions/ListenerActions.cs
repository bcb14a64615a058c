// Copyright (c) HaCluster contributors. MIT License.
// Listener and backend actions (reference §4.2, §4.3); every change leaves the LB unapplied.

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using HaCluster.Emulator.Api;
using HaCluster.Emulator.State;

namespace HaCluster.Emulator.Actions;

/// <summary>Add/describe/delete listeners and backends, with the documented limits.</summary>
internal static class ListenerActions
{
    /// <summary>Most listeners per LB.</summary>
    public const int MaxListenersPerLoadBalancer = 50;

    /// <summary>Most backends per listener.</summary>
    public const int MaxBackendsPerListener = 100;

    /// <summary>Most backends per LB.</summary>
    public const int MaxBackendsPerLoadBalancer = 200;

    /// <summary>Registers the handlers.</summary>
    /// <param name="table">The action table.</param>
    public static void Register(ActionTable table)
    {
        table.Add("AddLoadBalancerListeners", AddListeners);
        table.Add("DescribeLoadBalancerListeners", DescribeListeners);
        table.Add("DeleteLoadBalancerListeners", DeleteListeners);
        table.Add("AddLoadBalancerBackends", AddBackends);
        table.Add("DescribeLoadBalancerBackends", DescribeBackends);
        table.Add("DeleteLoadBalancerBackends", DeleteBackends);
    }

    /// <summary>A listener as DescribeLoadBalancerListeners returns it.</summary>
    /// <param name="c">The call.</param>
    /// <param name="l">The listener.</param>
    /// <param name="withBackends">Add <c>backends[]</c> (verbose).</param>
    /// <returns>The JSON object.</returns>
    public static JsonObject RenderListener(ActionContext c, Listener l, bool withBackends)
    {
        var json = new JsonObject
        {
            ["loadbalancer_listener_id"] = l.Id,
            ["loadbalancer_listener_name"] = l.Name,
            ["loadbalancer_id"] = l.LoadBalancerId,
            ["listener_port"] = l.Port,
            ["listener_protocol"] = l.Protocol,
            ["backend_protocol"] = l.BackendProtocol,
            ["balance_mode"] = l.BalanceMode,
            ["session_sticky"] = l.SessionSticky,
            ["forwardfor"] = Render.OptionalInt(c, l.ForwardFor),
            ["healthy_check_method"] = l.HealthCheckMethod,
            ["healthy_check_option"] = l.HealthCheckOption,
            ["listener_option"] = Render.OptionalInt(c, l.ListenerOption),
            ["server_certificate_id"] = string.Join(",", l.ServerCertificateIds), // "" without certificates, as the API sends
            ["timeout"] = Render.OptionalInt(c, l.Timeout),
            ["scene"] = l.Scene,
            ["controller"] = "self",
            ["disabled"] = 0,
            ["create_time"] = Render.Time(l.CreateTime),
            ["owner"] = l.Owner,
            ["root_user_id"] = l.Owner,
            ["console_id"] = "qingcloud",
        };
        if (withBackends)
        {
            json["backends"] = Render.Array(c.State.Backends.Values.Where(b => b.ListenerId == l.Id).OrderBy(b => b.Seq).Select(b => RenderBackend(c, b)));
        }

        return json;
    }

    /// <summary>Deletes a listener and its backends from the state.</summary>
    /// <param name="state">State.</param>
    /// <param name="l">The listener.</param>
    public static void Remove(CloudState state, Listener l)
    {
        foreach (var b in state.Backends.Values.Where(b => b.ListenerId == l.Id).ToList())
        {
            state.Backends.Remove(b.Id);
        }

        state.Listeners.Remove(l.Id);
    }

    private static JsonObject AddListeners(ActionContext c)
    {
        var lbId = c.Params.Required("loadbalancer");
        var specs = c.Params.RequiredObjects("listeners");
        var lb = LoadBalancerActions.FindActive(c, lbId);
        var existing = c.State.Listeners.Values.Where(l => l.LoadBalancerId == lb.Id).ToList();
        if (existing.Count + specs.Count > MaxListenersPerLoadBalancer)
        {
            throw ApiException.Quota($"a load balancer takes at most {MaxListenersPerLoadBalancer} listeners; [{lb.Id}] has {existing.Count}");
        }

        var ports = existing.Select(l => l.Port).ToHashSet();
        var listeners = new List<Listener>();
        foreach (var p in specs)
        {
            var listener = ParseListener(c, lb, p);
            if (!ports.Add(listener.Port))
            {
                throw ApiException.Denied($"port [{listener.Port}] is already used by another listener of loadbalancer [{lb.Id}]");
            }

            listeners.Add(listener);
        }

        foreach (var l in listeners)
        {
            c.State.Listeners[l.Id] = l;
        }

        LoadBalancerActions.Touch(lb);
        return new JsonObject { ["loadbalancer_listeners"] = Render.Strings(listeners.Select(l => l.Id)) };
    }

    private static Listener ParseListener(ActionContext c, LoadBalancer lb, ApiParams p)
    {
        var port = p.RequiredInt("listener_port", 1, 65535);
        if (port is not (25 or 80 or 443) && port < 1024)
        {
            throw ApiException.Invalid("listener_port", port.ToString(CultureInfo.InvariantCulture), "expected 25, 80, 443 or 1024-65535");
        }

        p.Required("listener_protocol");
        var protocol = p.OneOf("listener_protocol", "tcp", "http", "https", "tcp");
        p.Required("backend_protocol");
        var backendProtocol = p.OneOf("backend_protocol", protocol, "http", "https", "tcp");
        if (backendProtocol != protocol)
        {
            throw ApiException.Invalid("backend_protocol", backendProtocol, $"must match listener_protocol [{protocol}]");
        }

        var certificates = (p.Get("server_certificate_id") ?? string.Empty).Split(',', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries);
        if (protocol == "https" && certificates.Length == 0)
        {
            throw ApiException.Missing("server_certificate_id");
        }

        return new Listener(c.NewIdentity("lbl-"))
        {
            Name = p.Get("loadbalancer_listener_name") ?? string.Empty,
            Status = "active",
            LoadBalancerId = lb.Id,
            Port = port,
            Protocol = protocol,
            BackendProtocol = backendProtocol,
            BalanceMode = p.OneOf("balance_mode", "roundrobin", "roundrobin", "leastconn", "source"),
            SessionSticky = p.Get("session_sticky") ?? string.Empty,
            ForwardFor = p.Int("forwardfor", 0, 7, 0),
            HealthCheckMethod = ParseHealthCheckMethod(p),
            HealthCheckOption = ParseHealthCheckOption(p),
            ListenerOption = p.Int("listener_option", 0, 1023, 0),
            ServerCertificateIds = certificates,
            Timeout = p.Int("timeout", 10, 86400, 50),
            TunnelTimeout = p.Int("tunnel_timeout", 10, 86400),
            Scene = p.Int("scene", 0, 100, 0),
        };
    }

    private static string ParseHealthCheckMethod(ApiParams p)
    {
        var method = p.Get("healthy_check_method") ?? "tcp";
        var parts = method.Split('|');
        var valid = method == "tcp" || (parts[0] == "http" && parts.Length is 2 or 3 && parts[1].StartsWith('/'));
        return valid ? method : throw ApiException.Invalid("healthy_check_method", method, "expected tcp, http|/path or http|/path|host");
    }

    private static string ParseHealthCheckOption(ApiParams p)
    {
        var option = p.Get("healthy_check_option") ?? "10|5|2|5";
        var parts = option.Split('|');
        int[] min = [2, 5, 2, 2];
        int[] max = [60, 300, 10, 10];
        var valid = parts.Length == 4 && parts.Select((text, i) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min[i] && v <= max[i]).All(ok => ok);
        return valid ? option : throw ApiException.Invalid("healthy_check_option", option, "expected inter|timeout|fall|rise with inter 2-60, timeout 5-300, fall 2-10, rise 2-10");
    }

    private static JsonObject DescribeListeners(ActionContext c)
    {
        var lbId = c.Params.Get("loadbalancer");
        var verbose = Render.Verbose(c);
        var items = Render.Filter(c.State.Listeners.Values, c, "loadbalancer_listeners", statuses: null)
            .Where(l => lbId is null || l.LoadBalancerId == lbId);
        return Render.Page(items, c, "loadbalancer_listener_set", l => RenderListener(c, l, withBackends: verbose >= 1));
    }

    private static JsonObject DeleteListeners(ActionContext c)
    {
        var listeners = c.Params.RequiredList("loadbalancer_listeners").Distinct().Select(id => CloudState.Find(c.State.Listeners, id, c.Zone)).ToList();
        foreach (var l in listeners)
        {
            Remove(c.State, l);
            LoadBalancerActions.Touch(c.State.LoadBalancers[l.LoadBalancerId]);
        }

        return new JsonObject { ["loadbalancer_listeners"] = Render.Strings(listeners.Select(l => l.Id)) };
    }

    private static JsonObject AddBackends(ActionContext c)
    {
        var listenerId = c.Params.Required("loadbalancer_listener");
        var specs = c.Params.RequiredObjects("backends");
        var listener = CloudState.Find(c.State.Listeners, listenerId, c.Zone);
        var lb = LoadBalancerActions.FindActive(c, listener.LoadBalancerId);
        var onListener = c.State.Backends.Values.Where(b => b.ListenerId == listener.Id).ToList();
        var onLb = c.State.Backends.Values.Count(b => b.LoadBalancerId == lb.Id);
        if (onListener.Count + specs.Count > MaxBackendsPerListener)
        {
            throw ApiException.Quota($"a listener takes at most {MaxBackendsPerListener} backends; [{listener.Id}] has {onListener.Count}");
        }

        if (onLb + specs.Count > MaxBackendsPerLoadBalancer)
        {
            throw ApiException.Quota($"a load balancer takes at most {MaxBackendsPerLoadBalancer} backends; [{lb.Id}] has {onLb}");
        }

        var taken = onListener.Select(b => (b.ResourceId, b.Port, b.PolicyId)).ToHashSet();
        var backends = new List<Backend>();
        foreach (var p in specs)
        {
            var instance = CloudState.Find(c.State.Instances, p.Required("resource_id"), c.Zone);
            var backend = new Backend(c.NewIdentity("lbb-"))
            {
                Name = p.Get("loadbalancer_backend_name") ?? string.Empty,
                ListenerId = listener.Id,
                LoadBalancerId = lb.Id,
                ResourceId = instance.Id,
                Port = p.RequiredInt("port", 1, 65535),
                Weight = p.Int("weight", 1, 100, 1),
                PolicyId = p.Get("loadbalancer_policy_id") ?? string.Empty,
            };
            if (!taken.Add((backend.ResourceId, backend.Port, backend.PolicyId)))
            {
                throw ApiException.Denied($"backend [{backend.ResourceId}:{backend.Port}] already exists in listener [{listener.Id}]");
            }

            backends.Add(backend);
        }

        foreach (var b in backends)
        {
            c.State.Backends[b.Id] = b;
        }

        LoadBalancerActions.Touch(lb);
        return new JsonObject { ["loadbalancer_backends"] = Render.Strings(backends.Select(b => b.Id)) };
    }

    private static JsonObject RenderBackend(ActionContext c, Backend b)
    {
        // A backend only has a health status once an UpdateLoadBalancers has handed it to the data plane.
        var lb = c.State.LoadBalancers[b.LoadBalancerId];
        var applied = lb.Applied?.Any(l => l.Backends.Any(x => x.BackendId == b.Id)) == true;
        return new JsonObject
        {
            ["loadbalancer_backend_id"] = b.Id,
            ["loadbalancer_backend_name"] = b.Name,
            ["loadbalancer_listener_id"] = b.ListenerId,
            ["loadbalancer_id"] = b.LoadBalancerId,
            ["loadbalancer_policy_id"] = b.PolicyId,
            ["resource_id"] = b.ResourceId,
            ["port"] = b.Port,
            ["weight"] = Render.OptionalInt(c, b.Weight),
            ["status"] = applied ? c.DataPlane.GetBackendStatus(b.Id) : "down",
            ["create_time"] = Render.Time(b.CreateTime),
        };
    }

    private static JsonObject DescribeBackends(ActionContext c)
    {
        var listenerId = c.Params.Get("loadbalancer_listener");
        var lbId = c.Params.Get("loadbalancer");
        var items = Render.Filter(c.State.Backends.Values, c, "loadbalancer_backends", statuses: null)
            .Where(b => (listenerId is null || b.ListenerId == listenerId) && (lbId is null || b.LoadBalancerId == lbId));
        return Render.Page(items, c, "loadbalancer_backend_set", b => RenderBackend(c, b));
    }

    private static JsonObject DeleteBackends(ActionContext c)
    {
        var backends = c.Params.RequiredList("loadbalancer_backends").Distinct().Select(id => CloudState.Find(c.State.Backends, id, c.Zone)).ToList();
        foreach (var b in backends)
        {
            c.State.Backends.Remove(b.Id);
            LoadBalancerActions.Touch(c.State.LoadBalancers[b.LoadBalancerId]);
        }

        return new JsonObject { ["loadbalancer_backends"] = Render.Strings(backends.Select(b => b.Id)) };
    }
}
