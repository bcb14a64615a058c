// Copyright (c) HaCluster contributors. MIT License.
// Command line entry: `HaCluster.Emulator [--config file.yaml] [--listen url]`, runs until Ctrl+C or SIGTERM.

using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using HaCluster.Emulator.DataPlane;

namespace HaCluster.Emulator;

/// <summary>Runs the emulator as a process.</summary>
internal static class Program
{
    private const string Help = """
        HaCluster QingCloud emulator: a local QingCloud IaaS API (signed GET/POST on /iaas/ and /iaas)
        with load balancers, listeners, backends, EIPs, security groups, tags, instances, VxNets and jobs.

        Usage:
          HaCluster.Emulator [--config <file.yaml>] [--listen <url>] [--no-data-plane]
          dotnet run --project src/HaCluster.Emulator -- --config <file.yaml>

        Options:
          --config <file>   YAML configuration (schema below). Without it the built-in demo world is used.
          --listen <url>    Overrides `listen`, e.g. http://127.0.0.1:0 (port 0 = any free port).
          --no-data-plane   Bind no listener sockets: the API works, backends all report down.
          --help, -h        This text.

        Once listening it prints "HaCluster emulator listening on <base-url> (API <base-url>iaas/)", then one line
        per listener bind/close and backend status change. After UpdateLoadBalancers each listener binds its VIP
        (internal LB) or EIP (external LB) on loopback and forwards to backends that pass health checks.

        Configuration (every key optional; an absent key keeps the default shown):
          listen: http://127.0.0.1:7878            # http only; an IP address or localhost; no path
          accounts:                                 # key pairs accepted for signature version 1
            - { access_key_id: QYACCESSKEYIDEXAMPLE, secret_access_key: SECRETACCESSKEY }
          zones: [pek3b]                            # zones the API accepts (the `zone` parameter)
          vxnets:                                   # vxnet_id, vxnet_name, zone (default: first zone), ip_network
            - { vxnet_id: vxnet-pn, vxnet_name: pn, zone: pek3b, ip_network: 127.0.0.0/24 }
          instances:                                # instance_id, instance_name, zone (default: its vxnet's),
                                                    # vxnet_id, private_ip (inside the vxnet), status (running|stopped),
                                                    # optional instance_type, vcpus_current, memory_current
            - { instance_id: i-master01, instance_name: master1, zone: pek3b, vxnet_id: vxnet-pn, private_ip: 127.0.0.2, status: running }
            # … default: master1-3 (i-master01..03) on 127.0.0.2-4, node1-3 (i-node0001..03) on 127.0.0.5-7.
            # Giving `vxnets` or `instances` replaces BOTH defaults.
          eip_pool: 127.0.1.0/24                    # AllocateEips hands out addresses from here, lowest first
          job_latency_ms: 300                       # duration of every asynchronous job
          lease_window_ms: 2000                     # delete/release this soon after creation answers 1400
          health_check_time_scale: 0.1              # multiplies health-check interval and timeout for the data plane
          faults:                                   # one seeded draw per API request decides its fault;
                                                    # the five request rates together must not exceed 1
            ret_code_5100_rate: 0.0                 # answered 5100 (busy) without being processed
            ret_code_5000_rate: 0.0                 # answered 5000 (internal error) without being processed
            ret_code_5300_rate: 0.0                 # answered 5300 (service updating) without being processed
            http_5xx_rate: 0.0                      # answered HTTP 502/503 with an HTML page (a gateway), not processed
            drop_connection_rate: 0.0               # processed, then the TCP connection is aborted, no response
            failed_job_rate: 0.0                    # jobs that end `failed` with no effect
            seed: 1                                 # same seed + same requests = same faults and ids
          quotas: { loadbalancers: 20, eips: 20, security_groups: 50 }   # per zone; beyond answers 2500

        Admin routes (outside /iaas, unsigned):
          GET    /_emulator/requests[?action=A&since=N]   request log: action, params (no signature), ret_code, time, fault
          DELETE /_emulator/requests                      clears the log
          POST   /_emulator/reset                         back to the configured initial state
          GET    /_emulator/state                         every resource as JSON
          POST   /_emulator/jobs/hold                     jobs stay unfinished (tests: a job that outlasts a wait)
          POST   /_emulator/jobs/release                  held jobs finish after their latency
        """;

    private static async Task<int> Main(string[] args)
    {
        string? configPath = null;
        string? listen = null;
        var dataPlane = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    Console.WriteLine(Help);
                    return 0;
                case "--config" when i + 1 < args.Length:
                    configPath = args[++i];
                    break;
                case "--listen" when i + 1 < args.Length:
                    listen = args[++i];
                    break;
                case "--no-data-plane":
                    dataPlane = false;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Run with --help for usage.");
                    return 2;
            }
        }

        EmulatorOptions options;
        try
        {
            options = configPath is null ? EmulatorOptions.CreateDefault() : EmulatorOptions.Load(configPath);
            if (listen is not null)
            {
                options.Listen = Uri.TryCreate(listen, UriKind.Absolute, out var uri)
                    ? uri
                    : throw new EmulatorConfigException($"--listen '{listen}' is not an absolute URL.");
                options.Validate();
            }
        }
        catch (EmulatorConfigException ex)
        {
            Console.Error.WriteLine("Invalid emulator configuration: " + ex.Message);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        EmulatorServer server;
        try
        {
            ILoadBalancerDataPlane plane = dataPlane ? new LoopbackDataPlane(options.HealthCheckTimeScale, Console.WriteLine) : new InertDataPlane();
            server = await EmulatorServer.StartAsync(options, plane, stop.Token).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Cannot listen on {options.Listen}: {ex.Message}");
            return 1;
        }

        await using (server.ConfigureAwait(false))
        {
            // The secret is never printed: only key ids, so logs of a run can be shared.
            Console.WriteLine($"HaCluster emulator listening on {server.BaseAddress} (API {server.Endpoint})");
            Console.WriteLine($"Access key ids: {string.Join(", ", options.Accounts.ConvertAll(a => a.AccessKeyId))}; zones: {string.Join(", ", options.Zones)}");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Stopping.");
            }
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
