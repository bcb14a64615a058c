# Copyright (c) HaCluster contributors. MIT License.
# Chaos: New-HaCluster -SkipInstall under 20 % 5100, 5 % dropped connections and 3 % 5xx, killed after a random number
# of API calls, re-run to completion, then Remove-HaCluster. A few runs here (HACLUSTER_CHAOS_COUNT, default 2);
# build.ps1 -Task Bench makes 50 (bench/Measure-Chaos.ps1 holds the runs and the checks for both).

BeforeDiscovery {
    $script:ChaosRuns = if ($env:HACLUSTER_CHAOS_COUNT) { [int]$env:HACLUSTER_CHAOS_COUNT } else { 2 }
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'New-HaCluster under chaos' -Tag Chaos {
    BeforeAll {
        $count = if ($env:HACLUSTER_CHAOS_COUNT) { [int]$env:HACLUSTER_CHAOS_COUNT } else { 2 }
        $script:Result = & (Join-Path $RepoRoot 'bench/Measure-Chaos.ps1') -ModuleManifest $ModuleManifest -Count $count -Seed 7 -MaxKillAfter 20
    }

    It 'made every run under real faults and killed it before it finished' {
        $Result.Runs | Should -BeGreaterThan 0
        $Result.Faults | Should -BeGreaterThan 0 -Because 'the emulator injected 5100, dropped connections and 5xx'
        $Result.Killed | Should -Be $Result.Runs -Because 'a run makes far more than 20 calls, so each is killed mid-way'
    }

    It 'run <_>: the re-run completes with exactly one of each resource, and removal leaves nothing it made' -ForEach (1..$ChaosRuns) {
        $run = $Result.Details | Where-Object Run -EQ $_
        $run.Failure | Should -BeNullOrEmpty
        $run.Completed | Should -BeTrue
        $run.Made | Should -BeGreaterThan 0
        $run.Duplicates | Should -BeNullOrEmpty
        $run.Leaks | Should -BeNullOrEmpty
    }
}
