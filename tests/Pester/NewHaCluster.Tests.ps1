# Copyright (c) HaCluster contributors. MIT License.
# New-, Get-, Remove-HaCluster end to end: emulator (VxNet 127.90.0.0/24), six lab sshd hosts, the KubeKey simulator as kk.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EmulatorHelpers.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Lab/Lab.psm1') -Force

    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-cluster-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Bin = Join-Path $Work 'bin'
    New-Item -ItemType Directory -Path $Bin | Out-Null
    # The lab user runs kk and the kubectl stand-in from here.
    chmod 0755 $Work $Bin
    $script:SimDll = Join-Path $RepoRoot 'out/tools/kk-simulator/KubeKeySimulator.dll'
    $script:Dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    $script:Lab = @(Start-LabHost -Address 127.90.0.2-7 -BinPath $Bin)
    # The simulator's kubectl stand-in lands here, where the lab's sessions find it on PATH.
    Install-LabKubeKey -BinPath $Bin -SimulatorPath $SimDll | Out-Null
    $script:KnownHosts = Join-Path $Work 'known_hosts'
    Set-Content -Path $KnownHosts -Value $Lab.KnownHostsLine
    # As root the lab user logs in with a password; otherwise the current user with the lab key.
    $script:Login = if ($Lab[0].Credential) { @{ Credential = $Lab[0].Credential } }
    else { @{ Credential = [pscredential]::new($Lab[0].User, [securestring]::new()); PrivateKeyPath = $Lab[0].PrivateKeyPath } }
    $script:Password = if ($Lab[0].Credential) { $Lab[0].Credential.GetNetworkCredential().Password } else { $null }
    $script:RemoteHome = (getent passwd $Lab[0].User).Split(':')[5]

    function script:New-KkWrapper([string] $Name, [hashtable] $Environment = @{}) {
        # kk for -KubeKeyPath: the simulator with KK_SIM_* baked in, as the taskbox's sshd passes no environment through.
        $path = Join-Path $Work $Name
        $environment = @{ KK_SIM_SPEED = '0'; KK_SIM_TTL = '1800'; KK_SIM_BIN = $Bin } + $Environment
        $lines = @('#!/bin/sh') + @($environment.GetEnumerator() | ForEach-Object { "export $($_.Key)='$($_.Value)'" }) + @(
            'KK_SIM_ARGV0=$(cd "$(dirname "$0")" && pwd)/$(basename "$0"); export KK_SIM_ARGV0'
            "exec '$Dotnet' '$SimDll' `"`$@`"")
        Set-Content -Path $path -Value ($lines -join "`n")
        chmod 0755 $path
        $path
    }
    $script:Kk = New-KkWrapper 'kk'

    function script:Get-SimState([string] $Cluster) { Join-Path $RemoteHome "hacluster/$Cluster/kk-sim-state" }

    function script:Stop-Sim([string] $Cluster) {
        $state = Get-SimState $Cluster
        if (Test-Path $state) { & $Dotnet $SimDll sim stop --state $state | Out-Null }
        Remove-Item -Recurse -Force (Join-Path $RemoteHome "hacluster/$Cluster") -ErrorAction SilentlyContinue
    }

    function script:Start-ClusterEmulator([hashtable] $Faults = @{}, [int] $JobLatencyMs = 100) {
        $instances = for ($i = 0; $i -lt 6; $i++) {
            $name = ('master1', 'master2', 'master3', 'node1', 'node2', 'node3')[$i]
            $id = if ($i -lt 3) { 'i-master0{0}' -f ($i + 1) } else { 'i-node000{0}' -f ($i - 2) }
            "  - { instance_id: $id, instance_name: $name, vxnet_id: vxnet-pn, private_ip: 127.90.0.$($i + 2), status: running }"
        }
        $faultLine = if ($Faults.Count) { 'faults: { ' + (($Faults.GetEnumerator() | ForEach-Object { "$($_.Key): $($_.Value)" }) -join ', ') + ' }' } else { '' }
        $emulator = Start-TestEmulator -ConfigYaml ((@(
                    'vxnets:'
                    '  - { vxnet_id: vxnet-pn, vxnet_name: pn, ip_network: 127.90.0.0/24 }'
                    'instances:') + $instances + @(
                    'eip_pool: 127.90.1.0/24'
                    "job_latency_ms: $JobLatencyMs"
                    'lease_window_ms: 500'
                    'health_check_time_scale: 0.05'
                    $faultLine)) -join "`n")
        Connect-QingCloud -AccessKeyId $emulator.AccessKeyId -SecretAccessKey (ConvertTo-SecureString $emulator.Secret -AsPlainText -Force) -Zone $emulator.Zone -Endpoint $emulator.Endpoint
        $emulator
    }

    function script:New-Cluster([string] $Name, [switch] $Failover) {
        New-HaCluster -Name $Name -ControlPlane (Get-QcInstance -Name master*) -Worker (Get-QcInstance -Name node*) -VxNet pn @Login -TaskBox master1 `
            -KubeSphereVersion v3.4.1 -ImageRegistry 127.90.0.250:5000 -KubeKeyPath $Kk -KnownHostsPath $KnownHosts -StatePath (Join-Path $Work "$Name.hacluster.json") -Failover:$Failover -Confirm:$false
    }

    # Exactly one of everything the cluster makes, with the right backends and one rule per port.
    function script:Assert-Converged([string] $Name) {
        $internal = @(Get-QcLoadBalancer -Name "$Name-internal")
        $external = @(Get-QcLoadBalancer -Name "$Name-external")
        $internal.Count | Should -Be 1
        $external.Count | Should -Be 1
        @(Get-QcEip -Name "$Name-eip").Count | Should -Be 1
        foreach ($case in @(@{ Lb = $internal[0]; Port = 6443; Nodes = 'master1', 'master2', 'master3' }, @{ Lb = $external[0]; Port = 30880; Nodes = 'master1', 'master2', 'master3', 'node1', 'node2', 'node3' })) {
            $listeners = @($case.Lb | Get-QcLbListener)
            $listeners.Count | Should -Be 1
            $listeners[0].ListenerPort | Should -Be $case.Port
            $backends = @($listeners[0] | Get-QcLbBackend)
            ($backends.BackendName | Sort-Object) | Should -Be $case.Nodes
            $backends.Port | Sort-Object -Unique | Should -Be $case.Port
            # Its own tagged group, named after it; one rule for the port.
            $group = @(Get-QcSecurityGroup -SecurityGroupId $case.Lb.SecurityGroupId)
            $group.Count | Should -Be 1
            $group[0].SecurityGroupName | Should -Be $case.Lb.LoadBalancerName
            $group[0].IsDefault | Should -BeFalse
            $group[0].Tags.TagName | Should -Contain $Name
            $state = Invoke-RestMethod ($Emulator.BaseUri + '_emulator/state')
            $rules = @($state.security_group_rules | Where-Object { $_.security_group_id -eq $case.Lb.SecurityGroupId -and $_.val1 -eq "$($case.Port)" })
            $rules.Count | Should -Be 1
        }
        Assert-DefaultGroupUntouched
    }

    # The account's default group (shared by the instances) keeps exactly its own two rules: ICMP echo and ssh.
    function script:Assert-DefaultGroupUntouched {
        $state = Invoke-RestMethod ($Emulator.BaseUri + '_emulator/state')
        $default = @($state.security_groups | Where-Object is_default)
        $default.Count | Should -Be 1
        $rules = @($state.security_group_rules | Where-Object security_group_id -EQ $default[0].id)
        ($rules | ForEach-Object { "$($_.protocol)/$($_.val1)" }) | Should -Be 'icmp/8', 'tcp/22'
    }

    # What the cluster made and Remove-HaCluster must leave behind: nothing with its names, no rule it added.
    function script:Assert-Removed([string] $Name) {
        $state = Invoke-RestMethod ($Emulator.BaseUri + '_emulator/state')
        @($state.security_groups | Where-Object { $_.name -in "$Name-internal", "$Name-external" }).Count | Should -Be 0
        @($state.loadbalancers | Where-Object { $_.name -like "$Name-*" -and $_.status -ne 'deleted' }).Count | Should -Be 0
        @($state.eips | Where-Object { $_.name -eq "$Name-eip" -and $_.status -ne 'released' }).Count | Should -Be 0
        @($state.security_group_rules | Where-Object { $_.name -like "$Name-tcp-*" }).Count | Should -Be 0
        @($state.tags | Where-Object name -EQ $Name).Count | Should -Be 0
        @(Get-EmulatorRequestLog -Emulator $Emulator | Where-Object action -In StopInstances, StartInstances, TerminateInstances |
            Where-Object { $_.sequence -gt $script:RemoveSince }).Count | Should -Be 0
    }

    # Plants what a killed key-based install leaves in the cluster's working directory on the taskbox (two key copies,
    # as the lab user) next to decoys that must survive: names that only resemble the prefix, a folder named like a
    # copy with a copy inside, and a link named like a copy pointing out of the folder. Returns the key copies' paths.
    function script:Set-TaskBoxLeftovers([string] $Cluster) {
        $wd = Join-Path $RemoteHome "hacluster/$Cluster"
        $copies = foreach ($n in 1, 7) { Join-Path $wd "kk-ssh-key-$n" }
        foreach ($copy in $copies) { Set-Content -Path $copy -Value 'leftover key copy'; chmod 0600 $copy }
        Set-Content -Path (Join-Path $wd 'kk-ssh-key') -Value 'no suffix'
        Set-Content -Path (Join-Path $wd 'my-kk-ssh-key-1') -Value 'other prefix'
        New-Item -ItemType Directory -Path (Join-Path $wd 'kk-ssh-key-dir') | Out-Null
        Set-Content -Path (Join-Path $wd 'kk-ssh-key-dir/kk-ssh-key-2') -Value 'below the folder'
        Set-Content -Path (Join-Path $Work 'outside-key') -Value 'outside'
        New-Item -ItemType SymbolicLink -Path (Join-Path $wd 'kk-ssh-key-link') -Target (Join-Path $Work 'outside-key') | Out-Null
        $owner = $Login.Credential.UserName
        chown -R -h "${owner}:" $wd
        $copies
    }

    # Every file, folder and link under the working directory with a hash of its content (links: their target); not
    # what is inside kk-sim-state, which the simulator's stand-in servers keep writing.
    function script:Get-TaskBoxListing([string] $Cluster) {
        $wd = Join-Path $RemoteHome "hacluster/$Cluster"
        Get-ChildItem -LiteralPath $wd -Recurse -Force | Where-Object FullName -NotLike "$wd/kk-sim-state/*" | Sort-Object FullName | ForEach-Object {
            $hash = if ($_.LinkType) { "link:$($_.Target)" } elseif ($_.PSIsContainer) { 'folder' } else { (Get-FileHash -LiteralPath $_.FullName).Hash }
            [pscustomobject]@{ Path = $_.FullName; Hash = $hash }
        }
    }

    function script:Wait-Until([scriptblock] $Condition, [string] $What) {
        # Polls often so the kill lands within a few tens of milliseconds of the event, well inside one emulator job;
        # the deadline only keeps a broken run from hanging the suite.
        $deadline = [datetime]::UtcNow.AddMinutes(3)
        while (-not (& $Condition)) {
            if ([datetime]::UtcNow -gt $deadline) { throw "Timed out waiting for $What." }
            Start-Sleep -Milliseconds 25
        }
    }

    # New-HaCluster in its own pwsh process, so the test can kill it like a crash or a closed terminal would.
    function script:Start-ClusterProcess([string] $Name, [string] $KubeKey) {
        $file = Join-Path $Work "run-$Name-$([guid]::NewGuid().ToString('N').Substring(0, 6)).ps1"
        $keyArgument = if ($Login.PrivateKeyPath) { "-PrivateKeyPath '$($Login.PrivateKeyPath)'" } else { '' }
        Set-Content -Path $file -Value @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$ModuleManifest'
Connect-QingCloud -AccessKeyId '$($Emulator.AccessKeyId)' -SecretAccessKey (ConvertTo-SecureString `$env:HACLUSTER_TEST_QC_SECRET -AsPlainText -Force) -Zone '$($Emulator.Zone)' -Endpoint '$($Emulator.Endpoint)'
`$password = if (`$env:HACLUSTER_TEST_SSH_PASSWORD) { ConvertTo-SecureString `$env:HACLUSTER_TEST_SSH_PASSWORD -AsPlainText -Force } else { [securestring]::new() }
`$credential = [pscredential]::new('$($Login.Credential.UserName)', `$password)
New-HaCluster -Name $Name -ControlPlane (Get-QcInstance -Name master*) -Worker (Get-QcInstance -Name node*) -VxNet pn -Credential `$credential $keyArgument -TaskBox master1 -KubeSphereVersion v3.4.1 -ImageRegistry 127.90.0.250:5000 -KubeKeyPath '$KubeKey' -KnownHostsPath '$KnownHosts' -StatePath '$(Join-Path $Work "$Name.hacluster.json")' -Confirm:`$false -Verbose
"@
        $pwsh = Join-Path $PSHOME 'pwsh'
        $arguments = @('-NoProfile', '-NonInteractive', '-File', $file)
        if (-not (Test-Path $pwsh)) { $arguments = @((Join-Path $PSHOME 'pwsh.dll')) + $arguments; $pwsh = $Dotnet }
        $env:HACLUSTER_TEST_QC_SECRET = $Emulator.Secret
        $env:HACLUSTER_TEST_SSH_PASSWORD = $Password
        try {
            $process = Start-Process -FilePath $pwsh -ArgumentList $arguments -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err" -PassThru
            [pscustomobject]@{ Process = $process; File = $file }
        }
        finally {
            Remove-Item Env:HACLUSTER_TEST_QC_SECRET, Env:HACLUSTER_TEST_SSH_PASSWORD -ErrorAction SilentlyContinue
        }
    }

    # Why a run ended early: its exit code and the tail of both streams, for the failure message.
    function script:Get-RunReport($Run) {
        $tail = foreach ($stream in "$($Run.File).err", "$($Run.File).out") {
            if (Test-Path $stream) { Get-Content $stream -Tail 15 }
        }
        "exit code $(if ($Run.Process.HasExited) { $Run.Process.ExitCode } else { 'none' }): $($tail -join "`n")"
    }

    function script:Get-State([string] $Name) {
        $path = Join-Path $Work "$Name.hacluster.json"
        if (Test-Path $path) { Get-Content -Raw $path | ConvertFrom-Json } else { $null }
    }
}

AfterAll {
    foreach ($name in 'e2e', 'resume', 'flaky', 'masters') { Stop-Sim $name }
    Stop-LabHost -Address 127.90.0.2-7
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'New-HaCluster, Get-HaCluster and Remove-HaCluster end to end' {
    BeforeAll {
        $script:Emulator = Start-ClusterEmulator
        $script:Cluster = New-Cluster -Name e2e -Failover
    }

    AfterAll {
        Stop-Sim e2e
        Stop-TestEmulator $Emulator
    }

    It 'builds the cluster: both load balancers, install, every check passed including the failover drill' {
        $Cluster.PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.Cluster.HaClusterInfo'
        $Cluster.Health | Should -Be 'Healthy'
        $Cluster.Vip | Should -Be '127.90.0.253'
        $Cluster.ConsoleUrl | Should -Be "http://$($Cluster.Eip.EipAddr):30880"
        $Cluster.ControlPlane.Name | Should -Be 'master1', 'master2', 'master3'
        $Cluster.Workers.Name | Should -Be 'node1', 'node2', 'node3'
        $Cluster.Etcd.Name | Should -Be 'master1', 'master2', 'master3'
        $Cluster.Backends | Should -Be '9/9 up'
        $Cluster.Checks | Where-Object -Not Passed | Should -BeNullOrEmpty
        $Cluster.Checks.Name | Should -Contain 'FailoverApiViaVip'
        $Cluster.Checks.Name | Should -Contain 'FailoverConsoleViaEip'
        (Invoke-WebRequest -Uri $Cluster.ConsoleUrl -TimeoutSec 10).Content | Should -Match 'KubeSphere'
        (Invoke-WebRequest -Uri "https://$($Cluster.Vip):6443/readyz" -SkipCertificateCheck -TimeoutSec 10).Content | Should -Be 'ok'
        Assert-Converged e2e
    }

    It 'names and tags every resource after the cluster and keeps no secret in the state file' {
        $Cluster.InternalLoadBalancer.LoadBalancerName | Should -Be 'e2e-internal'
        $Cluster.ExternalLoadBalancer.LoadBalancerName | Should -Be 'e2e-external'
        $Cluster.Eip.EipName | Should -Be 'e2e-eip'
        $Cluster.InternalLoadBalancer.Tags.TagName | Should -Be 'e2e'
        $Cluster.ExternalLoadBalancer.Tags.TagName | Should -Be 'e2e'
        $Cluster.Eip.Tags.TagName | Should -Be 'e2e'
        $json = Get-Content -Raw $Cluster.StatePath
        $json | Should -Not -Match 'password|secret'
        if ($Password) { $json | Should -Not -Match ([regex]::Escape($Password)) }
        $json | Should -Not -Match ([regex]::Escape($Emulator.Secret))
        (Get-State e2e).completed_steps | Should -Contain 'verify'
    }

    It 'shows a readable default view' {
        $text = $Cluster | Out-String -Width 200
        $text | Should -Match 'Health\s+: Healthy'
        $text | Should -Match 'ConsoleUrl\s+: http://127\.90\.1\.\d+:30880'
        $text | Should -Match 'ControlPlane\s+: master1 \(127\.90\.0\.2\), master2 \(127\.90\.0\.3\), master3 \(127\.90\.0\.4\)'
        $text | Should -Match 'Checks\s+: \d+ passed, 0 failed'
    }

    It 'pipes into Test-HaCluster' {
        $Cluster | Test-HaCluster -KnownHostsPath $KnownHosts | Where-Object -Not Passed | Should -BeNullOrEmpty
    }

    It 'is rebuilt by Get-HaCluster from the state file and live data, without credentials' {
        $read = Get-HaCluster -StatePath $Cluster.StatePath
        $read.InternalLoadBalancerId | Should -Be $Cluster.InternalLoadBalancerId
        $read.ExternalLoadBalancerId | Should -Be $Cluster.ExternalLoadBalancerId
        $read.EipId | Should -Be $Cluster.EipId
        $read.Health | Should -Be 'Healthy'
        $read.ControlPlane | Where-Object Password | Should -BeNullOrEmpty
        Push-Location $Work
        try { (Get-HaCluster e2e).Vip | Should -Be $Cluster.Vip } finally { Pop-Location }
        $read | Test-HaCluster @Login -KnownHostsPath $KnownHosts | Where-Object -Not Passed | Should -BeNullOrEmpty
    }

    It 're-running the finished command changes nothing' {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $again = New-Cluster -Name e2e
        $again.InternalLoadBalancerId | Should -Be $Cluster.InternalLoadBalancerId
        $mutating = Get-EmulatorRequestLog -Emulator $Emulator -Since $since |
            Where-Object action -Match '^(Create|Add|Allocate|Delete|Release|Update|Apply|Stop|Start|Attach)'
        $mutating | Should -BeNullOrEmpty
    }

    It 'prints the plan with -WhatIf and changes nothing' {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $output = Invoke-FreshPwsh -Script @"
Import-Module '$ModuleManifest'
Connect-QingCloud -AccessKeyId '$($Emulator.AccessKeyId)' -SecretAccessKey (ConvertTo-SecureString '$($Emulator.Secret)' -AsPlainText -Force) -Zone '$($Emulator.Zone)' -Endpoint '$($Emulator.Endpoint)'
New-HaCluster -Name whatif -ControlPlane master1, master2, master3 -Worker node1, node2, node3 -VxNet pn -Credential ([pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))) -Failover -ApiSource 10.0.0.0/8, 192.168.1.7 -StatePath '$(Join-Path $Work 'whatif.hacluster.json')' -WhatIf
"@
        $text = $output -join "`n"
        $text | Should -Match "What if: Build HA cluster 'whatif' in 16 steps"
        $text | Should -Match '1\. \[Cluster\] Tag .*: DescribeTags, CreateTag'
        $text | Should -Match '2\. \[Internal\] Security group whatif-internal admits TCP 6443 from 10\.0\.0\.0/8, 192\.168\.1\.7: DescribeSecurityGroups, CreateSecurityGroup, AttachTags, AddSecurityGroupRules, ApplySecurityGroup'
        $text | Should -Match '3\. \[Internal\] Internal load balancer in VxNet pn, in its security group: DescribeLoadBalancers, CreateLoadBalancer'
        $text | Should -Match '7\. \[External\] Security group whatif-external admits TCP 30880 from 0\.0\.0\.0/0: '
        $text | Should -Match '8\. \[External\] Allocate an EIP: DescribeEips, AllocateEips'
        $text | Should -Match '\[Cluster\] Verify, with the failover drill .*StopInstances, StartInstances'
        Get-EmulatorRequestLog -Emulator $Emulator -Since $since | Where-Object action -NotMatch '^Describe' | Should -BeNullOrEmpty
        Test-Path (Join-Path $Work 'whatif.hacluster.json') | Should -BeFalse
    }

    It 'refuses bad input with a specific error before creating anything: <Case>' -ForEach @(
        @{ Case = 'name'; Id = 'HaClusterNameInvalid'; Arguments = @{ Name = 'Prod_1' } }
        @{ Case = 'instance'; Id = 'HaClusterInstanceNotFound'; Arguments = @{ ControlPlane = 'master1', 'master2', 'master9' } }
        @{ Case = 'duplicate'; Id = 'HaClusterInstanceDuplicate'; Arguments = @{ Worker = 'node1', 'master1' } }
        @{ Case = 'even etcd'; Id = 'EtcdCountEven'; Arguments = @{ ControlPlane = 'master1', 'master2' } }
        @{ Case = 'taskbox'; Id = 'HaClusterTaskBoxUnknown'; Arguments = @{ TaskBox = 'elsewhere' } }
        @{ Case = 'vxnet'; Id = 'QcVxNetNotFound'; Arguments = @{ VxNet = 'nowhere' } }
        @{ Case = 'eip'; Id = 'QcEipNotFound'; Arguments = @{ Eip = 'eip-nothere1' } }
        @{ Case = 'kk'; Id = 'HaClusterKubeKeyNotFound'; Arguments = @{ KubeKeyPath = '/nonexistent/kk' } }
        @{ Case = 'login'; Id = 'HaClusterCredentialMissing'; Arguments = @{ Credential = $null } }
        @{ Case = 'api source'; Id = 'HaClusterSourceInvalid'; Arguments = @{ ApiSource = '10.0.0.0/33' } }
        @{ Case = 'console source'; Id = 'HaClusterSourceInvalid'; Arguments = @{ ConsoleSource = 'anywhere' } }
    ) {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $parameters = @{
            Name = 'bad'; ControlPlane = 'master1', 'master2', 'master3'; Worker = 'node1'; VxNet = 'pn'
            Credential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force)); StatePath = (Join-Path $Work 'bad.hacluster.json')
            Confirm = $false; ErrorAction = 'Stop'
        }
        foreach ($key in $Arguments.Keys) { if ($null -eq $Arguments[$key]) { $parameters.Remove($key) } else { $parameters[$key] = $Arguments[$key] } }
        $caught = $null
        try { New-HaCluster @parameters } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be "$Id,HaCluster.Commands.NewHaClusterCommand"
        $caught.TargetObject | Should -Not -BeNullOrEmpty
        Get-EmulatorRequestLog -Emulator $Emulator -Since $since | Where-Object action -NotMatch '^Describe' | Should -BeNullOrEmpty
        Test-Path (Join-Path $Work 'bad.hacluster.json') | Should -BeFalse
    }

    It 'is removed by Remove-HaCluster: nothing the cluster created is left, instances untouched, state file last' {
        $script:RemoveSince = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        Remove-HaCluster -Name e2e -StatePath $Cluster.StatePath -WhatIf
        Get-EmulatorRequestLog -Emulator $Emulator -Since $RemoveSince | Where-Object action -NotMatch '^Describe' | Should -BeNullOrEmpty
        Test-Path $Cluster.StatePath | Should -BeTrue

        # What a killed key-based install leaves on the taskbox (kk-ssh-key-N), among things that must stay.
        $script:KeyCopies = Set-TaskBoxLeftovers e2e
        $script:TaskBoxBefore = Get-TaskBoxListing e2e
        Get-HaCluster -StatePath $Cluster.StatePath | Remove-HaCluster -Credential $Login.Credential -KnownHostsPath $KnownHosts -Confirm:$false
        Assert-Removed e2e
        Test-Path $Cluster.StatePath | Should -BeFalse
        @(Get-QcInstance).Status | Sort-Object -Unique | Should -Be 'running'
        $actions = @(Get-EmulatorRequestLog -Emulator $Emulator -Since $RemoveSince | Where-Object { $_.ret_code -eq 0 -and $_.action -match '^(Delete|Release)' }).action | Select-Object -Unique
        $actions | Should -Be 'DeleteLoadBalancers', 'DeleteSecurityGroups', 'ReleaseEips', 'DeleteTags'
        Assert-DefaultGroupUntouched

        # Idempotent: nothing left to remove is a warning, not an error.
        Remove-HaCluster -Name e2e -StatePath $Cluster.StatePath -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Match 'nothing to remove'
    }

    It 'removed the SSH key copies left in the cluster''s working directory on the taskbox, and nothing else there' {
        foreach ($copy in $KeyCopies) { Test-Path -LiteralPath $copy | Should -BeFalse -Because "$copy is a leftover key copy" }
        $expected = $TaskBoxBefore | Where-Object { $_.Path -notin $KeyCopies }
        $after = Get-TaskBoxListing e2e
        ($after | ForEach-Object { "$($_.Path) $($_.Hash)" }) | Should -Be ($expected | ForEach-Object { "$($_.Path) $($_.Hash)" })
        Test-Path -LiteralPath (Join-Path $Work 'outside-key') | Should -BeTrue -Because 'a link named like a key copy is not followed'
    }
}

Describe 'New-HaCluster without -Worker: kk fails once at InitKubernetes, the re-run completes at v1.23.17' {
    BeforeAll {
        $script:Emulator = Start-ClusterEmulator
        # kk's etcd comes up, then kubeadm init times out: the run fails and kk's etcd keeps listening, as on real nodes.
        $failOnce = New-KkWrapper 'kk-init-once' @{ KK_SIM_FAIL = 'init-timeout:once' }
        $script:Splat = @{
            Name = 'masters'; ControlPlane = (Get-QcInstance -Name master*); VxNet = 'pn'; TaskBox = 'master1'; KubeSphereVersion = 'v3.4.1'; ImageRegistry = '127.90.0.250:5000'
            KubeKeyPath = $failOnce; KnownHostsPath = $KnownHosts; StatePath = (Join-Path $Work 'masters.hacluster.json'); Confirm = $false
        } + $Login
        $script:FirstError = $null
        try { New-HaCluster @Splat -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null } catch { $script:FirstError = $_ }
        $etcd = [System.Net.Sockets.TcpClient]::new()
        $script:EtcdAfterFailure = try { $etcd.Connect('127.90.0.2', 2379); $true } catch { $false } finally { $etcd.Dispose() }
        $script:Cluster = New-HaCluster @Splat -WarningAction SilentlyContinue
        $script:Log = Get-Content -Raw (Join-Path $RemoteHome 'hacluster/masters/hacluster-install.log')
    }

    AfterAll {
        Stop-Sim masters
        Stop-TestEmulator $Emulator
    }

    It 'the first run fails in InitKubernetesModule and leaves kk''s etcd listening' {
        $FirstError | Should -Not -BeNullOrEmpty
        $FirstError.FullyQualifiedErrorId | Should -Match '^KubeKeyInstallFailed,'
        $FirstError.Exception.Message | Should -Match 'in module InitKubernetesModule'
        $EtcdAfterFailure | Should -BeTrue
    }

    It 'the re-run passes the preflight on kk''s own etcd, kk carries on and the cluster is healthy' {
        $Cluster.Health | Should -Be 'Healthy'
        $Cluster.Workers | Should -BeNullOrEmpty
        $Cluster.Checks | Where-Object -Not Passed | Should -BeNullOrEmpty
        $Log | Should -Match '\[ETCDConfigureModule\] Health check on exist etcd'
        $Log | Should -Match 'Pipeline\[CreateClusterPipeline\] execute successfully'
    }

    It 'Remove-HaCluster without a taskbox login warns naming the taskbox and the key copies, leaves them, and still removes the cloud resources' {
        $script:RemoveSince = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $copy = Join-Path $RemoteHome 'hacluster/masters/kk-ssh-key-1'
        Set-Content -Path $copy -Value 'leftover key copy'
        Remove-HaCluster -Name masters -StatePath $Splat.StatePath -KnownHostsPath $KnownHosts -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $warnings | Should -HaveCount 1
        $warnings[0] | Should -Match 'taskbox master1 \(127\.90\.0\.2\)'
        $warnings[0] | Should -Match ([regex]::Escape('~/hacluster/masters/kk-ssh-key-*'))
        $warnings[0] | Should -Match '-Credential'
        Test-Path -LiteralPath $copy | Should -BeTrue
        Assert-Removed masters
        Test-Path $Splat.StatePath | Should -BeFalse
    }

    It 'succeeded at the default v1.23.17 with kk''s taint error lines in its log (masters are workers)' {
        $Log | Should -Match 'Install k8s with default version:  v1\.23\.17'
        foreach ($node in 'master1', 'master2', 'master3') {
            $Log | Should -Match ([regex]::Escape("stdout: [$node]") + '\r?\n' + [regex]::Escape('error: taint "node-role.kubernetes.io/control-plane:NoSchedule" not found'))
            $Log | Should -Match ([regex]::Escape("[WARN] Failed to exec command: sudo -E /bin/bash -c `"/usr/local/bin/kubectl taint nodes $node node-role.kubernetes.io/control-plane=:NoSchedule-`""))
        }
    }
}

Describe 'New-HaCluster resumes after being killed at any step' {
    BeforeAll {
        # Jobs slow enough that each kill lands before the run's next step: the load balancer turns active (and so
        # gets its listener) a whole job after its id is recorded, and the external path trails the internal one.
        $script:Emulator = Start-ClusterEmulator -JobLatencyMs 1000
        $script:HangingKk = New-KkWrapper 'kk-hang' @{ KK_SIM_HANG_AT = 'JoinNodesModule'; KK_SIM_HANG_SECONDS = '600' }
        $script:Runs = [System.Collections.Generic.List[object]]::new()

        # Starts New-HaCluster in its own process and kills it at the point: once the state file records the internal
        # load balancer ('lb'), right after a listener is added ('listener'), or while kk hangs mid-install ('install').
        function script:Stop-RunAt([string] $Name, [string] $Point) {
            $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
            $run = Start-ClusterProcess $Name $(if ($Point -eq 'install') { $HangingKk } else { $Kk })
            $Runs.Add($run)
            switch ($Point) {
                'lb' { Wait-Until { (Get-State $Name).internal.loadbalancer_id -or $run.Process.HasExited } 'the internal load balancer in the state file' }
                'listener' { Wait-Until { @(Get-EmulatorRequestLog -Emulator $Emulator -Action AddLoadBalancerListeners -Since $since | Where-Object ret_code -EQ 0).Count -ge 1 -or $run.Process.HasExited } 'a listener' }
                'install' { Wait-Until { (Test-Path (Join-Path (Get-SimState $Name) 'hanging')) -or $run.Process.HasExited } 'kk to hang mid-install' }
            }
            $run.Process.HasExited | Should -BeFalse -Because "the run is killed while it works ($(Get-RunReport $run))"
            Stop-Process -Id $run.Process.Id -Force
        }
    }

    AfterAll {
        foreach ($run in $Runs) { if (-not $run.Process.HasExited) { Stop-Process -Id $run.Process.Id -Force -ErrorAction SilentlyContinue } }
        foreach ($name in 'resume', 'kill-lb', 'kill-listener', 'kill-install') { Stop-Sim $name }
        Stop-TestEmulator $Emulator
    }

    It 'kills the process after the load balancer exists, mid-listeners and mid-install; each re-run goes on and the last completes' {
        # 1: killed as soon as the state file records the internal load balancer.
        Stop-RunAt resume lb
        (Get-State resume).internal.loadbalancer_id | Should -Match '^lb-'

        # 2: killed right after the first listener is added.
        Stop-RunAt resume listener

        # 3: killed while kk hangs in JoinNodesModule on the taskbox.
        Stop-RunAt resume install
        (Get-State resume).install.started | Should -Not -BeNullOrEmpty
        (Get-State resume).install.succeeded | Should -BeNullOrEmpty
        & $Dotnet $SimDll sim release --state (Get-SimState resume) | Out-Null

        # 4: the same command reattaches to kk and finishes.
        $cluster = New-Cluster -Name resume
        $cluster.Health | Should -Be 'Healthy'
        $cluster.Checks | Where-Object -Not Passed | Should -BeNullOrEmpty
        @(Get-EmulatorRequestLog -Emulator $Emulator -Action CreateLoadBalancer | Where-Object ret_code -EQ 0).Count | Should -Be 2
        @(Get-EmulatorRequestLog -Emulator $Emulator -Action AllocateEips | Where-Object ret_code -EQ 0).Count | Should -Be 1
        Assert-Converged resume
        @(Get-Content (Join-Path (Get-SimState resume) 'kk.pid') -ErrorAction SilentlyContinue).Count | Should -BeLessOrEqual 1

        $script:RemoveSince = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $cluster | Remove-HaCluster -Confirm:$false
        Assert-Removed resume
        # The next cases' stand-in apiservers need the lab hosts' ports.
        Stop-Sim resume
    }

    It 'a single re-run completes after a kill <Description>' -ForEach @(
        @{ Description = 'once the internal load balancer exists'; Name = 'kill-lb'; Point = 'lb' }
        @{ Description = 'mid-listeners'; Name = 'kill-listener'; Point = 'listener' }
        @{ Description = 'mid-install'; Name = 'kill-install'; Point = 'install' }
    ) {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        try {
            Stop-RunAt $Name $Point
            (Get-State $Name).completed_steps | Should -Not -Contain 'verify'
            if ($Point -eq 'install') { & $Dotnet $SimDll sim release --state (Get-SimState $Name) | Out-Null }

            $cluster = New-Cluster -Name $Name
            $cluster.Health | Should -Be 'Healthy'
            $cluster.Checks | Where-Object -Not Passed | Should -BeNullOrEmpty
            $made = Get-EmulatorRequestLog -Emulator $Emulator -Since $since | Where-Object ret_code -EQ 0
            @($made | Where-Object action -EQ CreateLoadBalancer).Count | Should -Be 2
            @($made | Where-Object action -EQ AllocateEips).Count | Should -Be 1
            @($made | Where-Object action -EQ AddLoadBalancerListeners).Count | Should -Be 2
            Assert-Converged $Name

            $script:RemoveSince = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
            $cluster | Remove-HaCluster -Confirm:$false
            Assert-Removed $Name
        }
        finally {
            # The next case's stand-in apiservers need the lab hosts' ports.
            Stop-Sim $Name
        }
    }

    It 'never writes the SSH password or the secret key to the killed runs'' output' {
        $Runs.Count | Should -Be 6
        foreach ($run in $Runs) {
            # Each run ran -Verbose, so its output is never empty; a missing file would hide a leak.
            $text = (Get-Content -Raw "$($run.File).out") + (Get-Content -Raw "$($run.File).err")
            $text | Should -Match 'VERBOSE: '
            if ($Password) { $text | Should -Not -Match ([regex]::Escape($Password)) }
            $text | Should -Not -Match ([regex]::Escape($Emulator.Secret))
        }
    }
}

Describe 'New-HaCluster against a busy, flaky API' {
    BeforeAll {
        $script:Emulator = Start-ClusterEmulator -Faults @{ ret_code_5100_rate = 0.2; drop_connection_rate = 0.05; seed = 11 }
    }

    AfterAll {
        Stop-Sim flaky
        Stop-TestEmulator $Emulator
    }

    It 'completes with no duplicates when 20% of calls answer 5100 and 5% of connections drop' {
        $cluster = New-Cluster -Name flaky
        $cluster.Health | Should -Be 'Healthy'
        $log = Get-EmulatorRequestLog -Emulator $Emulator
        @($log | Where-Object fault -EQ 'ret_code_5100').Count | Should -BeGreaterThan 0
        @($log | Where-Object fault -EQ 'drop_connection').Count | Should -BeGreaterThan 0
        Assert-Converged flaky

        $script:RemoveSince = ($log | Select-Object -Last 1).sequence
        $cluster | Remove-HaCluster -Confirm:$false
        Assert-Removed flaky
    }
}
