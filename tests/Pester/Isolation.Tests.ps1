# Copyright (c) HaCluster contributors. MIT License.
# The Posh-SSH / powershell-yaml clash: other versions of our dependencies already loaded must not break us.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $packages = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages'
    # Restored by tests/Pester/TestDependencies.csproj (build.ps1 -Task Test restores it).
    $script:OtherYaml = Join-Path $packages 'yamldotnet/11.2.1/lib/netstandard2.1/YamlDotNet.dll'
    $script:OtherSsh = Join-Path $packages 'ssh.net/2024.2.0/lib/net8.0/Renci.SshNet.dll'
}

Describe 'Dependency isolation on PowerShell 7' {
    It 'has the other versions to load first' {
        $OtherYaml | Should -Exist
        $OtherSsh | Should -Exist
    }

    It 'works after another module loaded YamlDotNet 11 and SSH.NET 2024 into the default context' {
        $config = Join-Path $TestDrive 'cluster.yaml'
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$OtherYaml'
Add-Type -Path '$OtherSsh'
Import-Module '$ModuleManifest'

# YamlDotNet path: build, write and read back a config.
`$hosts = 'master1', 'master2', 'master3' | ForEach-Object -Begin { `$i = 2 } -Process { New-HaHost -Name `$_ -Address "192.168.0.`$i" -User ubuntu; `$i++ }
`$hosts | New-HaClusterConfig -ControlPlane master1, master2, master3 -ControlPlaneEndpoint 192.168.0.253 | Export-HaClusterConfig -Path '$config'
`$back = Import-HaClusterConfig -Path '$config'
"hosts=`$(@(`$back.Hosts).Count)"

# SSH.NET path: a real connection attempt to a closed port must fail as a connection error, not a load error.
try { Test-HaNode -Address 127.0.0.1 -Port 1 -User nobody -Password (ConvertTo-SecureString x -AsPlainText -Force) -AcceptNewHostKey -ErrorAction Stop | Out-Null; 'ssh=ran' }
catch { "ssh=`$(`$_.FullyQualifiedErrorId)|`$(`$_.Exception.GetType().Name)" }

foreach (`$assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'YamlDotNet', 'Renci.SshNet' }) {
    "loaded=`$(`$assembly.GetName().Name)/`$(`$assembly.GetName().Version.Major)/`$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$assembly).Name)"
}
"@
        $output = Invoke-FreshPwsh $script
        $text = $output -join "`n"
        $text | Should -Match 'hosts=3'
        $text | Should -Not -Match 'FileLoadException|FileNotFoundException|TypeLoadException|MissingMethodException'
        $text | Should -Match 'loaded=YamlDotNet/11/Default'
        $text | Should -Match 'loaded=YamlDotNet/16/HaCluster-dependencies'
        $text | Should -Match 'loaded=Renci.SshNet/2024/Default'
        $text | Should -Match 'loaded=Renci.SshNet/2026/HaCluster-dependencies'
    }
}
