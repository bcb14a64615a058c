// Copyright (c) HaCluster contributors. MIT License.
// Connect-QingCloud: sets the runspace's default QingCloud context.

using System.Management.Automation;
using System.Security;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using HaCluster.Infrastructure;

namespace HaCluster.Commands;

/// <summary>
/// Sets the default QingCloud context of this runspace from explicit keys, a credential, the official CLI's
/// profile file or the environment (in that order of precedence). Nothing is sent to QingCloud; the first Qc
/// cmdlet call shows whether the keys are accepted. Returns the context with -PassThru.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "QingCloud", DefaultParameterSetName = EnvironmentSet)]
[OutputType(typeof(QingCloudContext))]
public sealed class ConnectQingCloudCommand : HaCmdlet
{
    private const string KeySet = "Key";
    private const string CredentialSet = "Credential";
    private const string ProfileSet = "Profile";
    private const string EnvironmentSet = "Environment";

    /// <summary>The access key id, e.g. QYACCESSKEYIDEXAMPLE.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    [Alias("qy_access_key_id")]
    [ValidateNotNullOrEmpty]
    public string AccessKeyId { get; set; } = string.Empty;

    /// <summary>The secret access key, as a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    [ValidateNotNull]
    public SecureString? SecretAccessKey { get; set; }

    /// <summary>A credential whose user name is the access key id and whose password is the secret access key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>A profile file in the official QingCloud CLI's YAML format (qy_access_key_id, qy_secret_access_key, zone, host, port, protocol, uri).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProfileSet)]
    [ValidateNotNullOrEmpty]
    public string ProfilePath { get; set; } = string.Empty;

    /// <summary>The zone, e.g. pek3b; overrides the profile file and QINGCLOUD_ZONE.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(QcZoneCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Zone { get; set; }

    /// <summary>The API endpoint URL; its path (/iaas/ or /iaas) is used and signed as given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Endpoint { get; set; }

    /// <summary>Also write the new context to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var request = new QingCloudContextRequest { Zone = Zone, Endpoint = Endpoint };
        switch (ParameterSetName)
        {
            case KeySet:
                request.AccessKeyId = AccessKeyId;
                request.SecretAccessKey = SecretAccessKey;
                break;
            case CredentialSet:
                request.AccessKeyId = Credential!.UserName;
                request.SecretAccessKey = Credential.Password;
                break;
            case ProfileSet:
                request.ProfilePath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ProfilePath);
                break;
        }

        QingCloudContext context;
        try
        {
            context = QingCloudContextResolver.Resolve(request);
        }
        catch (HaClusterException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            return;
        }

        QingCloudSession.Current = context;
        var connected = $"Connected to QingCloud zone {context.Zone} at {context.Endpoint} as {context.AccessKeyId} (credentials from {context.Source}).";
        if (PassThru)
        {
            WriteVerbose(connected);
            WriteObject(context);
        }
        else
        {
            // Said on the host as Write-Host would (Information stream, tag PSHOST): who the next commands act as.
            WriteInformation(new HostInformationMessage { Message = connected }, new[] { "PSHOST" });
        }
    }
}
