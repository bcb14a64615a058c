# Copyright (c) HaCluster contributors. MIT License.
# ConvertFrom-KkLog on kk output quoted in the reference notes and captured from the KubeKey simulator.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Logs = Join-Path $RepoRoot 'tests/HaCluster.Engine.Tests/KubeKey/Logs'
    $script:Temp = Join-Path ([System.IO.Path]::GetTempPath()) ('kklog-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $Temp | Out-Null
    $script:SummaryType = 'HaCluster.Engine.KubeKey.KkLogSummary'
    $script:TaskType = 'HaCluster.Engine.KubeKey.KkTaskResult'
    $script:CommandId = 'HaCluster.Commands.ConvertFromKkLogCommand'
}

AfterAll {
    Remove-Item -Recurse -Force -Path $Temp -ErrorAction SilentlyContinue
}

Describe 'ConvertFrom-KkLog' {
    It 'emits one object per task result, then the summary, for lines piped from Get-Content' {
        $out = Get-Content (Join-Path $Logs 'simulator/success-kubesphere.log') | ConvertFrom-KkLog -ExitCode 0

        $summary = $out[-1]
        $summary.PSObject.TypeNames[0] | Should -Be $SummaryType
        $summary.Succeeded | Should -BeTrue
        $summary.Incomplete | Should -BeFalse
        $summary.Pipeline | Should -Be 'CreateClusterPipeline'
        $summary.ConsoleUrl | Should -Be 'http://127.50.0.2:30880'
        $summary.Account | Should -Be 'admin'
        $summary.PercentComplete | Should -Be 100
        $summary.ModulesCompleted | Should -Contain 'JoinNodesModule'
        $summary.Duration | Should -BeOfType [timespan]

        $tasks = $out[0..($out.Count - 2)]
        $tasks.ForEach({ $_.PSObject.TypeNames[0] }) | Select-Object -Unique | Should -Be $TaskType
        $greetings = $tasks | Where-Object Module -EQ 'GreetingsModule'
        $greetings.Node | Should -Be @('master1', 'master2', 'master3', 'worker1', 'worker2', 'worker3')
        $greetings[0].Message | Should -Be 'Greetings, KubeKey!'
        $greetings[0].Status.ToString() | Should -Be 'Success'
        $greetings[0].Time | Should -BeOfType [timespan]
    }

    It 'gives the same result for -Path, with the file as Source' {
        $path = Join-Path $Logs 'simulator/success-kubesphere.log'
        $piped = Get-Content $path | ConvertFrom-KkLog
        $read = ConvertFrom-KkLog -Path $path

        $read.Count | Should -Be $piped.Count
        $read[-1].Source | Should -Be (Resolve-Path $path).ProviderPath
        $read[-1].TaskCount | Should -Be $piped[-1].TaskCount
        $read[-1].Succeeded | Should -BeTrue
    }

    It 'names the failing module, task and nodes of <File>' -ForEach @(
        @{ File = 'fail-unreachable.log'; Module = 'GreetingsModule'; Task = 'Greetings'; Nodes = @('worker2'); Text = 'dial tcp 127.50.0.6:2222: connect: connection refused' }
        @{ File = 'fail-missing-conntrack.log'; Module = 'ConfirmModule'; Task = 'Display confirmation form'; Nodes = @('master1', 'master2', 'master3', 'worker1', 'worker2', 'worker3'); Text = 'worker1: conntrack is required.' }
        @{ File = 'fail-init-timeout.log'; Module = 'InitKubernetesModule'; Task = 'Init cluster using kubeadm'; Nodes = @('master1'); Text = 'exec failed after 3 retries: init kubernetes cluster failed' }
    ) {
        $summary = ConvertFrom-KkLog -Path (Join-Path $Logs "simulator/$File") -ExitCode 1 -SummaryOnly

        $summary.Succeeded | Should -BeFalse
        $summary.Incomplete | Should -BeFalse
        $summary.FailedModule | Should -Be $Module
        $summary.FailedTask | Should -Be $Task
        $summary.FailedNodes | Should -Be $Nodes
        $summary.FailureMessage | Should -BeLike "*$Text*"
    }

    It 'reads CRLF line endings and ANSI escapes, line by line and as one -Raw string' {
        $lines = Get-Content (Join-Path $Logs 'simulator/success-kubesphere.log')
        $noisy = Join-Path $Temp 'crlf-ansi.log'
        $escape = [char]27
        $text = ($lines | ForEach-Object { "$escape[36m$_$escape[0m" }) -join "`r`n"
        [System.IO.File]::WriteAllText($noisy, $text + "`r`n")

        $byLine = Get-Content $noisy | ConvertFrom-KkLog -SummaryOnly
        $byRaw = Get-Content -Raw $noisy | ConvertFrom-KkLog -SummaryOnly
        $byPath = ConvertFrom-KkLog -Path $noisy -SummaryOnly

        foreach ($summary in $byLine, $byRaw, $byPath) {
            $summary.Succeeded | Should -BeTrue
            $summary.ConsoleUrl | Should -Be 'http://127.50.0.2:30880'
            $summary.ModulesCompleted.Count | Should -Be 27
        }
    }

    It 'reports a log cut off mid-run as Incomplete, and as failed once the exit code is known' {
        $path = Join-Path $Logs 'simulator/cut-at-join.log'
        $open = ConvertFrom-KkLog -Path $path -SummaryOnly
        $killed = ConvertFrom-KkLog -Path $path -SummaryOnly -ExitCode 137

        $open.Incomplete | Should -BeTrue
        $open.Succeeded | Should -BeFalse
        $open.CurrentModule | Should -Be 'JoinNodesModule'
        $open.PercentComplete | Should -BeGreaterThan 0
        $killed.Incomplete | Should -BeFalse
        $killed.Succeeded | Should -BeFalse
        $killed.FailureMessage | Should -BeLike '*exited with code 137*'
    }

    It 'does not call exit code 0 a success without kk''s success line' {
        $summary = ConvertFrom-KkLog -Path (Join-Path $Logs 'reference/v3-install-start.log') -ExitCode 0 -SummaryOnly

        $summary.Succeeded | Should -BeFalse
        $summary.Incomplete | Should -BeFalse
        $summary.FailureMessage | Should -BeLike '*exited with code 0*'
    }

    It 'reads the welcome block quoted in the reference and keeps its password out of every stream' {
        $all = Get-Content (Join-Path $Logs 'reference/v3-success-kubesphere.log') | ConvertFrom-KkLog -Verbose *>&1
        $summary = $all | Where-Object { $_.PSObject.TypeNames[0] -eq $SummaryType }

        $summary.ConsoleUrl | Should -Be 'http://192.168.44.162:30880'
        $summary.HasPassword | Should -BeTrue
        $summary.PSObject.Properties.Name | Should -Not -Contain 'Password'
        $summary.GetPassword().Length | Should -Be 8
        ($all | Format-List * | Out-String -Width 500) | Should -Not -Match ([regex]::Escape('P@88w0rd'))
        ($all | Out-String -Width 500) | Should -Not -Match ([regex]::Escape('P@88w0rd'))
    }

    It 'reads kk v1.x logrus output' {
        $summary = ConvertFrom-KkLog -Path (Join-Path $Logs 'reference/v1-failure.log') -SummaryOnly

        $summary.Format.ToString() | Should -Be 'Logrus'
        $summary.FailedTask | Should -Be 'Initializing kubernetes cluster'
        $summary.FailedNodes | Should -Be @('192.168.0.2')
        $summary.FailureMessage | Should -Be 'Failed to init kubernetes cluster: interrupted by error'
    }

    It 'gives one summary per file piped from Get-ChildItem, and one per file matched by a wildcard' {
        $files = Get-ChildItem (Join-Path $Logs 'simulator') -Filter 'fail-*.log'
        $piped = $files | ConvertFrom-KkLog -SummaryOnly
        $matched = ConvertFrom-KkLog -Path (Join-Path $Logs 'simulator/fail-*.log') -SummaryOnly

        $piped.Source | Should -Be $files.FullName
        ($matched.Source | Sort-Object) | Should -Be ($files.FullName | Sort-Object)
        $piped.Succeeded | Should -Not -Contain $true
    }

    It 'reports a missing file as KkLogNotFound and still reads the others' {
        $missing = Join-Path $Temp 'missing.log'
        $out = ConvertFrom-KkLog -LiteralPath $missing, (Join-Path $Logs 'reference/v3-success-plain.log') -SummaryOnly -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "KkLogNotFound,$CommandId"
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be $missing
        $out.Succeeded | Should -BeTrue
    }

    It 'rejects a folder as KkLogIsDirectory' {
        ConvertFrom-KkLog -Path $Temp -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $errors[0].FullyQualifiedErrorId | Should -Be "KkLogIsDirectory,$CommandId"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'shows task results as a table and the summary as a list by default' {
        $out = ConvertFrom-KkLog -Path (Join-Path $Logs 'reference/v3-greetings-unreachable.log') -ExitCode 1

        $text = $out | Out-String -Width 80
        $text | Should -Match 'Time\s+Module\s+Task\s+Node\s+Status'
        $text | Should -Match '09:12:31 GreetingsModule\s+Greetings\s+node2\s+Failed'
        $text | Should -Match 'FailedModule\s+: GreetingsModule'
        $text | Should -Match 'FailedNodes\s+: node2'
        $text | Should -Not -Match 'Password'
    }
}
