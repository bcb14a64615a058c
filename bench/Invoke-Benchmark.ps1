# Copyright (c) HaCluster contributors. MIT License.
# Benchmarks as ratios measured in one run (never timing asserts in tests); writes out/bench.md.

[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # Lab hosts for the SSH fan-out measurement.
    [int] $Hosts = 50,
    # Killed-and-resumed New-HaCluster runs under injected faults.
    [int] $ChaosRuns = 50
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..')
$pwsh = Join-Path $PSHOME 'pwsh'

function Measure-Median([scriptblock] $Action, [int] $Runs = 5) {
    $samples = 1..$Runs | ForEach-Object { (Measure-Command $Action).TotalMilliseconds } | Sort-Object
    $samples[[int][math]::Floor($Runs / 2)]
}

# 1. Module import: a fresh pwsh that imports the module vs. a fresh pwsh that does nothing.
$bare = Measure-Median { & $pwsh -NoProfile -NonInteractive -Command 'exit 0' }
$import = Measure-Median { & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$ModuleManifest'; exit 0" }

# 2. SSH fan-out: Test-HaNode on N lab hosts vs. on one (bounded concurrency, default throttle 16).
$fanOut = & (Join-Path $PSScriptRoot 'Measure-HaNodeFanOut.ps1') -Count $Hosts

# 3. New-HaCluster's load-balancer phase vs. its critical path (3 jobs) and vs. the seed's steps one after another.
$path = & (Join-Path $PSScriptRoot 'Measure-CriticalPath.ps1') -ModuleManifest $ModuleManifest

$rows = @(
    [pscustomobject]@{ Benchmark = 'Module import (fresh pwsh)'; Baseline = "bare pwsh $([math]::Round($bare)) ms"; Measured = "$([math]::Round($import)) ms"; Ratio = [math]::Round($import / $bare, 2) }
    [pscustomobject]@{ Benchmark = "Test-HaNode on $Hosts hosts"; Baseline = "1 host $($fanOut.OneHostSeconds) s"; Measured = "$($fanOut.AllHostsSeconds) s"; Ratio = $fanOut.Ratio }
    [pscustomobject]@{ Benchmark = "New-HaCluster -SkipInstall, $($path.JobSeconds) s jobs"; Baseline = "critical path (3 jobs) $($path.CriticalPathSeconds) s"; Measured = "$($path.ClusterSeconds) s, $($path.ClusterRequests) requests"; Ratio = $path.CriticalPathRatio }
    [pscustomobject]@{ Benchmark = 'Seed Step 1, step cmdlets one after another'; Baseline = "New-HaCluster $($path.ClusterSeconds) s"; Measured = "$($path.SeedSeconds) s, $($path.SeedRequests) requests"; Ratio = $path.SpeedupOverSeed }
)
# 4. Chaos: runs killed at a random point under faults, resumed, removed; duplicates and leaks must be 0.
$chaos = & (Join-Path $PSScriptRoot 'Measure-Chaos.ps1') -ModuleManifest $ModuleManifest -Count $ChaosRuns

$rows | Format-Table -AutoSize | Out-String | Write-Host
$chaosLine = "Chaos: $($chaos.Runs) runs ($($chaos.Killed) killed mid-way, $($chaos.Completed) completed on re-run), $($chaos.Duplicates) duplicates, $($chaos.Leaks) leaks; $($chaos.Faults) of $($chaos.Requests) API calls faulted."
Write-Host $chaosLine
$table = @('| Benchmark | Baseline | Measured | Ratio |', '|---|---|---|---|') + ($rows | ForEach-Object { "| $($_.Benchmark) | $($_.Baseline) | $($_.Measured) | $($_.Ratio) |" })
$table += '', $chaosLine
$table += '', "Load average at the end: $((Get-Content /proc/loadavg).Split(' ')[0]); $([Environment]::ProcessorCount) cores."
Set-Content -Path (Join-Path $root 'out/bench.md') -Value $table
Write-Host "Written: out/bench.md"
