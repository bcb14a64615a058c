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

    It 'has the about topic' {
        Get-Help about_HaCluster | Out-String | Should -Match 'New-HaCluster'
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

Describe 'Package' {
    It 'publishes to a local file repository and installs back from it' {
        $repository = Join-Path $TestDrive 'repository'
        $installed = Join-Path $TestDrive 'installed'
        New-Item -ItemType Directory -Path $repository, $installed | Out-Null
        $name = 'HaClusterTest' + [guid]::NewGuid().ToString('N')
        Register-PSResourceRepository -Name $name -Uri $repository -Trusted
        try {
            Publish-PSResource -Path $ModuleDirectory -Repository $name -SkipDependenciesCheck -SkipModuleManifestValidate
            Get-ChildItem $repository -Filter 'HaCluster.*.nupkg' | Should -HaveCount 1
            Save-PSResource -Name HaCluster -Repository $name -Path $installed -TrustRepository
        }
        finally {
            Unregister-PSResourceRepository -Name $name
        }
        $manifest = Get-ChildItem $installed -Recurse -Filter HaCluster.psd1 | Select-Object -First 1
        $manifest | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path $manifest.DirectoryName 'dependencies/HaCluster.Engine.dll') | Should -BeTrue
        Test-Path (Join-Path $manifest.DirectoryName 'en-US/HaCluster.dll-Help.xml') | Should -BeTrue
        $output = Invoke-FreshPwsh "Import-Module '$($manifest.FullName)' -ErrorAction Stop; (Get-Module HaCluster).Version.ToString()"
        $output | Select-Object -Last 1 | Should -Be (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
    }
}
