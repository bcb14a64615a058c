# Copyright (c) HaCluster contributors. MIT License.
# The README's one-command demo (build.ps1 -Task Demo runs tests/Lab/Start-Demo.ps1 after the build) against the built module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function script:Test-Listening([string] $Address, [int] $Port) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.ConnectAsync($Address, $Port).Wait(1000) -and $client.Connected } catch { $false } finally { $client.Dispose() }
    }
}

Describe 'The demo' {
    BeforeAll {
        # The demo's fixed addresses: the emulator on 127.0.0.1:7878, the lab's sshd and kk's stand-ins on 127.0.0.2-7.
        $demo = Join-Path $RepoRoot 'tests/Lab/Start-Demo.ps1'
        $script:Output = Invoke-FreshPwsh -Script "try { & '$demo' -ModuleManifest '$ModuleManifest'; 'DEMO-RESULT: ok' } catch { ""DEMO-RESULT: `$_"" }"
        $script:Text = $Output -join "`n"
    }

    It 'runs the tutorial end to end without an error' {
        $Output[-1] | Should -Be 'DEMO-RESULT: ok' -Because (($Output | Select-Object -Last 20) -join "`n")
        $Text | Should -Match 'Demo finished in \d+ s'
    }

    It 'shows the plan, the healthy cluster and the failover drill passing' {
        $Text | Should -Match "What if: Build HA cluster 'demo' in \d+ steps"
        $Text | Should -Match 'Health\s+: Healthy'
        $Text | Should -Match 'FailoverApiViaVip\s+\S+\s+True'
        $Text | Should -Match 'FailoverConsoleViaEip\s+\S+\s+True'
        $Text | Should -Match 'HTTP 200: KubeSphere'
    }

    It 'removes what it created and leaves nothing running' {
        $Text | Should -Match 'Load balancers left: 0; EIPs left: 0'
        Test-Listening 127.0.0.1 7878 | Should -BeFalse -Because 'the emulator is stopped'
        foreach ($port in 22, 6443, 30880) {
            Test-Listening 127.0.0.2 $port | Should -BeFalse -Because "nothing of the lab listens on 127.0.0.2:$port any more"
        }
    }

    It 'never prints the secret key it typed in' {
        $Text | Should -Not -MatchExactly 'SECRETACCESSKEY'
    }
}
