# Copyright (c) HaCluster contributors. MIT License.
# PowerShell face of the SSH lab: a thin wrapper over lab.sh (the one implementation) for Pester and build.ps1.

$script:LabScript = Join-Path $PSScriptRoot 'lab.sh'

function Invoke-LabScript {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string[]] $Arguments)
    $output = & bash $script:LabScript @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "lab.sh $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
    $output
}

function Get-LabOption {
    param([string] $Root, [int] $Port, [string] $BinPath, [string[]] $ExcludeCommand)
    $options = @()
    if ($Root) { $options += '--root', $Root }
    if ($Port) { $options += '--port', "$Port" }
    if ($BinPath) { $options += '--bin', $BinPath }
    if ($ExcludeCommand) { $options += '--exclude', ($ExcludeCommand -join ',') }
    $options
}

<#
.SYNOPSIS
Starts one OpenSSH sshd per loopback address and returns a host object for each.
.DESCRIPTION
Each host gets its own host key, sshd_config, pid file and log under the lab root; sessions see the lab's bin
folder first on PATH. As root the hosts accept the lab user (password and key); otherwise the current user (key).
A host already running on the same address and port is restarted with a fresh host key. The returned objects bind
to Test-HaNode by property name (Name, Address, Port, User, Credential, PrivateKeyPath).
.PARAMETER Address
Loopback addresses (127.x.y.z) or ranges such as 127.40.0.2-51.
.PARAMETER Port
SSH port; 22 as root, 2222 otherwise.
.PARAMETER BinPath
Folder put first on the sessions' PATH; defaults to <root>/bin.
.PARAMETER ExcludeCommand
Commands hidden from the sessions' PATH (to test what happens when a node lacks them).
.PARAMETER Root
Lab state folder; defaults to $env:HACLUSTER_LAB_ROOT or /tmp/hacluster-lab-<uid>.
.PARAMETER KeyAuthOnly
Leave the Credential off the host objects (key authentication only).
#>
function Start-LabHost {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][string[]] $Address,
        [int] $Port,
        [string] $BinPath,
        [string[]] $ExcludeCommand,
        [string] $Root,
        [switch] $KeyAuthOnly
    )
    $arguments = @('start') + (Get-LabOption -Root $Root -Port $Port -BinPath $BinPath -ExcludeCommand $ExcludeCommand) + $Address
    foreach ($line in Invoke-LabScript -Arguments $arguments) {
        $h = $line | ConvertFrom-Json
        $credential = $null
        if ($h.Password -and -not $KeyAuthOnly) {
            $credential = [pscredential]::new($h.User, (ConvertTo-SecureString $h.Password -AsPlainText -Force))
        }
        [pscustomobject]@{
            PSTypeName         = 'HaCluster.LabHost'
            Name               = $h.Name
            Address            = $h.Address
            Port               = [int]$h.Port
            User               = $h.User
            Credential         = $credential
            PrivateKeyPath     = $h.PrivateKeyPath
            PassphraseKeyPath  = $h.PassphraseKeyPath
            Passphrase         = ConvertTo-SecureString $h.Passphrase -AsPlainText -Force
            HostKeyType        = $h.HostKeyType
            HostKeyFingerprint = $h.HostKeyFingerprint
            KnownHostsLine     = $h.KnownHostsLine
            Pid                = [int]$h.Pid
            BinPath            = $h.BinPath
            Root               = $h.Root
        }
    }
}

<#
.SYNOPSIS
Stops lab hosts by the pid in their pid files.
.PARAMETER Address
Addresses or ranges to stop; lab host objects bind by property name.
.PARAMETER Port
SSH port the hosts were started on.
.PARAMETER Root
Lab state folder.
.PARAMETER All
Stop every host under the lab root.
#>
function Stop-LabHost {
    [CmdletBinding(DefaultParameterSetName = 'Address')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Address', ValueFromPipelineByPropertyName, Position = 0)][string[]] $Address,
        [Parameter(ValueFromPipelineByPropertyName)][int] $Port,
        [Parameter(ValueFromPipelineByPropertyName)][string] $Root,
        [Parameter(Mandatory, ParameterSetName = 'All')][switch] $All
    )
    begin { $groups = @{} }
    process {
        if ($All) { return }
        $key = "$Root|$Port"
        if (-not $groups.ContainsKey($key)) { $groups[$key] = [System.Collections.Generic.List[string]]::new() }
        $groups[$key].AddRange([string[]]$Address)
    }
    end {
        if ($All) {
            Invoke-LabScript -Arguments (@('stop') + (Get-LabOption -Root $Root -Port $Port) + '--all') | Out-Null
            return
        }
        foreach ($key in $groups.Keys) {
            $root, $port = $key -split '\|', 2
            Invoke-LabScript -Arguments (@('stop') + (Get-LabOption -Root $root -Port ([int]"0$port")) + $groups[$key]) | Out-Null
        }
    }
}

<#
.SYNOPSIS
Puts the KubeKey simulator into a lab bin folder as `kk`, so the lab hosts find it on PATH as the taskbox's kk.
.DESCRIPTION
Runs `KubeKeySimulator.dll sim install --bin`, then makes kk write its kubectl stand-in into that same folder (real kk
puts kubectl on the nodes' PATH too), and lets the lab user write there (kk runs as that user). Call it after
Start-LabHost, which resets the folder's mode. Returns the path of kk.
.PARAMETER BinPath
The lab's bin folder (Start-LabHost -BinPath).
.PARAMETER SimulatorPath
KubeKeySimulator.dll; defaults to the one build.ps1 publishes under out/tools/kk-simulator.
#>
function Install-LabKubeKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $BinPath,
        [string] $SimulatorPath = (Join-Path $PSScriptRoot '../../out/tools/kk-simulator/KubeKeySimulator.dll')
    )
    $dll = [System.IO.Path]::GetFullPath($SimulatorPath)
    if (-not (Test-Path $dll)) { throw "The KubeKey simulator is not built ($dll). Run: dotnet pwsh ./build.ps1 -Task Build" }
    $bin = [System.IO.Path]::GetFullPath($BinPath)
    New-Item -ItemType Directory -Force -Path $bin | Out-Null
    $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    & $dotnet $dll sim install --bin $bin | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "kk-sim install failed with exit code $LASTEXITCODE." }
    $kk = Join-Path $bin 'kk'
    $lines = @(Get-Content $kk)
    if ($lines -notcontains "export KK_SIM_BIN='$bin'") {
        Set-Content -Path $kk -Value (@($lines[0], "export KK_SIM_BIN='$bin'") + $lines[1..($lines.Count - 1)])
    }
    chmod 0777 $bin
    $kk
}

<#
.SYNOPSIS
Starts the lab's image registry stand-in and puts a curl into the lab bin folder that reaches it.
.DESCRIPTION
One HTTPS server (the KubeKey simulator's `sim registry start`) answers for hub.kubesphere.com.cn, Docker Hub
(registry-1.docker.io, auth.docker.io) and registry.lab.test with the OCI distribution API and token auth. The bin
folder's curl is the real curl with the lab's name resolution (every host is the stand-in) and CA file, so the module's
preflight on a lab taskbox talks to it as it talks to the real registries. Stop it with Stop-LabRegistry.
.PARAMETER BinPath
The lab's bin folder (Start-LabHost -BinPath).
.PARAMETER Address
Loopback address:port the stand-in listens on.
#>
function Start-LabRegistry {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $BinPath,
        [Parameter(Mandatory)][string] $Address,
        [string] $SimulatorPath = (Join-Path $PSScriptRoot '../../out/tools/kk-simulator/KubeKeySimulator.dll')
    )
    $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    & $dotnet ([System.IO.Path]::GetFullPath($SimulatorPath)) sim registry start --bin $BinPath --listen $Address | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "kk-sim registry start failed with exit code $LASTEXITCODE." }
}

<#
.SYNOPSIS
Stops the registry stand-in of a lab bin folder and removes its curl.
.PARAMETER BinPath
The lab's bin folder.
#>
function Stop-LabRegistry {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $BinPath,
        [string] $SimulatorPath = (Join-Path $PSScriptRoot '../../out/tools/kk-simulator/KubeKeySimulator.dll')
    )
    $dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    & $dotnet ([System.IO.Path]::GetFullPath($SimulatorPath)) sim registry stop --bin $BinPath | Out-Null
}

Export-ModuleMember -Function Start-LabHost, Stop-LabHost, Install-LabKubeKey, Start-LabRegistry, Stop-LabRegistry
