# Copyright (c) HaCluster contributors. MIT License.
# Test-HaCluster end to end: emulator (own VxNet 127.80.0.0/24), lab sshd hosts, KubeKey simulator stand-ins, LBs built with the step cmdlets.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EmulatorHelpers.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Lab/Lab.psm1') -Force

    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-verify-' + [guid]::NewGuid().ToString('N'))
    $script:Bin = Join-Path $Work 'bin'
    $script:KkState = Join-Path $Work 'kk-state'
    New-Item -ItemType Directory -Path $Bin | Out-Null
    # The lab user runs the kubectl stand-in from this bin folder and reads the simulator's state under it.
    chmod 0755 $Work $Bin
    $script:Names = 'master1', 'master2', 'master3', 'node1', 'node2', 'node3'
    $script:Addresses = 2..7 | ForEach-Object { "127.80.0.$_" }
    $instances = for ($i = 0; $i -lt 6; $i++) {
        $id = if ($i -lt 3) { 'i-master0{0}' -f ($i + 1) } else { 'i-node000{0}' -f ($i - 2) }
        "  - { instance_id: $id, instance_name: $($Names[$i]), vxnet_id: vxnet-pn, private_ip: $($Addresses[$i]), status: running }"
    }
    $script:Emulator = Start-TestEmulator -ConfigYaml (@(
            'accounts:'
            '  - { access_key_id: QYVERIFYKEY, secret_access_key: VerifySecretKey }'
            'zones: [pek3b]'
            'vxnets:'
            '  - { vxnet_id: vxnet-pn, vxnet_name: pn, zone: pek3b, ip_network: 127.80.0.0/24 }'
            'instances:'
        ) + $instances + @(
            'eip_pool: 127.80.1.0/24'
            'job_latency_ms: 300'
            'lease_window_ms: 0'
            'health_check_time_scale: 0.05'
        ) -join "`n")
    $script:Secret = ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force
    Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $Secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint

    # Six machines: one sshd each on the instances' private IPs.
    $script:Lab = @(Start-LabHost -Address 127.80.0.2-7 -BinPath $Bin)
    $script:KnownHosts = Join-Path $Work 'known_hosts'
    Set-Content -Path $KnownHosts -Value $Lab.KnownHostsLine
    $script:Hosts = for ($i = 0; $i -lt 6; $i++) {
        New-HaHost -Name $Names[$i] -Address $Addresses[$i] -User root -PrivateKeyPath $Lab[$i].PrivateKeyPath
    }

    # The tutorial's Step 1 with the step cmdlets: internal LB (TCP 6443 to the masters), external LB on an EIP (HTTP 30880 to all).
    $script:Internal = New-QcLoadBalancer -Name verify-internal -VxNet pn -SecurityGroup (New-QcSecurityGroup -Name verify-internal)
    $script:ApiListener = $Internal | Add-QcLbListener -Port 6443 -Protocol Tcp -BalanceMode RoundRobin -OpenFirewall
    Get-QcInstance -Name master* | Add-QcLbBackend -Listener $ApiListener -Port 6443 | Out-Null
    $Internal | Update-QcLoadBalancer
    $script:Eip = New-QcEip -Name verify-eip
    $script:External = New-QcLoadBalancer -Name verify-external -Eip $Eip -SecurityGroup (New-QcSecurityGroup -Name verify-external)
    $script:ConsoleListener = $External | Add-QcLbListener -Port 30880 -Protocol Http -OpenFirewall
    Get-QcInstance | Add-QcLbBackend -Listener $ConsoleListener -Port 30880 | Out-Null
    $External | Update-QcLoadBalancer
    $script:Vip = (Get-QcLoadBalancer -LoadBalancerId $Internal.LoadBalancerId).Vip
    $script:EipAddress = $Eip.EipAddr

    # Steps 2-3: the KubeKey config with the VIP as control-plane endpoint, installed by the KubeKey simulator.
    $script:ConfigPath = Join-Path $Work 'config-sample.yaml'
    $Hosts | New-HaClusterConfig -ControlPlane master1, master2, master3 -Worker node1, node2, node3 -ControlPlaneEndpoint $Vip -KubeSphereVersion v3.4.1 |
        Export-HaClusterConfig -Path $ConfigPath
    $simulator = Join-Path $RepoRoot 'out/tools/kk-simulator/KubeKeySimulator.dll'
    $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { 'dotnet' }
    & $dotnet $simulator sim install --bin $Bin | Out-Null
    $env:KK_SIM_STATE = $KkState
    $env:KK_SIM_SPEED = '0'
    $env:KK_SIM_TTL = '1800'
    try {
        $kkOutput = & (Join-Path $Bin 'kk') create cluster -f $ConfigPath -y 2>&1
        if ($LASTEXITCODE -ne 0) { throw "kk create cluster failed ($LASTEXITCODE): $($kkOutput | Select-Object -Last 10 | Out-String)" }
    }
    finally {
        Remove-Item Env:KK_SIM_STATE, Env:KK_SIM_SPEED, Env:KK_SIM_TTL -ErrorAction SilentlyContinue
    }

    $Internal, $External | Update-QcLoadBalancer -WaitForBackend Up -TimeoutSec 120
    $script:Cluster = [pscustomobject]@{
        Name                 = 'verify'
        InternalLoadBalancer = $Internal
        ExternalLoadBalancer = $External
        ControlPlane         = $Hosts[0..2]
        Workers              = $Hosts[3..5]
    }

    function Wait-BackendsUp {
        $deadline = [datetime]::UtcNow.AddMinutes(2)
        while (@($Internal, $External | Get-QcLbBackend | Where-Object Status -NE 'up').Count -gt 0) {
            if ([datetime]::UtcNow -gt $deadline) { throw 'backends did not come up' }
            Start-Sleep -Milliseconds 200
        }
    }

    function Get-Failed([object[]] $Results) {
        $Results | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Name) $($_.Target): $($_.Detail)" }
    }

    # Polls the API through the VIP and the console through the EIP until told to stop, counting answers while master1 is stopped.
    function Start-Poller {
        # Cut: a request in flight at the moment master1 stopped (running before, stopped after). A powered-off machine
        # resets its open connections, on the real cloud as in the emulator; only requests that start on one side of
        # the stop must answer.
        $state = [hashtable]::Synchronized(@{ Stop = $false; Ok = 0; OkWhileStopped = 0; Failures = [System.Collections.ArrayList]::new(); Cut = [System.Collections.ArrayList]::new() })
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($State, $Manifest, $Emulator, $Secret, $Vip, $EipAddress)
                Import-Module $Manifest
                Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $Secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint
                while (-not $State.Stop) {
                    $stopped = (Get-QcInstance -InstanceId i-master01).Status -eq 'stopped'
                    foreach ($probe in @(
                            @{ Uri = "https://${Vip}:6443/readyz"; Expect = '^ok$' },
                            @{ Uri = "http://${EipAddress}:30880/"; Expect = 'KubeSphere' })) {
                        try {
                            $content = (Invoke-WebRequest -Uri $probe.Uri -SkipCertificateCheck -DisableKeepAlive -TimeoutSec 10).Content
                            if ($content -match $probe.Expect) {
                                $State.Ok++
                                if ($stopped) { $State.OkWhileStopped++ }
                            }
                            else { $null = $State.Failures.Add("$($probe.Uri): $content") }
                        }
                        catch {
                            $cut = -not $stopped -and (Get-QcInstance -InstanceId i-master01).Status -eq 'stopped'
                            $null = ($cut ? $State.Cut : $State.Failures).Add("$($probe.Uri): $_")
                        }
                    }
                }
            }).AddArgument($state).AddArgument($ModuleManifest).AddArgument($Emulator).AddArgument($Secret).AddArgument($Vip).AddArgument($EipAddress)
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke(); State = $state }
    }

    function Stop-Poller($Poller) {
        $Poller.State.Stop = $true
        $null = $Poller.PowerShell.EndInvoke($Poller.Handle)
        $errors = @($Poller.PowerShell.Streams.Error)
        $Poller.PowerShell.Dispose()
        if ($errors) { throw "poller failed: $($errors -join '; ')" }
        $Poller.State
    }
}

AfterAll {
    if ($KkState -and (Test-Path (Join-Path $Bin 'kk-sim'))) { & (Join-Path $Bin 'kk-sim') stop --state $KkState 2>&1 | Out-Null }
    Stop-LabHost -Address 127.80.0.2-7
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Test-HaCluster on a healthy cluster' {
    BeforeAll {
        $script:Results = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts)
    }

    It 'emits one HaCheckResult per check' {
        $Results[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.Cluster.HaCheckResult'
        ($Results.Name | Sort-Object) | Should -Be (@('ApiDirect', 'ApiDirect', 'ApiDirect', 'ApiViaVip', 'Backends', 'Backends', 'ConsoleViaEip',
                'EtcdQuorum', 'Firewall', 'Firewall', 'LoadBalancer', 'LoadBalancer', 'NodesReady') | Sort-Object)
        ($Results | Where-Object Name -EQ ApiDirect).Target | Sort-Object | Should -Be 'master1', 'master2', 'master3'
        ($Results | Where-Object Name -EQ Backends).Target | Sort-Object | Should -Be ("$($External.LoadBalancerId):30880", "$($Internal.LoadBalancerId):6443" | Sort-Object)
        $Results | ForEach-Object { $_.Duration | Should -BeOfType [timespan] }
    }

    It 'passes every check' {
        Get-Failed $Results | Should -BeNullOrEmpty
    }

    It 'says what it saw' {
        ($Results | Where-Object Name -EQ ApiViaVip).Target | Should -Be "https://${Vip}:6443/readyz"
        ($Results | Where-Object Name -EQ ApiViaVip).Detail | Should -Match '^HTTP 200 ok in \d+ ms$'
        ($Results | Where-Object Name -EQ ConsoleViaEip).Target | Should -Be "http://${EipAddress}:30880/"
        ($Results | Where-Object Name -EQ ConsoleViaEip).Detail | Should -Match "page titled 'KubeSphere'"
        ($Results | Where-Object Name -EQ NodesReady).Detail | Should -Match '^6 of 6 node\(s\) Ready \(master1, master2, master3, node1, node2, node3\)'
        ($Results | Where-Object Name -EQ EtcdQuorum).Detail | Should -Match '^3 member\(s\).*quorum 2, survives 1 failure'
        ($Results | Where-Object { $_.Name -eq 'Backends' -and $_.Target -like '*:6443' }).Detail | Should -Match '^3 of 3 backend\(s\) up: master1:6443 up'
        ($Results | Where-Object { $_.Name -eq 'Firewall' -and $_.Target -like '*:30880' }).Detail | Should -Match "security group sg-\w+ \('verify-external'\): rule .* accepts tcp/30880 \(from 0\.0\.0\.0/0\)$"
    }

    It 'returns one Boolean with -Quiet' {
        $quiet = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Quiet)
        $quiet | Should -Be @($true)
    }

    It 'works as the help page''s Pester assertion' {
        Test-HaCluster $Cluster -KnownHostsPath $KnownHosts | Where-Object -Not Passed | Should -BeNullOrEmpty
    }

    It 'takes the cluster from the pipeline and explicit parameters alike, with instances as hosts and a credential override' {
        $piped = @($Cluster | Test-HaCluster -KnownHostsPath $KnownHosts)
        Get-Failed $piped | Should -BeNullOrEmpty
        $piped.Count | Should -Be $Results.Count

        # The lab user logs in with the password; secrets never reach any stream.
        $lab = $Lab[0].Credential
        $password = $lab.GetNetworkCredential().Password
        $explicit = Test-HaCluster -InternalLoadBalancer $Internal.LoadBalancerId -ExternalLoadBalancer $External -ControlPlane (Get-QcInstance -Name master*) `
            -Worker (Get-QcInstance -Name node*) -Credential $lab -KnownHostsPath $KnownHosts -Verbose -Debug *>&1 | ForEach-Object { $_ }
        $results = @($explicit | Where-Object { $_.PSObject.TypeNames[0] -eq 'HaCluster.Engine.Cluster.HaCheckResult' })
        Get-Failed $results | Should -BeNullOrEmpty
        ($results | Where-Object Name -EQ NodesReady).Detail | Should -Match '^6 of 6'
        ($explicit | Out-String) | Should -Not -Match ([regex]::Escape($password))
        ($explicit | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Connecting to hauser@127.80.0.2:22."
    }

    It 'verifies the apiserver certificate against -CaCertificate' {
        $pinned = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -CaCertificate (Join-Path $KkState 'apiserver.crt'))
        Get-Failed $pinned | Should -BeNullOrEmpty

        # Another CA: every API check fails and says why.
        $other = Join-Path $Work 'other-ca.crt'
        $key = [System.Security.Cryptography.ECDsa]::Create()
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=not-the-cluster-ca', $key, [System.Security.Cryptography.HashAlgorithmName]::SHA256)
        $ca = $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays(1))
        Set-Content -Path $other -Value $ca.ExportCertificatePem()
        $wrong = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -CaCertificate $other)
        $api = @($wrong | Where-Object Name -In ApiViaVip, ApiDirect)
        $api.Count | Should -Be 4
        $api.Passed | Should -Not -Contain $true
        $api[0].Detail | Should -Match 'TLS: the server certificate \(CN=kube-apiserver.*\) does not chain to the CA CN=not-the-cluster-ca'
        ($wrong | Where-Object Name -NotIn ApiViaVip, ApiDirect).Passed | Should -Not -Contain $false
    }

    It 'stops early when the pipeline has all it wants' {
        $first = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts | Select-Object -First 1)
        $first.Count | Should -Be 1
        $first[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.Cluster.HaCheckResult'
    }

    It 'shows a table by default' {
        $text = $Results | Out-String -Width 250
        $text | Should -Match 'Name\s+Target\s+Passed\s+Duration\s+Detail'
        $text | Should -Match 'ApiViaVip\s+https://127\.80\.0\.\d+:6443/readyz\s+True\s+\d+\.\d\ds\s+HTTP 200 ok'
    }
}

Describe 'Test-HaCluster on a cluster that is not healthy' {
    It 'reports unapplied changes, a listener without live backends and a port the firewall does not admit' {
        $listener = $External | Add-QcLbListener -Port 8080 -Protocol Http -Name nothing-here
        Get-QcInstance -Name node* | Add-QcLbBackend -Listener $listener -Port 8080 | Out-Null
        try {
            $unapplied = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts)
            $lb = $unapplied | Where-Object { $_.Name -eq 'LoadBalancer' -and $_.Target -eq $External.LoadBalancerId }
            $lb.Passed | Should -BeFalse
            $lb.Detail | Should -Match "external 'verify-external': has changes not yet applied"

            $External | Update-QcLoadBalancer
            $results = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts)
            $failed = @($results | Where-Object -Not Passed)
            $failed.Name | Sort-Object | Should -Be 'Backends', 'Firewall'
            $failed.Target | Should -Be "$($External.LoadBalancerId):8080", "$($External.LoadBalancerId):8080"
            ($failed | Where-Object Name -EQ Backends).Detail | Should -Match '^0 of 3 backend\(s\) up: node1:8080 down, node2:8080 down, node3:8080 down$'
            ($failed | Where-Object Name -EQ Firewall).Detail | Should -Match 'has no inbound rule for tcp/8080; add one'
            Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Quiet | Should -BeFalse

            # The drill refuses to stop a master of an unhealthy cluster.
            $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
            $drill = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Failover -Confirm:$false)
            $refused = $drill | Where-Object Name -EQ Failover
            $refused.Passed | Should -BeFalse
            $refused.Detail | Should -Match '^not run: 2 check\(s\) failed'
            @(Get-EmulatorRequestLog -Emulator $Emulator -Action StopInstances -Since $since).Count | Should -Be 0
        }
        finally {
            $listener | Remove-QcLbListener -Confirm:$false
            $External | Update-QcLoadBalancer
        }
    }
}

Describe 'Test-HaCluster -Failover' {
    It 'stops master1, keeps the API and the console answering through the VIP and the EIP, and starts it again' {
        $poller = Start-Poller
        try {
            $stream = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Failover -Confirm:$false -Verbose 4>&1)
        }
        finally {
            $polled = Stop-Poller $poller
        }

        $results = @($stream | Where-Object { $_.PSObject.TypeNames[0] -eq 'HaCluster.Engine.Cluster.HaCheckResult' })
        Get-Failed $results | Should -BeNullOrEmpty
        $drill = @($results | Where-Object Name -Like 'Failover*').Name
        $drill[0, 1, 4, 5] | Should -Be 'FailoverStop', 'FailoverBackendsDown', 'FailoverStart', 'FailoverBackendsUp'
        $drill[2, 3] | Sort-Object | Should -Be 'FailoverApiViaVip', 'FailoverConsoleViaEip' -Because 'the two probes run concurrently, listed in the order they finished'
        ($results | Where-Object Name -In FailoverStop, FailoverBackendsDown, FailoverStart, FailoverBackendsUp).Target | Select-Object -Unique | Should -Be 'master1'
        ($results | Where-Object Name -EQ FailoverBackendsDown).Detail | Should -Match '^2 backend\(s\) down'

        # Results stream: the drill's findings reach the pipeline before the engine goes on to start the master again.
        $found = [array]::IndexOf($stream, ($stream | Where-Object { $_.PSObject.TypeNames[0] -like '*HaCheckResult' -and $_.Name -eq 'FailoverApiViaVip' }))
        $starting = [array]::IndexOf($stream, ($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Failover drill: starting master1*' }))
        $found | Should -BeGreaterThan -1
        $found | Should -BeLessThan $starting

        $polled.Failures | Should -BeNullOrEmpty
        $polled.Cut.Count | Should -BeLessOrEqual 1 -Because 'at most the one request in flight when master1 stopped is cut'
        $polled.Ok | Should -BeGreaterThan 0
        $polled.OkWhileStopped | Should -BeGreaterThan 0 -Because 'requests went on through the VIP and the EIP while master1 was stopped'

        (Get-QcInstance -Name master1).Status | Should -Be 'running'
        ($Internal, $External | Get-QcLbBackend | Where-Object ResourceId -EQ i-master01).Status | Should -Be 'up', 'up'
    }

    It 'fails the drill when the console depends on the stopped master, and still starts it again' {
        $others = @(Get-QcLbBackend -Listener $ConsoleListener | Where-Object ResourceId -NE i-master01)
        $others | Remove-QcLbBackend -Confirm:$false
        $External | Update-QcLoadBalancer
        try {
            $results = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Failover -Master master1 -Confirm:$false)
            $failed = @($results | Where-Object -Not Passed)
            $failed.Name | Should -Be 'FailoverConsoleViaEip'
            $failed.Detail | Should -Match '^HTTP 50\d|refused|closed|reset'
            ($results | Where-Object Name -EQ FailoverStart).Passed | Should -BeTrue
            (Get-QcInstance -Name master1).Status | Should -Be 'running'
        }
        finally {
            Get-QcInstance | Where-Object InstanceName -NE master1 | Add-QcLbBackend -Listener $ConsoleListener -Port 30880 | Out-Null
            $External | Update-QcLoadBalancer -WaitForBackend Up -TimeoutSec 120
        }
    }

    It 'starts the master again when the pipeline is stopped in the middle of the drill' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Manifest, $Emulator, $Secret, $Cluster, $KnownHosts)
                Import-Module $Manifest
                Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $Secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint
                Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Failover -Master master2 -Confirm:$false
            }).AddArgument($ModuleManifest).AddArgument($Emulator).AddArgument($Secret).AddArgument($Cluster).AddArgument($KnownHosts)
        $handle = $ps.BeginInvoke()
        try {
            $deadline = [datetime]::UtcNow.AddMinutes(2)
            while ((Get-QcInstance -Name master2).Status -ne 'stopped') {
                # Streams.Error only once the pipeline has ended: enumerating it while it runs waits for the end.
                if ($handle.IsCompleted) { throw "the drill ended without stopping master2: $($ps.Streams.Error)" }
                if ([datetime]::UtcNow -gt $deadline) { throw 'the drill never stopped master2' }
                Start-Sleep -Milliseconds 50
            }

            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # Stop returns only after the drill's cleanup: master2 is running again at once.
            (Get-QcInstance -Name master2).Status | Should -Be 'running'
        }
        finally {
            $ps.Dispose()
            Wait-BackendsUp
        }
    }

    It 'changes nothing with -WhatIf, and asks nothing without -Failover' {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $results = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Failover -WhatIf)
        $results.Name | Should -Not -Contain 'FailoverStop'
        Get-Failed $results | Should -BeNullOrEmpty
        @(Get-EmulatorRequestLog -Emulator $Emulator -Since $since | Where-Object action -In StopInstances, StartInstances).Count | Should -Be 0

        # ConfirmImpact High: -Confirm would prompt for the drill only; plain checks run without asking even then.
        $plain = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Confirm)
        Get-Failed $plain | Should -BeNullOrEmpty
    }
}

Describe 'Test-HaCluster input errors' {
    It 'rejects <Case> before contacting anything' -ForEach @(
        @{ Case = 'a -Master that is not a control-plane host'; ErrorId = 'HaClusterFailoverMasterNotFound'; Target = 'node1'; Extra = @{ Failover = $true; Master = 'node1' } }
        @{ Case = 'a missing CA certificate file'; ErrorId = 'HaClusterCaCertificateNotFound'; Target = '*no-such-ca.crt'; Extra = @{ CaCertificate = '/nonexistent/no-such-ca.crt' } }
        @{ Case = 'a missing private key file'; ErrorId = 'SshKeyFileNotFound'; Target = '*no-such-key'; Extra = @{ PrivateKeyPath = '/nonexistent/no-such-key' } }
    ) {
        $since = (Get-EmulatorRequestLog -Emulator $Emulator | Select-Object -Last 1).sequence
        $err = { Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Confirm:$false @Extra } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be "$ErrorId,HaCluster.Commands.TestHaClusterCommand"
        $err.TargetObject | Should -BeLike $Target
        @(Get-EmulatorRequestLog -Emulator $Emulator -Since $since).Count | Should -Be 0
    }

    It 'rejects an object that is not a cluster' {
        $err = { [pscustomobject]@{ Name = 'x' } | Test-HaCluster } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'HaClusterInvalidInput,HaCluster.Commands.TestHaClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Test-HaCluster when the cluster is down' {
    It 'fails the API, console and node checks with the reason once the stand-ins are stopped' {
        & (Join-Path $Bin 'kk-sim') stop --state $KkState 2>&1 | Out-Null
        $results = @(Test-HaCluster $Cluster -KnownHostsPath $KnownHosts -Timeout 5)
        ($results | Where-Object Name -EQ NodesReady).Detail | Should -Match "failed on every control-plane host: master1: exit code 1: The connection to the server .* was refused"
        ($results | Where-Object Name -In ApiViaVip, ApiDirect, ConsoleViaEip, NodesReady).Passed | Should -Not -Contain $true
        ($results | Where-Object Name -EQ ApiDirect | Select-Object -First 1).Detail | Should -Match 'refused'
    }
}
