# Copyright (c) HaCluster contributors. MIT License.
# The one-command demo (build.ps1 -Task Demo): the tutorial end to end against the local emulator and an SSH lab, then teardown.

<#
.SYNOPSIS
    Runs the tutorial "KubeSphere on QingCloud Instance" locally, as a user would, and cleans up.
.DESCRIPTION
    Starts the QingCloud emulator with its built-in demo world (out/tools/emulator, http://127.0.0.1:7878/iaas/: VxNet pn
    127.0.0.0/24, master1-3 and node1-3 on 127.0.0.2-7, EIPs from 127.0.1.0/24) and six lab machines (one OpenSSH sshd on
    each of 127.0.0.2-7) whose `kk` is the KubeKey simulator and `helm` its Helm stand-in. KubeSphere 4 (chart 1.2.4,
    KubeSphere 4.2.1) is installed with Helm after kk has built Kubernetes. Then it runs the commands of the README's tour: Connect-QingCloud,
    Get-QcInstance, New-HaCluster -WhatIf, New-HaCluster -Failover, Test-HaCluster, Remove-HaCluster; prints the cluster and
    the check table; and finally stops the simulator's stand-ins, the lab and the emulator (also after a failure or Ctrl+C).
.PARAMETER ModuleManifest
    The built module's HaCluster.psd1.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModuleManifest
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$emulatorDll = Join-Path $root 'out/tools/emulator/HaCluster.Emulator.dll'
$simulatorDll = Join-Path $root 'out/tools/kk-simulator/KubeKeySimulator.dll'
foreach ($file in $ModuleManifest, $emulatorDll, $simulatorDll) {
    if (-not (Test-Path $file)) { throw "'$file' is missing; build first: dotnet pwsh ./build.ps1 -Task Build" }
}

$dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
$work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-demo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$bin = Join-Path $work 'bin'
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$emulator = $null
$labStarted = $false
$simState = $null

function Show-Step([string] $Title, [string] $Command) {
    Write-Host ''
    Write-Host ("[{0,5:0.0}s] {1}" -f $clock.Elapsed.TotalSeconds, $Title) -ForegroundColor Cyan
    if ($Command) { Write-Host "PS> $Command" -ForegroundColor Yellow }
}

function Test-PortTaken([string] $Address, [int] $Port) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try { $client.ConnectAsync($Address, $Port).Wait(500) -and $client.Connected } catch { $false } finally { $client.Dispose() }
}

try {
    Show-Step 'Starting the QingCloud emulator with its demo world' "dotnet out/tools/emulator/HaCluster.Emulator.dll"
    New-Item -ItemType Directory -Path $bin -Force | Out-Null
    if (Test-PortTaken 127.0.0.1 7878) { throw 'Something already listens on 127.0.0.1:7878 (another emulator?); the demo needs that port.' }
    $emulatorLog = Join-Path $work 'emulator.log'
    $emulator = Start-Process -FilePath $dotnet -ArgumentList $emulatorDll -RedirectStandardOutput $emulatorLog -RedirectStandardError (Join-Path $work 'emulator.err') -NoNewWindow -PassThru
    $deadline = [datetime]::UtcNow.AddSeconds(60)
    while (-not (Select-String -Path $emulatorLog -Pattern 'listening on' -Quiet -ErrorAction SilentlyContinue)) {
        if ($emulator.HasExited) { throw "The emulator exited: $(Get-Content -Raw (Join-Path $work 'emulator.err'))" }
        if ([datetime]::UtcNow -gt $deadline) { throw 'The emulator did not start within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
    Write-Host (Get-Content $emulatorLog | Select-Object -First 1)

    Show-Step 'Starting six lab machines (sshd on 127.0.0.2-7) with the KubeKey simulator as kk'
    Import-Module (Join-Path $PSScriptRoot 'Lab.psm1') -Force
    $labStarted = $true
    $lab = @(Start-LabHost -Address 127.0.0.2-7 -BinPath $bin)
    Install-LabKubeKey -BinPath $bin -SimulatorPath $simulatorDll | Out-Null
    # The registries the preflight asks for the first image (hub.kubesphere.com.cn, Docker Hub) stand in on 127.0.0.8.
    Start-LabRegistry -BinPath $bin -Address 127.0.0.8:5443 -SimulatorPath $simulatorDll
    $knownHosts = Join-Path $work 'known_hosts'
    $lab | Format-Table Name, Address, Port, User, HostKeyFingerprint -AutoSize | Out-Host
    $login = if ($lab[0].Credential) { @{ Credential = $lab[0].Credential } }
    else { @{ Credential = [pscredential]::new($lab[0].User, [securestring]::new()); PrivateKeyPath = $lab[0].PrivateKeyPath } }
    $remoteHome = (getent passwd $lab[0].User).Split(':')[5]
    $simState = Join-Path $remoteHome 'hacluster/demo/kk-sim-state'

    Import-Module $ModuleManifest -Force
    $statePath = Join-Path $work 'demo.hacluster.json'

    Show-Step 'Connect to QingCloud (the emulator; its documented example keys)' `
        "Connect-QingCloud -AccessKeyId QYACCESSKEYIDEXAMPLE -SecretAccessKey (Read-Host -AsSecureString) -Zone pek3b -Endpoint http://127.0.0.1:7878/iaas/"
    $secret = ConvertTo-SecureString 'SECRETACCESSKEY' -AsPlainText -Force
    Connect-QingCloud -AccessKeyId QYACCESSKEYIDEXAMPLE -SecretAccessKey $secret -Zone pek3b -Endpoint http://127.0.0.1:7878/iaas/

    Show-Step 'The six machines of the tutorial' 'Get-QcInstance'
    Get-QcInstance | Out-Host

    $newCluster = @{
        Name              = 'demo'
        ControlPlane      = Get-QcInstance master*
        Worker            = Get-QcInstance node*
        VxNet             = 'pn'
        TaskBox           = 'master1'
        KubeSphereChartVersion = '1.2.4'
        KnownHostsPath    = $knownHosts
        AcceptNewHostKey  = $true
        StatePath         = $statePath
    } + $login
    $command = 'New-HaCluster -Name demo -ControlPlane (Get-QcInstance master*) -Worker (Get-QcInstance node*) -VxNet pn -Credential $cred -TaskBox master1 -KubeSphereChartVersion 1.2.4'

    Show-Step 'The plan: every step with the QingCloud actions it calls (nothing changes)' "$command -WhatIf"
    New-HaCluster @newCluster -WhatIf

    Show-Step 'Steps 1-4 of the tutorial in one command: load balancers, config with the VIP, Kubernetes with kk, KubeSphere 4 with Helm, HA checks with a master shut down' "`$cluster = $command -Failover"
    # A failed check is a non-terminating error: the demo still shows the table and cleans up, then fails.
    $cluster = New-HaCluster @newCluster -Failover -Confirm:$false -ErrorAction Continue
    $cluster | Format-List | Out-Host

    Show-Step 'The checks (Test-HaCluster results; the failover drill stopped master1 and the cluster kept answering)' '$cluster.Checks'
    $cluster.Checks | Format-Table -AutoSize | Out-String -Width 220 | Write-Host

    Show-Step 'The console through the external load balancer' "Invoke-WebRequest $($cluster.ConsoleUrl)"
    $page = Invoke-WebRequest -Uri $cluster.ConsoleUrl -TimeoutSec 10
    Write-Host "HTTP $($page.StatusCode): $([regex]::Match($page.Content, '<title>(.*?)</title>').Groups[1].Value)"

    Show-Step 'Check again at any time; one Boolean for scripts' '$cluster | Test-HaCluster -Quiet'
    $cluster | Test-HaCluster -KnownHostsPath $knownHosts -Quiet | Out-Host

    Show-Step 'Remove what the cluster created (key copies left on the taskbox, rules, load balancers, EIP, state file)' '$cluster | Remove-HaCluster -Credential $cred -Confirm:$false'
    $cluster | Remove-HaCluster -Credential $login.Credential -KnownHostsPath $knownHosts -Confirm:$false
    Get-QcLoadBalancer | Out-Host
    Write-Host "Load balancers left: $(@(Get-QcLoadBalancer).Count); EIPs left: $(@(Get-QcEip).Count)"
    if ($cluster.Health -ne 'Healthy') { throw "The cluster is $($cluster.Health); see the checks above." }
    Show-Step "Demo finished in $([int]$clock.Elapsed.TotalSeconds) s"
}
finally {
    if ($simState -and (Test-Path $simState)) { & $dotnet $simulatorDll sim stop --state $simState 2>&1 | Out-Null }
    if ($simState) { Remove-Item -Recurse -Force (Split-Path $simState) -ErrorAction SilentlyContinue }
    if ($labStarted) { Stop-LabRegistry -BinPath $bin -SimulatorPath $simulatorDll; Stop-LabHost -Address 127.0.0.2-7 }
    if ($emulator -and -not $emulator.HasExited) {
        Stop-Process -Id $emulator.Id -Force
        $emulator.WaitForExit(10000) | Out-Null
    }
    if (Get-Module HaCluster) { Disconnect-QingCloud -ErrorAction SilentlyContinue }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
