# Copyright (c) HaCluster contributors. MIT License.
# Pester helpers: start the published emulator on a free loopback port, read its request log, sign calls independently.

function Start-TestEmulator {
    <#
    .SYNOPSIS
    Starts the QingCloud emulator as a separate process on a free port and waits until it answers.
    .DESCRIPTION
    Runs `dotnet <repo>/out/tools/emulator/HaCluster.Emulator.dll --listen http://127.0.0.1:0 [--config <file>]`
    (build.ps1 -Task Build publishes it there). The emulator prints the port it bound; this waits for that line
    and for /_emulator/requests to answer. Returns Endpoint (…/iaas/), BaseUri, Process, AccessKeyId, Secret,
    Zone and the temp WorkDirectory holding the config and the emulator's output. Stop it with Stop-TestEmulator.
    .PARAMETER ConfigPath
    A YAML config file (the emulator's --help documents the schema). Its `listen` is overridden with port 0.
    .PARAMETER ConfigYaml
    YAML text, written to a temp file and used like -ConfigPath.
    .PARAMETER EmulatorPath
    The emulator dll; defaults to the published one under out/tools/emulator.
    .PARAMETER TimeoutSeconds
    How long to wait for the emulator to answer.
    .PARAMETER NoDataPlane
    Start it with --no-data-plane: the whole API, but no listener binds a socket (benchmarks of the control plane).
    #>
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Path')]
        [string] $ConfigPath,

        [Parameter(Mandatory, ParameterSetName = 'Yaml')]
        [string] $ConfigYaml,

        [string] $EmulatorPath = (Join-Path $PSScriptRoot '../../out/tools/emulator/HaCluster.Emulator.dll'),

        [int] $TimeoutSeconds = 60,

        [switch] $NoDataPlane
    )

    $dll = [System.IO.Path]::GetFullPath($EmulatorPath)
    if (-not (Test-Path -LiteralPath $dll)) {
        throw "Emulator not found at '$dll'. Build first: dotnet pwsh ./build.ps1 -Task Build"
    }

    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-emulator-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $work
    if ($PSCmdlet.ParameterSetName -eq 'Yaml') {
        $ConfigPath = Join-Path $work 'emulator.yaml'
        Set-Content -LiteralPath $ConfigPath -Value $ConfigYaml -Encoding utf8NoBOM
    }

    $arguments = @($dll, '--listen', 'http://127.0.0.1:0')
    if ($NoDataPlane) { $arguments += '--no-data-plane' }
    $yaml = ''
    if ($ConfigPath) {
        $ConfigPath = (Resolve-Path -LiteralPath $ConfigPath).Path
        $arguments += @('--config', $ConfigPath)
        $yaml = Get-Content -LiteralPath $ConfigPath -Raw
    }

    # `dotnet pwsh` runs inside the dotnet host, which is then the dotnet to use.
    $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    $stdout = Join-Path $work 'stdout.log'
    $stderr = Join-Path $work 'stderr.log'
    $process = Start-Process -FilePath $dotnet -ArgumentList $arguments -RedirectStandardOutput $stdout -RedirectStandardError $stderr -NoNewWindow -PassThru

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $delay = 20
    $base = $null
    while (-not $base) {
        if ($process.HasExited) {
            $message = (Get-Content -LiteralPath $stderr -Raw -ErrorAction SilentlyContinue)
            Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
            throw "The emulator exited with code $($process.ExitCode): $message"
        }

        $line = Get-Content -LiteralPath $stdout -ErrorAction SilentlyContinue | Select-String -Pattern 'listening on (http://\S+/)' | Select-Object -First 1
        if ($line) {
            $base = $line.Matches[0].Groups[1].Value
            break
        }

        if ([DateTime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
            throw "The emulator did not report its address within $TimeoutSeconds s."
        }

        Start-Sleep -Milliseconds $delay
        $delay = [Math]::Min($delay * 2, 250)
    }

    while ($true) {
        try {
            $null = Invoke-RestMethod -Uri ($base + '_emulator/requests') -TimeoutSec 5
            break
        }
        catch {
            if ([DateTime]::UtcNow -gt $deadline) {
                Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
                throw "The emulator at $base did not answer within $TimeoutSeconds s: $_"
            }

            Start-Sleep -Milliseconds 50
        }
    }

    # The first account and zone of the config (flow or block YAML), else the built-in ones.
    $key = if ($yaml -match 'access_key_id:\s*([^\s,}]+)') { $Matches[1] } else { 'QYACCESSKEYIDEXAMPLE' }
    $secret = if ($yaml -match 'secret_access_key:\s*([^\s,}]+)') { $Matches[1] } else { 'SECRETACCESSKEY' }
    $zone = if ($yaml -match 'zones:\s*\[\s*([^\s,\]]+)') { $Matches[1] } elseif ($yaml -match 'zones:\s*\r?\n\s*-\s*(\S+)') { $Matches[1] } else { 'pek3b' }

    [pscustomobject]@{
        PSTypeName    = 'HaCluster.TestEmulator'
        Endpoint      = $base + 'iaas/'
        BaseUri       = $base
        Process       = $process
        AccessKeyId   = $key
        Secret        = $secret
        Zone          = $zone
        ConfigPath    = $ConfigPath
        WorkDirectory = $work
    }
}

function Start-DemoWorldEmulator {
    <#
    .SYNOPSIS
    Start-TestEmulator with the demo world (VxNet pn, master1-3 and node1-3 on .2-.7) moved to a test's own /24s.
    .PARAMETER Network
    The VxNet's first three octets, e.g. 127.63.200.
    .PARAMETER EipNetwork
    The EIP pool's first three octets.
    .PARAMETER Settings
    Further top-level YAML lines (job_latency_ms, faults …).
    #>
    param(
        [Parameter(Mandatory)] [string] $Network,
        [Parameter(Mandatory)] [string] $EipNetwork,
        [string[]] $Settings = @()
    )
    $names = 'master1', 'master2', 'master3', 'node1', 'node2', 'node3'
    $ids = 'i-master01', 'i-master02', 'i-master03', 'i-node0001', 'i-node0002', 'i-node0003'
    $instances = for ($i = 0; $i -lt 6; $i++) {
        "  - { instance_id: $($ids[$i]), instance_name: $($names[$i]), vxnet_id: vxnet-pn, private_ip: $Network.$($i + 2) }"
    }
    Start-TestEmulator -ConfigYaml ((@('vxnets:', "  - { vxnet_id: vxnet-pn, vxnet_name: pn, ip_network: $Network.0/24 }", 'instances:') + $instances + @("eip_pool: $EipNetwork.0/24") + $Settings) -join "`n")
}

function Stop-TestEmulator {
    <#
    .SYNOPSIS
    Stops an emulator started by Start-TestEmulator (only that process) and removes its temp files.
    .PARAMETER Emulator
    The object Start-TestEmulator returned.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [AllowNull()]
        [psobject] $Emulator
    )

    process {
        if (-not $Emulator) {
            return
        }

        if (-not $Emulator.Process.HasExited) {
            $Emulator.Process.Kill()
            $null = $Emulator.Process.WaitForExit(10000)
        }

        $Emulator.Process.Dispose()
        Remove-Item -LiteralPath $Emulator.WorkDirectory -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Get-EmulatorRequestLog {
    <#
    .SYNOPSIS
    The emulator's request log: one object per API call with sequence, time, method, path, action, params
    (without the signature), ret_code, message and fault.
    .PARAMETER Emulator
    The object Start-TestEmulator returned.
    .PARAMETER Action
    Only calls of this action.
    .PARAMETER Since
    Only calls after this sequence number.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [psobject] $Emulator,

        [string] $Action,

        [long] $Since = 0
    )

    $query = "?since=$Since"
    if ($Action) {
        $query += '&action=' + [Uri]::EscapeDataString($Action)
    }

    (Invoke-RestMethod -Uri ($Emulator.BaseUri + '_emulator/requests' + $query)).requests
}

function Reset-TestEmulator {
    <#
    .SYNOPSIS
    Puts the emulator back to its configured initial state and empties its request log.
    .PARAMETER Emulator
    The object Start-TestEmulator returned.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [psobject] $Emulator
    )

    $null = Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/reset')
}

function Get-IndependentSignature {
    <#
    .SYNOPSIS
    A from-scratch QingCloud signer (reference/qingcloud-api.md §1.3) that shares no code with the engine.
    .DESCRIPTION
    Returns Query (the sorted, percent-encoded query string) and Signature (base64 HMAC-SHA256 of
    "<Method>`n<Path>`n<Query>").
    .PARAMETER Method
    The HTTP method.
    .PARAMETER Path
    The URI path, e.g. /iaas/.
    .PARAMETER Parameters
    Every request parameter except signature.
    .PARAMETER Secret
    The secret access key.
    #>
    param([string] $Method, [string] $Path, [System.Collections.IDictionary] $Parameters, [string] $Secret)
    $encode = {
        param([string] $Text)
        $builder = [System.Text.StringBuilder]::new()
        foreach ($byte in [System.Text.Encoding]::UTF8.GetBytes($Text)) {
            $char = [char]$byte
            if (($char -ge 'A' -and $char -le 'Z') -or ($char -ge 'a' -and $char -le 'z') -or ($char -ge '0' -and $char -le '9') -or $char -in '-', '_', '.', '~') {
                [void]$builder.Append($char)
            }
            else {
                [void]$builder.Append('%').Append($byte.ToString('X2'))
            }
        }
        $builder.ToString()
    }
    $names = [string[]]@($Parameters.Keys)
    [System.Array]::Sort($names, [System.StringComparer]::Ordinal)
    $query = ($names | ForEach-Object { (& $encode $_) + '=' + (& $encode ([string]$Parameters[$_])) }) -join '&'
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($Secret))
    try {
        $signature = [Convert]::ToBase64String($hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes("$Method`n$Path`n$query")))
    }
    finally {
        $hmac.Dispose()
    }
    [pscustomobject]@{ Query = $query; Signature = $signature }
}

function Invoke-IndependentQingCloud {
    <#
    .SYNOPSIS
    Calls an emulator action signed by Get-IndependentSignature (not through the module); returns the parsed reply.
    .DESCRIPTION
    Lets tests make what the module has no cmdlet for (CreateTag, AttachTags, …) and check the emulator's signature
    handling independently of the engine.
    .PARAMETER Emulator
    The object Start-TestEmulator returned.
    .PARAMETER Action
    The QingCloud action.
    .PARAMETER Parameters
    The action's parameters (flattened, e.g. 'instances.1').
    .PARAMETER Path
    The URI path.
    #>
    param([psobject] $Emulator, [string] $Action, [hashtable] $Parameters = @{}, [string] $Path = '/iaas/')
    $all = [ordered]@{
        action            = $Action
        access_key_id     = $Emulator.AccessKeyId
        signature_method  = 'HmacSHA256'
        signature_version = '1'
        time_stamp        = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [cultureinfo]::InvariantCulture)
        version           = '1'
        zone              = $Emulator.Zone
    }
    foreach ($key in $Parameters.Keys) { $all[$key] = $Parameters[$key] }
    $signed = Get-IndependentSignature -Method GET -Path $Path -Parameters $all -Secret $Emulator.Secret
    $uri = $Emulator.BaseUri.TrimEnd('/') + $Path + '?' + $signed.Query + '&signature=' + [Uri]::EscapeDataString($signed.Signature)
    Invoke-RestMethod -Uri $uri
}
