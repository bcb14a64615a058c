// Copyright (c) HaCluster contributors. MIT License.
// Which kk the installer accepts (v3 only, kubekey.md §0/§3.6) and the pinned official download command (§3.4).

using System;
using System.Globalization;
using System.Text.RegularExpressions;
using HaCluster.Engine.Common;
using HaCluster.Engine.Ssh;

namespace HaCluster.Engine.KubeKey;

/// <summary>
/// kk versions and download. Only kk v3 reads the <c>kubekey.kubesphere.io/v1alpha2</c> config this module writes;
/// kk v4 is a different tool and the download script serves v4 unless <c>VERSION</c> is pinned, so the version is
/// always pinned and always checked.
/// </summary>
public static class KubeKeyBinary
{
    /// <summary>The kk release downloaded when none is named: the newest v3 release.</summary>
    public const string DefaultVersion = "v3.1.12";

    /// <summary>The official download script (kubesphere/kubekey <c>downloadKubekey.sh</c>).</summary>
    public const string DownloadScriptUrl = "https://get-kk.kubesphere.io";

    /// <summary>The only <c>KKZONE</c> value kk and its download script act on.</summary>
    public const string ChinaZone = "cn";

    private const RegexOptions Options = RegexOptions.CultureInvariant;
    private static readonly Regex ShortVersion = new(@"^v?(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(?<suffix>[-+][0-9A-Za-z.+-]*)?$", Options);
    private static readonly Regex JsonMajor = new(@"""major""\s*:\s*""(?<major>\d+)""", Options);
    private static readonly Regex JsonGitVersion = new(@"""gitVersion""\s*:\s*""(?<version>[^""]+)""", Options);
    private static readonly Regex GoGitVersion = new(@"GitVersion:""(?<version>[^""]+)""", Options);
    private static readonly Regex GoBuildVersion = new(@"\bVersion:""(?<version>[^""]+)""", Options);

    /// <summary>
    /// The shell command that downloads kk <paramref name="version"/> into the current folder with the official script,
    /// e.g. <c>curl -sfL https://get-kk.kubesphere.io | VERSION='v3.1.12' SKIP_WEB_INSTALLER=true sh -</c>, preceded by
    /// <c>export KKZONE='cn';</c> for the mirrors in China. The v4-era script also fetches the web installer for any
    /// VERSION unless told not to (kubekey@main hack/downloadKubekey.sh); the v3 script ignores the variable.
    /// </summary>
    /// <param name="version">A kk v3 version (<c>v3.1.12</c> or <c>3.1.12</c>).</param>
    /// <param name="kkZone"><c>cn</c>, or null.</param>
    /// <returns>The command line.</returns>
    public static string DownloadCommand(string version, string? kkZone)
    {
        var pinned = NormalizeVersion(version);
        var zone = NormalizeZone(kkZone);
        return (zone is null ? string.Empty : "export KKZONE=" + ShellQuote.Quote(zone) + "; ")
            + "curl -sfL " + DownloadScriptUrl + " | VERSION=" + ShellQuote.Quote(pinned) + " SKIP_WEB_INSTALLER=true sh -";
    }

    /// <summary>Checks that <paramref name="version"/> names a kk v3 release and returns it with its <c>v</c>.</summary>
    /// <param name="version">The version asked for.</param>
    /// <returns>The normalised version, e.g. <c>v3.1.12</c>.</returns>
    /// <exception cref="HaClusterException"><c>KubeKeyVersionUnsupported</c> for v4 (with the explanation) or other majors; <c>InstallOptionInvalid</c> for text that is no version.</exception>
    public static string NormalizeVersion(string version)
    {
        var text = (version ?? string.Empty).Trim();
        var match = ShortVersion.Match(text);
        if (!match.Success)
        {
            throw new HaClusterException(
                KubeKeyInstallErrorIds.InstallOptionInvalid,
                FailureKind.InvalidArgument,
                $"'{version}' is not a kk version; give a kk v3 release such as {DefaultVersion}.",
                version);
        }

        var normalized = text.StartsWith("v", StringComparison.Ordinal) ? text : "v" + text;
        var major = int.Parse(match.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (major != 3)
        {
            throw Unsupported(normalized, major, "The version asked for", version);
        }

        return normalized;
    }

    /// <summary>Checks a <c>KKZONE</c> value: null/empty for none, else <c>cn</c>.</summary>
    /// <param name="zone">The zone.</param>
    /// <returns>The zone, or null.</returns>
    /// <exception cref="HaClusterException"><c>InstallOptionInvalid</c> for any other value.</exception>
    public static string? NormalizeZone(string? zone)
    {
        if (string.IsNullOrWhiteSpace(zone))
        {
            return null;
        }

        if (!string.Equals(zone!.Trim(), ChinaZone, StringComparison.OrdinalIgnoreCase))
        {
            throw new HaClusterException(
                KubeKeyInstallErrorIds.InstallOptionInvalid,
                FailureKind.InvalidArgument,
                $"KKZONE '{zone}' means nothing to kk; the only zone is '{ChinaZone}' (download from the mirrors in China).",
                zone);
        }

        return ChinaZone;
    }

    /// <summary>
    /// Decides from <c>kk version -o short</c> (and, when that fails, plain <c>kk version</c>) which kk runs, and refuses
    /// anything but v3.
    /// </summary>
    /// <param name="shortExitCode">Exit code of <c>kk version -o short</c>.</param>
    /// <param name="shortOutput">Its stdout and stderr.</param>
    /// <param name="fullOutput">Stdout and stderr of <c>kk version</c>, when it was run.</param>
    /// <param name="where">Which kk on which taskbox, for messages.</param>
    /// <returns>The version, e.g. <c>v3.1.12</c>.</returns>
    internal static string CheckReportedVersion(int? shortExitCode, string shortOutput, string? fullOutput, string where)
    {
        var shortText = shortOutput.Trim();
        var match = ShortVersion.Match(shortText);
        string? version = null;
        int? major = null;
        if (shortExitCode == 0 && match.Success)
        {
            version = shortText.StartsWith("v", StringComparison.Ordinal) ? shortText : "v" + shortText;
            major = int.Parse(match.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else if (fullOutput is not null)
        {
            var json = JsonMajor.Match(fullOutput);
            var reported = JsonGitVersion.Match(fullOutput) is { Success: true } j ? j
                : GoGitVersion.Match(fullOutput) is { Success: true } g ? g
                : GoBuildVersion.Match(fullOutput);
            if (reported.Success)
            {
                version = reported.Groups["version"].Value;
                version = version.StartsWith("v", StringComparison.Ordinal) ? version : "v" + version;
            }

            if (json.Success)
            {
                major = int.Parse(json.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (version is not null && ShortVersion.Match(version.Split('+')[0]) is { Success: true } parsed)
            {
                major = int.Parse(parsed.Groups["major"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        if (major is null)
        {
            var said = FirstLine(shortText.Length > 0 ? shortText : fullOutput ?? string.Empty);
            throw new HaClusterException(
                KubeKeyInstallErrorIds.KubeKeyVersionUnknown,
                FailureKind.InvalidResult,
                $"{where} does not report a kk version ('kk version -o short' answered '{said}'); it is not KubeKey v3.",
                said);
        }

        if (major != 3)
        {
            throw Unsupported(version ?? "v" + major.Value.ToString(CultureInfo.InvariantCulture), major.Value, where, version);
        }

        return version!;
    }

    private static HaClusterException Unsupported(string version, int major, string where, object? target)
    {
        var message = major >= 4
            ? $"{where} is KubeKey {version}. kk v4 is a different tool: it reads a kubekey.kubesphere.io/v1 Inventory plus a "
              + "Config instead of the v1alpha2 Cluster config this module writes, and has no -y or --with-kubesphere. "
              + $"The official download script serves v4 unless VERSION is pinned. Use -KubeKeyVersion {DefaultVersion} "
              + "(or -KubeKeyPath with a kk v3 binary)."
            : $"{where} is KubeKey {version}, older than v3; this module drives kk v3 (v1alpha2 config). "
              + $"Use -KubeKeyVersion {DefaultVersion} (or -KubeKeyPath with a kk v3 binary).";
        return new HaClusterException(KubeKeyInstallErrorIds.KubeKeyVersionUnsupported, FailureKind.InvalidOperation, message, target ?? version);
    }

    private static string FirstLine(string text)
    {
        var line = text.Trim().Split('\n')[0].Trim();
        return line.Length > 200 ? line.Substring(0, 200) + "…" : line;
    }
}
