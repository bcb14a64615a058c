# Copyright (c) HaCluster contributors. MIT License.
# Dot-source in each test file's BeforeAll: finds the BUILT module (never the sources) and imports it.

$script:RepoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
$script:ModuleManifest = Get-ChildItem (Join-Path $RepoRoot 'out/HaCluster') -Filter HaCluster.psd1 -Recurse -ErrorAction SilentlyContinue |
    Sort-Object { [version]$_.Directory.Name } -Descending |
    Select-Object -First 1 -ExpandProperty FullName
if (-not $ModuleManifest) {
    throw "The module is not built. Run: dotnet pwsh ./build.ps1 -Task Build"
}
$script:ModuleDirectory = Split-Path $ModuleManifest
Import-Module $ModuleManifest -Force -ErrorAction Stop

function Invoke-FreshPwsh {
    # Runs a script in a new pwsh process (for tests about what a clean session sees); returns its output lines.
    param([Parameter(Mandatory)] [string] $Script)
    $file = Join-Path ([System.IO.Path]::GetTempPath()) ("hacluster-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    # Plain text: ANSI colour codes in captured output would leak into assertions and test reports.
    Set-Content -Path $file -Value ("`$PSStyle.OutputRendering = 'PlainText'`n" + $Script)
    try {
        $pwsh = Join-Path $PSHOME ($(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }))
        if (Test-Path $pwsh) { & $pwsh -NoProfile -NonInteractive -File $file 2>&1 }
        else { & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $file 2>&1 }
    }
    finally {
        Remove-Item $file -ErrorAction SilentlyContinue
    }
}
