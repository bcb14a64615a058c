# Copyright (c) HaCluster contributors. MIT License.
# New-HaCluster's KubeSphere paths: 4.x with Helm after kk (Kubernetes only), v3.x refused without a registry, v4 never to kk.
# Emulator (VxNet 127.91.0.0/24), three lab sshd hosts, the KubeKey simulator as kk and its helm stand-in.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'EmulatorHelpers.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Lab/Lab.psm1') -Force
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-ks4-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Bin = Join-Path $Work 'bin'
    New-Item -ItemType Directory -Path $Bin | Out-Null
    chmod 0755 $Work $Bin
    $script:SimDll = Join-Path $RepoRoot 'out/tools/kk-simulator/KubeKeySimulator.dll'
    $script:Dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    $script:Lab = @(Start-LabHost -Address 127.91.0.2-4 -BinPath $Bin)
    Install-LabKubeKey -BinPath $Bin -SimulatorPath $SimDll | Out-Null
    Start-LabRegistry -BinPath $Bin -Address 127.91.0.250:5443 -SimulatorPath $SimDll
    $script:KnownHosts = Join-Path $Work 'known_hosts'
    Set-Content -Path $KnownHosts -Value $Lab.KnownHostsLine
    $script:Login = if ($Lab[0].Credential) { @{ Credential = $Lab[0].Credential } }
    else { @{ Credential = [pscredential]::new($Lab[0].User, [securestring]::new()); PrivateKeyPath = $Lab[0].PrivateKeyPath } }
    $script:RemoteHome = (getent passwd $Lab[0].User).Split(':')[5]

    # kk for -KubeKeyPath that records its command line and the config it is given: what really reaches kk.
    $script:KkArgs = Join-Path $Work 'kk-argv.log'
    $script:KkConfigs = Join-Path $Work 'kk-config.log'
    $script:Kk = Join-Path $Work 'kk'
    Set-Content -Path $Kk -Value (@('#!/bin/sh', "export KK_SIM_SPEED='0'", "export KK_SIM_TTL='900'", "export KK_SIM_BIN='$Bin'",
            "printf '%s\n' `"`$*`" >>'$KkArgs'",
            "prev=; for a in `"`$@`"; do [ `"`$prev`" = -f ] && cat -- `"`$a`" >>'$KkConfigs'; prev=`$a; done",
            'KK_SIM_ARGV0=$(cd "$(dirname "$0")" && pwd)/$(basename "$0"); export KK_SIM_ARGV0', "exec '$Dotnet' '$SimDll' `"`$@`"") -join "`n")
    chmod 0755 $Kk

    # Before kk runs, a real taskbox has no helm (kk v3.1.11+ installs it): the preflight then asks the registries itself.
    function script:Invoke-WithoutHelm([scriptblock] $Script) {
        $helm = Join-Path $Bin 'helm'
        Move-Item $helm "$helm.away"
        try { & $Script } finally { Move-Item "$helm.away" $helm }
    }

    function script:Reset-KkLog { foreach ($f in $KkArgs, $KkConfigs) { Set-Content -Path $f -Value $null; chmod 0666 $f } }

    function script:Stop-Sim([string] $Cluster) {
        $state = Join-Path $RemoteHome "hacluster/$Cluster/kk-sim-state"
        if (Test-Path $state) { & $Dotnet $SimDll sim stop --state $state | Out-Null }
        Remove-Item -Recurse -Force (Join-Path $RemoteHome "hacluster/$Cluster") -ErrorAction SilentlyContinue
    }

    $instances = for ($i = 0; $i -lt 3; $i++) { "  - { instance_id: i-master0$($i + 1), instance_name: master$($i + 1), vxnet_id: vxnet-pn, private_ip: 127.91.0.$($i + 2), status: running }" }
    $script:Emulator = Start-TestEmulator -ConfigYaml ((@('vxnets:', '  - { vxnet_id: vxnet-pn, vxnet_name: pn, ip_network: 127.91.0.0/24 }', 'instances:') + $instances + @(
                'eip_pool: 127.91.1.0/24', 'job_latency_ms: 100', 'lease_window_ms: 500', 'health_check_time_scale: 0.05')) -join "`n")
    Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey (ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force) -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint
    $script:Base = @{ ControlPlane = 'master1', 'master2', 'master3'; VxNet = 'pn'; TaskBox = 'master1'; KubeKeyPath = $Kk; KnownHostsPath = $KnownHosts; Confirm = $false } + $Login
}

AfterAll {
    Stop-LabRegistry -BinPath $Bin -SimulatorPath $SimDll
    foreach ($name in 'ks4', 'nochart', 'noimage') { Stop-Sim $name }
    Stop-LabHost -Address 127.91.0.2-4
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'New-HaCluster and KubeSphere' {
    It 'refuses KubeSphere v3.4 without -ImageRegistry with the end-of-life message, before any API call' {
        $before = @(Get-EmulatorRequestLog -Emulator $Emulator).Count
        $e = { New-HaCluster -Name eol @Base -KubeSphereVersion v3.4.1 -StatePath (Join-Path $Work 'eol.json') } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereVersionEndOfLife,*'
        $e.Exception.Message | Should -Match 'end of life on 2025-12-25'
        $e.Exception.Message | Should -Match 'withdrawn'
        $e.Exception.Message | Should -Match '-ImageRegistry'
        $e.TargetObject | Should -Be 'v3.4.1'
        @(Get-EmulatorRequestLog -Emulator $Emulator).Count | Should -Be $before
    }

    It 'refuses a KubeSphere 4 version for kk''s path and points to -KubeSphereChartVersion' {
        { New-HaCluster -Name v4kk @Base -KubeSphereVersion v4.1.3 -StatePath (Join-Path $Work 'v4kk.json') } |
            Should -Throw -ErrorId 'KubeSphereVersionNeedsHelm,HaCluster.Commands.NewHaClusterCommand'
        { New-HaCluster -Name both @Base -KubeSphereVersion v3.4.1 -KubeSphereChartVersion 1.2.4 -StatePath (Join-Path $Work 'both.json') } |
            Should -Throw -ErrorId 'KubeSphereOptionInvalid,HaCluster.Commands.NewHaClusterCommand'
    }

    It 'stops at the chart preflight, before any load balancer exists and before kk runs, when the chart version is gone' {
        Reset-KkLog
        $e = { New-HaCluster -Name nochart @Base -KubeSphereChartVersion 1.9.9 -StatePath (Join-Path $Work 'nochart.json') } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereChartNotFound,*'
        $e.Exception.Message | Should -Match 'hub\.kubesphere\.com\.cn'
        # The same without helm on the taskbox (a real one before kk): the chart's manifest, asked of the registry.
        $e = Invoke-WithoutHelm { { New-HaCluster -Name nochart @Base -KubeSphereChartVersion 1.9.9 -StatePath (Join-Path $Work 'nochart.json') } | Should -Throw -PassThru }
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereChartNotFound,*'
        $e.Exception.Message | Should -Match 'cannot be fetched from hub\.kubesphere\.com\.cn on .*: HTTP 404 MANIFEST_UNKNOWN: manifest unknown'
        Get-Content $KkArgs | Should -BeNullOrEmpty
        @(Get-QcLoadBalancer -Name 'nochart-*') | Should -BeNullOrEmpty
        @(Get-EmulatorRequestLog -Emulator $Emulator | Where-Object action -Like 'Create*') | Should -BeNullOrEmpty
    }

    It 'stops at the image preflight, before any load balancer exists and before kk runs, when the first image is not in the registry' {
        Reset-KkLog
        # No helm on the taskbox, as before a real kk run: the chart's appVersion (the tag) comes from its registry too.
        $e = Invoke-WithoutHelm { { New-HaCluster -Name noimage @Base -KubeSphereChartVersion 1.2.4 -ImageRegistry registry.lab.test/gone -StatePath (Join-Path $Work 'noimage.json') } | Should -Throw -PassThru }
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereImageNotFound,*'
        $e.TargetObject | Should -Be 'registry.lab.test/gone/kubesphere/ks-apiserver:v4.2.1'
        $e.Exception.Message | Should -Match 'registry registry\.lab\.test/gone'
        $e.Exception.Message | Should -Match 'NAME_UNKNOWN'
        $e.Exception.Message | Should -Match '-ImageRegistry'
        # kk never started: no command line reached it, and the simulator has no state for this cluster.
        Get-Content $KkArgs | Should -BeNullOrEmpty
        Test-Path (Join-Path $RemoteHome 'hacluster/noimage/kk-sim-state') | Should -BeFalse
        @(Get-EmulatorRequestLog -Emulator $Emulator | Where-Object action -Like 'Create*') | Should -BeNullOrEmpty
    }

    It 'builds Kubernetes with kk and KubeSphere 4 with Helm: no v4 reaches kk, the listener follows -ConsoleNodePort, the drill passes' {
        Reset-KkLog
        $cluster = New-HaCluster -Name ks4 @Base -KubeSphereChartVersion 1.2.4 -ConsoleNodePort 30881 -Failover -StatePath (Join-Path $Work 'ks4.json') -WarningAction SilentlyContinue
        $script:Ks4 = $cluster
        $cluster.Health | Should -Be 'Healthy'
        $cluster.Checks | Where-Object -Not Passed | Should -BeNullOrEmpty
        $cluster.ConsoleUrl | Should -Be "http://$($cluster.Eip.EipAddr):30881"
        # ks-console 4's real page (tests/Fixtures/helm/ks-console-4.1.3-index.html), reached as ks-console sends a browser: / → /login.
        $page = Invoke-WebRequest -Uri $cluster.ConsoleUrl -TimeoutSec 10
        $page.BaseResponse.RequestMessage.RequestUri.AbsolutePath | Should -Be '/login'
        $page.Content | Should -Match '<title>KubeSphere</title>'
        $page.Content | Should -Match '<script type="systemjs-importmap">'
        # What kk received: Kubernetes only, with local storage for ks-core's volumes; no KubeSphere version, no ClusterConfiguration.
        $argv = @(Get-Content $KkArgs | Where-Object { $_ -like 'create cluster*' })
        $argv | Should -Be 'create cluster -f hacluster-config.yaml -y --with-local-storage'
        $config = Get-Content -Raw $KkConfigs
        $config | Should -Match 'kind: Cluster'
        $config | Should -Not -Match 'ClusterConfiguration'
        $config | Should -Not -Match 'v4\.|1\.2\.4|ks-core'
        $listener = @(Get-QcLoadBalancer -Name ks4-external | Get-QcLbListener)
        $listener.ListenerPort | Should -Be 30881
        @($listener | Get-QcLbBackend).Port | Sort-Object -Unique | Should -Be 30881
        $state = Get-Content -Raw (Join-Path $Work 'ks4.json') | ConvertFrom-Json
        $state.completed_steps | Should -Contain 'kubesphere'
        $state.kubesphere_chart_version | Should -Be '1.2.4'
        $state.kubesphere_ha | Should -BeTrue
        # Test-HaCluster checks the KubeSphere 4 rollout over SSH (kubectl rollout status), from New-HaCluster's
        # verification and from the cluster object Get-HaCluster reads back from the state file.
        $rollout = @($cluster.Checks | Where-Object Name -EQ 'KubeSphereRollout')
        $rollout.Target | Should -Be 'ks-apiserver', 'ks-console', 'ks-controller-manager'
        $rollout | ForEach-Object { $_.Passed | Should -BeTrue -Because $_.Detail; $_.Detail | Should -Match "^deployment `"$($_.Target)`" successfully rolled out; 3 of 3 replica\(s\) ready on " }
        $checks = @(Get-HaCluster -StatePath (Join-Path $Work 'ks4.json') | Test-HaCluster @Login -KnownHostsPath $KnownHosts)
        @($checks | Where-Object -Not Passed) | Should -BeNullOrEmpty
        @($checks | Where-Object Name -EQ 'KubeSphereRollout').Target | Should -Be 'ks-apiserver', 'ks-console', 'ks-controller-manager'
        ($checks | Where-Object Name -EQ 'ConsoleViaEip').Detail | Should -Match 'KubeSphere'
    }

    It 'checks KubeSphere through Test-HaCluster''s explicit parameters with -KubeSphereHighAvailability, and its drill explains a console lost with its single replica' {
        $Ks4 | Should -Not -BeNullOrEmpty -Because 'the previous test built the cluster'
        # The explicit parameter set checks KubeSphere only when told it is installed, as the cluster object tells it.
        $explicit = @{ InternalLoadBalancer = $Ks4.InternalLoadBalancer; ExternalLoadBalancer = $Ks4.ExternalLoadBalancer; ControlPlane = $Ks4.ControlPlane; KnownHostsPath = $KnownHosts } + $Login
        $plain = @(Test-HaCluster @explicit)
        @($plain | Where-Object Name -EQ 'KubeSphereRollout') | Should -BeNullOrEmpty -Because 'without the switch KubeSphere is not checked'
        # The console listens on 30881 here: the explicit parameters probe 30880 unless told the cluster's NodePort.
        ($plain | Where-Object Name -EQ 'ConsoleViaEip').Passed | Should -BeFalse
        $onPort = @(Test-HaCluster @explicit -ConsoleNodePort 30881)
        ($onPort | Where-Object Name -EQ 'ConsoleViaEip').Passed | Should -BeTrue
        ($onPort | Where-Object Name -EQ 'ConsoleViaEip').Target | Should -BeLike '*:30881/'
        $err = { Test-HaCluster @explicit -ConsoleNodePort 80 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'KubeSphereOptionInvalid,HaCluster.Commands.TestHaClusterCommand'
        $err.TargetObject | Should -Be 80
        $rollout = @(Test-HaCluster @explicit -KubeSphereHighAvailability | Where-Object Name -EQ 'KubeSphereRollout')
        $rollout.Target | Should -Be 'ks-apiserver', 'ks-console', 'ks-controller-manager'
        $rollout.Passed | Should -Be $true, $true, $true
        $rollout[0].Detail | Should -Match '3 of 3 replica\(s\) ready'

        # One replica each, on the first control-plane node (the chart prefers control-plane nodes).
        Install-HaKubeSphere -TaskBox $Lab[0] -ControlPlane $Ks4.ControlPlane -Preset CommunityEdition -HighAvailability:$false -ConsoleNodePort 30881 -WorkingDirectory 'hacluster/ks4' -KnownHostsPath $KnownHosts @Login -Confirm:$false | Out-Null
        # The pod's loss through the EIP: kube-proxy on the other nodes has no ready endpoint left, which the lab shows by
        # leaving master1 as the listener's only backend.
        $listener = Get-QcLoadBalancer -Name ks4-external | Get-QcLbListener
        $others = @($listener | Get-QcLbBackend | Where-Object ResourceId -NE 'i-master01')
        $others | Remove-QcLbBackend -Confirm:$false
        Get-QcLoadBalancer -Name ks4-external | Update-QcLoadBalancer
        # The cluster object says KubeSphere runs one replica now (the explicit set probes the console on 30880 only).
        $single = Get-HaCluster -StatePath (Join-Path $Work 'ks4.json')
        $single.KubeSphereHighAvailability = $false
        $results = @(Test-HaCluster $single @Login -KnownHostsPath $KnownHosts -Failover -Master master1 -Timeout 60 -Confirm:$false)
        $failed = @($results | Where-Object -Not Passed)
        $failed.Name | Should -Be 'FailoverConsoleViaEip'
        $failed.Detail | Should -Match 'KubeSphere runs a single replica \(installed without -HighAvailability\) and the ks-apiserver and ks-console replica lived on the stopped master master1'
        ($results | Where-Object Name -EQ 'KubeSphereRollout').Detail | Should -Match 'a single replica: installed without -HighAvailability'
        ($results | Where-Object Name -EQ FailoverStart).Passed | Should -BeTrue
    }
}
