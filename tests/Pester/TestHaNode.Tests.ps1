# Copyright (c) HaCluster contributors. MIT License.
# Test-HaNode against real lab sshd hosts (tests/Lab): happy path, missing command, host keys, secrets, binding.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Lab/Lab.psm1') -Force
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ("hacluster-testhanode-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $Work | Out-Null
    # The lab user must be able to read a bin folder placed here.
    chmod 0755 $Work
    $script:Hosts = @(Start-LabHost -Address 127.40.10.2-3)
    $script:NoSocat = Start-LabHost -Address 127.40.10.10 -BinPath (Join-Path $Work 'bin') -ExcludeCommand socat
    $script:KnownHosts = Join-Path $Work 'known_hosts'
    Set-Content -Path $KnownHosts -Value (@($Hosts) + $NoSocat).KnownHostsLine
    $script:IsRoot = (id -u) -eq '0'
    $script:LabPassword = if ($IsRoot) { $Hosts[0].Credential.GetNetworkCredential().Password } else { $null }
}

AfterAll {
    Stop-LabHost -Address 127.40.10.2-3, 127.40.10.10, 127.40.10.4
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Test-HaNode on healthy lab hosts' {
    BeforeAll {
        $script:Results = @($Hosts | Test-HaNode -KnownHostsPath $KnownHosts -Role ControlPlane, Etcd)
    }

    It 'emits one result per host and check, with the engine type' {
        $Results.Count | Should -Be (2 * 17)
        $Results[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.Ssh.PreflightResult'
        ($Results | Group-Object Host).Name | Should -Be $Hosts.Name
        ($Results | Where-Object Host -EQ $Hosts[0].Name).Check | Should -Be @(
            'Ssh', 'Sudo', 'Command:sudo', 'Command:conntrack', 'Command:socat', 'Command:curl', 'Command:openssl',
            'Command:ebtables', 'Command:ipset', 'Command:ipvsadm', 'Command:chronyd', 'ClockSkew', 'Hostname',
            'Port:6443', 'Port:2379', 'Port:2380', 'Port:10250')
    }

    It 'passes every Required check on lab host <Index>' -ForEach @(
        @{ Index = 0 }, @{ Index = 1 }
    ) {
        $mine = $Results | Where-Object Host -EQ $Hosts[$Index].Name | Where-Object Severity -EQ Required
        $failed = $mine | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Check): $($_.Detail)" }
        $failed | Should -BeNullOrEmpty
    }

    It 'uses sudo with the password when the user needs one' -Skip:(-not ((id -u) -eq '0')) {
        ($Results | Where-Object Check -EQ Sudo | Select-Object -First 1).Detail | Should -Be 'sudo accepts the password'
    }

    It 'returns one Boolean per host with -Quiet' {
        $quiet = @($Hosts | Test-HaNode -KnownHostsPath $KnownHosts -Quiet)
        $quiet | Should -Be @($true, $true)
    }

    It 'formats as a table grouped by host' {
        $text = $Results | Out-String -Width 200
        $text | Should -Match 'Host: lab-127-40-10-2'
        $text | Should -Match 'Command:conntrack\s+True\s+Required'
    }
}

Describe 'Test-HaNode input binding' {
    It 'binds CSV rows by property name' {
        $csv = Join-Path $Work 'nodes.csv'
        $Hosts | Select-Object Name, Address, Port, User, PrivateKeyPath, @{ n = 'Role'; e = { 'worker' } } | Export-Csv -Path $csv
        $results = @(Import-Csv $csv | Test-HaNode -KnownHostsPath $KnownHosts)
        ($results | Select-Object -ExpandProperty Address -Unique) | Should -Be ($Hosts | ForEach-Object Address)
        ($results | Where-Object Check -Like 'Port:*' | Select-Object -ExpandProperty Check -Unique) | Should -Be 'Port:10250'
        ($results | Where-Object Check -EQ Ssh).Passed | Should -Be @($true, $true)
    }

    It 'binds New-HaHost objects, including their password for sudo' -Skip:(-not ((id -u) -eq '0')) {
        $node = New-HaHost -Name node1 -Address $Hosts[0].Address -User $Hosts[0].User -Credential $Hosts[0].Credential
        $results = @($node | Test-HaNode -KnownHostsPath $KnownHosts -Role Worker)
        ($results | Select-Object -ExpandProperty Host -Unique) | Should -Be 'node1'
        ($results | Where-Object Check -EQ Sudo).Detail | Should -Be 'sudo accepts the password'
        $results | Where-Object { $_.Severity -eq 'Required' -and -not $_.Passed } | Should -BeNullOrEmpty
    }

    It 'binds plain addresses by value' {
        $results = @($Hosts[0].Address | Test-HaNode -User $Hosts[0].User -PrivateKeyPath $Hosts[0].PrivateKeyPath -KnownHostsPath $KnownHosts)
        $results[0].Check | Should -Be 'Ssh'
        $results[0].Passed | Should -BeTrue
    }

    It 'rejects a missing key file before connecting, with a specific error' {
        $missing = Join-Path $Work 'no-such-key'
        $results = @(Test-HaNode -Address $Hosts[0].Address -PrivateKeyPath $missing -KnownHostsPath $KnownHosts -ErrorVariable err -ErrorAction SilentlyContinue)
        $results | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'SshKeyFileNotFound,HaCluster.Commands.TestHaNodeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be $missing
    }

    It 'rejects an invalid port at binding' {
        { Test-HaNode -Address $Hosts[0].Address -Port 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,HaCluster.Commands.TestHaNodeCommand'
    }
}

Describe 'Test-HaNode on a host without socat' {
    It 'fails the Required socat check and nothing else that is required' {
        $results = @($NoSocat | Test-HaNode -KnownHostsPath $KnownHosts -Role Worker)
        $socat = $results | Where-Object Check -EQ 'Command:socat'
        $socat.Passed | Should -BeFalse
        $socat.Severity | Should -Be 'Required'
        $socat.Detail | Should -Match 'not installed'
        ($results | Where-Object { $_.Severity -eq 'Required' -and -not $_.Passed }).Check | Should -Be 'Command:socat'
        $NoSocat | Test-HaNode -KnownHostsPath $KnownHosts -Quiet | Should -BeFalse
    }
}

Describe 'Test-HaNode host-key verification' {
    It 'refuses an unknown host, then trusts it on first use and records it' {
        $file = Join-Path $Work 'tofu_known_hosts'
        $refused = @($Hosts[0] | Test-HaNode -KnownHostsPath $file)
        $refused.Count | Should -Be 1
        $refused[0].Check | Should -Be 'Ssh'
        $refused[0].Passed | Should -BeFalse
        $refused[0].ErrorId | Should -Be 'SshHostKeyUnknown'
        $refused[0].Detail | Should -Match ([regex]::Escape($Hosts[0].HostKeyFingerprint))

        $accepted = @($Hosts[0] | Test-HaNode -KnownHostsPath $file -AcceptNewHostKey -WarningVariable warnings 3>$null)
        ($accepted | Where-Object Check -EQ Ssh).Passed | Should -BeTrue
        Get-Content $file | Should -Be $Hosts[0].KnownHostsLine
        "$warnings" | Should -Match ([regex]::Escape($Hosts[0].HostKeyFingerprint))
    }

    It 'refuses a changed key even with -AcceptNewHostKey and names both fingerprints' {
        $file = Join-Path $Work 'changed_known_hosts'
        $before = Start-LabHost -Address 127.40.10.4
        ($before | Test-HaNode -KnownHostsPath $file -AcceptNewHostKey -WarningAction SilentlyContinue | Where-Object Check -EQ Ssh).Passed | Should -BeTrue
        $after = Start-LabHost -Address 127.40.10.4
        $result = @($after | Test-HaNode -KnownHostsPath $file -AcceptNewHostKey)
        $result.Count | Should -Be 1
        $result[0].ErrorId | Should -Be 'SshHostKeyChanged'
        $result[0].Detail | Should -Match ([regex]::Escape($before.HostKeyFingerprint))
        $result[0].Detail | Should -Match ([regex]::Escape($after.HostKeyFingerprint))
        $result[0].Detail | Should -Match '127\.40\.10\.4'
    }
}

Describe 'Test-HaNode against an endpoint that accepts TCP but never sends an SSH banner' {
    It 'fails the Ssh check with SshConnectTimeout after its attempts, and the message states the bound' {
        # A plain listener: the kernel completes the TCP handshake, nobody ever writes a byte.
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse('127.40.10.250'), 0)
        $silent.Start()
        try {
            $port = $silent.LocalEndpoint.Port
            $login = [pscredential]::new('nobody', (ConvertTo-SecureString 'unused-Pw-1' -AsPlainText -Force))
            $results = @(Test-HaNode -Address 127.40.10.250 -Port $port -Credential $login -KnownHostsPath $KnownHosts -ConnectTimeoutSec 1 -Verbose 4>&1)
            $verbose = @($results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $ssh = @($results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
            $ssh.Count | Should -Be 1
            $ssh[0].Check | Should -Be 'Ssh'
            $ssh[0].Passed | Should -BeFalse
            $ssh[0].ErrorId | Should -Be 'SshConnectTimeout'
            # 2 attempts of at most 1 s, 1 s apart: 2 x 1 + 1 = 3 s, stated in the message.
            $ssh[0].Detail | Should -Match "127\.40\.10\.250:$port.*no SSH session within 3 s, the bound of one connect \(2 attempt\(s\) of at most 1 s, 1 s apart\)"
            @($verbose | Where-Object Message -Match 'connect attempt 1 of 2 failed').Count | Should -Be 1
        }
        finally {
            $silent.Stop()
        }
    }
}

Describe 'Test-HaNode keeps passwords secret' -Skip:(-not ((id -u) -eq '0')) {
    It 'never writes the password to any stream, even with -Verbose and -Debug' {
        $all = & {
            $Hosts | Test-HaNode -KnownHostsPath $KnownHosts -Verbose -Debug
            # A wrong password: the failure text must not carry it either.
            $wrong = [pscredential]::new($Hosts[0].User, (ConvertTo-SecureString 'Wrong-Pw-9931' -AsPlainText -Force))
            Test-HaNode -Address $Hosts[0].Address -Credential $wrong -KnownHostsPath $KnownHosts -Verbose
        } *>&1 | ForEach-Object { $_ | Format-List * -Force | Out-String -Width 500 }
        $text = $all -join "`n"
        $text | Should -Match 'SshAuthenticationFailed'
        $text | Should -Match 'sudo accepts the password'
        $text | Should -Not -Match ([regex]::Escape($LabPassword))
        $text | Should -Not -Match 'Wrong-Pw-9931'
    }
}
