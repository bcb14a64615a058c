# Copyright (c) HaCluster contributors. MIT License.
# Build, test, document and package the HaCluster module. Run as: dotnet tool restore && dotnet pwsh ./build.ps1 -Task <Task>

<#
.SYNOPSIS
    Builds, tests, documents and packages HaCluster.
.DESCRIPTION
    Build    publishes the module into out/HaCluster/<version>/ (cmdlets, loader, engine and dependencies in
             dependencies/, formats, manifest, en-US help) and the emulator into out/tools/emulator/, and restores
             Pester (tests/Pester/TestDependencies.csproj) for the tests and the README tour.
    Test     Build, then xUnit, then Pester in a fresh pwsh against the built module; prints one summary line.
    Docs     Build (the MAML needs the built cmdlets), which regenerates en-US/HaCluster.dll-Help.xml (MAML) from
             docs/*.md and en-US/about_HaCluster.help.txt from docs/about_HaCluster.md, and copies both into the module.
    Package  Build, then a .nupkg in out/ that Install-PSResource can install from a local file repository.
    Demo     Build, then the tutorial end to end against the emulator and an SSH lab (see README).
    Bench    Build, then the benchmarks in bench/ (results as a table).
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package', 'Demo', 'Bench', 'MamlFromDocs')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester files or folders to run (Test task); default: all of tests/Pester.
    [string[]] $PesterPath,

    # Skip xUnit in the Test task (for quick Pester iterations).
    [switch] $SkipXunit
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$Version = ([xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))).Project.PropertyGroup.Version | Select-Object -First 1
$ModuleDir = Join-Path $Out "HaCluster/$Version"
$HelpFile = Join-Path $Root 'en-US/HaCluster.dll-Help.xml'
$AboutFile = Join-Path $Root 'en-US/about_HaCluster.help.txt'
$PesterVersion = '5.7.1'

function Invoke-Native {
    # Runs a native command and fails the build on a non-zero exit code. Deliberately not an advanced
    # function: dotnet's -v/-o/-c switches must not bind to common parameters.
    $command, $arguments = $args
    & $command @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$command $($arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    $stage = Join-Path $Out 'obj/publish'
    if (Test-Path $stage) { Remove-Item -Recurse -Force $stage }
    if (Test-Path $ModuleDir) { Remove-Item -Recurse -Force $ModuleDir }

    Write-Host "Building HaCluster $Version ($Configuration)"
    Invoke-Native dotnet build (Join-Path $Root 'HaCluster.sln') -c $Configuration --nologo -v quiet
    Invoke-Native dotnet publish (Join-Path $Root 'src/HaCluster/HaCluster.csproj') -c $Configuration --no-build --nologo -v quiet -o $stage
    Invoke-Native dotnet publish (Join-Path $Root 'src/HaCluster.Loader/HaCluster.Loader.csproj') -c $Configuration --no-build --nologo -v quiet -o (Join-Path $stage 'loader')
    Invoke-Native dotnet publish (Join-Path $Root 'src/HaCluster.Emulator/HaCluster.Emulator.csproj') -c $Configuration --no-build --nologo -v quiet -o (Join-Path $Out 'tools/emulator')
    $simulator = Join-Path $Root 'tests/Lab/KubeKeySimulator/KubeKeySimulator.csproj'
    if (Test-Path $simulator) {
        Invoke-Native dotnet publish $simulator -c $Configuration --no-build --nologo -v quiet -o (Join-Path $Out 'tools/kk-simulator')
    }

    # Module root: only what PowerShell must see. Everything else is isolated in dependencies/.
    $dependencies = Join-Path $ModuleDir 'dependencies'
    New-Item -ItemType Directory -Force -Path $dependencies, (Join-Path $ModuleDir 'en-US') | Out-Null
    Copy-Item (Join-Path $stage 'HaCluster.dll') $ModuleDir
    Copy-Item (Join-Path $stage 'loader/HaCluster.Loader.dll') $ModuleDir
    Get-ChildItem $stage -Filter *.dll |
        Where-Object Name -NotIn 'HaCluster.dll', 'System.Management.Automation.dll' |
        Copy-Item -Destination $dependencies
    foreach ($folder in 'Formats', 'Types') {
        $source = Join-Path $stage $folder
        if (Test-Path $source) { Copy-Item $source -Destination $ModuleDir -Recurse }
    }

    $manifest = Get-Content -Raw (Join-Path $Root 'HaCluster.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$Version'"
    Set-Content -Path (Join-Path $ModuleDir 'HaCluster.psd1') -Value $manifest -NoNewline

    Invoke-Docs
    # Pester too, so the README tour's Pester step works after only -Task Build.
    Restore-TestDependencies
    Write-Host "Module: $ModuleDir"
}

function Invoke-Docs {
    # MAML needs the cmdlets' metadata, so it is generated in a fresh pwsh that imports the built module.
    Invoke-Native dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'build.ps1') -Task MamlFromDocs
    . (Join-Path $Root 'docs/Build-AboutHelp.ps1')
    Build-AboutHelp -Path (Join-Path $Root 'docs/about_HaCluster.md') -OutputPath $AboutFile
    Copy-Item $HelpFile, $AboutFile (Join-Path $ModuleDir 'en-US')
}

function Restore-TestDependencies {
    Invoke-Native dotnet restore (Join-Path $Root 'tests/Pester/TestDependencies.csproj') --nologo -v quiet
}

function Get-TrxCounts([string] $Directory) {
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem $Directory -Filter *.trx -ErrorAction SilentlyContinue) {
        $counters = ([xml](Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $skipped += [int]$counters.notExecuted
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $Out 'TestResults'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Force $results | Out-Null

    $xunit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $xunitExit = 0
    if (-not $SkipXunit) {
        Write-Host 'xUnit: tests/HaCluster.Engine.Tests'
        & dotnet test (Join-Path $Root 'tests/HaCluster.Engine.Tests') -c $Configuration --no-build --nologo `
            --logger 'trx;LogFileName=engine.trx' --logger 'console;verbosity=minimal' --results-directory $results
        $xunitExit = $LASTEXITCODE
        $xunit = Get-TrxCounts $results
        if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 } # crash or build failure counts as a failure
    }

    Write-Host 'Pester: tests/Pester (fresh pwsh, built module)'
    $pesterJson = Join-Path $results 'pester.json'
    $paths = if ($PesterPath) { $PesterPath } else { @(Join-Path $Root 'tests/Pester') }
    $runner = @'
param($PesterModule, [string] $Paths, $ResultFile, $ResultXml)
# ANSI escapes in failure messages break Pester's NUnit writer.
$PSStyle.OutputRendering = 'PlainText'
Import-Module $PesterModule -Force
$config = New-PesterConfiguration
$config.Run.Path = $Paths -split [IO.Path]::PathSeparator  # one argument: -File binds only the first of several
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultXml
$run = Invoke-Pester -Configuration $config
$failedBlocks = @($run.FailedBlocks).Count + @($run.FailedContainers).Count
[pscustomobject]@{ Passed = $run.PassedCount; Failed = $run.FailedCount + $failedBlocks; Skipped = $run.SkippedCount + $run.NotRunCount } |
    ConvertTo-Json | Set-Content -Path $ResultFile
'@
    $runnerPath = Join-Path $results 'Invoke-PesterRun.ps1'
    Set-Content -Path $runnerPath -Value $runner
    $pesterModule = Join-Path ([Environment]::GetFolderPath('UserProfile')) ".nuget/packages/pester/$PesterVersion/tools/Pester.psd1"
    & dotnet pwsh -NoProfile -NonInteractive -File $runnerPath -PesterModule $pesterModule -Paths ($paths -join [IO.Path]::PathSeparator) -ResultFile $pesterJson -ResultXml (Join-Path $results 'pester.xml')
    $pester = if (Test-Path $pesterJson) { Get-Content -Raw $pesterJson | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    $summary = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $summary += ", $skipped skipped" }
    Write-Host ''
    Write-Host "xUnit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    Write-Host $summary
    if ($failed -gt 0 -or $xunitExit -ne 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $repository = Join-Path $Out 'repository'
    if (Test-Path $repository) { Remove-Item -Recurse -Force $repository }
    New-Item -ItemType Directory -Force $repository | Out-Null
    # A throwaway local repository: Publish-PSResource is what writes a nupkg the gallery tooling accepts.
    $script = @"
`$ErrorActionPreference = 'Stop'
`$name = 'HaClusterBuild' + [guid]::NewGuid().ToString('N')
Register-PSResourceRepository -Name `$name -Uri '$repository' -Trusted
try { Publish-PSResource -Path '$ModuleDir' -Repository `$name -SkipDependenciesCheck -SkipModuleManifestValidate }
finally { Unregister-PSResourceRepository -Name `$name }
"@
    Invoke-Native dotnet pwsh -NoProfile -NonInteractive -Command $script
    $package = Get-ChildItem $repository -Filter *.nupkg | Select-Object -First 1
    Copy-Item $package.FullName $Out -Force
    Write-Host "Package: $(Join-Path $Out $package.Name)"
}

switch ($Task) {
    'Build' { Invoke-Build }
    # Build ends with the docs step: the MAML needs the built cmdlets, so Docs works on a fresh clone too.
    'Docs' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'MamlFromDocs' {
        Import-Module (Join-Path $ModuleDir 'HaCluster.psd1') -Force
        . (Join-Path $Root 'docs/Build-MamlHelp.ps1')
        Build-MamlHelp -DocsPath (Join-Path $Root 'docs') -OutputPath $HelpFile -Module (Get-Module HaCluster)
    }
    'Demo' {
        Invoke-Build
        & (Join-Path $Root 'tests/Lab/Start-Demo.ps1') -ModuleManifest (Join-Path $ModuleDir 'HaCluster.psd1')
    }
    'Bench' {
        Invoke-Build
        & (Join-Path $Root 'bench/Invoke-Benchmark.ps1') -ModuleManifest (Join-Path $ModuleDir 'HaCluster.psd1')
    }
}
