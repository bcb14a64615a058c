# Copyright (c) HaCluster contributors. MIT License.
# Install-/Uninstall-HaKubeSphere on three lab sshd hosts (127.71.0.2-4): kk simulator builds Kubernetes, the helm stand-in installs ks-core.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Lab/Lab.psm1') -Force
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-ks-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Bin = Join-Path $Work 'bin'
    New-Item -ItemType Directory -Path $Bin | Out-Null
    chmod 0755 $Work $Bin
    $script:SimDll = Join-Path $RepoRoot 'out/tools/kk-simulator/KubeKeySimulator.dll'
    $script:Dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    $script:Hosts = @(Start-LabHost -Address 127.71.0.2-4 -BinPath $Bin)
    Install-LabKubeKey -BinPath $Bin -SimulatorPath $SimDll | Out-Null
    Start-LabRegistry -BinPath $Bin -Address 127.71.0.9:5443 -SimulatorPath $SimDll
    $script:KnownHosts = Join-Path $Work 'known_hosts'
    Set-Content -Path $KnownHosts -Value $Hosts.KnownHostsLine
    $script:TaskBox = $Hosts[0]
    $script:RemoteHome = (getent passwd $Hosts[0].User).Split(':')[5]
    $script:WorkingDirectory = 'hacluster-pester-ks-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:KkState = Join-Path $RemoteHome "$WorkingDirectory/kk-sim-state"
    $script:Ssh = @{ KnownHostsPath = $KnownHosts }
    if ($TaskBox.Credential) { $Ssh.Credential = $TaskBox.Credential }
    $script:Masters = for ($i = 0; $i -lt 3; $i++) {
        $h = $Hosts[$i]
        if ($h.Credential) { New-HaHost -Name "master$($i + 1)" -Address $h.Address -Port $h.Port -Credential $h.Credential }
        else { New-HaHost -Name "master$($i + 1)" -Address $h.Address -Port $h.Port -User $h.User -PrivateKeyPath $h.PrivateKeyPath }
    }

    # The helm in the lab bin folder, with HELM_SIM_* baked in (sshd passes no environment through).
    function script:Set-Helm([hashtable] $Environment = @{}) {
        $lines = @('#!/bin/sh') + @($Environment.GetEnumerator() | ForEach-Object { "export $($_.Key)='$($_.Value)'" }) + @(
            'KK_SIM_ARGV0=$(cd "$(dirname "$0")" && pwd)/$(basename "$0"); export KK_SIM_ARGV0'
            "exec '$Dotnet' '$SimDll' helm `"`$@`"")
        $path = Join-Path $Bin 'helm'
        Set-Content -Path $path -Value ($lines -join "`n")
        chmod 0755 $path
        $path
    }

    # Kubernetes only, as New-HaCluster asks kk for it on the Helm path.
    $kk = Join-Path $Work 'kk'
    Set-Content -Path $kk -Value (@('#!/bin/sh', "export KK_SIM_SPEED='0'", "export KK_SIM_TTL='900'", "export KK_SIM_BIN='$Bin'",
            'KK_SIM_ARGV0=$(cd "$(dirname "$0")" && pwd)/$(basename "$0"); export KK_SIM_ARGV0', "exec '$Dotnet' '$SimDll' `"`$@`"") -join "`n")
    chmod 0755 $kk
    $config = $Masters | New-HaClusterConfig -ControlPlane master1, master2, master3 -Etcd master1, master2, master3 -Worker master1, master2, master3 -ControlPlaneEndpoint 127.71.0.10
    Install-HaMaster -Config $config -TaskBox $TaskBox @Ssh -KubeKeyPath $kk -WorkingDirectory $WorkingDirectory -Confirm:$false | Out-Null
    $script:Admin = [pscredential]::new('admin', (ConvertTo-SecureString 'Ks-Admin.Pw-7f3e' -AsPlainText -Force))
    $script:Common = @{ TaskBox = $TaskBox; ControlPlane = $Masters; WorkingDirectory = $WorkingDirectory; Timeout = [timespan]'00:05:00'; Confirm = $false } + $Ssh
}

AfterAll {
    Stop-LabRegistry -BinPath $Bin -SimulatorPath $SimDll
    if (Test-Path $KkState) { & $Dotnet $SimDll sim stop --state $KkState | Out-Null }
    Stop-LabHost -Address 127.71.0.2-4
    Remove-Item -Recurse -Force (Join-Path $RemoteHome $WorkingDirectory) -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Install-HaKubeSphere' {
    It 'refuses a chart version the registry lacks in the preflight, naming the registry, before helm installs anything' {
        Set-Helm | Out-Null
        $e = { Install-HaKubeSphere @Common -Chart oci://hub.kubesphere.com.cn/kse/ks-core -ChartVersion 1.9.9 -ImageRegistry hub.kubesphere.com.cn } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereChartNotFound,*'
        $e.Exception.Message | Should -Match 'hub\.kubesphere\.com\.cn'
        $e.Exception.Message | Should -Match 'FetchReference.*ks-core:1\.9\.9: not found'
        $e.Exception.Message | Should -Match '-ImageRegistry'
        Test-Path (Join-Path $KkState 'helm/release.kubesphere-system.ks-core.json') | Should -BeFalse
    }

    It 'refuses an install with no chart named, and a chart version that is a KubeSphere version, before any SSH' {
        { Install-HaKubeSphere @Common -Chart 'oci://hub.kubesphere.com.cn/kse/ks-core' } | Should -Throw -ErrorId 'KubeSphereOptionInvalid,HaCluster.Commands.InstallHaKubeSphereCommand'
        { Install-HaKubeSphere @Common -Chart 'oci://hub.kubesphere.com.cn/kse/ks-core' -ChartVersion 'v4.2' } | Should -Throw '*not a chart version*'
        { Install-HaKubeSphere @Common -Preset CommunityEdition -ConsoleNodePort 80 } | Should -Throw '*30000-32767*'
    }

    It 'refuses in the preflight a first image the registry lacks, naming the registry and the image, before helm installs anything' {
        # No -ImageRegistry: the chart's docker.io, whose kubesphere/* images were withdrawn (kubesphere#6543). Docker Hub
        # (the registry stand-in) gives the anonymous token, then 401 UNAUTHORIZED for the manifest.
        $e = { Install-HaKubeSphere @Common -Chart oci://hub.kubesphere.com.cn/kse/ks-core -ChartVersion 1.2.4 } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereImageNotFound,*'
        $e.TargetObject | Should -Be 'docker.io/kubesphere/ks-apiserver:v4.2.1'
        $e.Exception.Message | Should -Match 'registry docker\.io, checked from '
        $e.Exception.Message | Should -Match 'HTTP 401 UNAUTHORIZED: authentication required'
        $e.Exception.Message | Should -Match '-ImageRegistry'
        # A mirror path without the repository: 404 NAME_UNKNOWN.
        $e = { Install-HaKubeSphere @Common -Chart oci://hub.kubesphere.com.cn/kse/ks-core -ChartVersion 1.2.4 -ImageRegistry registry.lab.test/gone } | Should -Throw -PassThru
        $e.TargetObject | Should -Be 'registry.lab.test/gone/kubesphere/ks-apiserver:v4.2.1'
        $e.Exception.Message | Should -Match 'HTTP 404 NAME_UNKNOWN: repository name not known to registry'
        # A tag the registry lacks (-Values global.tag): 404 MANIFEST_UNKNOWN.
        $e = { Install-HaKubeSphere @Common -Chart oci://hub.kubesphere.com.cn/kse/ks-core -ChartVersion 1.2.4 -ImageRegistry hub.kubesphere.com.cn -Values @{ global = @{ tag = 'v4.9.9' } } } | Should -Throw -PassThru
        $e.TargetObject | Should -Be 'hub.kubesphere.com.cn/kubesphere/ks-apiserver:v4.9.9'
        $e.Exception.Message | Should -Match 'HTTP 404 MANIFEST_UNKNOWN: manifest unknown'
        Test-Path (Join-Path $KkState 'helm/release.kubesphere-system.ks-core.json') | Should -BeFalse
    }

    It 'has a registry stand-in that answers as Docker Hub and the distribution registry really do' {
        $fixtures = Join-Path $RepoRoot 'tests/Fixtures/helm'
        $curl = Join-Path $Bin 'curl'
        # The 401 challenge of a manifest request without a token (binderhub#993).
        $real = (Get-Content (Join-Path $fixtures 'registry-401-dockerhub.txt') | Where-Object { $_ -like 'Www-Authenticate:*' }) -replace '^Www-Authenticate:\s*', ''
        $mine = (& $curl -sS -I https://registry-1.docker.io/v2/library/nginx/manifests/latest | Where-Object { $_ -match '^www-authenticate:' }) -replace '^www-authenticate:\s*', ''
        $mine.Trim() | Should -Be $real.Trim()
        # After an anonymous token, a repository Docker Hub does not hold: the body docker/for-win#2792 shows.
        $token = (& $curl -sS 'https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/alpine:pull' | ConvertFrom-Json).token
        $body = & $curl -sS -H "Authorization: Bearer $token" https://registry-1.docker.io/v2/library/alpine/manifests/3.7
        $body | Should -Be (Get-Content -Raw (Join-Path $fixtures 'registry-unauthorized-dockerhub.json')).Trim()
        # A tag the registry lacks: HEAD is 404 with the 96-byte MANIFEST_UNKNOWN document of moby#47012, and no body.
        $token = (& $curl -sS 'https://registry.lab.test/service/token?service=harbor-registry&scope=repository:kubesphere/ks-apiserver:pull' | ConvertFrom-Json).token
        $head = @(& $curl -sS -I -H "Authorization: Bearer $token" https://registry.lab.test/v2/kubesphere/ks-apiserver/manifests/latest | ForEach-Object TrimEnd)
        $head[0] | Should -Match '^HTTP/\S+ 404'
        $head | Should -Contain 'content-length: 96'
        $head | Should -Contain 'content-type: application/json; charset=utf-8'
    }

    It 'names the pods in ImagePullBackOff with their image when a later image is not in the registry' {
        # The preflight finds ks-apiserver; the nodes then cannot pull ks-console.
        Set-Helm @{ HELM_SIM_FAIL = 'image-pull:hub.kubesphere.com.cn/kubesphere/ks-console' } | Out-Null
        $e = { Install-HaKubeSphere @Common -Chart oci://hub.kubesphere.com.cn/kse/ks-core -ChartVersion 1.2.4 -ImageRegistry hub.kubesphere.com.cn } | Should -Throw -PassThru
        Set-Helm | Out-Null
        $e.FullyQualifiedErrorId | Should -BeLike 'KubeSphereInstallFailed,*'
        $e.Exception.Message | Should -Match 'context deadline exceeded'
        $e.Exception.Message | Should -Match 'ImagePullBackOff pulling hub\.kubesphere\.com\.cn/kubesphere/ks-console:v4\.2\.1'
        $e.Exception.Message | Should -Match '-ImageRegistry'
        $e.TargetObject.Status | Should -Be 'failed'
        $e.TargetObject.NotReady.Image | Should -Contain 'hub.kubesphere.com.cn/kubesphere/ks-console:v4.2.1'
    }

    It 'recovers the failed release and installs the Community Edition: verdict, HA, console, no password anywhere' {
        $verbose = Join-Path $Work 'verbose.txt'
        $result = Install-HaKubeSphere @Common -Preset CommunityEdition -AdminCredential $Admin -Values @{ telemetry = @{ enabled = $false } } -Verbose 4>$verbose
        $result.Succeeded | Should -BeTrue
        $result.Status | Should -Be 'deployed'
        $result.ChartVersion | Should -Be '1.2.4'
        $result.AppVersion | Should -Be 'v4.2.1'
        $result.Revision | Should -Be 2
        $result.Recovered | Should -Match 'failed'
        $result.HighAvailability | Should -BeTrue
        $result.ReadyComponents | Should -Contain 'ks-apiserver'
        $result.ReadyComponents | Should -Contain 'ks-console'
        $result.ReadyComponents | Should -Contain 'ks-controller-manager'
        $result.ConsoleUrl | Should -Be "http://$($Hosts[0].Address):30880"
        foreach ($h in $Hosts) { (Invoke-WebRequest "http://$($h.Address):30880/" -TimeoutSec 10).Content | Should -Match 'KubeSphere' }
        $text = Get-Content -Raw $verbose
        $text | Should -Match 'license'
        $text | Should -Match 'helm: Thank you for choosing KubeSphere Helm Chart'
        $text | Should -Match 'Password: \*{8}'
        $text | Should -Not -Match 'Ks-Admin\.Pw-7f3e'
        ($result | Out-String) | Should -Not -Match 'Ks-Admin\.Pw-7f3e'
        Get-ChildItem (Join-Path $RemoteHome "$WorkingDirectory/kubesphere") -Filter '*.yaml' | Should -BeNullOrEmpty
        # The helm stand-in really received the values the module wrote (three replicas, the CE registry).
        $release = Get-Content -Raw (Join-Path $KkState 'helm/release.kubesphere-system.ks-core.json') | ConvertFrom-Json
        $release.Revisions[-1].Values.'ha.enabled' | Should -Be 'true'
        $release.Revisions[-1].Values.'global.imageRegistry' | Should -Be 'hub.kubesphere.com.cn'
        $release.Revisions[-1].Values.'telemetry.enabled' | Should -Be 'false'
    }

    It 'refuses a chart whose KubeSphere does not support the cluster''s Kubernetes, naming both versions, before helm changes anything' {
        # kk rebuilds the lab cluster at v1.22.17; chart 1.2.4 (KubeSphere 4.2) supports v1.23 to v1.34.
        & $Dotnet $SimDll sim stop --state $KkState | Out-Null
        Install-HaMaster -Config ($Masters | New-HaClusterConfig -ControlPlane master1, master2, master3 -Etcd master1, master2, master3 -Worker master1, master2, master3 -ControlPlaneEndpoint 127.71.0.10 -KubernetesVersion v1.22.17) `
            -TaskBox $TaskBox @Ssh -KubeKeyPath (Join-Path $Work 'kk') -WorkingDirectory $WorkingDirectory -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $release = Join-Path $KkState 'helm/release.kubesphere-system.ks-core.json'
        $before = Get-Content -Raw $release
        $e = { Install-HaKubeSphere @Common -Preset CommunityEdition } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Be 'KubeSphereKubernetesUnsupported,HaCluster.Commands.InstallHaKubeSphereCommand'
        $e.Exception.Message | Should -Match 'chart 1\.2\.4 installs KubeSphere 4\.2, which supports Kubernetes v1\.23 to v1\.34, not Kubernetes v1\.22\.17'
        $e.TargetObject | Should -Be 'v1.22.17'
        Get-Content -Raw $release | Should -Be $before
    }

    It 'recovers a release left pending-install by a killed helm run and installs it' {
        & $Dotnet $SimDll sim stop --state $KkState | Out-Null
        Install-HaMaster -Config ($Masters | New-HaClusterConfig -ControlPlane master1, master2, master3 -Etcd master1, master2, master3 -Worker master1, master2, master3 -ControlPlaneEndpoint 127.71.0.10) `
            -TaskBox $TaskBox @Ssh -KubeKeyPath (Join-Path $Work 'kk') -WorkingDirectory $WorkingDirectory -Confirm:$false | Out-Null
        Remove-Item (Join-Path $KkState 'helm') -Recurse -Force -ErrorAction SilentlyContinue
        $hanging = Set-Helm @{ HELM_SIM_FAIL = 'hang' }
        $helm = Start-Process -FilePath $hanging -ArgumentList 'upgrade', '--install', 'ks-core', 'oci://hub.kubesphere.com.cn/kse/ks-core', '-n', 'kubesphere-system', '--create-namespace', '--version', '1.2.4', '--wait' -PassThru -RedirectStandardOutput (Join-Path $Work 'helm.out')
        $deadline = [datetime]::UtcNow.AddMinutes(2)
        while (-not (Test-Path (Join-Path $KkState 'helm/hanging'))) {
            if ([datetime]::UtcNow -gt $deadline) { throw 'the helm stand-in never hung' }
            Start-Sleep -Milliseconds 100
        }
        Stop-Process -Id $helm.Id -Force
        $helm.WaitForExit()
        (Get-Content -Raw (Join-Path $KkState 'helm/release.kubesphere-system.ks-core.json') | ConvertFrom-Json).Revisions[-1].Status | Should -Be 'pending-install'
        # That helm ran as this test's user; the release record (a Secret in a real cluster) must stay the lab user's to change.
        chmod -R a+rwX (Join-Path $KkState 'helm')
        Set-Helm | Out-Null
        $result = Install-HaKubeSphere @Common -Preset CommunityEdition -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Succeeded | Should -BeTrue
        $result.Recovered | Should -Match 'pending-install'
        $warnings -join ' ' | Should -Match 'pending-install'
    }

    It 'uninstalls with Uninstall-HaKubeSphere: the console goes, a second run warns there is nothing' {
        Uninstall-HaKubeSphere -TaskBox $TaskBox @Ssh -Confirm:$false | Should -Be 'release "ks-core" uninstalled'
        { Invoke-WebRequest "http://$($Hosts[0].Address):30880/" -TimeoutSec 5 } | Should -Throw
        Uninstall-HaKubeSphere -TaskBox $TaskBox @Ssh -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $w | Should -Match 'nothing to uninstall'
    }
}
