# Copyright (c) HaCluster contributors. MIT License.
# The published emulator as a process: the issue's YAML, a from-scratch PowerShell signer, the request log, --help.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/EmulatorHelpers.ps1

    # An independent signer (reference §1.3), written here without the engine: sorted names, RFC 3986
    # encoding with uppercase hex (EscapeDataString), "METHOD\nPATH\nQUERY", HMAC-SHA256, base64.
    function Invoke-RawQingCloud {
        param(
            [psobject] $Emulator,
            [string] $Action,
            [hashtable] $Parameters = @{},
            [string] $Method = 'GET',
            [string] $Path = '/iaas/',
            [string] $Secret = $Emulator.Secret
        )

        $all = @{
            action            = $Action
            zone              = $Emulator.Zone
            access_key_id     = $Emulator.AccessKeyId
            signature_method  = 'HmacSHA256'
            signature_version = '1'
            version           = '1'
            time_stamp        = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
        }
        foreach ($name in $Parameters.Keys) {
            $all[$name] = [string]$Parameters[$name]
        }

        $names = [string[]]$all.Keys
        [Array]::Sort($names, [StringComparer]::Ordinal)
        $query = ($names | ForEach-Object { [Uri]::EscapeDataString($_) + '=' + [Uri]::EscapeDataString($all[$_]) }) -join '&'
        $hmac = [System.Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Secret))
        try {
            $signature = [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes("$Method`n$Path`n$query")))
        }
        finally {
            $hmac.Dispose()
        }

        $signed = $query + '&signature=' + [Uri]::EscapeDataString($signature)
        $uri = $Emulator.BaseUri.TrimEnd('/') + $Path
        $response = if ($Method -eq 'GET') {
            Invoke-WebRequest -Uri ($uri + '?' + $signed)
        }
        else {
            Invoke-WebRequest -Uri $uri -Method Post -Body $signed -ContentType 'application/x-www-form-urlencoded'
        }

        $response.Headers['Content-Type'] | Should -BeLike 'application/json*'
        $response.Content | ConvertFrom-Json
    }

    $emulator = Start-TestEmulator -ConfigPath (Join-Path $PSScriptRoot '../../src/HaCluster.Emulator/examples/emulator.yaml')
}

AfterAll {
    Stop-TestEmulator -Emulator $emulator
}

Describe 'The emulator process' {
    It 'serves the issue''s YAML as written, answering an independent signer' {
        $emulator.Endpoint | Should -Match '^http://127\.0\.0\.1:\d+/iaas/$'
        $emulator.AccessKeyId | Should -Be 'QYACCESSKEYIDEXAMPLE'
        $result = Invoke-RawQingCloud -Emulator $emulator -Action DescribeInstances -Parameters @{ search_word = 'master' }
        $result.ret_code | Should -Be 0
        $result.action | Should -Be 'DescribeInstancesResponse'
        $result.instance_set.instance_id | Should -Be 'i-master01'
        $result.instance_set[0].vxnets[0].private_ip | Should -Be '127.0.0.2'
    }

    It 'accepts form POST on /iaas and unusual characters in values' {
        $result = Invoke-RawQingCloud -Emulator $emulator -Action CreateSecurityGroup -Method POST -Path '/iaas' -Parameters @{ security_group_name = 'fw lb/测试~*+' }
        $result.ret_code | Should -Be 0
        $result.security_group_id | Should -Match '^sg-[a-z0-9]{8}$'
        (Invoke-RawQingCloud -Emulator $emulator -Action DescribeSecurityGroups -Parameters @{ 'security_groups.1' = $result.security_group_id }).security_group_set[0].security_group_name | Should -Be 'fw lb/测试~*+'
    }

    It 'rejects a wrong secret with 1200' {
        (Invoke-RawQingCloud -Emulator $emulator -Action DescribeVxnets -Secret 'WRONG').ret_code | Should -Be 1200
    }

    It 'runs an asynchronous create to completion' {
        $created = Invoke-RawQingCloud -Emulator $emulator -Action CreateLoadBalancer -Parameters @{ vxnet = 'vxnet-pn'; loadbalancer_name = 'pester' }
        $created.ret_code | Should -Be 0
        $status = 'pending'
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($status -in 'pending', 'working' -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 100
            $status = (Invoke-RawQingCloud -Emulator $emulator -Action DescribeJobs -Parameters @{ 'jobs.1' = $created.job_id }).job_set[0].status
        }

        $status | Should -Be 'successful'
        $lb = (Invoke-RawQingCloud -Emulator $emulator -Action DescribeLoadBalancers -Parameters @{ 'loadbalancers.1' = $created.loadbalancer_id }).loadbalancer_set[0]
        $lb.status | Should -Be 'active'
        $lb.private_ips[0] | Should -Be '127.0.0.253'
    }

    It 'logs every call with its parameters but not the signature' {
        $log = Get-EmulatorRequestLog -Emulator $emulator -Action DescribeInstances
        $log.Count | Should -BeGreaterOrEqual 1
        $log[0].params.search_word | Should -Be 'master'
        $log[0].ret_code | Should -Be 0
        $log[0].params.PSObject.Properties.Name | Should -Not -Contain 'signature'
        (Get-EmulatorRequestLog -Emulator $emulator -Action DescribeVxnets)[0].ret_code | Should -Be 1200
    }

    It 'goes back to its initial state on reset' {
        Reset-TestEmulator -Emulator $emulator
        Get-EmulatorRequestLog -Emulator $emulator | Should -BeNullOrEmpty
        (Invoke-RawQingCloud -Emulator $emulator -Action DescribeLoadBalancers).total_count | Should -Be 0
    }
}

Describe 'The emulator command line' {
    BeforeAll {
        $dll = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../out/tools/emulator/HaCluster.Emulator.dll'))
        $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    }

    It 'documents the configuration schema in --help' {
        $help = & $dotnet $dll --help | Out-String
        $LASTEXITCODE | Should -Be 0
        foreach ($key in 'listen', 'accounts', 'zones', 'vxnets', 'instances', 'eip_pool', 'job_latency_ms', 'lease_window_ms', 'health_check_time_scale', 'ret_code_5100_rate', 'ret_code_5300_rate', 'http_5xx_rate', 'drop_connection_rate', 'failed_job_rate', 'seed', '/_emulator/requests', '/_emulator/reset') {
            $help | Should -Match ([regex]::Escape($key))
        }
    }

    It 'refuses an invalid config with exit code 2 and names the problem' {
        $bad = Join-Path ([System.IO.Path]::GetTempPath()) ("emulator-bad-$([guid]::NewGuid().ToString('n')).yaml")
        Set-Content -LiteralPath $bad -Value 'eip_pool: not-a-cidr'
        try {
            $output = & $dotnet $dll --config $bad 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 2
            $output | Should -Match 'not-a-cidr'
        }
        finally {
            Remove-Item -LiteralPath $bad
        }
    }

    It 'reports a missing emulator clearly' {
        { Start-TestEmulator -ConfigYaml 'zones: [pek3b]' -EmulatorPath '/nonexistent/HaCluster.Emulator.dll' } | Should -Throw '*Build first*'
    }
}
