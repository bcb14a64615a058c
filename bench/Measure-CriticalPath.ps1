# Copyright (c) HaCluster contributors. MIT License.
# New-HaCluster's load-balancer phase against its critical path (EIP -> external LB created -> applied: 3 jobs), and
# against the seed tutorial's steps run one after another with the step cmdlets, on one emulator whose every job takes
# the same time and which binds no sockets (--no-data-plane). Ratios and request counts from one run; no asserts.

[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # How long every emulator job takes.
    [int] $JobSeconds = 3
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../tests/Pester/EmulatorHelpers.ps1')

$emulator = Start-TestEmulator -NoDataPlane -ConfigYaml (@("job_latency_ms: $($JobSeconds * 1000)", 'lease_window_ms: 0') -join "`n")
$work = Join-Path ([IO.Path]::GetTempPath()) ('hacluster-bench-' + [guid]::NewGuid().ToString('n'))
$null = New-Item -ItemType Directory -Path $work
try {
    Import-Module $ModuleManifest
    Connect-QingCloud -AccessKeyId $emulator.AccessKeyId -SecretAccessKey (ConvertTo-SecureString $emulator.Secret -AsPlainText -Force) -Zone $emulator.Zone -Endpoint $emulator.Endpoint
    $last = { (Get-EmulatorRequestLog -Emulator $emulator | Select-Object -Last 1).sequence }

    # 1. New-HaCluster -SkipInstall: both paths and both firewalls at once.
    $since = & $last
    $started = [DateTimeOffset]::UtcNow
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = New-HaCluster -Name bench -ControlPlane master1, master2, master3 -Worker node1, node2, node3 -VxNet pn -SkipInstall `
        -StatePath (Join-Path $work 'bench.hacluster.json') -Confirm:$false
    $cluster = $clock.Elapsed.TotalSeconds
    $log = @(Get-EmulatorRequestLog -Emulator $emulator -Since $since)
    $requests = $log.Count

    # Where the wall time goes, from the request log's timestamps: the critical path's three jobs start with
    # AllocateEips, CreateLoadBalancer (external, with eips.1) and UpdateLoadBalancers of that load balancer; what each
    # segment takes beyond its job is poll lateness plus the requests between the job's end and the next job's start.
    $at = { param($entry) ([DateTimeOffset]$entry.time - $started).TotalSeconds }
    $allocate = $log | Where-Object action -EQ 'AllocateEips' | Select-Object -First 1
    $createExternal = $log | Where-Object { $_.action -eq 'CreateLoadBalancer' -and $_.params.'eips.1' } | Select-Object -First 1
    $externalId = (Get-Content -Raw -LiteralPath (Join-Path $work 'bench.hacluster.json') | ConvertFrom-Json).external.loadbalancer_id
    $updateExternal = $log | Where-Object { $_.action -eq 'UpdateLoadBalancers' -and $_.params.'loadbalancers.1' -eq $externalId } | Select-Object -First 1
    $segments = [ordered]@{
        FirstRequestSeconds = & $at $log[0]
        BeforeEipSeconds   = & $at $allocate
        EipOvershoot       = (& $at $createExternal) - (& $at $allocate) - $JobSeconds
        CreateOvershoot    = (& $at $updateExternal) - (& $at $createExternal) - $JobSeconds
        ApplyOvershoot     = (& $at $log[-1]) - (& $at $updateExternal) - $JobSeconds
        AfterLastRequest   = $cluster - (& $at $log[-1])
    }
    # Polls: DescribeJobs, and Describe calls naming resources by id (status waits and the reads after a job).
    $polls = @($log | Where-Object { $_.action -eq 'DescribeJobs' -or (($_.action -in 'DescribeEips', 'DescribeLoadBalancers', 'DescribeSecurityGroups') -and -not $_.params.search_word -and ($_.params.PSObject.Properties.Name -match '\.1$')) })

    # 2. The seed's Step 1 with the step cmdlets, one after another (each in a group of its own, as the module now does).
    $since = & $last
    $clock.Restart()
    $internal = New-QcLoadBalancer -Name seed-internal -VxNet pn -SecurityGroup (New-QcSecurityGroup -Name seed-internal)
    $api = $internal | Add-QcLbListener -Port 6443 -Protocol Tcp -BalanceMode RoundRobin -OpenFirewall
    $null = Get-QcInstance -Name master* | Add-QcLbBackend -Listener $api -Port 6443
    $internal | Update-QcLoadBalancer
    $eip = New-QcEip -Name seed-eip
    $external = New-QcLoadBalancer -Name seed-external -Eip $eip -SecurityGroup (New-QcSecurityGroup -Name seed-external)
    $console = $external | Add-QcLbListener -Port 30880 -Protocol Http -OpenFirewall
    $null = Get-QcInstance | Add-QcLbBackend -Listener $console -Port 30880
    $external | Update-QcLoadBalancer
    $seed = $clock.Elapsed.TotalSeconds
    $seedRequests = @(Get-EmulatorRequestLog -Emulator $emulator -Since $since).Count

    $critical = 3 * $JobSeconds
    $result = [ordered]@{
        JobSeconds          = $JobSeconds
        ClusterSeconds      = [math]::Round($cluster, 2)
        CriticalPathSeconds = $critical
        CriticalPathRatio   = [math]::Round($cluster / $critical, 2)
        ClusterRequests     = $requests
        DescribeJobs        = @($log | Where-Object action -EQ 'DescribeJobs').Count
        DescribesById       = $polls.Count - @($log | Where-Object action -EQ 'DescribeJobs').Count
        SeedSeconds         = [math]::Round($seed, 2)
        SeedRequests        = $seedRequests
        SpeedupOverSeed     = [math]::Round($seed / $cluster, 2)
        LoadAverage         = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { $null }
    }
    foreach ($segment in $segments.GetEnumerator()) {
        $result[$segment.Key] = [math]::Round($segment.Value, 2)
    }

    [pscustomobject]$result
}
finally {
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $emulator
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
