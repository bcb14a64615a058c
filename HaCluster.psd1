#
# Module manifest for HaCluster. ModuleVersion is stamped by build.ps1 from Directory.Build.props.
#
@{
    RootModule           = 'HaCluster.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '3f6c1f7e-9a4b-4a77-8f0e-5b2d6c9e1a42'
    Author               = 'HaCluster contributors'
    CompanyName          = 'HaCluster contributors'
    Copyright            = '(c) HaCluster contributors. MIT License.'
    Description          = 'Builds highly available Kubernetes + KubeSphere clusters on QingCloud: internal and external load balancers, the KubeKey config with the VIP as control-plane endpoint, KubeKey installation over SSH, and an HA verification that survives a master shutdown.'
    CompatiblePSEditions = @('Core', 'Desktop')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @(
        'Formats/HaCluster.Format.ps1xml'
        'Formats/Cluster.Format.ps1xml'
        'Formats/Cluster.Verify.Format.ps1xml'
        'Formats/Install.Format.ps1xml'
        'Formats/KubeKey.Format.ps1xml'
        'Formats/KubeKey.Log.Format.ps1xml'
        'Formats/LoadBalancer.Format.ps1xml'
        'Formats/QingCloud.Format.ps1xml'
        'Formats/Ssh.Format.ps1xml'
    )
    TypesToProcess       = @(
        'Types/QingCloud.Types.ps1xml'
    )
    # Explicit list: no wildcards (auto-loading and import speed). Keep sorted.
    CmdletsToExport      = @(
        'Add-QcLbBackend'
        'Add-QcLbListener'
        'Add-QcSecurityGroupRule'
        'Connect-QingCloud'
        'ConvertFrom-KkLog'
        'Disconnect-QingCloud'
        'Export-HaClusterConfig'
        'Get-HaCluster'
        'Get-QcContext'
        'Get-QcEip'
        'Get-QcInstance'
        'Get-QcJob'
        'Get-QcLbBackend'
        'Get-QcLbListener'
        'Get-QcLoadBalancer'
        'Get-QcSecurityGroup'
        'Get-QcVxNet'
        'Import-HaClusterConfig'
        'Install-HaMaster'
        'Install-HaKubeSphere'
        'Uninstall-HaKubeSphere'
        'New-HaCluster'
        'New-HaClusterConfig'
        'New-HaHost'
        'New-QcEip'
        'New-QcLoadBalancer'
        'New-QcSecurityGroup'
        'Remove-HaCluster'
        'Remove-QcEip'
        'Remove-QcLbBackend'
        'Remove-QcLbListener'
        'Remove-QcLoadBalancer'
        'Remove-QcSecurityGroup'
        'Start-QcInstance'
        'Stop-QcInstance'
        'Test-HaCluster'
        'Test-HaClusterConfig'
        'Test-HaNode'
        'Update-QcLoadBalancer'
        'Wait-QcJob'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('QingCloud', 'Kubernetes', 'KubeSphere', 'KubeKey', 'HA', 'LoadBalancer', 'PSEdition_Core', 'PSEdition_Desktop', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/hacluster/HaCluster/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/hacluster/HaCluster'
            ReleaseNotes = 'See README.md for what each release adds.'
        }
    }
}
