// Copyright (c) HaCluster contributors. MIT License.
// Install-HaKubeSphere: KubeSphere 4.x (the ks-core Helm chart) on a kk-built cluster, from the taskbox over SSH.

using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using HaCluster.Engine.Common;
using HaCluster.Engine.KubeKey;
using HaCluster.Engine.KubeSphere;
using HaCluster.Engine.Ssh;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// <para type="synopsis">Installs KubeSphere 4.x with Helm (helm upgrade --install ks-core) on a cluster kk has built.</para>
/// <para type="description">Proves the chart can be fetched, uploads the values (0600, removed after), runs helm detached on
/// the taskbox with --wait, shows which workloads are ready while it waits, and returns the verdict. Running it again
/// reattaches to a running helm, recovers a release left pending, and upgrades an existing one.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "HaKubeSphere", SupportsShouldProcess = true, DefaultParameterSetName = ChartSet)]
[OutputType(typeof(KubeSphereInstallResult))]
public sealed class InstallHaKubeSphereCommand : TaskBoxRunCmdlet
{
    private const string ChartSet = "Chart";
    private const string PresetSet = "Preset";

    /// <summary>A control-plane node with helm and a kubeconfig: an address ([user@]host[:port]), a New-HaHost object, or an object with Address, Port, User, Credential, PrivateKeyPath.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SshEndpointTransformation]
    [ValidateNotNull]
    public SshEndpoint TaskBox { get; set; } = null!;

    /// <summary>The ks-core chart: oci://… (e.g. oci://hub.kubesphere.com.cn/kse/ks-core), an https:// URL of a .tgz, or a .tgz on the taskbox.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ChartSet)]
    [ValidateNotNullOrEmpty]
    public string Chart { get; set; } = string.Empty;

    /// <summary>The chart version to pin (a chart version, e.g. 1.2.4, not a KubeSphere version).</summary>
    [Parameter(ParameterSetName = ChartSet)]
    [ValidateNotNullOrEmpty]
    public string? ChartVersion { get; set; }

    /// <summary>CommunityEdition: the documented 4.2 chart (oci://hub.kubesphere.com.cn/kse/ks-core 1.2.4) and registry (hub.kubesphere.com.cn). That edition needs a per-cluster license this module does not obtain.</summary>
    /// <remarks>A string, not the engine's enum: a value-type field from the engine would load it before the module isolates it.</remarks>
    [Parameter(Mandatory = true, ParameterSetName = PresetSet)]
    [ValidateSet(nameof(KubeSpherePreset.CommunityEdition))]
    public string Preset { get; set; } = string.Empty;

    /// <summary>Registry of KubeSphere's images (global.imageRegistry and extension.imageRegistry).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ImageRegistry { get; set; }

    /// <summary>The console's NodePort (console.nodePort). Default 30880.</summary>
    [Parameter]
    public int ConsoleNodePort { get; set; } = KubeSphereSettings.DefaultConsolePort;

    /// <summary>Three replicas of every component and Redis HA (ha.enabled, redisHA.enabled). Default: on with three or more -ControlPlane nodes.</summary>
    [Parameter]
    public SwitchParameter HighAvailability { get; set; }

    /// <summary>The control-plane nodes (New-HaHost objects or addresses); decides the -HighAvailability default and the console URL.</summary>
    [Parameter]
    [HaHostTransformation]
    public HaHost[] ControlPlane { get; set; } = Array.Empty<HaHost>();

    /// <summary>The initial password of the console's admin account (authentication.adminPassword); never shown, and filtered out of Helm's output.</summary>
    [Parameter]
    [Credential]
    public PSCredential? AdminCredential { get; set; }

    /// <summary>More chart values: a hashtable (nested or dotted keys) or the path of a values file.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Values { get; set; }

    /// <summary>How long Helm waits for the workloads (--timeout). Default 30 minutes.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Leave the uploaded values files (they hold the admin password) on the taskbox.</summary>
    [Parameter]
    public SwitchParameter KeepValues { get; set; }

    /// <summary>Installs, resumes or upgrades the release.</summary>
    protected override void ProcessRecord()
    {
        var taskBox = LogInTo(TaskBox);
        var options = new KubeSphereInstallOptions
        {
            Chart = ParameterSetName == ChartSet ? Chart : null,
            ChartVersion = ChartVersion,
            Preset = ParameterSetName == PresetSet ? (KubeSpherePreset)Enum.Parse(typeof(KubeSpherePreset), Preset, ignoreCase: true) : KubeSpherePreset.None,
            ImageRegistry = ImageRegistry,
            ConsoleNodePort = ConsoleNodePort,
            HighAvailability = IsBound(nameof(HighAvailability)) ? HighAvailability.IsPresent : null,
            AdminPassword = AdminCredential?.Password,
            Timeout = Timeout,
            WorkingDirectory = WorkingDirectory,
            KeepValues = KeepValues,
            Connect = NewConnectOptions(),
        };
        try
        {
            ReadValues(options);
            options.Validate();
        }
        catch (HaClusterException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
        }

        if (options.Preset == KubeSpherePreset.CommunityEdition)
        {
            WriteVerbose(KubeSphereInstallOptions.LicenseNote);
        }

        var controlPlane = ControlPlane.Length > 0 ? (IReadOnlyList<HaHost>)ControlPlane : new[] { new HaHost(taskBox.Name ?? taskBox.Address, taskBox.Address) };
        var target = $"release {KubeSphereInstallOptions.ReleaseName} in {KubeSphereInstallOptions.Namespace} from taskbox {taskBox}";
        var action = $"Install KubeSphere with Helm: {options.ResolvedChart} {options.ResolvedChartVersion}, console NodePort {options.ConsoleNodePort}, {(options.IsHighAvailability(controlPlane.Count) ? "three replicas (ha.enabled)" : "one replica")}";
        if (!ShouldProcess(target, action))
        {
            return;
        }

        WriteObject(RunEngine((observer, token) => KubeSphereInstaller.InstallAsync(taskBox, controlPlane, options, observer, token)));
    }

    // -Values: a hashtable (copied to plain dictionaries so the engine needs no PowerShell types) or a values file.
    private void ReadValues(KubeSphereInstallOptions options)
    {
        var values = Values is PSObject wrapped ? wrapped.BaseObject : Values;
        switch (values)
        {
            case null:
                return;
            case IDictionary map:
                options.Values = Plain(map);
                return;
            case string path:
                var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                if (!File.Exists(full))
                {
                    throw new HaClusterException(KubeSphereErrorIds.OptionInvalid, FailureKind.ObjectNotFound, $"The values file '{full}' does not exist.", path);
                }

                options.ValuesYaml = File.ReadAllText(full);
                return;
            default:
                throw new HaClusterException(KubeSphereErrorIds.OptionInvalid, FailureKind.InvalidArgument, $"-Values takes a hashtable or the path of a values file, not {values.GetType().Name}.", values);
        }
    }

    private static Dictionary<string, object?> Plain(IDictionary map)
    {
        var plain = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in map)
        {
            var value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            plain[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = value is IDictionary nested ? Plain(nested) : value;
        }

        return plain;
    }
}
