# Copyright (c) HaCluster contributors. MIT License.
# QingCloud cmdlets against the built module and a running emulator process; the independent signer (EmulatorHelpers.ps1).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EmulatorHelpers.ps1')

    function Connect-TestEmulator([psobject] $Emulator) {
        $secret = ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force
        Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint
    }

    $script:SavedEnvironment = @{}
    foreach ($name in 'QINGCLOUD_ACCESS_KEY', 'QINGCLOUD_SECRET_KEY', 'QINGCLOUD_ZONE', 'QINGCLOUD_ENDPOINT', 'HOME') {
        $SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
    }

    function Restore-TestEnvironment {
        foreach ($name in $SavedEnvironment.Keys) {
            [Environment]::SetEnvironmentVariable($name, $SavedEnvironment[$name])
        }
    }

    function Clear-QingCloudEnvironment {
        # No QINGCLOUD_* variables and a home without ~/.qingcloud, so only what a test gives counts.
        foreach ($name in 'QINGCLOUD_ACCESS_KEY', 'QINGCLOUD_SECRET_KEY', 'QINGCLOUD_ZONE', 'QINGCLOUD_ENDPOINT') {
            [Environment]::SetEnvironmentVariable($name, $null)
        }
        $env:HOME = Join-Path $TestDrive ('home-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Force -Path $env:HOME | Out-Null
    }
}

AfterAll {
    Restore-TestEnvironment
}

Describe 'The independent signer' {
    It 'reproduces the published vector V1' {
        $parameters = @{
            access_key_id = 'QYACCESSKEYIDEXAMPLE'; action = 'RunInstances'; count = '1'; image_id = 'centos64x86a'
            instance_name = 'demo'; instance_type = 'small_b'; login_mode = 'passwd'; login_passwd = 'QingCloud20130712'
            signature_method = 'HmacSHA256'; signature_version = '1'; time_stamp = '2013-08-27T14:30:10Z'; version = '1'
            'vxnets.1' = 'vxnet-0'; zone = 'pek3a'
        }
        (Get-IndependentSignature -Method GET -Path '/iaas/' -Parameters $parameters -Secret 'SECRETACCESSKEY').Signature |
            Should -Be 'byjccvWIvAftaq+oublemagH3bYAlDWxxLFAzAsyslw='
    }
}

Describe 'Connect-QingCloud' {
    BeforeEach {
        Clear-QingCloudEnvironment
        Disconnect-QingCloud
    }

    AfterEach {
        Restore-TestEnvironment
        Disconnect-QingCloud
    }

    It 'says whom it connected as, on the host, and keeps the pipeline empty' {
        $secret = ConvertTo-SecureString 'ParamSecret-123' -AsPlainText -Force
        $output = Connect-QingCloud -AccessKeyId QYPARAMKEY -SecretAccessKey $secret -Zone pek3b -Endpoint http://127.10.0.1:9/iaas/ -InformationVariable said
        $output | Should -BeNullOrEmpty
        "$said" | Should -Be 'Connected to QingCloud zone pek3b at http://127.10.0.1:9/iaas/ as QYPARAMKEY (credentials from Parameters).'
        $said[0].Tags | Should -Contain 'PSHOST'
    }

    It 'takes keys, zone and endpoint as parameters and keeps the path as given' {
        $secret = ConvertTo-SecureString 'ParamSecret-123' -AsPlainText -Force
        $context = Connect-QingCloud -AccessKeyId QYPARAMKEY -SecretAccessKey $secret -Zone PEK3B -Endpoint http://127.10.0.1:9/iaas -PassThru

        $context.PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.QingCloudContext'
        $context.AccessKeyId | Should -Be 'QYPARAMKEY'
        $context.Zone | Should -Be 'pek3b'
        $context.Endpoint.AbsoluteUri | Should -Be 'http://127.10.0.1:9/iaas'
        $context.Source | Should -Be 'Parameters'
        $context.HasSecretAccessKey | Should -BeTrue
        $context.PSObject.Properties.Name | Should -Not -Contain 'SecretAccessKey'
        (Get-QcContext).AccessKeyId | Should -Be 'QYPARAMKEY'
        ($context | Format-List * | Out-String) + $context.ToString() | Should -Not -Match 'ParamSecret-123'
    }

    It 'takes a PSCredential' {
        $credential = [pscredential]::new('QYCREDKEY', (ConvertTo-SecureString 'CredSecret' -AsPlainText -Force))
        $context = Connect-QingCloud -Credential $credential -Zone pek3b -PassThru
        $context.AccessKeyId | Should -Be 'QYCREDKEY'
        $context.Endpoint.AbsoluteUri | Should -Be 'https://api.qingcloud.com/iaas/'
    }

    It 'reads the official CLI profile file' {
        $profilePath = Join-Path $TestDrive 'config.yaml'
        Set-Content -Path $profilePath -Value "qy_access_key_id: 'QYPROFILEKEY'`nqy_secret_access_key: 'ProfileSecret'`nzone: 'sh1a'`nhost: 127.10.0.2`nport: 7878`nprotocol: http`nuri: /iaas`nconnection_retries: 3"
        $env:QINGCLOUD_ACCESS_KEY = 'QYENVKEY'
        $env:QINGCLOUD_SECRET_KEY = 'EnvSecret'

        $context = Connect-QingCloud -ProfilePath $profilePath -PassThru

        $context.AccessKeyId | Should -Be 'QYPROFILEKEY'
        $context.Zone | Should -Be 'sh1a'
        $context.Endpoint.AbsoluteUri | Should -Be 'http://127.10.0.2:7878/iaas'
        $context.Source | Should -Be "Profile $profilePath"
    }

    It 'lets -Zone override the profile file' {
        $profilePath = Join-Path $TestDrive 'zone.yaml'
        Set-Content -Path $profilePath -Value "qy_access_key_id: QYPROFILEKEY`nqy_secret_access_key: ProfileSecret`nzone: sh1a"
        (Connect-QingCloud -ProfilePath $profilePath -Zone gd2 -PassThru).Zone | Should -Be 'gd2'
    }

    It 'reads the environment' {
        $env:QINGCLOUD_ACCESS_KEY = 'QYENVKEY'
        $env:QINGCLOUD_SECRET_KEY = 'EnvSecret'
        $env:QINGCLOUD_ZONE = 'pek3b'
        $env:QINGCLOUD_ENDPOINT = 'http://127.10.0.3:7878/iaas/'

        $context = Connect-QingCloud -PassThru

        $context.AccessKeyId | Should -Be 'QYENVKEY'
        $context.Endpoint.AbsoluteUri | Should -Be 'http://127.10.0.3:7878/iaas/'
        $context.Source | Should -Be 'Environment'
    }

    It 'falls back to ~/.qingcloud/config.yaml' {
        New-Item -ItemType Directory -Force -Path (Join-Path $env:HOME '.qingcloud') | Out-Null
        Set-Content -Path (Join-Path $env:HOME '.qingcloud/config.yaml') -Value "qy_access_key_id: QYDEFAULTKEY`nqy_secret_access_key: DefaultSecret`nzone: ap2a"
        (Connect-QingCloud -PassThru).AccessKeyId | Should -Be 'QYDEFAULTKEY'
    }

    It 'fails with <ErrorId> for <Case>' -ForEach @(
        @{ Case = 'no credentials anywhere'; ErrorId = 'QingCloudCredentialsNotFound'; Arguments = @{ Zone = 'pek3b' } }
        @{ Case = 'a missing profile file'; ErrorId = 'QingCloudProfileNotFound'; Arguments = @{ ProfilePath = 'TestDrive:/absent.yaml' } }
        @{ Case = 'no zone'; ErrorId = 'QingCloudZoneMissing'; Arguments = @{ AccessKeyId = 'K'; SecretAccessKey = (ConvertTo-SecureString 's' -AsPlainText -Force) } }
        @{ Case = 'a bad endpoint'; ErrorId = 'QingCloudInvalidEndpoint'; Arguments = @{ AccessKeyId = 'K'; SecretAccessKey = (ConvertTo-SecureString 's' -AsPlainText -Force); Zone = 'pek3b'; Endpoint = 'ftp://127.10.0.1/iaas' } }
    ) {
        { Connect-QingCloud @Arguments } | Should -Throw -ErrorId "$ErrorId,HaCluster.Commands.ConnectQingCloudCommand"
        Get-QcContext | Should -BeNullOrEmpty
    }

    It 'keeps a separate default context per runspace' {
        Connect-QingCloud -AccessKeyId QYOUTER -SecretAccessKey (ConvertTo-SecureString 's' -AsPlainText -Force) -Zone pek3b
        $inner = [powershell]::Create()
        try {
            $inner.AddScript("Import-Module '$ModuleManifest'; @(Get-QcContext).Count").Invoke() | Should -Be 0
        }
        finally {
            $inner.Dispose()
        }
        (Get-QcContext).AccessKeyId | Should -Be 'QYOUTER'
    }

    It 'Disconnect-QingCloud forgets the default and Qc cmdlets then say how to connect' {
        Connect-QingCloud -AccessKeyId QYGONE -SecretAccessKey (ConvertTo-SecureString 's' -AsPlainText -Force) -Zone pek3b
        Disconnect-QingCloud
        Get-QcContext | Should -BeNullOrEmpty
        { Get-QcInstance } | Should -Throw -ErrorId 'QingCloudNotConnected,HaCluster.Commands.GetQcInstanceCommand'
    }
}

Describe 'Qc cmdlets against a running emulator' {
    BeforeAll {
        Clear-QingCloudEnvironment
        $script:Emulator = Start-TestEmulator
        Connect-TestEmulator $Emulator
    }

    AfterAll {
        Disconnect-QingCloud
        Stop-TestEmulator $Emulator
        Restore-TestEnvironment
    }

    It 'accepts requests signed by the independent signer on <Path>' -ForEach @(@{ Path = '/iaas/' }, @{ Path = '/iaas' }) {
        $reply = Invoke-IndependentQingCloud -Emulator $Emulator -Action DescribeInstances -Path $Path -Parameters @{ 'instances.1' = 'i-master01' }
        $reply.ret_code | Should -Be 0
        $reply.action | Should -Be 'DescribeInstancesResponse'
        $reply.instance_set[0].instance_id | Should -Be 'i-master01'
    }

    It 'Get-QcInstance -Name master* returns the three masters with InstanceId and PrivateIp' {
        $masters = Get-QcInstance -Name master*
        $masters | Should -HaveCount 3
        $masters.InstanceId | Should -Be @('i-master01', 'i-master02', 'i-master03')
        $masters.PrivateIp | Should -Be @('127.0.0.2', '127.0.0.3', '127.0.0.4')
        $masters[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.Instance'
        $masters[0].instance_id | Should -Be 'i-master01'
        $masters[0].private_ip | Should -Be '127.0.0.2'
        $masters[0].Name | Should -Be 'master1'
    }

    It 'says on the Verbose stream what it asks QingCloud' {
        $verbose = Get-QcInstance -Name master* -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Should -Contain "Describing instances named master* in QingCloud zone $($Emulator.Zone) at $($Emulator.Endpoint) as $($Emulator.AccessKeyId)."
    }

    It 'matches names case-insensitively and reports a literal name that matches nothing' {
        (Get-QcInstance -Name MASTER2).InstanceId | Should -Be 'i-master02'
        $result = Get-QcInstance -Name nosuch, node1 -ErrorVariable missing -ErrorAction SilentlyContinue
        $result.InstanceId | Should -Be 'i-node0001'
        $missing[0].FullyQualifiedErrorId | Should -Be 'QcInstanceNotFound,HaCluster.Commands.GetQcInstanceCommand'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing[0].TargetObject | Should -Be 'nosuch'
    }

    It 'binds InstanceId by property name, in either spelling, and reports unknown ids' {
        $found = @([pscustomobject]@{ instance_id = 'i-node0002' }, [pscustomobject]@{ InstanceId = 'i-nothere1' }) |
            Get-QcInstance -ErrorVariable missing -ErrorAction SilentlyContinue
        $found.InstanceId | Should -Be 'i-node0002'
        $missing[0].FullyQualifiedErrorId | Should -Be 'QcInstanceNotFound,HaCluster.Commands.GetQcInstanceCommand'
        $missing[0].TargetObject | Should -Be 'i-nothere1'
        (Get-QcInstance -Name node3 | Get-QcInstance).InstanceId | Should -Be 'i-node0003'
    }

    It 'filters by status and by tag name or id' {
        $tag = Invoke-IndependentQingCloud -Emulator $Emulator -Action CreateTag -Parameters @{ tag_name = 'control-plane' }
        $attach = Invoke-IndependentQingCloud -Emulator $Emulator -Action AttachTags -Parameters @{
            'resource_tag_pairs.1.tag_id' = $tag.tag_id; 'resource_tag_pairs.1.resource_type' = 'instance'; 'resource_tag_pairs.1.resource_id' = 'i-master03'
        }
        $attach.ret_code | Should -Be 0

        (Get-QcInstance -Tag control-plane).InstanceId | Should -Be 'i-master03'
        (Get-QcInstance -Tag $tag.tag_id -Name master*).InstanceId | Should -Be 'i-master03'
        Get-QcInstance -Status stopped | Should -BeNullOrEmpty
        Get-QcInstance -Tag no-such-tag -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -Be 'QcTagNotFound,HaCluster.Commands.GetQcInstanceCommand'
    }

    It 'Get-QcVxNet returns the VxNet by name and from an instance' {
        $vxnet = Get-QcVxNet -Name pn
        $vxnet.VxNetId | Should -Be 'vxnet-pn'
        $vxnet.IpNetwork | Should -Be '127.0.0.0/24'
        (Get-QcInstance -Name master1 | Get-QcVxNet).vxnet_name | Should -Be 'pn'
    }

    It 'Get-QcJob and Wait-QcJob follow a job to success' {
        $stop = Invoke-IndependentQingCloud -Emulator $Emulator -Action StopInstances -Parameters @{ 'instances.1' = 'i-node0003' }
        $stop.ret_code | Should -Be 0

        (Get-QcJob $stop.job_id).JobAction | Should -Be 'StopInstances'
        $job = [pscustomobject]@{ job_id = $stop.job_id } | Wait-QcJob -TimeoutSec 60
        $job.JobId | Should -Be $stop.job_id
        $job.Status | Should -Be 'successful'
        $job.ResourceIds | Should -Contain 'i-node0003'
        (Get-QcInstance -InstanceId i-node0003).Status | Should -Be 'stopped'
    }

    It 'uses an explicit -Context instead of the default' {
        $context = Get-QcContext
        Disconnect-QingCloud
        try {
            (Get-QcInstance -Name node1 -Context $context).InstanceId | Should -Be 'i-node0001'
        }
        finally {
            Connect-TestEmulator $Emulator
        }
    }

    It 'reports a rejected key as QingCloudAuthenticationFailed' {
        $wrong = Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey (ConvertTo-SecureString 'WRONG' -AsPlainText -Force) -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint -PassThru
        Connect-TestEmulator $Emulator
        { Get-QcInstance -Context $wrong } | Should -Throw -ErrorId 'QingCloudAuthenticationFailed,HaCluster.Commands.GetQcInstanceCommand'
    }
}

Describe 'Wait-QcJob with failing jobs' {
    BeforeAll {
        Clear-QingCloudEnvironment
        $script:Failing = Start-TestEmulator -ConfigYaml "job_latency_ms: 100`nfaults: { failed_job_rate: 1.0, seed: 1 }"
        Connect-TestEmulator $Failing
    }

    AfterAll {
        Disconnect-QingCloud
        Stop-TestEmulator $Failing
        Restore-TestEnvironment
    }

    It 'turns a failed job into a QingCloudJobFailed error carrying the job id' {
        $stop = Invoke-IndependentQingCloud -Emulator $Failing -Action StopInstances -Parameters @{ 'instances.1' = 'i-node0001' }
        $result = Wait-QcJob $stop.job_id -ErrorVariable failed -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Be 'QingCloudJobFailed,HaCluster.Commands.WaitQcJobCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $failed[0].TargetObject.JobId | Should -Be $stop.job_id
        $failed[0].Exception.JobId | Should -Be $stop.job_id
    }
}

Describe 'Secrets' {
    BeforeAll {
        Clear-QingCloudEnvironment
        $script:SecretValue = 'TranscriptSecret-9f3c2a71'
        $script:Busy = Start-TestEmulator -ConfigYaml @"
accounts:
  - { access_key_id: QYTRANSCRIPTKEY, secret_access_key: $SecretValue }
job_latency_ms: 100
faults: { ret_code_5100_rate: 0.4, drop_connection_rate: 0.1, seed: 5 }
"@
    }

    AfterAll {
        Disconnect-QingCloud
        Stop-TestEmulator $Busy
        Restore-TestEnvironment
    }

    It 'never writes the secret key in a -Verbose -Debug transcript, retries included' {
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $profilePath = Join-Path $TestDrive 'secret-profile.yaml'
        Set-Content -Path $profilePath -Value "qy_access_key_id: QYTRANSCRIPTKEY`nqy_secret_access_key: $SecretValue`nzone: pek3b"
        $DebugPreference = 'Continue'
        $VerbosePreference = 'Continue'
        Start-Transcript -Path $transcript
        try {
            $secure = ConvertTo-SecureString $SecretValue -AsPlainText -Force
            Connect-QingCloud -AccessKeyId QYTRANSCRIPTKEY -SecretAccessKey $secure -Zone pek3b -Endpoint $Busy.Endpoint -Verbose -Debug -PassThru | Format-List * | Out-Host
            Connect-QingCloud -ProfilePath $profilePath -Endpoint $Busy.Endpoint -Verbose -Debug
            Get-QcContext | Format-List * | Out-Host
            Get-QcInstance -Name master* -Verbose -Debug | Out-Host
            Get-QcVxNet -Verbose -Debug | Out-Host
            Get-QcJob -Verbose -Debug | Out-Host
            Get-QcInstance -Name nosuch -Verbose -Debug -ErrorAction Continue
            try { Get-QcInstance -Context (Connect-QingCloud -AccessKeyId QYTRANSCRIPTKEY -SecretAccessKey (ConvertTo-SecureString 'x' -AsPlainText -Force) -Zone pek3b -Endpoint $Busy.Endpoint -PassThru) -Verbose -Debug }
            catch { $_ | Out-Host }
        }
        finally {
            Stop-Transcript
            $DebugPreference = 'SilentlyContinue'
            $VerbosePreference = 'SilentlyContinue'
        }

        $text = Get-Content -Raw $transcript
        $text | Should -Match 'QingCloud GET'           # the debug stream was captured
        $text | Should -Match 'retrying in'             # and so were the retries
        $text | Should -Not -Match ([regex]::Escape($SecretValue))
        (Get-EmulatorRequestLog -Emulator $Busy | Where-Object fault).Count | Should -BeGreaterThan 0
    }
}
