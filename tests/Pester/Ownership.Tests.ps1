# Copyright (c) HaCluster contributors. MIT License.
# Issue 10, table-driven: ownership is proven before anything is touched, every check runs before anything exists, and a
# state file that cannot be used is a HaCluster error. Each case asserts the FullyQualifiedErrorId and that the
# emulator's /_emulator/state and the state file(s) are byte for byte unchanged.
# Runs on 127.92.0.0/24 (VxNet pn), 127.92.2.0/24 (VxNet other) and 127.92.1.0/24 (EIPs); no lab hosts.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/EmulatorHelpers.ps1

    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-owner-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $Work | Out-Null
    $instances = for ($i = 0; $i -lt 6; $i++) {
        $name = ('master1', 'master2', 'master3', 'node1', 'node2', 'node3')[$i]
        $id = if ($i -lt 3) { 'i-master0{0}' -f ($i + 1) } else { 'i-node000{0}' -f ($i - 2) }
        "  - { instance_id: $id, instance_name: $name, vxnet_id: vxnet-pn, private_ip: 127.92.0.$($i + 2) }"
    }
    $script:Emulator = Start-TestEmulator -ConfigYaml ((@(
                'vxnets:'
                '  - { vxnet_id: vxnet-pn, vxnet_name: pn, ip_network: 127.92.0.0/24 }'
                '  - { vxnet_id: vxnet-other, vxnet_name: other, ip_network: 127.92.2.0/24 }'
                'instances:') + $instances + @(
                '  - { instance_id: i-sleeper1, instance_name: sleeper, vxnet_id: vxnet-pn, private_ip: 127.92.0.20, status: stopped }'
                '  - { instance_id: i-stranger, instance_name: stranger, vxnet_id: vxnet-other, private_ip: 127.92.2.2 }'
                'eip_pool: 127.92.1.0/24'
                'job_latency_ms: 50'
                'lease_window_ms: 300'
                'health_check_time_scale: 0.05')) -join "`n")
    Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey (ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force) -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint

    # A live cluster, built with its own state file: the thing every case must leave exactly as it is.
    $script:LiveState = Join-Path $Work 'live.hacluster.json'
    $script:Live = New-HaCluster -Name live -ControlPlane master1, master2, master3 -Worker node1, node2, node3 -VxNet pn -SkipInstall -StatePath $LiveState -Confirm:$false
    $script:Listener = Get-QcLbListener -LoadBalancer $Live.InternalLoadBalancerId

    # Hand-edited copies of the live state file.
    function script:Copy-LiveState([string] $Name, [scriptblock] $Edit) {
        $state = Get-Content -Raw $LiveState | ConvertFrom-Json
        & $Edit $state
        $path = Join-Path $Work "$Name.hacluster.json"
        $state | ConvertTo-Json -Depth 10 | Set-Content -Path $path
        $path
    }
    $script:OtherZone = Copy-LiveState 'zone' { param($s) $s.zone = 'sh1a' }

    # A hand-edited state file of cluster 'forged' naming a load balancer and an EIP made by hand, and the live cluster's
    # external load balancer (tagged, but another cluster's).
    $script:ByHandLb = New-QcLoadBalancer -Name byhand -VxNet pn
    $script:ByHandEip = New-QcEip -Name byhand
    $script:Forged = Copy-LiveState 'forged' {
        param($s)
        $s.name = 'forged'; $s.tag_id = $null; $s.tag_created = $false
        $s.internal.loadbalancer_id = $ByHandLb.LoadBalancerId; $s.internal.loadbalancer_name = 'forged-internal'
        $s.external.loadbalancer_name = 'forged-external'; $s.external.eip_id = $ByHandEip.EipId; $s.external.eip_created = $true
    }
    $script:Elsewhere = Join-Path $Work 'elsewhere'
    New-Item -ItemType Directory -Path $Elsewhere | Out-Null
    $script:OtherEndpoint = Copy-LiveState 'endpoint' { param($s) $s.endpoint = 'https://api.qingcloud.com/iaas/' }

    # Paths a state file cannot live at.
    $script:Folder = Join-Path $Work 'folder.hacluster.json'
    New-Item -ItemType Directory -Path $Folder | Out-Null
    $script:Missing = Join-Path $Work 'no-such-folder/missing.hacluster.json'
    $script:ReadOnlyFile = Join-Path $Work 'readonly.hacluster.json'
    Set-Content -Path $ReadOnlyFile -Value '{ "schema": 1, "name": "readonly" }'
    chmod 0444 $ReadOnlyFile
    $script:ReadOnlyFolder = Join-Path $Work 'locked'
    New-Item -ItemType Directory -Path $ReadOnlyFolder | Out-Null
    chmod 0555 $ReadOnlyFolder

    # Every file a case might touch, with its content (or its absence), and the emulator's whole state.
    function script:Get-Snapshot {
        $files = Get-ChildItem -Path $Work -Recurse -Force -File | Sort-Object FullName | ForEach-Object { "$($_.FullName)`n$(Get-Content -Raw $_.FullName)" }
        [pscustomobject]@{ Cloud = (Invoke-WebRequest ($Emulator.BaseUri + '_emulator/state')).Content; Files = $files -join "`n--`n" }
    }

    # The base arguments of a New-HaCluster that would succeed.
    function script:Get-NewArguments([string] $Name) {
        @{
            Name = $Name; ControlPlane = 'master1', 'master2', 'master3'; Worker = 'node1'; VxNet = 'pn'
            Credential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))
            StatePath = (Join-Path $Work "$Name.hacluster.json"); Confirm = $false; ErrorAction = 'Stop'
        }
    }
}

AfterAll {
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
    chmod 0755 $ReadOnlyFolder
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

BeforeDiscovery {
    # The table, evaluated at discovery; its scriptblocks run later, when the cluster and the files exist.
    $script:Cases = @(
        # Every check before anything exists: input that needs no cloud call.
        @{ Case = 'New-HaCluster -KubeKeyVersion v4.0.0'; Id = 'KubeKeyVersionUnsupported,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments k4; New-HaCluster @a -KubeKeyVersion v4.0.0 } }
        @{ Case = 'New-HaCluster -KubeKeyVersion that is no version'; Id = 'InstallOptionInvalid,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments kx; New-HaCluster @a -KubeKeyVersion newest } }
        @{ Case = 'New-HaCluster -KubernetesVersion kk cannot install'; Id = 'KubernetesVersionUnsupported,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments k8s; New-HaCluster @a -KubernetesVersion v1.40.0 } }
        @{ Case = 'New-HaCluster -KubeSphereVersion kk does not know'; Id = 'KubeSphereVersionUnsupported,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments ks; New-HaCluster @a -KubeSphereVersion v9.9.9 } }
        @{ Case = 'New-HaCluster -EnableComponent without KubeSphere'; Id = 'KubeSphereVersionRequired,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments comp; New-HaCluster @a -EnableComponent devops } }
        @{ Case = 'New-HaCluster -PrivateKeyPath that does not exist'; Id = 'SshKeyFileNotFound,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments key; New-HaCluster @a -PrivateKeyPath (Join-Path $Work 'no_key') } }
        @{ Case = 'New-HaCluster with a stopped node, installing'; Id = 'HaClusterInstanceStopped,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments sleepy; $a.Worker = 'node1', 'sleeper'; New-HaCluster @a } }
        @{ Case = 'New-HaCluster with a node from another VxNet'; Id = 'QcInstanceNotInVxNet,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments far; $a.Worker = 'stranger'; New-HaCluster @a } }
        @{ Case = 'New-HaCluster with a newline in a node'; Id = 'HaClusterControlCharacter,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments ctl; $a.Worker = "node1`nWARNING: forged"; New-HaCluster @a } }
        @{ Case = 'New-HaCluster with an escape sequence in the name'; Id = 'HaClusterControlCharacter,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments ctl; $a.Name = "ctl`e[2J"; New-HaCluster @a } }
        @{ Case = 'New-QcLoadBalancer with a newline in the name'; Id = 'HaClusterControlCharacter,HaCluster.Commands.NewQcLoadBalancerCommand'; Run = { New-QcLoadBalancer -Name "web`nfake" -VxNet pn -ErrorAction Stop } }
        @{ Case = 'New-QcEip with a bell in the name'; Id = 'HaClusterControlCharacter,HaCluster.Commands.NewQcEipCommand'; Run = { New-QcEip -Name "ip`a" -ErrorAction Stop } }
        @{ Case = 'Add-QcLbListener with a tab in the name'; Id = 'HaClusterControlCharacter,HaCluster.Commands.AddQcLbListenerCommand'; Run = { Add-QcLbListener -LoadBalancer $Live.InternalLoadBalancerId -Port 7443 -Name "a`tb" -ErrorAction Stop } }
        @{ Case = 'Add-QcLbBackend of an instance from another VxNet to an internal LB'; Id = 'QcInstanceNotInVxNet,HaCluster.Commands.AddQcLbBackendCommand'; Run = { Get-QcInstance stranger | Add-QcLbBackend -Listener $Listener -Port 6443 -ErrorAction Stop } }

        # Bad files: a HaCluster error naming the path, never a raw IOException, and nothing created.
        @{ Case = 'New-HaCluster -StatePath that is a folder'; Id = 'HaClusterStateFileUnusable,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments folder; $a.StatePath = $Folder; New-HaCluster @a } }
        @{ Case = 'New-HaCluster -StatePath in a missing folder'; Id = 'HaClusterStateFileUnusable,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments missing; $a.StatePath = $Missing; New-HaCluster @a } }
        @{ Case = 'New-HaCluster -StatePath that is read-only'; Id = 'HaClusterStateFileUnusable,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments readonly; $a.StatePath = $ReadOnlyFile; New-HaCluster @a } }
        @{ Case = 'New-HaCluster -StatePath in a read-only folder'; Id = 'HaClusterStateFileUnusable,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments locked; $a.StatePath = (Join-Path $ReadOnlyFolder 'locked.hacluster.json'); New-HaCluster @a } }
        @{ Case = 'Get-HaCluster -StatePath that is a folder'; Id = 'HaClusterStateFileUnusable,HaCluster.Commands.GetHaClusterCommand'; Run = { Get-HaCluster -StatePath $Folder -ErrorAction Stop } }
        @{ Case = 'Remove-HaCluster -StatePath that is a folder'; Id = 'HaClusterStateFileUnusable,HaCluster.Commands.RemoveHaClusterCommand'; Run = { Remove-HaCluster -Name live -StatePath $Folder -Confirm:$false -ErrorAction Stop } }

        # A state file of another zone or endpoint is refused by every cmdlet that reads it.
        @{ Case = 'New-HaCluster with a state file of another zone'; Id = 'HaClusterStateMismatch,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments live; $a.StatePath = $OtherZone; New-HaCluster @a } }
        @{ Case = 'Get-HaCluster with a state file of another zone'; Id = 'HaClusterStateMismatch,HaCluster.Commands.GetHaClusterCommand'; Run = { Get-HaCluster -StatePath $OtherZone -ErrorAction Stop } }
        @{ Case = 'Test-HaCluster with a cluster of another zone'; Id = 'HaClusterStateMismatch,HaCluster.Commands.TestHaClusterCommand'; Run = { $c = Get-HaCluster -StatePath $LiveState; $c.Zone = 'sh1a'; $c | Test-HaCluster -ErrorAction Stop } }
        @{ Case = 'Remove-HaCluster with a state file of another zone'; Id = 'HaClusterStateMismatch,HaCluster.Commands.RemoveHaClusterCommand'; Run = { Remove-HaCluster -Name live -StatePath $OtherZone -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'New-HaCluster with a state file of another endpoint'; Id = 'HaClusterStateMismatch,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments live; $a.StatePath = $OtherEndpoint; New-HaCluster @a } }
        @{ Case = 'Get-HaCluster with a state file of another endpoint'; Id = 'HaClusterStateMismatch,HaCluster.Commands.GetHaClusterCommand'; Run = { Get-HaCluster -StatePath $OtherEndpoint -ErrorAction Stop } }
        @{ Case = 'Remove-HaCluster with a state file of another endpoint'; Id = 'HaClusterStateMismatch,HaCluster.Commands.RemoveHaClusterCommand'; Run = { Remove-HaCluster -Name live -StatePath $OtherEndpoint -Confirm:$false -ErrorAction Stop } }

    # Ownership is proven, not assumed.
    @{ Case = 'Remove-HaCluster -Force with a state file naming resources made by hand'; Id = 'HaClusterResourceNotOwned,HaCluster.Commands.RemoveHaClusterCommand'; Run = { Remove-HaCluster -Name forged -StatePath $Forged -Force -ErrorAction Stop } }
    @{ Case = 'New-HaCluster with the name of a live cluster and another state file'; Id = 'HaClusterNameInUse,HaCluster.Commands.NewHaClusterCommand'; Run = { $a = Get-NewArguments live; $a.StatePath = Join-Path $Elsewhere 'live.hacluster.json'; New-HaCluster @a -SkipInstall } }
    @{ Case = 'New-HaCluster with the name of a live cluster and no state file in this folder'; Id = 'HaClusterNameInUse,HaCluster.Commands.NewHaClusterCommand'; Run = { Push-Location $Elsewhere; try { $a = Get-NewArguments live; $a.Remove('StatePath'); New-HaCluster @a -SkipInstall } finally { Pop-Location } } }
    )
}

Describe 'Refused before anything changes' {

    It '<Case>' -ForEach $Cases {
        $before = Get-Snapshot
        $caught = $null
        try { & $Run | Out-Null } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because 'the command must be refused'
        $caught.FullyQualifiedErrorId | Should -Be $Id
        # The module's own error, never a raw IOException or UnauthorizedAccessException (its type lives in the module's load context).
        $types = for ($t = $caught.Exception.GetType(); $t; $t = $t.BaseType) { $t.Name }
        $types | Should -Contain 'HaClusterException'
        $caught.TargetObject | Should -Not -BeNullOrEmpty
        $after = Get-Snapshot
        $after.Cloud | Should -Be $before.Cloud -Because 'nothing in QingCloud changes'
        $after.Files | Should -Be $before.Files -Because 'no state file is created, changed or deleted'
    }
}

Describe 'Ownership' {
    It 'Remove-HaCluster -Force lists each resource that is not the cluster''s, touches none of them and keeps the state file' {
        $before = Get-Snapshot
        Remove-HaCluster -Name forged -StatePath $Forged -Force -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue
        # The hand-made load balancer and EIP, and the live cluster's external load balancer and its own security groups,
        # which the copied state file still names.
        $recorded = Get-Content -Raw $LiveState | ConvertFrom-Json
        $groups = @($recorded.internal, $recorded.external | Where-Object security_group_created | ForEach-Object security_group_id)
        $expected = @($ByHandLb.LoadBalancerId, $Live.ExternalLoadBalancerId, $ByHandEip.EipId) + $groups
        $errors.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'HaClusterResourceNotOwned,HaCluster.Commands.RemoveHaClusterCommand'
        $errors.CategoryInfo.Category | Sort-Object -Unique | Should -Be 'SecurityError'
        ($errors.TargetObject | Sort-Object) | Should -Be ($expected | Sort-Object)
        $errors[0].Exception.Message | Should -Match 'left alone'
        $after = Get-Snapshot
        $after.Cloud | Should -Be $before.Cloud
        $after.Files | Should -Be $before.Files
    }

    It '-WhatIf lists what Remove-HaCluster would delete, and what New-HaCluster -Adopt takes over and would prune' {
        $output = Invoke-FreshPwsh -Script @"
Import-Module '$ModuleManifest'
Connect-QingCloud -AccessKeyId '$($Emulator.AccessKeyId)' -SecretAccessKey (ConvertTo-SecureString '$($Emulator.Secret)' -AsPlainText -Force) -Zone '$($Emulator.Zone)' -Endpoint '$($Emulator.Endpoint)'
Remove-HaCluster -Name live -StatePath '$LiveState' -WhatIf
New-HaCluster -Name live -ControlPlane master1, master2, master3 -Worker node1 -VxNet pn -SkipInstall -StatePath '$(Join-Path $Elsewhere 'live.hacluster.json')' -Adopt -Prune -WhatIf -WarningAction SilentlyContinue
"@
        $text = $output -join "`n"
        $text | Should -Match "load balancer $($Live.InternalLoadBalancerId) \(live-internal\)"
        $text | Should -Match "load balancer $($Live.ExternalLoadBalancerId) \(live-external\)"
        $text | Should -Match "EIP $($Live.EipId)"
        $text | Should -Match ([regex]::Escape("state file $LiveState"))
        $text | Should -Match 'Adopting \(nothing is removed from them\)'
        $text | Should -Match 'Removing \(-Prune\) backends that are not cluster nodes'
        $text | Should -Match '\(i-node0002:30880\)'
        $text | Should -Match '\(i-node0003:30880\)'
    }

    It 'New-HaCluster -Adopt takes over a live cluster without removing anything, and -Prune removes only what -WhatIf listed' {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $a = Get-NewArguments live
        $a.StatePath = Join-Path $Elsewhere 'live.hacluster.json'
        $adopted = New-HaCluster @a -SkipInstall -Adopt -WarningAction SilentlyContinue
        $adopted.InternalLoadBalancerId | Should -Be $Live.InternalLoadBalancerId
        Get-EmulatorRequestLog -Emulator $Emulator -Since $since | Where-Object action -Match '^(Delete|Release|Create|Allocate)' | Should -BeNullOrEmpty
        @(Get-QcLbBackend -Listener (Get-QcLbListener -LoadBalancer $Live.ExternalLoadBalancerId)).Count | Should -Be 6

        New-HaCluster @a -SkipInstall -Prune -WarningAction SilentlyContinue | Out-Null
        (Get-QcLbBackend -Listener (Get-QcLbListener -LoadBalancer $Live.ExternalLoadBalancerId)).ResourceId | Sort-Object | Should -Be 'i-master01', 'i-master02', 'i-master03', 'i-node0001'
        @(Get-EmulatorRequestLog -Emulator $Emulator -Action DeleteLoadBalancerBackends -Since $since | Where-Object ret_code -EQ 0).Count | Should -Be 1
    }
}

Describe 'What is allowed stays allowed' {
    It 'a stopped node with -SkipInstall is a warning, and the names of the mismatched zones are both in the message' {
        $a = Get-NewArguments sleepy
        $a.Worker = 'node1', 'sleeper'
        $a.Remove('Confirm')
        New-HaCluster @a -SkipInstall -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $warnings | Should -Match 'i-sleeper1 \(sleeper\) is stopped'

        $caught = $null
        try { Get-HaCluster -StatePath $OtherZone -ErrorAction Stop } catch { $caught = $_ }
        $caught.Exception.Message | Should -Match 'zone sh1a'
        $caught.Exception.Message | Should -Match "zone $($Emulator.Zone)"
    }
}
