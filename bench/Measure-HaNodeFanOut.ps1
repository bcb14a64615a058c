# Copyright (c) HaCluster contributors. MIT License.
# Times Test-HaNode on 1 lab host and on N lab hosts (default 50) and prints the ratio; no pass/fail, run by bench/Invoke-Benchmark.ps1.

[CmdletBinding()]
param(
    [int] $Count = 50,
    # Third octet of the lab addresses used (127.40.<Subnet>.2 ...).
    [ValidateRange(0, 255)] [int] $Subnet = 20,
    [int] $ThrottleLimit = 16
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..')
$manifest = Get-ChildItem (Join-Path $root 'out/HaCluster') -Filter HaCluster.psd1 -Recurse | Select-Object -First 1
Import-Module $manifest.FullName
Import-Module (Join-Path $root 'tests/Lab/Lab.psm1')
$range = "127.40.$Subnet.2-$(1 + $Count)"
$knownHosts = Join-Path ([System.IO.Path]::GetTempPath()) "hacluster-measure-$PID"
try {
    $start = [System.Diagnostics.Stopwatch]::StartNew()
    $hosts = @(Start-LabHost -Address $range)
    $labSeconds = $start.Elapsed.TotalSeconds
    Set-Content $knownHosts ($hosts | ForEach-Object KnownHostsLine)
    $null = $hosts[0] | Test-HaNode -KnownHostsPath $knownHosts   # warm-up (JIT, first connection)
    $one = @(1..3 | ForEach-Object { (Measure-Command { $null = $hosts[0] | Test-HaNode -KnownHostsPath $knownHosts }).TotalSeconds } | Sort-Object)[1]
    $all = @(1..2 | ForEach-Object { (Measure-Command { $script:results = @($hosts | Test-HaNode -KnownHostsPath $knownHosts -ThrottleLimit $ThrottleLimit) }).TotalSeconds } | Sort-Object)[0]
    [pscustomobject]@{
        Hosts              = $Count
        ThrottleLimit      = $ThrottleLimit
        LabStartSeconds    = [math]::Round($labSeconds, 1)
        OneHostSeconds     = [math]::Round($one, 2)
        AllHostsSeconds    = [math]::Round($all, 2)
        Ratio              = [math]::Round($all / $one, 1)
        Results            = $results.Count
        FailedRequired     = @($results | Where-Object { $_.Severity -eq 'Required' -and -not $_.Passed }).Count
        LoadAverage        = (Get-Content /proc/loadavg).Split(' ')[0]
    }
}
finally {
    Stop-LabHost -Address $range
    Remove-Item $knownHosts -ErrorAction SilentlyContinue
}
