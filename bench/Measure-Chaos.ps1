# Copyright (c) HaCluster contributors. MIT License.
# Chaos runs: New-HaCluster -SkipInstall against an emulator that answers 20 % of calls 5100, drops 5 % of connections
# and answers 3 % with HTTP 5xx; each run is killed after a random number of API calls, re-run to completion, checked
# for duplicates, removed with Remove-HaCluster and checked for leaks. Used by tests/Pester/Chaos.Tests.ps1 (a few
# runs) and by build.ps1 -Task Bench (-Count 50). Emulator on 127.64.200.0/24 (VxNet) and 127.64.201.0/24 (EIPs).

[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [int] $Count = 50,
    [int] $Seed = 1,
    # The kill comes after 1 to this many API calls of the first run (a full run makes about 40 to 60).
    [int] $MaxKillAfter = 60
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../tests/Pester/EmulatorHelpers.ps1')
Import-Module $ModuleManifest

# What is alive in the emulator: every resource kind it dumps (new kinds count as they land), minus the account's
# own world (instances, VxNets), the jobs, and what QingCloud itself makes with a load balancer (its default group).
function Get-LiveResources($Emulator) {
    $state = Invoke-RestMethod ($Emulator.BaseUri + '_emulator/state')
    $defaultGroups = @($state.security_groups | Where-Object { $_.PSObject.Properties['is_default'] -and $_.is_default }).id
    foreach ($kind in $state.PSObject.Properties) {
        if ($kind.Name -in 'instances', 'vxnets', 'jobs', 'tag_pairs') { continue }
        foreach ($resource in @($kind.Value)) {
            if ($null -eq $resource -or -not $resource.PSObject.Properties['id']) { continue }
            if ($resource.status -in 'deleted', 'released', 'ceased', 'terminated') { continue }
            if ($resource.id -in $defaultGroups) { continue }
            if ($resource.PSObject.Properties['security_group_id'] -and $resource.security_group_id -in $defaultGroups -and $resource.name -in 'ping', 'ssh') { continue }
            # One resource's identity: its kind, name and the parents it belongs to.
            $parents = foreach ($field in 'load_balancer_id', 'listener_id', 'security_group_id', 'resource_id', 'port') {
                if ($resource.PSObject.Properties[$field]) { "$field=$($resource.$field)" }
            }
            [pscustomobject]@{ Kind = $kind.Name; Id = $resource.id; Key = "$($kind.Name)|$($resource.name)|$($parents -join ',')" }
        }
    }
}

function Start-ChaosProcess([string] $Name, [string] $StatePath, $Emulator) {
    $file = Join-Path $work "run-$Name-$([guid]::NewGuid().ToString('N').Substring(0, 6)).ps1"
    Set-Content -Path $file -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
Connect-QingCloud -AccessKeyId '$($Emulator.AccessKeyId)' -SecretAccessKey (ConvertTo-SecureString `$env:HACLUSTER_CHAOS_SECRET -AsPlainText -Force) -Zone '$($Emulator.Zone)' -Endpoint '$($Emulator.Endpoint)'
New-HaCluster -Name $Name -ControlPlane (Get-QcInstance -Name master*) -Worker (Get-QcInstance -Name node*) -VxNet pn -SkipInstall -StatePath '$StatePath' -Confirm:`$false -WarningAction SilentlyContinue | Out-Null
"@
    $pwsh = Join-Path $PSHOME 'pwsh'
    $arguments = @('-NoProfile', '-NonInteractive', '-File', $file)
    if (-not (Test-Path $pwsh)) {
        $arguments = @((Join-Path $PSHOME 'pwsh.dll')) + $arguments
        $pwsh = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { 'dotnet' }
    }
    $env:HACLUSTER_CHAOS_SECRET = $Emulator.Secret
    try { Start-Process -FilePath $pwsh -ArgumentList $arguments -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err" -PassThru }
    finally { Remove-Item Env:HACLUSTER_CHAOS_SECRET -ErrorAction SilentlyContinue }
}

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('hacluster-chaos-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
New-Item -ItemType Directory -Path $work | Out-Null
$emulator = Start-DemoWorldEmulator -Network 127.64.200 -EipNetwork 127.64.201 -Settings @(
    'job_latency_ms: 50', 'lease_window_ms: 200', 'health_check_time_scale: 0.05'
    "faults: { ret_code_5100_rate: 0.2, drop_connection_rate: 0.05, http_5xx_rate: 0.03, seed: $Seed }")
$random = [System.Random]::new($Seed)
$runs = [System.Collections.Generic.List[object]]::new()
try {
    Connect-QingCloud -AccessKeyId $emulator.AccessKeyId -SecretAccessKey (ConvertTo-SecureString $emulator.Secret -AsPlainText -Force) -Zone $emulator.Zone -Endpoint $emulator.Endpoint
    for ($run = 1; $run -le $Count; $run++) {
        $name = "chaos$run"
        $statePath = Join-Path $work "$name.hacluster.json"
        $baseline = @(Get-LiveResources $emulator).Id
        $since = (Get-EmulatorRequestLog -Emulator $emulator | Select-Object -Last 1).sequence

        # 1. Started in its own process and killed like a closed terminal after a random number of API calls.
        $killAfter = $random.Next(1, $MaxKillAfter + 1)
        $process = Start-ChaosProcess $name $statePath $emulator
        $deadline = [datetime]::UtcNow.AddMinutes(5)
        while (-not $process.HasExited -and @(Get-EmulatorRequestLog -Emulator $emulator -Since $since).Count -lt $killAfter -and [datetime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 20
        }
        $killed = -not $process.HasExited
        if ($killed) { Stop-Process -Id $process.Id -Force; $process.WaitForExit() }

        # 2. Re-run to completion: the same command, resuming from the state file.
        $failure = $null
        $cluster = $null
        for ($attempt = 1; $attempt -le 3 -and -not $cluster; $attempt++) {
            try { $cluster = New-HaCluster -Name $name -ControlPlane (Get-QcInstance -Name master*) -Worker (Get-QcInstance -Name node*) -VxNet pn -SkipInstall -StatePath $statePath -Confirm:$false -WarningAction SilentlyContinue }
            catch { $failure = "re-run $attempt`: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
        }

        # 3. Exactly one of each resource the run made.
        $made = @(Get-LiveResources $emulator | Where-Object Id -NotIn $baseline)
        $duplicates = @($made | Group-Object Key | Where-Object Count -GT 1 | ForEach-Object { "$($_.Count) x $($_.Name)" })

        # 4. Removed: nothing the run made is left.
        if ($cluster) {
            try { $cluster | Remove-HaCluster -Confirm:$false -WarningAction SilentlyContinue }
            catch { $failure = "remove: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" }
        }
        $leaks = @(Get-LiveResources $emulator | Where-Object Id -NotIn $baseline | ForEach-Object { "$($_.Id) $($_.Key)" })
        $runs.Add([pscustomobject]@{
                Run        = $run
                KillAfter  = $killAfter
                Killed     = $killed
                Completed  = [bool]$cluster
                Made       = $made.Count
                Duplicates = $duplicates
                Leaks      = $leaks
                Failure    = $failure
            })
        Write-Verbose "run $run`: killed after $killAfter calls: $killed; completed: $([bool]$cluster); $($made.Count) made, $($duplicates.Count) duplicated, $($leaks.Count) leaked $failure"
    }
}
finally {
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    $log = @(Get-EmulatorRequestLog -Emulator $emulator)
    Stop-TestEmulator $emulator
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

[pscustomobject]@{
    Runs        = $runs.Count
    Killed      = @($runs | Where-Object Killed).Count
    Completed   = @($runs | Where-Object Completed).Count
    Duplicates  = ($runs | ForEach-Object { $_.Duplicates.Count } | Measure-Object -Sum).Sum
    Leaks       = ($runs | ForEach-Object { $_.Leaks.Count } | Measure-Object -Sum).Sum
    Faults      = @($log | Where-Object fault).Count
    Requests    = $log.Count
    Details     = $runs
}
