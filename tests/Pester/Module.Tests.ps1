# Copyright (c) HaCluster contributors. MIT License.
# The module as shipped: layout, manifest, exports and help of every cmdlet.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:CmdletCases = @((Get-Module HaCluster).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Module = Get-Module HaCluster
    $script:CommonNames = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Module layout' {
    It 'ships the cmdlet and loader assemblies at the root and isolates the rest in dependencies/' {
        (Get-ChildItem $ModuleDirectory -Filter *.dll).Name | Sort-Object | Should -Be @('HaCluster.dll', 'HaCluster.Loader.dll')
        $dependencies = (Get-ChildItem (Join-Path $ModuleDirectory 'dependencies') -Filter *.dll).Name
        $dependencies | Should -Contain 'HaCluster.Engine.dll'
        $dependencies | Should -Contain 'YamlDotNet.dll'
        $dependencies | Should -Contain 'Renci.SshNet.dll'
        $dependencies | Should -Contain 'Polly.Core.dll'
    }

    It 'does not ship System.Management.Automation' {
        Get-ChildItem $ModuleDirectory -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }

    It 'has a manifest that passes Test-ModuleManifest with the declared editions and version' {
        $manifest = Test-ModuleManifest -Path $ModuleManifest
        $manifest.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        $manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.Tags | Should -Contain 'QingCloud'
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'lists cmdlets explicitly, without wildcards' {
        $data = Import-PowerShellDataFile $ModuleManifest
        $data.CmdletsToExport | Should -Not -BeNullOrEmpty
        $data.CmdletsToExport | Where-Object { $_ -match '[*?]' } | Should -BeNullOrEmpty
    }

    It 'exports exactly the cmdlets the assembly implements' {
        $implemented = $Module.ImplementingAssembly.GetTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" } | Sort-Object
        ($Module.ExportedCmdlets.Keys | Sort-Object) | Should -Be $implemented
        (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport | Sort-Object | Should -Be $implemented
    }

    It 'imports in a fresh pwsh session' {
        $output = Invoke-FreshPwsh "Import-Module '$ModuleManifest' -ErrorAction Stop; (Get-Module HaCluster).ExportedCmdlets.Count"
        [int]($output | Select-Object -Last 1) | Should -Be $Module.ExportedCmdlets.Count
    }

    It 'has the about topic, generated from docs/about_HaCluster.md' {
        $text = Get-Help about_HaCluster | Out-String
        $text | Should -Match 'New-HaCluster'
        $text | Should -Match '(?m)^TOPIC\s+about_HaCluster\s*$'
        $sections = Select-String -Path (Join-Path $RepoRoot 'docs/about_HaCluster.md') -Pattern '^## (?<h>.+?)\s*$' |
            ForEach-Object { $_.Matches[0].Groups['h'].Value.ToUpperInvariant() }
        $sections | Should -Contain 'SHORT DESCRIPTION'
        foreach ($section in $sections) { $text | Should -Match "(?m)^$([regex]::Escape($section))\s*$" }
        $text | Should -Not -Match '(?m)^#|```' -Because 'the markdown is converted to plain text'
    }
}

Describe 'Help for <Name>' -ForEach $CmdletCases {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
        $script:Command = Get-Command $Name
    }

    It 'has a synopsis' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, PowerShell fabricates the synopsis from the syntax.
        $Help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s"
    }

    It 'has a description' {
        ($Help.description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        @($Help.examples.example).Count | Should -BeGreaterThan 0
        @($Help.examples.example)[0].code | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter' {
        $documented = @{}
        foreach ($parameter in @($Help.parameters.parameter | Where-Object { $_ })) {
            $documented[$parameter.name] = ($parameter.description.Text -join '').Trim()
        }
        $undocumented = $Command.Parameters.Keys | Where-Object { $_ -notin $CommonNames -and -not $documented[$_] }
        $undocumented | Should -BeNullOrEmpty -Because 'every parameter needs a description in docs/'
    }
}

Describe 'README tour' {
    BeforeAll {
        $script:Readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
        $script:BuildScript = Join-Path $RepoRoot 'build.ps1'
    }

    It 'says where the second terminal for the emulator stands' {
        $Readme | Should -Match 'HaCluster\.Emulator\.dll\s+# in a second terminal, also at the repository root'
    }

    It 'imports the Pester that -Task Build restores' {
        $version = [regex]::Match((Get-Content -Raw $BuildScript), "\`$PesterVersion = '([^']+)'").Groups[1].Value
        $version | Should -Not -BeNullOrEmpty
        $Readme | Should -Match ([regex]::Escape("Import-Module ~/.nuget/packages/pester/$version/tools/Pester.psd1") + '\s+# restored by the Build task')
        # The Build task itself restores it (not only Test), so the tour's Pester step works after only -Task Build.
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($BuildScript, [ref] $null, [ref] $null)
        $build = $ast.Find({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $n.Name -eq 'Invoke-Build' }, $true)
        $calls = $build.Body.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() }
        $calls | Should -Contain 'Restore-TestDependencies'
        (Join-Path ([Environment]::GetFolderPath('UserProfile')) ".nuget/packages/pester/$version/tools/Pester.psd1") | Should -Exist
    }
}

Describe 'Package' {
    It 'installs with Install-PSResource from a local file repository and imports by name in a fresh session' {
        # The fresh pwsh gets a HOME of its own, so the repository registration (PSResourceGet/ under the local
        # app data folder) and the CurrentUser install (~/.local/share/powershell/Modules) never touch the user's.
        $isolatedHome = Join-Path $TestDrive 'home'
        $repository = Join-Path $TestDrive 'repository'
        $data = Join-Path $isolatedHome '.local/share'
        # .NET reports the app data folder only if it exists; otherwise PSResourceGet writes relative to the cwd.
        New-Item -ItemType Directory -Path $repository, $data, (Join-Path $isolatedHome '.config'), (Join-Path $isolatedHome '.cache'),
            (Join-Path $isolatedHome 'Library/Application Support') | Out-Null
        $isolated = @{ HOME = $isolatedHome; XDG_DATA_HOME = $data; XDG_CONFIG_HOME = (Join-Path $isolatedHome '.config'); XDG_CACHE_HOME = (Join-Path $isolatedHome '.cache'); PSModulePath = $null }
        $saved = @{}
        foreach ($name in $isolated.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $isolated[$name]) }
        try {
            $install = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name HaClusterLocal -Uri '$repository' -Trusted
Publish-PSResource -Path '$ModuleDirectory' -Repository HaClusterLocal -SkipDependenciesCheck -SkipModuleManifestValidate
`$installed = Install-PSResource -Name HaCluster -Repository HaClusterLocal -Scope CurrentUser -TrustRepository -PassThru
"installed: `$(`$installed.Name) `$(`$installed.Version) in `$(`$installed.InstalledLocation)"
"@
            $use = Invoke-FreshPwsh @'
$ErrorActionPreference = 'Stop'
Import-Module HaCluster
$module = Get-Module HaCluster
"base: $($module.ModuleBase)"
"version: $($module.Version)"
"host: $((New-HaHost -Name master1 -Address 10.0.0.2).Name)"
'@
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }

        Get-ChildItem $repository -Filter 'HaCluster.*.nupkg' | Should -HaveCount 1
        $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
        $userModules = Join-Path $data 'powershell/Modules'
        $install | Select-Object -Last 1 | Should -Be "installed: HaCluster $version in $userModules" -Because ($install -join "`n")
        $use | Should -Be @("base: $(Join-Path $userModules "HaCluster/$version")", "version: $version", 'host: master1') -Because ($use -join "`n")
        $installedModule = Join-Path $userModules "HaCluster/$version"
        Test-Path (Join-Path $installedModule 'dependencies/HaCluster.Engine.dll') | Should -BeTrue
        Test-Path (Join-Path $installedModule 'en-US/HaCluster.dll-Help.xml') | Should -BeTrue
        (Get-PSResourceRepository).Name | Should -Not -Contain 'HaClusterLocal' -Because "the user's repository list is not touched"
    }
}
