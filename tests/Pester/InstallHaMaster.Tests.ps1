# Copyright (c) HaCluster contributors. MIT License.
# Install-HaMaster on six real lab sshd hosts (127.70.0.2-7) with the KubeKey simulator as kk: success, kk failures, preflight, host keys, resume, timeout.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Lab/Lab.psm1') -Force
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ("hacluster-install-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $script:Bin = Join-Path $Work 'bin'
    New-Item -ItemType Directory -Path $Bin | Out-Null
    # The lab user runs kk from here and reads the wrappers written below.
    chmod 0755 $Work $Bin
    $script:SimDll = Join-Path $RepoRoot 'out/tools/kk-simulator/KubeKeySimulator.dll'
    if (-not (Test-Path $SimDll)) { throw "The KubeKey simulator is not built ($SimDll). Run: dotnet pwsh ./build.ps1 -Task Build" }
    $script:Dotnet = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source
    # The simulator as `kk` in the lab bin folder: the hosts' sessions find it on PATH.
    & $Dotnet $SimDll sim install --bin $Bin | Out-Null

    $script:Hosts = @(Start-LabHost -Address 127.70.0.2-7 -BinPath $Bin)
    $script:KnownHosts = Join-Path $Work 'known_hosts'
    Set-Content -Path $KnownHosts -Value $Hosts.KnownHostsLine
    $script:TaskBox = $Hosts[0]
    $script:LabPassword = if ($Hosts[0].Credential) { $Hosts[0].Credential.GetNetworkCredential().Password } else { $null }
    $script:RemoteHome = (getent passwd $Hosts[0].User).Split(':')[5]
    $script:Names = 'master1', 'master2', 'master3', 'worker1', 'worker2', 'worker3'
    $script:WorkingDirectories = [System.Collections.Generic.List[string]]::new()

    function script:New-LabConfig {
        param([object[]] $LabHost = $Hosts)
        $ha = for ($i = 0; $i -lt $LabHost.Count; $i++) {
            $h = $LabHost[$i]
            if ($h.Credential) { New-HaHost -Name $Names[$i] -Address $h.Address -Port $h.Port -Credential $h.Credential }
            else { New-HaHost -Name $Names[$i] -Address $h.Address -Port $h.Port -User $h.User -PrivateKeyPath $h.PrivateKeyPath }
        }
        $ha | New-HaClusterConfig -ControlPlane master1, master2, master3 -Etcd master1, master2, master3 -Worker worker1, worker2, worker3 `
            -ControlPlaneEndpoint 127.70.0.10 -KubeSphereVersion v3.4.1
    }

    function script:New-WorkingDirectory([string] $Case) {
        # One per install: a run's files (and the simulator's state) must not mix with another's.
        $name = "hacluster-pester-$Case-" + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $WorkingDirectories.Add($name)
        $name
    }

    function script:Get-RemotePath([string] $WorkingDirectory, [string] $Child = '') {
        Join-Path (Join-Path $RemoteHome $WorkingDirectory) $Child
    }

    function script:New-KkWrapper([string] $Name, [hashtable] $Environment) {
        # A kk for -KubeKeyPath: the simulator with KK_SIM_* set, as the taskbox's sshd passes no environment through.
        $path = Join-Path $Work $Name
        $lines = @('#!/bin/sh') + @($Environment.GetEnumerator() | ForEach-Object { "export $($_.Key)='$($_.Value)'" }) + @(
            'KK_SIM_ARGV0=$(cd "$(dirname "$0")" && pwd)/$(basename "$0"); export KK_SIM_ARGV0'
            "exec '$Dotnet' '$SimDll' `"`$@`"")
        Set-Content -Path $path -Value ($lines -join "`n")
        chmod 0755 $path
        $path
    }

    function script:Invoke-Sim([string[]] $Arguments) { & $Dotnet $SimDll sim @Arguments }

    function script:Stop-Sim([string] $WorkingDirectory) {
        $state = Get-RemotePath $WorkingDirectory 'kk-sim-state'
        if (Test-Path $state) { Invoke-Sim 'stop', '--state', $state | Out-Null }
    }

    function script:Wait-Until([scriptblock] $Condition, [string] $What) {
        # Polls with short-then-longer pauses; the bound only keeps a broken run from hanging the suite.
        $deadline = [datetime]::UtcNow.AddMinutes(3)
        $pause = 50
        while (-not (& $Condition)) {
            if ([datetime]::UtcNow -gt $deadline) { throw "Timed out waiting for $What." }
            Start-Sleep -Milliseconds $pause
            $pause = [Math]::Min(1000, $pause * 2)
        }
    }

    # Pids of the processes following a run's log on the taskbox (the lab shares this machine's /proc); text, so a
    # thread job can use it too.
    $script:TailFinder = {
        param([string] $LogPath)
        Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -Match '^\d+$' | ForEach-Object {
            $cmd = Get-Content -Raw -LiteralPath "$($_.FullName)/cmdline" -ErrorAction SilentlyContinue
            if ($cmd -and $cmd.StartsWith("tail`0") -and $cmd.Contains($LogPath)) { $_.Name }
        }
    }.ToString()

    function script:Get-InstallError([scriptblock] $Action) {
        try { & $Action; $null } catch { $_ }
    }
}

AfterAll {
    foreach ($wd in $WorkingDirectories) {
        Stop-Sim $wd
        Remove-Item -Recurse -Force (Get-RemotePath $wd) -ErrorAction SilentlyContinue
    }
    Stop-LabHost -Address 127.70.0.2-8
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Install-HaMaster with a New-HaClusterConfig config (KubeSphere) on six lab hosts' {
    BeforeAll {
        $script:Wd = New-WorkingDirectory 'ok'
        # Every stream, verbose included, is captured for the secrets check below. (No -Debug: for compiled cmdlets it
        # turns each warning, such as a failed recommended preflight check, into a prompt.)
        $script:Streams = @(Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$Wd" -Verbose *>&1)
        $script:Result = $Streams | Where-Object { $_.PSObject.TypeNames[0] -eq 'HaCluster.Engine.KubeKey.KubeKeyInstallResult' }
        $script:Verbose = @($Streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    }

    AfterAll { Stop-Sim $Wd }

    It 'succeeds and returns the console URL from kk''s welcome block' {
        @($Streams | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $Result | Should -HaveCount 1
        $Result.Succeeded | Should -BeTrue
        $Result.ExitCode | Should -Be 0
        $Result.ConsoleUrl | Should -Be 'http://127.70.0.2:30880'
        $Result.Account | Should -Be 'admin'
        $Result.ClusterName | Should -Be 'sample'
        $Result.KubeKeyVersion | Should -Be 'v3.1.12'
        $Result.Resumed | Should -BeFalse
        $Result.ModulesCompleted | Should -Contain 'InitKubernetesModule'
        $Result.ModulesCompleted | Should -Contain 'JoinNodesModule'
        $Result.ModulesCompleted | Should -Contain 'CheckResultModule'
        $Result.FailedNodes | Should -BeNullOrEmpty
        $Result.LogPath | Should -Be (Get-RemotePath $Wd 'hacluster-install.log')
        $Result.TaskBox | Should -Be "$($TaskBox.User)@$($TaskBox.Address):$($TaskBox.Port)"
    }

    It 'leaves every apiserver answering /readyz, /livez and /healthz, and the console on every node' {
        foreach ($master in $Hosts[0..2]) {
            foreach ($path in '/readyz', '/livez', '/healthz') {
                (Invoke-WebRequest -Uri "https://$($master.Address):6443$path" -SkipCertificateCheck -TimeoutSec 30).Content | Should -Be 'ok'
            }
        }
        foreach ($node in $Hosts) {
            (Invoke-WebRequest -Uri "http://$($node.Address):30880/" -TimeoutSec 30).Content | Should -Match 'KubeSphere'
        }
    }

    It 'ran kk from the lab bin folder and removed the uploaded config afterwards' {
        (Get-Item (Get-RemotePath $Wd 'kk')).LinkTarget | Should -Be (Join-Path $Bin 'kk')
        Test-Path (Get-RemotePath $Wd 'hacluster-config.yaml') | Should -BeFalse
        Get-Content (Get-RemotePath $Wd 'hacluster-install.log.exit') | Should -Be '0'
    }

    It 'carries every kk task line on the verbose stream, the welcome password masked' {
        $Verbose | Should -Contain 'kk: Console: http://127.70.0.2:30880'
        $Verbose | Should -Contain 'kk: Password: ********'
        ($Verbose -match '\[InitKubernetesModule\] Init cluster using kubeadm$') | Should -Not -BeNullOrEmpty
        ($Verbose -match 'success: \[worker3\]$') | Should -Not -BeNullOrEmpty
        @($Verbose -match 'Please wait for the installation to complete') | Should -HaveCount 1
    }

    It 'never writes the SSH password or the welcome password to any stream' -Skip:((id -u) -ne '0') {
        $text = ($Streams | ForEach-Object { $_ | Format-List * -Force | Out-String -Width 500 }) -join "`n"
        $text | Should -Match 'Pipeline\[CreateClusterPipeline\] execute successfully'
        $text | Should -Not -Match ([regex]::Escape($LabPassword))
        $text | Should -Not -Match ([regex]::Escape('P@88w0rd'))
    }

    It 'shows the result as a list with the console URL' {
        $text = $Result | Out-String -Width 200
        $text | Should -Match 'ConsoleUrl\s+:\s+http://127\.70\.0\.2:30880'
        $text | Should -Match 'Succeeded\s+:\s+True'
        $text | Should -Match 'Modules\s+:\s+\d+ completed'
    }

    It 'reattaches to the finished run with -Resume and gives the same verdict' {
        $again = Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$Wd" -Resume
        $again.Succeeded | Should -BeTrue
        $again.Resumed | Should -BeTrue
        $again.ConsoleUrl | Should -Be 'http://127.70.0.2:30880'
        $again.ModulesCompleted | Should -Be $Result.ModulesCompleted
    }
}

Describe 'Install-HaMaster when kk fails (<Fail>)' -ForEach @(
    @{ Fail = 'unreachable:worker2'; Module = 'GreetingsModule'; Node = 'worker2'; Text = 'connect: connection refused' }
    @{ Fail = 'missing:conntrack:worker3'; Module = 'ConfirmModule'; Node = 'worker3'; Text = 'conntrack is required' }
    @{ Fail = 'init-timeout'; Module = 'InitKubernetesModule'; Node = 'master1'; Text = 'timed out waiting for the condition' }
) {
    BeforeAll {
        $script:Wd = New-WorkingDirectory 'fail'
        $kk = New-KkWrapper "kk-fail-$($Fail -replace '[^a-z0-9]', '-')" @{ KK_SIM_FAIL = $Fail }
        $script:Failure = Get-InstallError {
            Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$Wd" -KubeKeyPath $kk -WarningAction SilentlyContinue -ErrorAction Stop
        }
    }

    AfterAll { Stop-Sim $Wd }

    It 'raises an ErrorRecord naming the module and the node with kk''s own message' {
        $Failure | Should -Not -BeNullOrEmpty
        $Failure.FullyQualifiedErrorId | Should -Be 'KubeKeyInstallFailed,HaCluster.Commands.InstallHaMasterCommand'
        $Failure.CategoryInfo.Category | Should -Be 'InvalidResult'
        $Failure.Exception.Message | Should -Match ("in module $Module\b")
        $Failure.Exception.Message | Should -Match ("on node $Node\b")
        $Failure.Exception.Message | Should -Match ([regex]::Escape($Text))
    }

    It 'carries the install result as TargetObject' {
        $result = $Failure.TargetObject
        $result.PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.KubeKey.KubeKeyInstallResult'
        $result.Succeeded | Should -BeFalse
        $result.ExitCode | Should -Be 1
        $result.FailedModule | Should -Be $Module
        $result.FailedNodes | Should -Be @($Node)
        $result.LogPath | Should -Be (Get-RemotePath $Wd 'hacluster-install.log')
    }

    It 'uploaded kk with mode 0755 and removed the config' {
        stat -c '%a' (Get-RemotePath $Wd 'kk') | Should -Be '755'
        Test-Path (Get-RemotePath $Wd 'hacluster-config.yaml') | Should -BeFalse
    }
}

Describe 'Install-HaMaster preflight' {
    BeforeAll {
        # worker3 replaced by a host whose sessions have no conntrack at all.
        $script:NoConntrack = Start-LabHost -Address 127.70.0.8 -BinPath (Join-Path $Work 'bin-noconntrack') -ExcludeCommand conntrack
        Add-Content -Path $KnownHosts -Value $NoConntrack.KnownHostsLine
        $script:Wd = New-WorkingDirectory 'preflight'
        $script:Failure = Get-InstallError {
            Install-HaMaster -Config (New-LabConfig -LabHost ($Hosts[0..4] + $NoConntrack)) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$Wd" -WarningAction SilentlyContinue -ErrorAction Stop
        }
    }

    It 'fails fast with PreflightFailed and a table of what is missing' {
        $Failure.FullyQualifiedErrorId | Should -Be 'PreflightFailed,HaCluster.Commands.InstallHaMasterCommand'
        $Failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $Failure.Exception.Message | Should -Match 'Preflight failed on 1 of 6 hosts'
        $Failure.Exception.Message | Should -Match 'worker3\s+Command:conntrack\s+conntrack is not installed'
    }

    It 'puts the failed results in TargetObject' {
        $failed = @($Failure.TargetObject)
        $failed[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.Ssh.PreflightResult'
        $failed.Host | Should -Be @('worker3')
        $failed.Check | Should -Be @('Command:conntrack')
    }

    It 'created nothing on the taskbox' {
        Test-Path (Get-RemotePath $Wd) | Should -BeFalse
    }
}

Describe 'Install-HaMaster host-key verification' {
    It 'refuses a host whose key is unknown without -AcceptNewHostKey, creating nothing' {
        $file = Join-Path $Work 'known_hosts_unknown'
        Set-Content -Path $file -Value ($Hosts | Where-Object Address -NE $Hosts[4].Address).KnownHostsLine
        $wd = New-WorkingDirectory 'unknown'
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $file -WorkingDirectory "~/$wd" -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'SshHostKeyUnknown,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -Match 'worker2'
        $err.Exception.Message | Should -Match ([regex]::Escape($Hosts[4].HostKeyFingerprint))
        Test-Path (Get-RemotePath $wd) | Should -BeFalse
        Get-Content $file | Should -Not -Contain $Hosts[4].KnownHostsLine
    }

    It 'trusts that host on first use with -AcceptNewHostKey and records its key' {
        $file = Join-Path $Work 'known_hosts_tofu'
        Set-Content -Path $file -Value ($Hosts | Where-Object Address -NE $Hosts[4].Address).KnownHostsLine
        $wd = New-WorkingDirectory 'tofu'
        # A v4 kk stops the install right after the preflight: reaching the version check proves the host was accepted.
        $kk = New-KkWrapper 'kk-v4-tofu' @{ KK_SIM_VERSION = 'v4.0.6' }
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $file -AcceptNewHostKey -WorkingDirectory "~/$wd" -KubeKeyPath $kk -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'KubeKeyVersionUnsupported,HaCluster.Commands.InstallHaMasterCommand'
        Get-Content $file | Should -Contain $Hosts[4].KnownHostsLine
    }

    It 'refuses a changed key even with -AcceptNewHostKey and names both fingerprints' {
        $file = Join-Path $Work 'known_hosts_changed'
        $other = Join-Path $Work 'other_host_key'
        ssh-keygen -q -t ed25519 -N '' -C other -f $other
        $otherFingerprint = (ssh-keygen -l -E sha256 -f "$other.pub").Split(' ')[1]
        $type, $blob = (Get-Content "$other.pub").Split(' ')[0, 1]
        Set-Content -Path $file -Value (@(($Hosts | Where-Object Address -NE $Hosts[5].Address).KnownHostsLine) + "$($Hosts[5].Address) $type $blob")
        $wd = New-WorkingDirectory 'changed'
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $file -AcceptNewHostKey -WorkingDirectory "~/$wd" -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'SshHostKeyChanged,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -Match 'worker3'
        $err.Exception.Message | Should -Match ([regex]::Escape($Hosts[5].HostKeyFingerprint))
        $err.Exception.Message | Should -Match ([regex]::Escape($otherFingerprint))
        Test-Path (Get-RemotePath $wd) | Should -BeFalse
    }
}

Describe 'Install-HaMaster and the kk on the taskbox' {
    It 'refuses kk v4 with an explanation, before uploading the config' {
        $wd = New-WorkingDirectory 'v4'
        $kk = New-KkWrapper 'kk-v4' @{ KK_SIM_VERSION = 'v4.0.6' }
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$wd" -KubeKeyPath $kk -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'KubeKeyVersionUnsupported,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Match 'KubeKey v4\.0\.6'
        $err.Exception.Message | Should -Match 'v1alpha2'
        $err.Exception.Message | Should -Match '-KubeKeyVersion v3\.1\.12'
        Test-Path (Get-RemotePath $wd 'hacluster-config.yaml') | Should -BeFalse
    }

    It 'refuses a v4 -KubeKeyVersion before connecting' {
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -KubeKeyVersion v4.0.6 -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'KubeKeyVersionUnsupported,HaCluster.Commands.InstallHaMasterCommand'
        $err.TargetObject | Should -Be 'v4.0.6'
    }

    It 'refuses a -KubeKeyPath that does not exist' {
        $missing = Join-Path $Work 'no-such-kk'
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -KubeKeyPath $missing -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'KubeKeyFileNotFound,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be $missing
    }
}

Describe 'Install-HaMaster -Resume after the client died mid-install' {
    BeforeAll {
        $script:Wd = New-WorkingDirectory 'resume'
        $script:State = Get-RemotePath $Wd 'kk-sim-state'
        $script:LogPath = Get-RemotePath $Wd 'hacluster-install.log'
        $configPath = Join-Path $Work 'resume-cluster.yaml'
        New-LabConfig | Export-HaClusterConfig -Path $configPath
        $kk = New-KkWrapper 'kk-hang' @{ KK_SIM_HANG_AT = 'JoinNodesModule'; KK_SIM_HANG_SECONDS = '600' }
        # Both clients are separate pwsh processes: killing one is what a closed laptop does to the SSH connection.
        $taskBoxLiteral = "[pscustomobject]@{ Address = '$($TaskBox.Address)'; Port = $($TaskBox.Port); User = '$($TaskBox.User)'; PrivateKeyPath = '$($TaskBox.PrivateKeyPath)' }"
        $install = "Install-HaMaster -Config '$configPath' -TaskBox ($taskBoxLiteral) -KnownHostsPath '$KnownHosts' -WorkingDirectory '~/$Wd' -Verbose"
        $script:Transcript = Join-Path $Work 'resume.transcript'
        $script:ResultJson = Join-Path $Work 'resume-result.json'
        $pwsh = Join-Path $PSHOME 'pwsh.dll'
        function script:Start-Client([string] $Name, [string] $Script) {
            $file = Join-Path $Work "$Name.ps1"
            Set-Content -Path $file -Value ("`$PSStyle.OutputRendering = 'PlainText'`nImport-Module '$ModuleManifest'`n" + $Script)
            Start-Process -FilePath $Dotnet -ArgumentList $pwsh, '-NoProfile', '-NonInteractive', '-File', $file -PassThru `
                -RedirectStandardOutput (Join-Path $Work "$Name.out") -RedirectStandardError (Join-Path $Work "$Name.err")
        }

        $script:FirstClient = Start-Client 'first-client' "$install -KubeKeyPath '$kk'"
        Wait-Until { (Test-Path "$State/hanging") -or $FirstClient.HasExited } 'kk to hang at JoinNodesModule'
        if (-not (Test-Path "$State/hanging")) { throw "The first client ended before kk hung: $(Get-Content -Raw (Join-Path $Work 'first-client.*'))" }
        # kk printed [JoinNodesModule] before it hung; the client shows it once its follower's next read comes: kill the
        # client only after that, so the console the test reads is the one a user would have seen up to the hang.
        Wait-Until { ([string](Get-Content -Raw -LiteralPath (Join-Path $Work 'first-client.out') -ErrorAction SilentlyContinue)).Contains('JoinNodesModule') -or $FirstClient.HasExited } 'the first client to show JoinNodesModule'
        $script:ConfigWhileRunning = stat -c '%a %U' (Get-RemotePath $Wd 'hacluster-config.yaml')
        $FirstClient.Kill($true)
        $FirstClient.WaitForExit()
        $script:StatusAfterKill = (Invoke-Sim 'status', '--state', $State) -join "`n"
        $script:SecondStart = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$Wd" -WarningAction SilentlyContinue -ErrorAction Stop }

        # The dead client's follower may linger until kk writes again: only a new follower means the resume attached,
        # and kk is let go only then, so the resumed call really reattaches to a running install.
        $findTails = [scriptblock]::Create($TailFinder)
        $before = @(& $findTails $LogPath)
        $script:Resumer = Start-Client 'resume-client' @"
Start-Transcript -Path '$Transcript' | Out-Null
try {
    `$r = $install -Resume
    `$r | Select-Object Succeeded, Resumed, ConsoleUrl, ModulesCompleted | ConvertTo-Json | Set-Content '$ResultJson'
}
finally { Stop-Transcript | Out-Null }
"@
        Wait-Until { @(& $findTails $LogPath | Where-Object { $_ -notin $before }).Count -gt 0 -or $Resumer.HasExited } 'the resumed call to follow the log'
        Invoke-Sim 'release', '--state', $State | Out-Null
        Wait-Until { $Resumer.HasExited } 'the resumed call to end'
        $script:Resumed = if (Test-Path $ResultJson) { Get-Content -Raw $ResultJson | ConvertFrom-Json } else { $null }
    }

    AfterAll { Stop-Sim $Wd }

    It 'keeps the uploaded config at mode 0600, owned by the SSH user, while kk runs' {
        $ConfigWhileRunning | Should -Be "600 $($TaskBox.User)"
    }

    It 'leaves kk running on the taskbox when the client dies' {
        $StatusAfterKill | Should -Match 'kk: running \(hanging at JoinNodesModule\)'
    }

    It 'refuses to start a second kk while one runs' {
        $SecondStart.FullyQualifiedErrorId | Should -Be 'InstallAlreadyRunning,HaCluster.Commands.InstallHaMasterCommand'
        $SecondStart.CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'reattaches with -Resume to the running kk and completes' {
        $Resumed | Should -Not -BeNullOrEmpty -Because (Get-Content -Raw (Join-Path $Work 'resume-client.*'))
        $Resumed.Succeeded | Should -BeTrue
        $Resumed.Resumed | Should -BeTrue
        $Resumed.ConsoleUrl | Should -Be 'http://127.70.0.2:30880'
        $Resumed.ModulesCompleted | Should -Contain 'JoinNodesModule'
        # It followed the live log (a finished run would have been read once).
        Get-Content -Raw $Transcript | Should -Match 'VERBOSE: Following .*hacluster-install\.log .*\(kk run \d+\)'
        (Invoke-WebRequest -Uri "https://$($Hosts[1].Address):6443/readyz" -SkipCertificateCheck -TimeoutSec 30).Content | Should -Be 'ok'
    }

    It 'removed the config once kk finished' {
        Test-Path (Get-RemotePath $Wd 'hacluster-config.yaml') | Should -BeFalse
    }

    It 'keeps the password out of the resumed call''s transcript and the dead client''s console' -Skip:((id -u) -ne '0') {
        $transcript = Get-Content -Raw $Transcript
        $transcript | Should -Match 'VERBOSE: kk: .*\[JoinNodesModule\]'
        $transcript | Should -Match 'VERBOSE: kk: Password: \*{8}'
        $console = Get-Content -Raw (Join-Path $Work 'first-client.out')
        $console | Should -Match 'JoinNodesModule'
        foreach ($text in $transcript, $console) {
            $text | Should -Not -Match ([regex]::Escape($LabPassword))
            $text | Should -Not -Match ([regex]::Escape('P@88w0rd'))
        }
    }
}

Describe 'Install-HaMaster stopped like Ctrl+C' {
    It 'stops following at once, leaves kk running on the taskbox, and -Resume then completes' {
        $wd = New-WorkingDirectory 'ctrlc'
        $state = Get-RemotePath $wd 'kk-sim-state'
        $kk = New-KkWrapper 'kk-hang-ctrlc' @{ KK_SIM_HANG_AT = 'JoinNodesModule'; KK_SIM_HANG_SECONDS = '600' }
        $config = New-LabConfig
        # PowerShell.Stop() is what Ctrl+C does to a running pipeline: it calls the cmdlet's StopProcessing.
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Manifest, $Config, $TaskBox, $KnownHosts, $Wd, $Kk)
                Import-Module $Manifest
                Install-HaMaster -Config $Config -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$Wd" -KubeKeyPath $Kk -WarningAction SilentlyContinue
            }).AddArgument($ModuleManifest).AddArgument($config).AddArgument($TaskBox).AddArgument($KnownHosts).AddArgument($wd).AddArgument($kk)
        $handle = $ps.BeginInvoke()
        try {
            Wait-Until { (Test-Path "$state/hanging") -or $handle.IsCompleted } 'kk to hang at JoinNodesModule'
            # Streams.Error is read only once the pipeline has ended: enumerating it while it runs waits for the end.
            if ($handle.IsCompleted) { throw "Install-HaMaster ended before kk hung: $($ps.Streams.Error)" }
            $stopping = $ps.BeginStop($null, $null)
            # Bounded so a cmdlet that ignores the stop fails here instead of hanging until kk's 600 s are up.
            $stopping.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(30)) | Should -BeTrue -Because 'the cmdlet honours the stop'
            $ps.EndStop($stopping)
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            $ps.Dispose()
        }

        (Invoke-Sim 'status', '--state', $state) -join "`n" | Should -Match 'kk: running \(hanging at JoinNodesModule\)'
        Invoke-Sim 'release', '--state', $state | Out-Null
        $resumed = Install-HaMaster -Config $config -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$wd" -Resume -WarningAction SilentlyContinue
        $resumed.Succeeded | Should -BeTrue
        $resumed.Resumed | Should -BeTrue
        $resumed.ModulesCompleted | Should -Contain 'JoinNodesModule'
        Test-Path (Get-RemotePath $wd 'hacluster-config.yaml') | Should -BeFalse
        Stop-Sim $wd
    }
}

Describe 'Install-HaMaster -Timeout' {
    It 'stops kk when it runs longer than -Timeout and reports where it was' {
        $wd = New-WorkingDirectory 'timeout'
        $kk = New-KkWrapper 'kk-hang-timeout' @{ KK_SIM_HANG_AT = 'JoinNodesModule'; KK_SIM_HANG_SECONDS = '600' }
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$wd" -KubeKeyPath $kk -Timeout 00:00:05 -WarningAction SilentlyContinue -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'KubeKeyInstallTimeout,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.TargetObject.Succeeded | Should -BeFalse
        $err.Exception.Message | Should -Match 'did not finish within 00:00:05'
        (Invoke-Sim 'status', '--state', (Get-RemotePath $wd 'kk-sim-state')) -join "`n" | Should -Match 'kk: not running'
        Test-Path (Get-RemotePath $wd 'hacluster-config.yaml') | Should -BeFalse
    }
}

Describe 'Install-HaMaster input checks' {
    It 'refuses -Resume when the working directory holds no run' {
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory '~/hacluster-pester-none' -Resume -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'InstallNotFound,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a -Timeout under one second (a bare number binds as ticks)' {
        $err = Get-InstallError { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -Timeout 30 -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'InstallOptionInvalid,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a config that fails validation, with the finding code' {
        $config = New-LabConfig
        $config.RoleGroups.Etcd.RemoveAt(2)
        $err = Get-InstallError { Install-HaMaster -Config $config -TaskBox $TaskBox -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'EtcdCountEven,HaCluster.Commands.InstallHaMasterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'reads the config from a path and reports a missing file' {
        $missing = Join-Path $Work 'no-such-config.yaml'
        Install-HaMaster -Config $missing -TaskBox $TaskBox -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ConfigFileNotFound,HaCluster.Commands.InstallHaMasterCommand'
    }

    It 'refuses something that is no config' {
        Install-HaMaster -Config 42 -TaskBox $TaskBox -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ConfigTypeInvalid,HaCluster.Commands.InstallHaMasterCommand'
    }

    It 'refuses a KKZONE other than cn at binding' {
        { Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KkZone us -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,HaCluster.Commands.InstallHaMasterCommand'
    }

    It 'does nothing with -WhatIf' {
        $wd = New-WorkingDirectory 'whatif'
        Install-HaMaster -Config (New-LabConfig) -TaskBox $TaskBox -KnownHostsPath $KnownHosts -WorkingDirectory "~/$wd" -WhatIf | Should -BeNullOrEmpty
        Test-Path (Get-RemotePath $wd) | Should -BeFalse
    }

    It 'binds the taskbox from user@address:port text' {
        $wd = New-WorkingDirectory 'text'
        $kk = New-KkWrapper 'kk-v4-text' @{ KK_SIM_VERSION = 'v4.0.6' }
        $address = "$($TaskBox.User)@$($TaskBox.Address):$($TaskBox.Port)"
        $credential = if ($TaskBox.Credential) { $TaskBox.Credential } else { $null }
        $parameters = @{ Config = New-LabConfig; TaskBox = $address; KnownHostsPath = $KnownHosts; WorkingDirectory = "~/$wd"; KubeKeyPath = $kk; SkipPreflight = $true }
        if ($credential) { $parameters.Credential = $credential }
        else { $parameters.TaskBox = [pscustomobject]@{ Address = $TaskBox.Address; Port = $TaskBox.Port; User = $TaskBox.User; PrivateKeyPath = $TaskBox.PrivateKeyPath } }
        $err = Get-InstallError { Install-HaMaster @parameters -ErrorAction Stop }
        # Connected, placed kk and checked it: the v4 refusal names the taskbox it ran on.
        $err.FullyQualifiedErrorId | Should -Be 'KubeKeyVersionUnsupported,HaCluster.Commands.InstallHaMasterCommand'
        $err.Exception.Message | Should -Match ([regex]::Escape((Get-RemotePath $wd 'kk')))
    }
}
