# Copyright (c) HaCluster contributors. MIT License.
# The config cmdlets against the built module: the tutorial's cluster, kk's format, refusals, secrets.

BeforeDiscovery {
    # One case per validation rule, checked through Test-HaClusterConfig -Path on a config file: each Change is
    # applied to a valid base config (see New-ConfigYaml) so the named finding is caused by that change alone.
    function New-HostLine([string] $Name, [string] $Address, [string] $Extra = ', user: ubuntu, password: "Testing123"') {
        $fields = @(if ($Name) { "name: $Name" }) + "address: $Address" + "internalAddress: $Address"
        "{$($fields -join ', ')$Extra}"
    }
    $script:RuleCases = @(
        @{ Code = 'ClusterNameInvalid'; Severity = 'Error'; Target = 'Prod_1'; Change = @{ Name = 'Prod_1' } }
        @{ Code = 'HostNameMissing'; Severity = 'Error'; Target = '10.0.0.6'; Change = @{ AddHost = New-HostLine '' 10.0.0.6 } }
        @{ Code = 'HostNameInvalid'; Severity = 'Error'; Target = 'Node2'; Change = @{ AddHost = New-HostLine Node2 10.0.0.6; Worker = 'node1', 'Node2' } }
        @{ Code = 'HostNameDuplicate'; Severity = 'Error'; Target = 'node1'; Change = @{ AddHost = New-HostLine node1 10.0.0.6 } }
        @{ Code = 'HostAddressInvalid'; Severity = 'Error'; Target = '10.0.0.300'; Change = @{ AddHost = '{name: node2, address: 10.0.0.6, internalAddress: 10.0.0.300, password: "Testing123"}'; Worker = 'node1', 'node2' } }
        @{ Code = 'HostAddressDuplicate'; Severity = 'Error'; Target = '10.0.0.5'; Change = @{ AddHost = New-HostLine node2 10.0.0.5; Worker = 'node1', 'node2' } }
        @{ Code = 'PortOutOfRange'; Severity = 'Error'; Target = '70000'; Change = @{ AddHost = New-HostLine node2 10.0.0.6 ', port: 70000, password: "Testing123"'; Worker = 'node1', 'node2' } }
        @{ Code = 'PortOutOfRange'; Severity = 'Error'; Target = '0'; Change = @{ Port = 0 } }
        @{ Code = 'HostArchUnknown'; Severity = 'Error'; Target = 's390x'; Change = @{ AddHost = New-HostLine node2 10.0.0.6 ', arch: s390x, password: "Testing123"'; Worker = 'node1', 'node2' } }
        @{ Code = 'HostCredentialMissing'; Severity = 'Warning'; Target = 'node2'; Change = @{ AddHost = New-HostLine node2 10.0.0.6 ', user: ubuntu'; Worker = 'node1', 'node2' } }
        @{ Code = 'HostWithoutRole'; Severity = 'Warning'; Target = 'node2'; Change = @{ AddHost = New-HostLine node2 10.0.0.6 } }
        @{ Code = 'ControlPlaneMissing'; Severity = 'Error'; Target = 'control-plane'; Change = @{ ControlPlane = @() } }
        @{ Code = 'EtcdMissing'; Severity = 'Error'; Target = 'etcd'; Change = @{ Etcd = @() } }
        @{ Code = 'EtcdCountEven'; Severity = 'Error'; Target = '2'; Change = @{ Etcd = 'master1', 'master2' } }
        @{ Code = 'EtcdCountLarge'; Severity = 'Warning'; Target = '9'; Change = @{ AddHost = 4..9 | ForEach-Object { New-HostLine "etcd$_" "10.0.1.$_" }; Etcd = @('master1', 'master2', 'master3') + (4..9 | ForEach-Object { "etcd$_" }) } }
        @{ Code = 'EtcdOnWorker'; Severity = 'Warning'; Target = 'node1'; Change = @{ Etcd = 'master1', 'master2', 'node1' } }
        @{ Code = 'EtcdTypeUnknown'; Severity = 'Error'; Target = 'embedded'; Change = @{ EtcdType = 'embedded' } }
        @{ Code = 'RoleMemberNotInHosts'; Severity = 'Error'; Target = 'node9'; Change = @{ Worker = 'node1', 'node9' } }
        @{ Code = 'WorkerMissing'; Severity = 'Warning'; Target = 'worker'; Change = @{ Worker = @(); AddHost = @() } }
        @{ Code = 'EndpointAddressMissing'; Severity = 'Error'; Target = 'lb.kubesphere.local'; Change = @{ Address = '' } }
        @{ Code = 'EndpointAddressInvalid'; Severity = 'Error'; Target = '10.0.0.256'; Change = @{ Address = '10.0.0.256' } }
        @{ Code = 'EndpointAddressIsNode'; Severity = 'Error'; Target = '10.0.0.2'; Change = @{ Address = '10.0.0.2' } }
        @{ Code = 'EndpointDomainInvalid'; Severity = 'Error'; Target = 'lb_kubesphere.local'; Change = @{ Domain = 'lb_kubesphere.local' } }
        @{ Code = 'InternalLoadBalancerUnknown'; Severity = 'Error'; Target = 'nginx'; Change = @{ InternalLoadBalancer = 'nginx' } }
        @{ Code = 'InternalLoadBalancerConflict'; Severity = 'Error'; Target = '10.0.0.253'; Change = @{ InternalLoadBalancer = 'haproxy' } }
        @{ Code = 'KubeVipAddressMissing'; Severity = 'Error'; Target = 'kube-vip'; Change = @{ InternalLoadBalancer = 'kube-vip'; Address = '' } }
        @{ Code = 'NetworkPluginUnknown'; Severity = 'Error'; Target = 'weave'; Change = @{ Plugin = 'weave' } }
        @{ Code = 'CidrInvalid'; Severity = 'Error'; Target = '10.233.64.0/33'; Change = @{ PodCidr = '10.233.64.0/33' } }
        @{ Code = 'CidrOverlap'; Severity = 'Error'; Target = '10.233.64.0/20'; Change = @{ ServiceCidr = '10.233.64.0/20' } }
        @{ Code = 'CidrContainsAddress'; Severity = 'Error'; Target = '10.0.0.0/16'; Change = @{ PodCidr = '10.0.0.0/16' } }
        @{ Code = 'ContainerManagerUnknown'; Severity = 'Error'; Target = 'podman'; Change = @{ ContainerManager = 'podman' } }
        @{ Code = 'KubernetesVersionInvalid'; Severity = 'Error'; Target = 'v1.23'; Change = @{ Version = 'v1.23' } }
        @{ Code = 'KubernetesVersionUnsupported'; Severity = 'Error'; Target = 'v1.17.9'; Change = @{ Version = 'v1.17.9' } }
        @{ Code = 'KubernetesVersionIncompatible'; Severity = 'Error'; Target = 'v1.28.15'; Change = @{ Version = 'v1.28.15'; KubeSphere = 'v3.4.1' } }
        @{ Code = 'KubeSphereVersionUnsupported'; Severity = 'Error'; Target = 'v4.1.2'; Change = @{ KubeSphere = 'v4.1.2' } }
        @{ Code = 'KubeSphereVersionUnpinned'; Severity = 'Warning'; Target = 'latest'; Change = @{ KubeSphere = 'latest' } }
        @{ Code = 'KubeSphereComponentUnsupported'; Severity = 'Error'; Target = 'gatekeeper'; Change = @{ KubeSphere = 'v3.3.2'; KubeSphereSpec = 'spec: {gatekeeper: {enabled: true}}' } }
        @{ Code = 'ConfigMapDocumentStray'; Severity = 'Error'; Target = 'extra'; Change = @{ Append = '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: extra' } }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Fixtures = Join-Path $PSScriptRoot '../Fixtures/KubeKey'
    $script:Password = 'Testing123'
    $script:Credential = [pscredential]::new('ubuntu', (ConvertTo-SecureString $Password -AsPlainText -Force))

    function New-TutorialHost {
        # The tutorial's six machines: master1-3 on 192.168.0.2-4, node1-3 on 192.168.0.5-7.
        [CmdletBinding()]
        param()
        $i = 2
        foreach ($name in 'master1', 'master2', 'master3', 'node1', 'node2', 'node3') {
            New-HaHost -Name $name -Address "192.168.0.$i" -Credential $Credential
            $i++
        }
    }

    function New-TutorialConfig {
        # The tutorial's cluster (VIP 192.168.0.253), with -Extra parameters added or replaced.
        [CmdletBinding()]
        param([hashtable] $Extra = @{})
        $parameters = @{ ControlPlane = 'master1', 'master2', 'master3'; Worker = 'node1', 'node2', 'node3'; ControlPlaneEndpoint = '192.168.0.253' }
        foreach ($key in $Extra.Keys) { $parameters[$key] = $Extra[$key] }
        New-TutorialHost | New-HaClusterConfig @parameters
    }

    function New-ConfigYaml {
        # A valid v1alpha2 config (master1-3 control plane and etcd, node1 worker, VIP 10.0.0.253) with -Change
        # applied; keys: Name, AddHost (extra host flow lines), Etcd, ControlPlane, Worker, Domain, Address, Port,
        # InternalLoadBalancer, Version, ContainerManager, EtcdType, Plugin, PodCidr, ServiceCidr, KubeSphere, KubeSphereSpec,
        # Append (lines after the last document).
        param([hashtable] $Change = @{})
        $v = @{
            Name = 'sample'; AddHost = @(); Etcd = 'master1', 'master2', 'master3'; ControlPlane = 'master1', 'master2', 'master3'
            Worker = @('node1'); Domain = 'lb.kubesphere.local'; Address = '10.0.0.253'; Port = 6443; InternalLoadBalancer = $null
            Version = 'v1.23.17'; ContainerManager = 'docker'; EtcdType = 'kubekey'; Plugin = 'calico'
            PodCidr = '10.233.64.0/18'; ServiceCidr = '10.233.0.0/18'; KubeSphere = $null; KubeSphereSpec = 'spec: {}'; Append = @()
        }
        foreach ($key in $Change.Keys) { $v[$key] = $Change[$key] }
        $hostLines = foreach ($entry in @('master1', 2), @('master2', 3), @('master3', 4), @('node1', 5)) {
            "  - {name: $($entry[0]), address: 10.0.0.$($entry[1]), internalAddress: 10.0.0.$($entry[1]), user: ubuntu, password: ""Testing123""}"
        }
        $hostLines = @($hostLines) + @($v.AddHost | ForEach-Object { "  - $_" })
        function Format-Group([string] $Key, [string[]] $Members) {
            if (@($Members).Count -eq 0) { return "    ${Key}: []" }
            "    ${Key}:"
            $Members | ForEach-Object { "    - $_" }
        }
        $lines = @(
            'apiVersion: kubekey.kubesphere.io/v1alpha2', 'kind: Cluster', 'metadata:', "  name: $($v.Name)", 'spec:', '  hosts:'
            $hostLines
            '  roleGroups:'
            Format-Group etcd $v.Etcd
            Format-Group control-plane $v.ControlPlane
            Format-Group worker $v.Worker
            '  controlPlaneEndpoint:'
            if ($v.InternalLoadBalancer) { "    internalLoadbalancer: $($v.InternalLoadBalancer)" }
            "    domain: $($v.Domain)", "    address: ""$($v.Address)""", "    port: $($v.Port)"
            '  kubernetes:', "    version: $($v.Version)", '    clusterName: cluster.local', "    containerManager: $($v.ContainerManager)"
            '  etcd:', "    type: $($v.EtcdType)"
            '  network:', "    plugin: $($v.Plugin)", "    kubePodsCIDR: $($v.PodCidr)", "    kubeServiceCIDR: $($v.ServiceCidr)"
            if ($v.KubeSphere) {
                '---', 'apiVersion: installer.kubesphere.io/v1alpha1', 'kind: ClusterConfiguration', 'metadata:', '  name: ks-installer'
                '  namespace: kubesphere-system', '  labels:', "    version: $($v.KubeSphere)", $v.KubeSphereSpec
            }
            $v.Append
        )
        $lines -join "`n"
    }

    function Get-YamlSection {
        # The lines of one block under spec (hosts, roleGroups, controlPlaneEndpoint), comments dropped.
        param([string] $Text, [string] $Key)
        $lines = ($Text -replace "`r", '') -split "`n" | Where-Object { $_ -notmatch '^\s*#' -and $_.Trim() }
        $start = [array]::IndexOf($lines, ($lines | Where-Object { $_ -match "^  $Key\s*:" } | Select-Object -First 1))
        $start | Should -BeGreaterOrEqual 0 -Because "the YAML has spec.$Key"
        $block = foreach ($line in $lines[($start + 1)..($lines.Count - 1)]) {
            # Sequences under a two-space key are not indented further (kk's style), so "  - " belongs to it.
            if ($line -match '^  \S' -and $line -notmatch '^  - ') { break }
            $line
        }
        @($block)
    }

    function ConvertFrom-Scalar([string] $Text) {
        $Text.Trim().Trim('"').Trim("'")
    }

    function Get-YamlHost {
        # spec.hosts entries written as kk flow lines: - {name: a, address: b, ...} → ordered hashtables.
        param([string] $Text)
        foreach ($line in Get-YamlSection $Text 'hosts') {
            $line | Should -Match '^  - \{.*\}$' -Because 'kk writes one flow line per host'
            $entry = [ordered]@{}
            foreach ($pair in ($line -replace '^  - \{|\}$', '') -split ',\s*') {
                $key, $value = $pair -split ':\s*', 2
                $entry[$key.Trim()] = ConvertFrom-Scalar $value
            }
            $entry
        }
    }

    function Get-YamlRoleGroup {
        # spec.roleGroups as group → members; kk v1's "master" is the same group as "control-plane".
        param([string] $Text)
        $groups = [ordered]@{}
        $group = $null
        foreach ($line in Get-YamlSection $Text 'roleGroups') {
            if ($line -match '^    (?<group>[\w-]+):\s*$') {
                $group = if ($Matches.group -eq 'master') { 'control-plane' } else { $Matches.group }
                $groups[$group] = @()
            }
            elseif ($line -match '^    - (?<member>.+)$') { $groups[$group] += ConvertFrom-Scalar $Matches.member }
        }
        $groups
    }

    function Get-YamlMapping {
        # A block of "key: value" lines (controlPlaneEndpoint) → key → value text (quotes removed).
        param([string] $Text, [string] $Key)
        $map = [ordered]@{}
        foreach ($line in Get-YamlSection $Text $Key) {
            $name, $value = $line.Trim() -split ':\s*', 2
            $map[$name] = ConvertFrom-Scalar $value
        }
        $map
    }

    function Get-YamlKeyPath {
        # Every mapping key of the first document as a dotted path, in order (host entries excluded).
        param([string] $Text)
        $stack = @()
        foreach ($line in ($Text -replace "`r", '') -split "`n") {
            if ($line -eq '---') { break }
            if ($line -match '^(?<indent> *)(?<key>[A-Za-z][\w.-]*):(\s|$)') {
                $depth = $Matches.indent.Length / 2
                $stack = @($stack | Select-Object -First $depth) + $Matches.key
                $stack -join '.'
            }
        }
    }
}

Describe 'The tutorial cluster built with the cmdlets' {
    BeforeAll {
        $script:Config = New-TutorialConfig
        $script:Path = Join-Path $TestDrive 'config-sample.yaml'
        $Config | Export-HaClusterConfig -Path $Path
        $script:Exported = Get-Content -Raw $Path
        $script:Tutorial = Get-Content -Raw (Join-Path $Fixtures 'tutorial-config-sample.yaml')
    }

    It 'has the hosts of the tutorial config-sample.yaml' {
        $exportedHosts = @(Get-YamlHost $Exported)
        $tutorialHosts = @(Get-YamlHost $Tutorial)
        $exportedHosts.Count | Should -Be 6
        for ($i = 0; $i -lt 6; $i++) {
            ($exportedHosts[$i] | ConvertTo-Json -Compress) | Should -Be ($tutorialHosts[$i] | ConvertTo-Json -Compress)
        }
    }

    It 'has the role groups of the tutorial, with the control-plane key kk v3 uses' {
        (Get-YamlRoleGroup $Exported | ConvertTo-Json -Compress) | Should -Be (Get-YamlRoleGroup $Tutorial | ConvertTo-Json -Compress)
        $Exported | Should -Match '(?m)^    control-plane:$'
        $Exported | Should -Not -Match '(?m)^    master:'
    }

    It 'has the controlPlaneEndpoint of the tutorial, with an unquoted port' {
        (Get-YamlMapping $Exported 'controlPlaneEndpoint' | ConvertTo-Json -Compress) |
            Should -Be (Get-YamlMapping $Tutorial 'controlPlaneEndpoint' | ConvertTo-Json -Compress)
        $Exported | Should -Match '(?m)^    address: "192\.168\.0\.253"$'
        $Exported | Should -Match '(?m)^    port: 6443$'
    }

    It "has every other key of kk's v1alpha2 template, in kk's order" {
        $template = Get-Content -Raw (Join-Path $Fixtures 'kk-create-config.yaml')
        Get-YamlKeyPath $Exported | Should -Be @(Get-YamlKeyPath $template)
        $Exported | Should -Match '^apiVersion: kubekey\.kubesphere\.io/v1alpha2\nkind: Cluster\n'
    }

    It 'is readable by its owner only, because it holds the SSH passwords' {
        (Get-Item $Path).UnixMode | Should -Be '-rw-------'
        $Exported | Should -Match 'password: "Testing123"'
    }

    It 'gives a list view with the roles and the endpoint' {
        $view = $Config | Out-String
        $view | Should -Match 'ControlPlane\s+: master1, master2, master3'
        $view | Should -Match 'Worker\s+: node1, node2, node3'
        $view | Should -Match 'ControlPlaneEndpoint\s+: lb\.kubesphere\.local \(192\.168\.0\.253:6443\)'
        $view | Should -Match 'KubeSphere\s+: none'
        $Config.PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.KubeKey.ClusterConfig'
    }

    It 'passes Test-HaClusterConfig' {
        $Config | Test-HaClusterConfig | Should -BeNullOrEmpty
        $Config | Test-HaClusterConfig -Quiet | Should -BeTrue
    }
}

Describe 'The password stays out of every stream' {
    It 'never shows in output, verbose, debug, warning or error text' {
        $path = Join-Path $TestDrive 'secret.yaml'
        $streams = & {
            $hosts = New-TutorialHost -Verbose -Debug
            $hosts | Format-List * | Out-String
            $hosts | ConvertTo-Json -Depth 3
            $config = $hosts | New-HaClusterConfig -ControlPlane master1, master2, master3 -ControlPlaneEndpoint 192.168.0.253 -Verbose -Debug
            $config | Format-List * | Out-String
            $config | Export-HaClusterConfig -Path $path -Verbose -Debug -PassThru
            Import-HaClusterConfig -Path $path -Verbose -Debug | Test-HaClusterConfig -Verbose
            $hosts | New-HaClusterConfig -ControlPlane master1, master2 -Force -Verbose
            try { $hosts | New-HaClusterConfig -ControlPlane master1, master2 } catch { $_ | Out-String; $_.TargetObject }
            try { $config | Export-HaClusterConfig -Path $path } catch { $_ | Out-String }
        } *>&1 | Out-String
        $streams | Should -Match 'EtcdCountEven'
        $streams | Should -Match 'ConfigFileExists|already exists'
        $streams | Should -Not -Match $Password
        Get-Content -Raw $path | Should -Match $Password
    }
}

Describe 'New-HaHost' {
    It 'binds CSV rows by property name, with the API field names as aliases' {
        $rows = @'
instance_name,private_ip,User,Port
master1,10.0.0.2,ops,2222
'@ | ConvertFrom-Csv
        $h = $rows | New-HaHost
        $h.Name | Should -Be 'master1'
        $h.Address | Should -Be '10.0.0.2'
        $h.InternalAddress | Should -Be '10.0.0.2'
        $h.Port | Should -Be 2222
        $h.User | Should -Be 'ops'
        $h.AuthenticationMethod | Should -Be 'DefaultKey'

        $other = [pscustomobject]@{ HostName = 'node1'; IPAddress = '10.0.0.5'; InternalAddress = '172.16.0.5' } | New-HaHost -PrivateKeyPath '~/.ssh/id_ed25519'
        ($other.Name, $other.Address, $other.InternalAddress, $other.AuthenticationMethod) | Should -Be @('node1', '10.0.0.5', '172.16.0.5', 'PrivateKey')
    }

    It 'takes user and password from -Credential and keeps the password a SecureString' {
        $h = New-HaHost master1 192.168.0.2 -Credential $Credential -Labels @{ zone = 'pek3' }
        $h.User | Should -Be 'ubuntu'
        $h.HasPassword | Should -BeTrue
        $h.PSObject.Properties.Name | Should -Not -Contain 'Password'
        $h.AuthenticationMethod | Should -Be 'Password'
        $h.Labels['zone'] | Should -Be 'pek3'
        ($h | Format-Table | Out-String) | Should -Match 'master1\s+192\.168\.0\.2\s+192\.168\.0\.2\s+22\s+ubuntu\s+Password\s+amd64'
    }

    It 'rejects <Case> with <ErrorId>' -ForEach @(
        @{ Case = 'an uppercase name'; Arguments = @{ Name = 'Master1'; Address = '192.168.0.2' }; ErrorId = 'HostNameInvalid' }
        @{ Case = 'a partial IP'; Arguments = @{ Name = 'master1'; Address = '192.168.0' }; ErrorId = 'HostAddressInvalid' }
        @{ Case = 'a bad internal IP'; Arguments = @{ Name = 'master1'; Address = '192.168.0.2'; InternalAddress = '10.0.0.300' }; ErrorId = 'HostAddressInvalid' }
        @{ Case = 'port 0'; Arguments = @{ Name = 'master1'; Address = '192.168.0.2'; Port = 0 }; ErrorId = 'PortOutOfRange' }
        @{ Case = 'two different users'; Arguments = @{ Name = 'master1'; Address = '192.168.0.2'; User = 'root' }; WithCredential = $true; ErrorId = 'HostUserConflict' }
    ) {
        # -ForEach data is built at discovery, before BeforeAll made the credential.
        if ($WithCredential) { $Arguments.Credential = $Credential }
        $result = New-HaHost @Arguments -ErrorVariable failures -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -Be "$ErrorId,HaCluster.Commands.NewHaHostCommand"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].TargetObject | Should -Not -BeNullOrEmpty
    }
}

Describe 'New-HaClusterConfig' {
    It 'runs etcd on the control plane and makes the other hosts workers by default' {
        $config = New-TutorialHost | New-HaClusterConfig -ControlPlane master1, master2, master3 -ControlPlaneEndpoint 192.168.0.253
        $config.RoleGroups.Etcd | Should -Be @('master1', 'master2', 'master3')
        $config.RoleGroups.Worker | Should -Be @('node1', 'node2', 'node3')
        $config.Kubernetes.Version | Should -Be 'v1.23.17'
        $config.Kubernetes.ContainerManager | Should -Be 'docker'
        $config.ControlPlaneEndpoint.Domain | Should -Be 'lb.kubesphere.local'
        $config.ControlPlaneEndpoint.Port | Should -Be 6443
    }

    It 'takes host objects as role members and applies every setting' {
        $hosts = New-TutorialHost
        $params = @{
            ControlPlane = $hosts | Where-Object Name -Like 'master*'
            Etcd = $hosts[0]
            ControlPlaneEndpoint = '192.168.0.253'
            Domain = 'api.internal'
            Port = 8443
            KubernetesVersion = '1.26.15'
            NetworkPlugin = 'cilium'
            PodCidr = '10.244.0.0/16'
            ServiceCidr = '10.96.0.0/12'
            KubeSphereVersion = '3.4.1'
            EnableComponent = 'devops', 'logging', 'appstore'
            Name = 'prod'
        }
        $config = $hosts | New-HaClusterConfig @params
        $config.RoleGroups.ControlPlane | Should -Be @('master1', 'master2', 'master3')
        $config.RoleGroups.Etcd | Should -Be @('master1')
        $config.Kubernetes.Version | Should -Be 'v1.26.15'
        $config.Kubernetes.ContainerManager | Should -Be 'containerd'
        $config.KubeSphere.Version | Should -Be 'v3.4.1'
        $config.KubeSphere.EnabledComponents | Should -Be @('devops', 'logging', 'openpitrix')
        $path = Join-Path $TestDrive 'prod.yaml'
        $config | Export-HaClusterConfig -Path $path
        $text = Get-Content -Raw $path
        $text | Should -Match '(?m)^  name: prod$'
        $text | Should -Match '(?m)^    domain: api\.internal\n    address: "192\.168\.0\.253"\n    port: 8443$'
        $text | Should -Match '(?m)^    plugin: cilium\n    kubePodsCIDR: 10\.244\.0\.0/16\n    kubeServiceCIDR: 10\.96\.0\.0/12$'
        $text | Should -Match '(?m)^---\napiVersion: installer\.kubesphere\.io/v1alpha1\nkind: ClusterConfiguration\n'
        $text | Should -Match '(?m)^  devops:\n    enabled: true$'
    }

    It 'refuses <Case> with ErrorId <ErrorId>' -ForEach @(
        @{ Case = 'two etcd members'; Extra = @{ Etcd = 'master1', 'master2' }; ErrorId = 'EtcdCountEven'; Target = '2' }
        @{ Case = 'three control planes without a VIP'; Extra = @{ ControlPlaneEndpoint = '' }; ErrorId = 'EndpointAddressMissing'; Target = 'lb.kubesphere.local' }
        @{ Case = 'a VIP that is a node'; Extra = @{ ControlPlaneEndpoint = '192.168.0.2' }; ErrorId = 'EndpointAddressIsNode'; Target = '192.168.0.2' }
        @{ Case = 'a worker that is not a host'; Extra = @{ Worker = 'node1', 'node4' }; ErrorId = 'RoleMemberNotInHosts'; Target = 'node4' }
        @{ Case = 'overlapping CIDRs'; Extra = @{ ServiceCidr = '10.233.64.0/20' }; ErrorId = 'CidrOverlap'; Target = '10.233.64.0/20' }
        @{ Case = 'a pod CIDR over the nodes'; Extra = @{ PodCidr = '192.168.0.0/16' }; ErrorId = 'CidrContainsAddress'; Target = '192.168.0.0/16' }
        @{ Case = 'an endpoint port of 0'; Extra = @{ Port = 0 }; ErrorId = 'PortOutOfRange'; Target = '0' }
        @{ Case = 'Kubernetes 1.28 with KubeSphere 3.4.1'; Extra = @{ KubernetesVersion = 'v1.28.15'; KubeSphereVersion = 'v3.4.1' }; ErrorId = 'KubernetesVersionIncompatible'; Target = 'v1.28.15' }
        @{ Case = 'KubeSphere 4'; Extra = @{ KubeSphereVersion = 'v4.1.2' }; ErrorId = 'KubeSphereVersionUnsupported'; Target = 'v4.1.2' }
        @{ Case = 'an unknown runtime'; Extra = @{ ContainerManager = 'podman' }; ErrorId = 'ContainerManagerUnknown'; Target = 'podman' }
        @{ Case = 'an unknown component'; Extra = @{ KubeSphereVersion = 'v3.4.1'; EnableComponent = 'kafka' }; ErrorId = 'KubeSphereComponentUnknown'; Target = 'kafka' }
        @{ Case = 'components without KubeSphere'; Extra = @{ EnableComponent = 'devops' }; ErrorId = 'KubeSphereVersionRequired'; Target = 'devops' }
    ) {
        $failure = { New-TutorialConfig -Extra $Extra 3>$null } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be "$ErrorId,HaCluster.Commands.NewHaClusterConfigCommand"
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.TargetObject | Should -Be $Target
    }

    It 'returns a refused config with -Force and says why as warnings' {
        $config = New-TutorialConfig -Extra @{ Etcd = 'master1', 'master2'; Force = $true } -WarningVariable warnings 3>$null
        $config | Should -Not -BeNullOrEmpty
        $warnings.Message | Should -Match '^EtcdCountEven'
        ($config | Test-HaClusterConfig).Code | Should -Contain 'EtcdCountEven'
    }

    It 'warns about etcd on worker nodes, as the tutorial advises' {
        $config = New-TutorialConfig -Extra @{ Etcd = 'master1', 'master2', 'node1' } -WarningVariable warnings 3>$null
        $config | Should -Not -BeNullOrEmpty
        $warnings.Message | Should -Match '^EtcdOnWorker'
    }
}

Describe 'Export-HaClusterConfig' {
    BeforeAll {
        $script:Config = New-TutorialConfig
    }

    It 'does not overwrite without -Force' {
        $path = Join-Path $TestDrive 'exists.yaml'
        Set-Content -Path $path -Value 'keep me'
        $failure = { $Config | Export-HaClusterConfig -Path $path } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'ConfigFileExists,HaCluster.Commands.ExportHaClusterConfigCommand'
        $failure.CategoryInfo.Category | Should -Be 'ResourceExists'
        $failure.TargetObject | Should -Be $path
        Get-Content $path | Should -Be 'keep me'

        $file = $Config | Export-HaClusterConfig -Path $path -Force -PassThru
        $file.FullName | Should -Be $path
        $file.UnixMode | Should -Be '-rw-------'
        Get-Content -Raw $path | Should -Match '^apiVersion: kubekey'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.yaml'
        $Config | Export-HaClusterConfig -Path $path -WhatIf
        $path | Should -Not -Exist
    }

    It 'refuses a config with errors unless -Force' {
        $old = Import-HaClusterConfig -Path (Join-Path $Fixtures 'tutorial-config-sample.yaml')
        $path = Join-Path $TestDrive 'old.yaml'
        $failure = { $old | Export-HaClusterConfig -Path $path } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'KubernetesVersionUnsupported,HaCluster.Commands.ExportHaClusterConfigCommand'
        $failure.CategoryInfo.Category | Should -Be 'InvalidData'
        $path | Should -Not -Exist

        $old | Export-HaClusterConfig -Path $path -Force 3>$null
        Get-Content -Raw $path | Should -Match '(?m)^    version: v1\.17\.9$'
    }

    It 'reports a missing folder' {
        $failure = { $Config | Export-HaClusterConfig -Path (Join-Path $TestDrive 'no/such/config.yaml') } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'ConfigDirectoryNotFound,HaCluster.Commands.ExportHaClusterConfigCommand'
    }
}

Describe 'Import-HaClusterConfig' {
    It "reads the tutorial's own snippet" {
        $config = Import-HaClusterConfig -Path (Join-Path $Fixtures 'tutorial-snippet.yaml')
        $config.Hosts.Name | Should -Be @('master1', 'master2', 'master3', 'node1', 'node2', 'node3')
        $config.RoleGroups.ControlPlane | Should -Be @('master1', 'master2', 'master3')
        $config.Hosts[0].HasPassword | Should -BeTrue
    }

    It "reads the tutorial's v1alpha1 config-sample.yaml: master key and quoted port" {
        $config = Import-HaClusterConfig (Join-Path $Fixtures 'tutorial-config-sample.yaml')
        $config.SourceApiVersion | Should -Be 'kubekey.kubesphere.io/v1alpha1'
        $config.RoleGroups.ControlPlane | Should -Be @('master1', 'master2', 'master3')
        $config.ControlPlaneEndpoint.Address | Should -Be '192.168.0.253'
        $config.ControlPlaneEndpoint.Port | Should -Be 6443
    }

    It 'expands ranges and keeps unknown keys through a stable round trip' {
        $source = Join-Path $Fixtures 'kk-ha-kubesphere.yaml'
        $config = Get-Item $source | Import-HaClusterConfig
        $config.RoleGroups.Worker | Should -Be @('worker1', 'worker2', 'worker3')
        $first = Join-Path $TestDrive 'first.yaml'
        $second = Join-Path $TestDrive 'second.yaml'
        $config | Export-HaClusterConfig -Path $first -Force 3>$null
        Import-HaClusterConfig $first | Export-HaClusterConfig -Path $second -Force 3>$null
        Get-Content -Raw $second | Should -BeExactly (Get-Content -Raw $first)
        Get-Content -Raw $first | Should -Match '(?m)^    apiserverCertExtraSans:\n    - api\.prod\.example\.com$'
        Get-Content -Raw $first | Should -Match 'timeout: 60'
    }

    It 'reports <Case> as <ErrorId> and goes on with the next file' -ForEach @(
        @{ Case = 'a missing file'; Content = $null; ErrorId = 'ConfigFileNotFound' }
        @{ Case = 'broken YAML'; Content = "spec:`n  hosts:`n  - {name: a"; ErrorId = 'ConfigYamlInvalid' }
        @{ Case = 'a file without a cluster'; Content = "apiVersion: v1`nkind: Service`n"; ErrorId = 'ConfigClusterDocumentMissing' }
        @{ Case = 'a text port'; Content = "kind: Cluster`nspec:`n  hosts:`n  - {name: a, address: 10.0.0.1, port: ssh}`n"; ErrorId = 'ConfigValueInvalid' }
        @{ Case = 'a backwards range'; Content = "kind: Cluster`nspec:`n  hosts: []`n  roleGroups:`n    worker:`n    - node[3:1]`n"; ErrorId = 'RoleGroupRangeInvalid' }
    ) {
        $bad = Join-Path $TestDrive "bad-$ErrorId.yaml"
        if ($null -ne $Content) { Set-Content -Path $bad -Value $Content }
        $configs = Import-HaClusterConfig -Path $bad, (Join-Path $Fixtures 'kk-create-config.yaml') -ErrorVariable failures -ErrorAction SilentlyContinue
        @($configs).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be "$ErrorId,HaCluster.Commands.ImportHaClusterConfigCommand"
    }
}

Describe 'Test-HaClusterConfig' {
    It 'returns findings with severity, code, target and message' {
        $config = New-TutorialConfig -Extra @{ Etcd = 'master1', 'master2'; Force = $true } 3>$null
        $config.RoleGroups.Worker.Add('node9')
        $findings = $config | Test-HaClusterConfig
        $findings.Code | Should -Be @('RoleMemberNotInHosts', 'EtcdCountEven')
        $findings[0].Severity | Should -Be 'Error'
        $findings[0].Target | Should -Be 'node9'
        $findings[0].Message | Should -Match "node9.*worker"
        ($findings | Format-Table | Out-String) | Should -Match 'Error\s+RoleMemberNotInHosts\s+node9'
        $config | Test-HaClusterConfig -Quiet | Should -BeFalse
    }

    It 'checks a file with -Path, and -Quiet is $false for an unreadable one' {
        (Test-HaClusterConfig -Path (Join-Path $Fixtures 'tutorial-config-sample.yaml')).Code | Should -Be @('KubernetesVersionUnsupported')
        Test-HaClusterConfig -Path (Join-Path $Fixtures 'kk-create-config.yaml') -Quiet | Should -BeTrue
        Test-HaClusterConfig -Path (Join-Path $TestDrive 'missing.yaml') -Quiet | Should -BeFalse
    }

    It 'counts warnings as passing with -Quiet' {
        $config = New-TutorialConfig -Extra @{ Etcd = 'master1', 'master2', 'node1' } 3>$null
        ($config | Test-HaClusterConfig).Severity | Should -Be @('Warning')
        $config | Test-HaClusterConfig -Quiet | Should -BeTrue
    }
}

Describe 'Test-HaClusterConfig: every validation rule' {
    It 'finds nothing in the base config the rules change' {
        $path = Join-Path $TestDrive 'base.yaml'
        Set-Content -Path $path -Value (New-ConfigYaml)
        Test-HaClusterConfig -Path $path | Should -BeNullOrEmpty
    }

    It 'reports <Code> (<Severity>) with target <Target>' -ForEach $RuleCases {
        $path = Join-Path $TestDrive ("rule-$Code-$Target.yaml" -replace '[^\w.-]', '_')
        Set-Content -Path $path -Value (New-ConfigYaml -Change $Change)
        $findings = @(Import-HaClusterConfig -Path $path | Test-HaClusterConfig)
        $found = @($findings | Where-Object { $_.Code -eq $Code -and $_.Target -eq $Target })
        $found.Count | Should -Be 1 -Because "the findings were: $($findings -join '; ')"
        "$($found[0].Severity)" | Should -Be $Severity
        $found[0].Message | Should -Not -BeNullOrEmpty
        $found[0].Message | Should -Not -Match 'Testing123'
        # -Quiet is $false whenever there is an error finding.
        Test-HaClusterConfig -Path $path -Quiet | Should -Be (-not ($findings | Where-Object Severity -EQ 'Error'))
    }

    It 'checks the exact Kubernetes patch as kk v3.1.12 does: refuses v1.26.16, accepts v1.26.15' {
        $refused = Join-Path $TestDrive 'k8s-v1.26.16.yaml'
        Set-Content -Path $refused -Value (New-ConfigYaml -Change @{ Version = 'v1.26.16' })
        $finding = @(Test-HaClusterConfig -Path $refused | Where-Object Code -EQ 'KubernetesVersionUnsupported')
        $finding.Count | Should -Be 1
        $finding[0].Target | Should -Be 'v1.26.16'
        $finding[0].Message | Should -Match 'kk v3\.1\.12 does not install Kubernetes v1\.26\.16.*newest patch of that minor it installs is v1\.26\.15'
        Test-HaClusterConfig -Path $refused -Quiet | Should -BeFalse

        $accepted = Join-Path $TestDrive 'k8s-v1.26.15.yaml'
        Set-Content -Path $accepted -Value (New-ConfigYaml -Change @{ Version = 'v1.26.15' })
        Test-HaClusterConfig -Path $accepted | Should -BeNullOrEmpty
    }

    It 'has a case for every code the validator can report' -ForEach @(@{ Covered = @($RuleCases.Code) }) {
        # The codes are the engine's public constants (ConfigFindingCode); the engine loads in a private
        # AssemblyLoadContext, so the type is reached through the assembly of an object the module returns.
        $assembly = (New-HaHost -Name probe -Address 10.0.0.1).GetType().Assembly
        $codes = $assembly.GetType('HaCluster.Engine.KubeKey.ConfigFindingCode', $true).GetFields('Public, Static') |
            Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() }
        @($codes).Count | Should -BeGreaterThan 30
        $missing = @($codes | Where-Object { $_ -notin $Covered })
        $missing | Should -BeNullOrEmpty -Because 'every validation rule needs a Pester case asserting its Code'
    }
}
