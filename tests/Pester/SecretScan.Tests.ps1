# Copyright (c) HaCluster contributors. MIT License.
# Secret scan: a canary secret access key and a canary node password go through the cmdlets with -Verbose -Debug under
# a transcript; every stream, Export-Clixml and ConvertTo-Json of every output object, every error record, the state
# file and every file written are searched for them: 0 hits. The exported kk config must hold the password: it is the
# one documented exception, and it is 0600. Emulator on 127.65.200.0/24 (VxNet) and 127.65.201.0/24 (EIPs).

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/EmulatorHelpers.ps1

    $script:CanarySecret = 'CanarySecret-' + [guid]::NewGuid().ToString('N')
    $script:CanaryPassword = 'CanaryPw-' + [guid]::NewGuid().ToString('N').Substring(0, 16)
    $script:Emulator = Start-DemoWorldEmulator -Network 127.65.200 -EipNetwork 127.65.201 -Settings @(
        'accounts:', "  - { access_key_id: QYCANARYKEY, secret_access_key: $CanarySecret }"
        'job_latency_ms: 30', 'lease_window_ms: 0', 'health_check_time_scale: 0.05')
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-secretscan-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Secure = ConvertTo-SecureString $CanarySecret -AsPlainText -Force
    $script:Credential = [pscredential]::new('root', (ConvertTo-SecureString $CanaryPassword -AsPlainText -Force))
    $script:KkConfigPath = Join-Path $Work 'config-sample.yaml'
    $script:StatePath = Join-Path $Work 'scan.hacluster.json'

    # Everything a user could see or keep: streams, objects as Clixml and JSON, error records.
    $script:Seen = [System.Text.StringBuilder]::new()
    function script:Invoke-Scanned([scriptblock] $Command) {
        # A terminating error is scanned too: its record is what the user sees.
        $all = try { @(& $Command *>&1) } catch { @($_) }
        $all | Out-Host # into the transcript, as a user's console would show it
        foreach ($item in $all) {
            if ($null -eq $item) { continue }
            $null = $Seen.AppendLine(($item | Out-String -Width 400))
            if ($item -is [System.Management.Automation.ErrorRecord]) {
                $null = $Seen.AppendLine("$($item.FullyQualifiedErrorId) $($item.Exception) $($item.TargetObject) $($item.ErrorDetails)")
                continue
            }
            if ($item -is [System.Management.Automation.InformationalRecord]) { $null = $Seen.AppendLine($item.Message); continue }
            $xml = Join-Path $Work ('object-' + [guid]::NewGuid().ToString('N') + '.clixml')
            $item | Export-Clixml -Path $xml -Depth 5
            $null = $Seen.AppendLine((Get-Content -Raw $xml))
            Remove-Item $xml
            $null = $Seen.AppendLine(($item | ConvertTo-Json -Depth 5 -WarningAction SilentlyContinue))
            $null = $Seen.AppendLine(($item | Format-List * -Force | Out-String -Width 400))
        }
        $all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.InformationalRecord] }
    }

    $script:Transcript = Join-Path $Work 'transcript.txt'
    Start-Transcript -Path $Transcript -Force | Out-Null
    try {
        $common = @{ Verbose = $true; Debug = $true }
        Invoke-Scanned { Connect-QingCloud -AccessKeyId QYCANARYKEY -SecretAccessKey $Secure -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint -PassThru @common }
        Invoke-Scanned { Get-QcContext @common }
        Invoke-Scanned { Get-QcInstance @common }
        Invoke-Scanned { Get-QcVxNet @common }
        $eip = Invoke-Scanned { New-QcEip -Name scan-eip @common }
        $group = Invoke-Scanned { New-QcSecurityGroup -Name scan-internal @common }
        $lb = Invoke-Scanned { New-QcLoadBalancer -Name scan-internal -VxNet pn -SecurityGroup $group @common }
        $listener = Invoke-Scanned { $lb | Add-QcLbListener -Port 6443 -OpenFirewall @common }
        Invoke-Scanned { Get-QcInstance -Name master1 | Add-QcLbBackend -Listener $listener -Port 6443 @common }
        Invoke-Scanned { $lb | Update-QcLoadBalancer @common }
        Invoke-Scanned { Get-QcLoadBalancer -Detailed @common; $lb | Get-QcLbListener @common; $listener | Get-QcLbBackend @common; Get-QcEip @common; Get-QcSecurityGroup @common }
        Invoke-Scanned { $lb | Remove-QcLoadBalancer -PassThru -Confirm:$false @common }
        Invoke-Scanned { $group | Remove-QcSecurityGroup -PassThru -Confirm:$false @common }
        Invoke-Scanned { $eip | Remove-QcEip -Force -PassThru -Confirm:$false @common }

        $hosts = Invoke-Scanned { 1..3 | ForEach-Object { New-HaHost "master$_" "127.65.200.$($_ + 1)" -Credential $Credential @common } }
        $config = Invoke-Scanned { $hosts | New-HaClusterConfig -ControlPlane master1, master2, master3 -ControlPlaneEndpoint 127.65.200.250 @common }
        Invoke-Scanned { $config | Export-HaClusterConfig -Path $KkConfigPath @common }
        Invoke-Scanned { Import-HaClusterConfig -Path $KkConfigPath @common }
        Invoke-Scanned { Test-HaClusterConfig -Path $KkConfigPath @common }
        $cluster = Invoke-Scanned { New-HaCluster -Name scan -ControlPlane (Get-QcInstance -Name master*) -Worker (Get-QcInstance -Name node*) -VxNet pn -Credential $Credential -SkipInstall -StatePath $StatePath -Confirm:$false @common }
        $script:StateText = Get-Content -Raw $StatePath
        Invoke-Scanned { Get-HaCluster -StatePath $StatePath @common }
        Invoke-Scanned { $cluster | Remove-HaCluster -Confirm:$false @common }

        # Failures carry error records: a wrong secret, a node nobody answers on.
        Invoke-Scanned { Connect-QingCloud -AccessKeyId QYCANARYKEY -SecretAccessKey (ConvertTo-SecureString ($CanarySecret + 'x') -AsPlainText -Force) -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint @common; Get-QcInstance @common }
        Invoke-Scanned { Install-HaMaster -Config $config -TaskBox 127.65.200.99 -Credential $Credential -ErrorAction Continue @common }
        Invoke-Scanned { $hosts[0] | Test-HaNode -ErrorAction Continue @common }
    }
    finally {
        Stop-Transcript | Out-Null
        Disconnect-QingCloud -ErrorAction SilentlyContinue
    }
}

AfterAll {
    Stop-TestEmulator $Emulator
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Secret scan' {
    It 'the canaries went through the cmdlets (the scan could find them)' {
        $Seen.Length | Should -BeGreaterThan 10000
        $StateText | Should -Not -BeNullOrEmpty
        (Get-Content -Raw $KkConfigPath) | Should -Match ([regex]::Escape($CanaryPassword)) -Because 'the kk config must hold the password: kk logs in with it'
    }

    It 'no stream, object (Clixml, JSON, Format-List) or error record shows the secret key or the password' {
        $text = $Seen.ToString()
        $text | Should -Not -Match ([regex]::Escape($CanarySecret))
        $text | Should -Not -Match ([regex]::Escape($CanaryPassword))
    }

    It 'the transcript of the -Verbose -Debug run shows neither' {
        $text = Get-Content -Raw $Transcript
        $text.Length | Should -BeGreaterThan 10000
        $text | Should -Not -Match ([regex]::Escape($CanarySecret))
        $text | Should -Not -Match ([regex]::Escape($CanaryPassword))
    }

    It 'the state file and every file written hold neither, except the kk config, which is 0600' {
        $StateText | Should -Not -Match ([regex]::Escape($CanaryPassword))
        $StateText | Should -Not -Match ([regex]::Escape($CanarySecret))
        foreach ($file in Get-ChildItem $Work -File -Recurse | Where-Object FullName -NE $KkConfigPath) {
            $content = Get-Content -Raw $file.FullName
            if ($content) {
                $content | Should -Not -Match ([regex]::Escape($CanarySecret)) -Because $file.Name
                if ($file.FullName -ne $Transcript) { $content | Should -Not -Match ([regex]::Escape($CanaryPassword)) -Because $file.Name }
            }
        }
        if (-not $IsWindows) { (Get-Item $KkConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
    }
}
