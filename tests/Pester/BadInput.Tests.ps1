# Copyright (c) HaCluster contributors. MIT License.
# Bad input across the cmdlets, one table row per case: each must fail with its own FullyQualifiedErrorId while the
# emulator's state (/_emulator/state) and the cluster's state file stay byte for byte unchanged. Hostile files (YAML
# alias bombs, deep nesting, huge files, malformed flow collections) are among them. Ownership cases live in
# Ownership.Tests.ps1 in the same style. Emulator on 127.63.200.0/24 (VxNet) and 127.63.201.0/24 (EIPs).

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/EmulatorHelpers.ps1

    $script:Emulator = Start-DemoWorldEmulator -Network 127.63.200 -EipNetwork 127.63.201 -Settings 'job_latency_ms: 30', 'lease_window_ms: 0', 'health_check_time_scale: 0.05'
    $script:Secret = ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force
    Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $Secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint

    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-badinput-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $Work | Out-Null

    # A real cluster (load balancers only) whose state file the cases must leave alone.
    $script:StatePath = Join-Path $Work 'bad.hacluster.json'
    $script:Cluster = New-HaCluster -Name bad -ControlPlane (Get-QcInstance -Name master*) -Worker (Get-QcInstance -Name node*) -VxNet pn -SkipInstall -StatePath $StatePath -Confirm:$false -WarningAction SilentlyContinue

    function script:File([string] $Name, [string] $Content) {
        $path = Join-Path $Work $Name
        [System.IO.File]::WriteAllText($path, $Content)
        $path
    }

    # 1 KB that expands to 9^9 (387 million) nodes when every alias is followed.
    $lines = @('a: &a ["x","x","x","x","x","x","x","x","x"]')
    foreach ($level in 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i') {
        $previous = [char]([int][char]$level - 1)
        $lines += "${level}: &$level [" + ((1..9 | ForEach-Object { "*$previous" }) -join ',') + ']'
    }
    $script:Bomb = File 'bomb.yaml' ($lines -join "`n")
    $script:ProfileBomb = File 'profile-bomb.yaml' ("qy_access_key_id: KEY`nqy_secret_access_key: SECRET`nzone: pek3b`n" + ($lines -join "`n"))
    $script:Deep = File 'deep.yaml' (('[' * 5000) + (']' * 5000))
    $script:Huge = File 'huge.yaml' ("kind: Cluster`n# " + ('x' * (5 * 1024 * 1024)))
    $script:UnclosedSequence = File 'unclosed-seq.yaml' "apiVersion: kubekey.kubesphere.io/v1alpha2`nkind: Cluster`nspec:`n  hosts: [master1, master2`n"
    $script:UnclosedMapping = File 'unclosed-map.yaml' "apiVersion: kubekey.kubesphere.io/v1alpha2`nkind: Cluster`nspec:`n  hosts:`n  - {name: master1, address: 127.0.0.2`n"
    $script:DuplicateKey = File 'duplicate-key.yaml' "kind: Cluster`nspec:`n  hosts:`n  - {name: a, name: b}`n"
    $script:UnknownAlias = File 'unknown-alias.yaml' "kind: Cluster`nspec:`n  hosts: *nowhere`n"
    $script:NoCluster = File 'no-cluster.yaml' "apiVersion: v1`nkind: ConfigMap`n"
    $script:ProfileUnclosed = File 'profile-unclosed.yaml' "qy_access_key_id: {KEY`n"
    $script:ProfileList = File 'profile-list.yaml' "- qy_access_key_id`n- KEY`n"
    $script:ProfilePort = File 'profile-port.yaml' "qy_access_key_id: KEY`nqy_secret_access_key: SECRET`nzone: pek3b`nhost: 127.0.0.1`nport: eighty`n"
    $script:ProfileHuge = File 'profile-huge.yaml' ("qy_access_key_id: KEY`n# " + ('x' * (5 * 1024 * 1024)))
    $script:BadState = File 'broken.hacluster.json' '{ "name": "broken", '
    $script:Exported = File 'exported.yaml' 'already here'
    $script:GoodConfig = (New-HaHost master1 127.63.200.2), (New-HaHost master2 127.63.200.3), (New-HaHost master3 127.63.200.4) | New-HaClusterConfig -ControlPlane master1, master2, master3 -ControlPlaneEndpoint 127.63.200.250

    function script:Get-EmulatorState { (Invoke-WebRequest ($Emulator.BaseUri + '_emulator/state')).Content }
    function script:Get-StateFileHash { (Get-FileHash -Algorithm SHA256 $StatePath).Hash }
}

AfterAll {
    if ($Cluster) { $Cluster | Remove-HaCluster -Confirm:$false -ErrorAction SilentlyContinue }
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Bad input: a specific error, nothing created, the state file untouched' {
    It '<Case>' -ForEach @(
        # Hostile and malformed YAML: the one bounded reader behind configs and the CLI profile.
        @{ Case = 'Import-HaClusterConfig: a 1 KB alias bomb'; ErrorId = 'YamlTooManyNodes,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = '200000'; Run = { Import-HaClusterConfig -Path $Bomb } }
        @{ Case = 'Import-HaClusterConfig: 5000 nested sequences'; ErrorId = 'YamlTooDeep,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = '64 levels'; Run = { Import-HaClusterConfig -Path $Deep } }
        @{ Case = 'Import-HaClusterConfig: a 5 MB file'; ErrorId = 'YamlTooLarge,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = '4194304'; Run = { Import-HaClusterConfig -Path $Huge } }
        @{ Case = 'Import-HaClusterConfig: an unclosed ['; ErrorId = 'ConfigYamlInvalid,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = 'line 5, column 1'; Run = { Import-HaClusterConfig -Path $UnclosedSequence } }
        @{ Case = 'Import-HaClusterConfig: an unclosed {'; ErrorId = 'ConfigYamlInvalid,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = 'line 6, column 1'; Run = { Import-HaClusterConfig -Path $UnclosedMapping } }
        @{ Case = 'Import-HaClusterConfig: a key twice in one mapping'; ErrorId = 'ConfigYamlInvalid,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = "'name' appears twice"; Run = { Import-HaClusterConfig -Path $DuplicateKey } }
        @{ Case = 'Import-HaClusterConfig: an alias without anchor'; ErrorId = 'ConfigYamlInvalid,HaCluster.Commands.ImportHaClusterConfigCommand'; Message = 'nowhere'; Run = { Import-HaClusterConfig -Path $UnknownAlias } }
        @{ Case = 'Import-HaClusterConfig: no Cluster document'; ErrorId = 'ConfigClusterDocumentMissing,HaCluster.Commands.ImportHaClusterConfigCommand'; Run = { Import-HaClusterConfig -Path $NoCluster } }
        @{ Case = 'Import-HaClusterConfig: a missing file'; ErrorId = 'ConfigFileNotFound,HaCluster.Commands.ImportHaClusterConfigCommand'; Run = { Import-HaClusterConfig -Path (Join-Path $Work 'none.yaml') } }
        @{ Case = 'Import-HaClusterConfig: a folder'; ErrorId = 'ConfigFileAccessFailed,HaCluster.Commands.ImportHaClusterConfigCommand'; Run = { Import-HaClusterConfig -Path $Work } }
        @{ Case = 'Test-HaClusterConfig: a 1 KB alias bomb'; ErrorId = 'YamlTooManyNodes,HaCluster.Commands.TestHaClusterConfigCommand'; Run = { Test-HaClusterConfig -Path $Bomb } }
        @{ Case = 'Install-HaMaster: a 1 KB alias bomb as -Config'; ErrorId = 'YamlTooManyNodes,HaCluster.Commands.InstallHaMasterCommand'; Run = { Install-HaMaster -Config $Bomb -TaskBox 127.63.200.2 -Credential ([pscredential]::new('root', (ConvertTo-SecureString 'x' -AsPlainText -Force))) } }
        @{ Case = 'Connect-QingCloud: a 1 KB alias bomb as profile'; ErrorId = 'YamlTooManyNodes,HaCluster.Commands.ConnectQingCloudCommand'; Run = { Connect-QingCloud -ProfilePath $ProfileBomb } }
        @{ Case = 'Connect-QingCloud: a 5 MB profile'; ErrorId = 'YamlTooLarge,HaCluster.Commands.ConnectQingCloudCommand'; Run = { Connect-QingCloud -ProfilePath $ProfileHuge } }
        @{ Case = 'Connect-QingCloud: a profile with an unclosed {'; ErrorId = 'QingCloudProfileInvalid,HaCluster.Commands.ConnectQingCloudCommand'; Message = 'line 2, column 1'; Run = { Connect-QingCloud -ProfilePath $ProfileUnclosed } }
        @{ Case = 'Connect-QingCloud: a profile that is a list'; ErrorId = 'QingCloudProfileInvalid,HaCluster.Commands.ConnectQingCloudCommand'; Run = { Connect-QingCloud -ProfilePath $ProfileList } }
        @{ Case = 'Connect-QingCloud: a profile port that is no number'; ErrorId = 'QingCloudProfileInvalid,HaCluster.Commands.ConnectQingCloudCommand'; Message = 'eighty'; Run = { Connect-QingCloud -ProfilePath $ProfilePort } }
        @{ Case = 'Connect-QingCloud: a missing profile'; ErrorId = 'QingCloudProfileNotFound,HaCluster.Commands.ConnectQingCloudCommand'; Run = { Connect-QingCloud -ProfilePath (Join-Path $Work 'none.yaml') } }
        @{ Case = 'Connect-QingCloud: an ftp:// endpoint'; ErrorId = 'QingCloudInvalidEndpoint,HaCluster.Commands.ConnectQingCloudCommand'; Run = { Connect-QingCloud -AccessKeyId K -SecretAccessKey $Secret -Zone pek3b -Endpoint 'ftp://127.0.0.1/iaas/' } }

        # Load balancers, listeners, backends, EIPs, instances, jobs.
        @{ Case = 'New-QcLoadBalancer: an unknown VxNet'; ErrorId = 'QcVxNetNotFound,HaCluster.Commands.NewQcLoadBalancerCommand'; Run = { New-QcLoadBalancer -Name x -VxNet nowhere } }
        @{ Case = 'New-QcLoadBalancer: an unknown EIP'; ErrorId = 'QcEipNotFound,HaCluster.Commands.NewQcLoadBalancerCommand'; Run = { New-QcLoadBalancer -Name x -Eip eip-nowhere0 } }
        @{ Case = 'Add-QcLbListener: port 1000'; ErrorId = 'QingCloudInvalidListenerPort,HaCluster.Commands.AddQcLbListenerCommand'; Run = { Get-QcLoadBalancer -Name bad-internal | Add-QcLbListener -Port 1000 } }
        @{ Case = 'Add-QcLbListener: port 6443 again'; ErrorId = 'QcListenerPortInUse,HaCluster.Commands.AddQcLbListenerCommand'; Run = { Get-QcLoadBalancer -Name bad-internal | Add-QcLbListener -Port 6443 } }
        @{ Case = 'Add-QcLbListener: an unknown load balancer'; ErrorId = 'QcLoadBalancerNotFound,HaCluster.Commands.AddQcLbListenerCommand'; Run = { Add-QcLbListener -LoadBalancerId lb-nowhere0 -Port 8443 } }
        @{ Case = 'Add-QcLbBackend: an unknown instance'; ErrorId = 'QcInstanceNotFound,HaCluster.Commands.AddQcLbBackendCommand'; Run = { Add-QcLbBackend -Listener (Get-QcLoadBalancer -Name bad-internal | Get-QcLbListener) -InstanceId i-nowhere0 -Port 6443 } }
        @{ Case = 'Add-QcLbBackend: an unknown listener'; ErrorId = 'QcListenerNotFound,HaCluster.Commands.AddQcLbBackendCommand'; Run = { Get-QcInstance -Name node1 | Add-QcLbBackend -Listener lbl-nowhere0 -Port 6443 } }
        @{ Case = 'Remove-QcLoadBalancer: an unknown id'; ErrorId = 'QcLoadBalancerNotFound,HaCluster.Commands.RemoveQcLoadBalancerCommand'; Run = { Remove-QcLoadBalancer -LoadBalancerId lb-nowhere0 -Confirm:$false } }
        @{ Case = 'Remove-QcEip: an unknown id'; ErrorId = 'QcEipNotFound,HaCluster.Commands.RemoveQcEipCommand'; Run = { Remove-QcEip -EipId eip-nowhere0 -Force -Confirm:$false } }
        @{ Case = 'Remove-QcLbListener: an unknown id'; ErrorId = 'QcListenerNotFound,HaCluster.Commands.RemoveQcLbListenerCommand'; Run = { Remove-QcLbListener -ListenerId lbl-nowhere0 -Confirm:$false } }
        @{ Case = 'Update-QcLoadBalancer: an unknown id'; ErrorId = 'QcLoadBalancerNotFound,HaCluster.Commands.UpdateQcLoadBalancerCommand'; Run = { Update-QcLoadBalancer -LoadBalancerId lb-nowhere0 -Confirm:$false } }
        @{ Case = 'Stop-QcInstance: an unknown id'; ErrorId = 'QcInstanceNotFound,HaCluster.Commands.StopQcInstanceCommand'; Run = { Stop-QcInstance -InstanceId i-nowhere0 -Force -Confirm:$false } }
        @{ Case = 'Start-QcInstance: an unknown id'; ErrorId = 'QcInstanceNotFound,HaCluster.Commands.StartQcInstanceCommand'; Run = { Start-QcInstance -InstanceId i-nowhere0 -Confirm:$false } }
        @{ Case = 'Wait-QcJob: an unknown job'; ErrorId = 'QingCloudJobNotFound,HaCluster.Commands.WaitQcJobCommand'; Run = { Wait-QcJob -JobId j-nowhere0 } }
        @{ Case = 'Add-QcSecurityGroupRule: port 0'; ErrorId = 'QcInvalidRulePort,HaCluster.Commands.AddQcSecurityGroupRuleCommand'; Run = { Get-QcLoadBalancer -Name bad-internal | Add-QcSecurityGroupRule -Port 0 } }

        # Configs and hosts.
        @{ Case = 'New-HaHost: an address that is no IP'; ErrorId = 'HostAddressInvalid,HaCluster.Commands.NewHaHostCommand'; Run = { New-HaHost master1 'not-an-ip' } }
        @{ Case = 'New-HaClusterConfig: two hosts with one name'; ErrorId = 'HostNameDuplicate,HaCluster.Commands.NewHaClusterConfigCommand'; Run = { (New-HaHost master1 127.63.200.2), (New-HaHost master1 127.63.200.3) | New-HaClusterConfig -ControlPlane master1 -ControlPlaneEndpoint 127.63.200.250 } }
        @{ Case = 'Export-HaClusterConfig: a folder that does not exist'; ErrorId = 'ConfigDirectoryNotFound,HaCluster.Commands.ExportHaClusterConfigCommand'; Run = { $GoodConfig | Export-HaClusterConfig -Path (Join-Path $Work 'none/config.yaml') } }
        @{ Case = 'Export-HaClusterConfig: an existing file without -Force'; ErrorId = 'ConfigFileExists,HaCluster.Commands.ExportHaClusterConfigCommand'; Run = { $GoodConfig | Export-HaClusterConfig -Path $Exported } }
        @{ Case = 'Export-HaClusterConfig: a folder as the path'; ErrorId = 'ConfigFileAccessFailed,HaCluster.Commands.ExportHaClusterConfigCommand'; Run = { $GoodConfig | Export-HaClusterConfig -Path $Work -Force } }
        @{ Case = 'ConvertFrom-KkLog: a missing log'; ErrorId = 'KkLogNotFound,HaCluster.Commands.ConvertFromKkLogCommand'; Run = { ConvertFrom-KkLog -Path (Join-Path $Work 'none.log') } }
        @{ Case = 'Install-HaMaster: -Timeout under one second'; ErrorId = 'InstallOptionInvalid,HaCluster.Commands.InstallHaMasterCommand'; Run = { Install-HaMaster -Config $GoodConfig -TaskBox 127.63.200.2 -Credential ([pscredential]::new('root', (ConvertTo-SecureString 'x' -AsPlainText -Force))) -Timeout 30 } }

        # Cluster level: refused before the first call that changes anything.
        @{ Case = 'New-HaCluster: no -Credential and no -SkipInstall'; ErrorId = 'HaClusterCredentialMissing,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: an unknown VxNet'; ErrorId = 'QcVxNetNotFound,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet nowhere -SkipInstall -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: an unknown control-plane instance'; ErrorId = 'HaClusterInstanceNotFound,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane master1, master2, nowhere -VxNet pn -SkipInstall -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: a name QingCloud cannot hold'; ErrorId = 'HaClusterNameInvalid,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name 'Bad Name!' -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: an unknown KubeSphere version'; ErrorId = 'KubeSphereVersionUnsupported,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -KubeSphereVersion v9.9.9 -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: Kubernetes older than the KubeSphere 4.2 chart supports'; ErrorId = 'KubeSphereKubernetesUnsupported,HaCluster.Commands.NewHaClusterCommand'; Message = 'chart 1.2.4 installs KubeSphere 4.2, which supports Kubernetes v1.23 to v1.34, not Kubernetes v1.22.17'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -KubeSphereChartVersion 1.2.4 -KubernetesVersion v1.22.17 -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: Kubernetes newer than the KubeSphere 4.1 chart supports'; ErrorId = 'KubeSphereKubernetesUnsupported,HaCluster.Commands.NewHaClusterCommand'; Message = 'v1.21 to v1.30, not Kubernetes v1.31.2'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -KubeSphereChart https://mirror.example/ks-core-1.1.5.tgz -KubeSphereChartVersion 1.1.5 -ImageRegistry mirror.example -KubernetesVersion v1.31.2 -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'Get-HaCluster: a state file that is not JSON'; ErrorId = 'HaClusterStateInvalid,HaCluster.Commands.GetHaClusterCommand'; Run = { Get-HaCluster -StatePath $BadState } }
        @{ Case = 'Get-HaCluster: a missing state file'; ErrorId = 'HaClusterStateNotFound,HaCluster.Commands.GetHaClusterCommand'; Run = { Get-HaCluster -StatePath (Join-Path $Work 'none.json') } }
        @{ Case = 'Remove-HaCluster: a state file that is not JSON'; ErrorId = 'HaClusterStateInvalid,HaCluster.Commands.RemoveHaClusterCommand'; Run = { Remove-HaCluster -Name broken -StatePath $BadState -Confirm:$false } }
        @{ Case = 'New-HaCluster: an unknown -Eip'; ErrorId = 'QcEipNotFound,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -Eip eip-nowhere0 -SkipInstall -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: one instance twice'; ErrorId = 'HaClusterInstanceDuplicate,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane master1, master1, master2 -VxNet pn -SkipInstall -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: kk v4 (our config is kk v3''s)'; ErrorId = 'KubeKeyVersionUnsupported,HaCluster.Commands.NewHaClusterCommand'; Message = 'v4.0.0'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -KubeKeyVersion v4.0.0 -Credential ([pscredential]::new('root', (ConvertTo-SecureString 'x' -AsPlainText -Force))) -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: KubeSphere v3.4 without -ImageRegistry (end of life, images withdrawn)'; ErrorId = 'KubeSphereVersionEndOfLife,HaCluster.Commands.NewHaClusterCommand'; Message = 'end of life'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -KubeSphereVersion v3.4.1 -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: a KubeSphere 4 version on kk''s path'; ErrorId = 'KubeSphereVersionNeedsHelm,HaCluster.Commands.NewHaClusterCommand'; Message = 'KubeSphereChartVersion'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -KubeSphereVersion v4.1.3 -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: a folder as -StatePath'; ErrorId = 'HaClusterStateFileUnusable,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -StatePath $Work -Confirm:$false } }
        @{ Case = 'New-HaCluster: -ApiSource that is no CIDR'; ErrorId = 'HaClusterSourceInvalid,HaCluster.Commands.NewHaClusterCommand'; Message = '10.0.0.0/40'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet pn -SkipInstall -ApiSource 10.0.0.0/40 -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'New-HaCluster: a control character in -VxNet'; ErrorId = 'HaClusterControlCharacter,HaCluster.Commands.NewHaClusterCommand'; Run = { New-HaCluster -Name other -ControlPlane (Get-QcInstance -Name master*) -VxNet "pn`e[2J" -SkipInstall -StatePath (Join-Path $Work 'other.json') -Confirm:$false } }
        @{ Case = 'Get-HaCluster: a folder as -StatePath'; ErrorId = 'HaClusterStateFileUnusable,HaCluster.Commands.GetHaClusterCommand'; Run = { Get-HaCluster -StatePath $Work } }
        @{ Case = 'New-QcEip: bandwidth 0'; ErrorId = 'ParameterArgumentValidationError,HaCluster.Commands.NewQcEipCommand'; Run = { New-QcEip -Name x -Bandwidth 0 } }
        @{ Case = 'Import-HaClusterConfig: hosts that are not a list'; ErrorId = 'ConfigValueInvalid,HaCluster.Commands.ImportHaClusterConfigCommand'; Run = { Import-HaClusterConfig -Path (File 'hosts-scalar.yaml' "apiVersion: kubekey.kubesphere.io/v1alpha2`nkind: Cluster`nspec:`n  hosts: master1`n") } }
    ) {
        $before = Get-EmulatorState
        $hash = Get-StateFileHash
        $record = $null
        $ErrorActionPreference = 'Stop'
        try { & $Run | Out-Null } catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty -Because 'the command must fail'
        $record.FullyQualifiedErrorId | Should -Be $ErrorId -Because "$($record.FullyQualifiedErrorId): $($record.Exception.Message)"
        if ($Message) { $record.Exception.Message | Should -BeLike "*$Message*" }
        Get-EmulatorState | Should -Be $before -Because 'a refused command creates and changes nothing'
        Get-StateFileHash | Should -Be $hash -Because 'the state file is left alone'
    }
}

Describe 'The state file on a full disk' {
    BeforeAll {
        # A child pwsh whose files may not grow past 8 KB (RLIMIT_FSIZE), with SIGXFSZ ignored so a write past it fails
        # with EFBIG instead of killing the process: the disk is full for our writer, whatever the machine's mounts.
        # The runtime's W^X double mapping needs a large memory file, so it is off in that process.
        function script:Invoke-DiskFullPwsh([string] $Script) {
            $file = Join-Path $Work ("disk-full-{0}.ps1" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
            Set-Content -Path $file -Value ("`$PSStyle.OutputRendering = 'PlainText'`n" + $Script)
            $pwsh = Join-Path $PSHOME 'pwsh'
            $command = if (Test-Path $pwsh) { "'$pwsh'" } else { "dotnet '$(Join-Path $PSHOME 'pwsh.dll')'" }
            bash -c "ulimit -f 8; trap '' XFSZ; export DOTNET_EnableWriteXorExecute=0; exec $command -NoProfile -NonInteractive -File '$file'" 2>&1
        }
        $script:Connect = "Import-Module '$ModuleManifest'`nConnect-QingCloud -AccessKeyId '$($Emulator.AccessKeyId)' -SecretAccessKey (ConvertTo-SecureString '$($Emulator.Secret)' -AsPlainText -Force) -Zone '$($Emulator.Zone)' -Endpoint '$($Emulator.Endpoint)'"
        $script:Full = Join-Path $Work 'full'
        New-Item -ItemType Directory -Path $Full | Out-Null
    }

    It 'New-HaCluster refuses with a HaCluster error naming the path and the cause, before it creates anything' {
        $path = Join-Path $Full 'disk.hacluster.json'
        $before = Get-EmulatorState
        $since = (Get-EmulatorRequestLog $Emulator | Select-Object -Last 1).sequence
        $lines = Invoke-DiskFullPwsh @"
$Connect
try { New-HaCluster -Name full -ControlPlane master1, master2, master3 -Worker node1 -VxNet pn -SkipInstall -StatePath '$path' -Confirm:`$false -ErrorAction Stop }
catch { 'ErrorId: ' + `$_.FullyQualifiedErrorId; 'Category: ' + `$_.CategoryInfo.Category; 'Target: ' + `$_.TargetObject; 'Message: ' + `$_.Exception.Message; 'Cause is an IOException: ' + (`$_.Exception.InnerException -is [System.IO.IOException]) }
"@
        $text = $lines -join "`n"
        $lines | Should -Contain 'ErrorId: HaClusterStateFileUnusable,HaCluster.Commands.NewHaClusterCommand' -Because $text
        $lines | Should -Contain 'Category: ResourceUnavailable'
        $lines | Should -Contain "Target: $path"
        $lines | Should -Contain "Message: The state file '$path' cannot be used: the disk refused the write: file too large (the file-size limit, ulimit -f, is reached). Give -StatePath a writable file in an existing folder."
        $lines | Should -Contain 'Cause is an IOException: True'
        Get-EmulatorRequestLog $Emulator -Since $since | Where-Object action -NotMatch '^Describe' | Should -BeNullOrEmpty
        Get-EmulatorState | Should -Be $before -Because 'nothing was created in the cloud'
        @(Get-ChildItem -Force $Full).Count | Should -Be 0 -Because 'neither the state file nor the probe is left behind'
    }

    It 'the writer reports a HaCluster error naming the path and the cause when a save does not fit, and keeps the last complete file' {
        $path = Join-Path $Full 'grows.hacluster.json'
        # The engine's own writer (ClusterStateFile.Save), reached through its assembly: the module keeps it in a load context of its own.
        $lines = Invoke-DiskFullPwsh @"
Import-Module '$ModuleManifest'
`$engine = (New-HaHost probe 127.0.0.9).GetType().Assembly
`$writer = `$engine.GetType('HaCluster.Engine.Cluster.ClusterStateFile')
`$state = [Activator]::CreateInstance(`$engine.GetType('HaCluster.Engine.Cluster.ClusterState'))
`$state.Name = 'grows'
`$writer.GetMethod('Save').Invoke(`$null, @('$path', `$state))
'Saved: ' + (Get-Content -Raw '$path' | ConvertFrom-Json).name
`$state.TaskBox = 'x' * 20000
try { `$writer.GetMethod('Save').Invoke(`$null, @('$path', `$state)); 'Saved again' }
catch { `$e = `$_.Exception.InnerException; 'Type: ' + `$e.GetType().FullName; 'ErrorId: ' + `$e.ErrorId; 'Message: ' + `$e.Message; 'Cause is an IOException: ' + (`$e.InnerException -is [System.IO.IOException]) }
'Kept: ' + (Get-Content -Raw '$path' | ConvertFrom-Json).taskbox + '|' + (Get-Content -Raw '$path' | ConvertFrom-Json).name
'Files: ' + ((Get-ChildItem -Force '$Full' | Where-Object Name -Like '*grows*').Name -join ',')
"@
        $text = $lines -join "`n"
        $lines | Should -Contain 'Saved: grows' -Because $text
        $lines | Should -Not -Contain 'Saved again'
        $lines | Should -Contain 'Type: HaCluster.Engine.Common.HaClusterException'
        $lines | Should -Contain 'ErrorId: HaClusterStateFileUnusable'
        $lines | Should -Contain "Message: The state file '$path' cannot be used: the disk refused the write: file too large (the file-size limit, ulimit -f, is reached). Give -StatePath a writable file in an existing folder."
        $lines | Should -Contain 'Cause is an IOException: True'
        $lines | Should -Contain 'Kept: |grows' -Because 'the previous complete file stays (no task box, its name)'
        $lines | Should -Contain 'Files: grows.hacluster.json' -Because 'the temporary file is removed'
    }

    It 'Export-HaClusterConfig reports a config file that does not fit as ConfigFileAccessFailed, naming the path and the cause, and leaves no file' {
        $path = Join-Path $Full 'cluster.yaml'
        # 120 hosts with a password: more than 8 KB, written owner-only through a temporary file.
        $lines = Invoke-DiskFullPwsh @"
Import-Module '$ModuleManifest'
`$login = [pscredential]::new('root', (ConvertTo-SecureString 'x' -AsPlainText -Force))
`$config = 1..120 | ForEach-Object { New-HaHost "node`$_" "127.0.1.`$_" -Credential `$login } | New-HaClusterConfig -ControlPlane node1, node2, node3 -ControlPlaneEndpoint 127.0.1.250
try { `$config | Export-HaClusterConfig -Path '$path' -ErrorAction Stop; 'Exported' }
catch { 'ErrorId: ' + `$_.FullyQualifiedErrorId; 'Target: ' + `$_.TargetObject; 'Message: ' + `$_.Exception.Message }
'Files: ' + ((Get-ChildItem -Force '$Full' | Where-Object Name -Like '*cluster.yaml*').Name -join ',')
"@
        $text = $lines -join "`n"
        $lines | Should -Not -Contain 'Exported' -Because $text
        $lines | Should -Contain 'ErrorId: ConfigFileAccessFailed,HaCluster.Commands.ExportHaClusterConfigCommand'
        $lines | Should -Contain "Target: $path"
        $lines | Should -Contain "Message: Cannot write config file '$path': File too large (the file-size limit, ulimit -f, is reached)."
        $lines | Should -Contain 'Files: ' -Because 'neither the file nor its temporary copy is left behind'
    }

    It 'Export-HaClusterConfig -Force that does not fit keeps the file it would have replaced whole' {
        $path = Join-Path $Full 'kept.yaml'
        Set-Content -Path $path -Value 'the previous config' -NoNewline
        # 120 hosts without a secret (written with the folder's usual mode), more than 8 KB.
        $lines = Invoke-DiskFullPwsh @"
Import-Module '$ModuleManifest'
`$config = 1..120 | ForEach-Object { New-HaHost "node`$_" "127.0.1.`$_" -User root } | New-HaClusterConfig -ControlPlane node1, node2, node3 -ControlPlaneEndpoint 127.0.1.250
try { `$config | Export-HaClusterConfig -Path '$path' -Force -ErrorAction Stop; 'Exported' }
catch { 'ErrorId: ' + `$_.FullyQualifiedErrorId }
"@
        $text = $lines -join "`n"
        $lines | Should -Contain 'ErrorId: ConfigFileAccessFailed,HaCluster.Commands.ExportHaClusterConfigCommand' -Because $text
        Get-Content -Raw -Path $path | Should -Be 'the previous config'
        (Get-ChildItem -Force $Full | Where-Object Name -Like '*kept.yaml*').Name | Should -Be 'kept.yaml' -Because 'no temporary copy is left behind'
    }
}

Describe '-Debug in a non-interactive host' {
    It 'writes the Debug and Verbose lines without prompting and completes' {
        # -Debug made every line ask "Continue?"; pwsh -NonInteractive refused the prompt and ended the command.
        $lines = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
Connect-QingCloud -AccessKeyId '$($Emulator.AccessKeyId)' -SecretAccessKey (ConvertTo-SecureString '$($Emulator.Secret)' -AsPlainText -Force) -Zone '$($Emulator.Zone)' -Endpoint '$($Emulator.Endpoint)' -Debug
`$count = @(Get-QcInstance -Debug 5>&1 4>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.DebugRecord]) { 'debug: ' + `$_.Message } elseif (`$_ -is [System.Management.Automation.VerboseRecord]) { 'verbose: ' + `$_.Message } else { 'object' } })
`$count
"completed, `$(`$Error.Count) errors"
"@
        ($lines -join "`n") | Should -Not -Match 'NonInteractive mode|Exception'
        $lines | Should -Contain 'completed, 0 errors'
        @($lines | Where-Object { $_ -like 'debug: QingCloud GET *' }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_ -like 'verbose: *' }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_ -eq 'object' }).Count | Should -Be 6
    }
}
