# Copyright (c) HaCluster contributors. MIT License.
# Load-balancer, EIP, firewall and instance cmdlets: -WhatIf changes nothing, bad input fails specifically and
# creates nothing, tab completion, -PassThru of the Remove cmdlets, Get-QcLoadBalancer's filters.
# Runs on 127.60.200.0/24 (VxNet) and 127.60.201.0/24 (EIPs).

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/EmulatorHelpers.ps1

    $script:Emulator = Start-DemoWorldEmulator -Network 127.60.200 -EipNetwork 127.60.201 -Settings 'job_latency_ms: 50', 'lease_window_ms: 300'
    $secret = ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force
    Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint

    function Get-EmulatorState { (Invoke-WebRequest ($Emulator.BaseUri + '_emulator/state')).Content }

    # Runs a command that must fail terminating; returns the ErrorRecord and checks that the emulator's state did not change.
    function Assert-Rejected([scriptblock] $Command) {
        $before = Get-EmulatorState
        $record = $null
        try { & $Command } catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty -Because 'the command must fail'
        Get-EmulatorState | Should -Be $before -Because 'a rejected command creates nothing'
        $record
    }

    # A load balancer with one listener and one backend, an applied one, and an EIP to point -WhatIf at.
    $script:Lb = New-QcLoadBalancer -Name whatif -VxNet pn
    $script:Listener = $Lb | Add-QcLbListener -Port 6443
    $script:Backend = Get-QcInstance master1 | Add-QcLbBackend -Listener $Listener -Port 6443
    $script:Eip = New-QcEip -Name spare
}

AfterAll {
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
}

Describe '-WhatIf' {
    It '<Command> -WhatIf changes nothing' -ForEach @(
        @{ Command = 'New-QcEip'; Run = { New-QcEip -Bandwidth 5 -Name w -WhatIf } }
        @{ Command = 'Remove-QcEip'; Run = { $Eip | Remove-QcEip -Force -WhatIf } }
        @{ Command = 'New-QcLoadBalancer'; Run = { New-QcLoadBalancer -Name w -VxNet pn -WhatIf } }
        @{ Command = 'Remove-QcLoadBalancer'; Run = { $Lb | Remove-QcLoadBalancer -WhatIf } }
        @{ Command = 'Add-QcLbListener'; Run = { $Lb | Add-QcLbListener -Port 8443 -OpenFirewall -WhatIf } }
        @{ Command = 'Remove-QcLbListener'; Run = { $Listener | Remove-QcLbListener -WhatIf } }
        @{ Command = 'Add-QcLbBackend'; Run = { Get-QcInstance node* | Add-QcLbBackend -Listener $Listener -Port 6443 -WhatIf } }
        @{ Command = 'Remove-QcLbBackend'; Run = { $Backend | Remove-QcLbBackend -WhatIf } }
        @{ Command = 'Update-QcLoadBalancer'; Run = { $Lb | Update-QcLoadBalancer -Force -WaitForBackend Up -WhatIf } }
        @{ Command = 'Add-QcSecurityGroupRule'; Run = { $Lb | Add-QcSecurityGroupRule -Port 8080 -WhatIf } }
        @{ Command = 'Stop-QcInstance'; Run = { Stop-QcInstance master* -Force -WhatIf } }
        @{ Command = 'Start-QcInstance'; Run = { Get-QcInstance node1 | Start-QcInstance -WhatIf } }
    ) {
        $before = Get-EmulatorState
        $since = (Get-EmulatorRequestLog $Emulator | Select-Object -Last 1).sequence
        $output = & $Run
        $output | Should -BeNullOrEmpty
        Get-EmulatorState | Should -Be $before
        Get-EmulatorRequestLog $Emulator -Since $since | Where-Object action -NotLike 'Describe*' | Should -BeNullOrEmpty
    }
}

Describe 'Bad input gets a specific error and creates nothing' {
    It 'a listener port outside 25, 80, 443 and 1024-65535' {
        $e = Assert-Rejected { $Lb | Add-QcLbListener -Port 1000 }
        $e.FullyQualifiedErrorId | Should -Be 'QingCloudInvalidListenerPort,HaCluster.Commands.AddQcLbListenerCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be 1000
    }

    It 'backend port 0' {
        $e = Assert-Rejected { Get-QcInstance node1 | Add-QcLbBackend -Listener $Listener -Port 0 }
        $e.FullyQualifiedErrorId | Should -Be 'QingCloudInvalidBackendPort,HaCluster.Commands.AddQcLbBackendCommand'
        $e.TargetObject | Should -Be 0
    }

    It 'an unknown VxNet' {
        $e = Assert-Rejected { New-QcLoadBalancer -Name nowhere -VxNet no-such-net }
        $e.FullyQualifiedErrorId | Should -Be 'QcVxNetNotFound,HaCluster.Commands.NewQcLoadBalancerCommand'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -Be 'no-such-net'
    }

    It 'an EIP that is already associated' {
        $used = New-QcEip -Name used
        $null = New-QcLoadBalancer -Name first -Eip $used
        $e = Assert-Rejected { New-QcLoadBalancer -Name second -Eip $used }
        $e.FullyQualifiedErrorId | Should -Be 'QcEipNotAvailable,HaCluster.Commands.NewQcLoadBalancerCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $e.TargetObject | Should -Be $used.EipId
    }

    It 'a backend that is already on the listener' {
        $e = Assert-Rejected { Get-QcInstance master1, master2 | Add-QcLbBackend -Listener $Listener -Port 6443 }
        $e.FullyQualifiedErrorId | Should -Be 'QcBackendExists,HaCluster.Commands.AddQcLbBackendCommand'
        $e.TargetObject | Should -Be 'i-master01'
    }

    It 'the 101st backend on a listener' {
        $full = $Lb | Add-QcLbListener -Port 9000
        foreach ($port in 10001..10016) { $null = Get-QcInstance | Add-QcLbBackend -Listener $full -Port $port }
        $null = Get-QcInstance master*, node1 | Add-QcLbBackend -Listener $full -Port 10017
        (Get-QcLbBackend -Listener $full).Count | Should -Be 100

        $e = Assert-Rejected { Get-QcInstance node2 | Add-QcLbBackend -Listener $full -Port 10017 }
        $e.FullyQualifiedErrorId | Should -Be 'QcTooManyBackends,HaCluster.Commands.AddQcLbBackendCommand'
        $e.CategoryInfo.Category | Should -Be 'LimitsExceeded'
    }

    It 'a listener on a deleted load balancer' {
        $gone = New-QcLoadBalancer -Name gone -VxNet pn
        $gone | Remove-QcLoadBalancer -Confirm:$false
        $e = Assert-Rejected { $gone | Add-QcLbListener -Port 6443 }
        $e.FullyQualifiedErrorId | Should -Be 'QcLoadBalancerDeleted,HaCluster.Commands.AddQcLbListenerCommand'
        $e.TargetObject | Should -Be $gone.LoadBalancerId
    }

    It 'releasing an associated EIP without -Force' {
        $bound = (Get-QcEip -Name used)
        $e = Assert-Rejected { $bound | Remove-QcEip -Confirm:$false }
        $e.FullyQualifiedErrorId | Should -Be 'QcEipAssociated,HaCluster.Commands.RemoveQcEipCommand'
    }

    It 'a security-group source that is not a CIDR' {
        $e = Assert-Rejected { $Lb | Add-QcSecurityGroupRule -Port 8080 -Source 10.0.0.0/40 }
        $e.FullyQualifiedErrorId | Should -Be 'QcInvalidRuleSource,HaCluster.Commands.AddQcSecurityGroupRuleCommand'
    }
}

Describe 'Tab completion from the current context' {
    It 'completes -LoadBalancer with load balancer ids and names' {
        $line = 'Add-QcLbListener -LoadBalancer '
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $found.CompletionText | Should -Contain $Lb.LoadBalancerId
        ($found | Where-Object CompletionText -EQ $Lb.LoadBalancerId).ListItemText | Should -Be "$($Lb.LoadBalancerId) (whatif)"
    }

    It 'completes -VxNet by name prefix' {
        $line = 'New-QcLoadBalancer -Name x -VxNet p'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'vxnet-pn'
    }

    It 'completes -Eip with available EIPs only' {
        $line = 'New-QcLoadBalancer -Name x -Eip '
        $texts = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $texts | Should -Contain $Eip.EipId
        $texts | Should -Not -Contain (Get-QcEip -Name used).EipId
    }

    It 'completes instance ids and names for Get-, Stop- and Start-QcInstance' {
        $line = 'Stop-QcInstance -InstanceId i-master0'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $found.CompletionText | Sort-Object | Should -Be @('i-master01', 'i-master02', 'i-master03')
        ($found | Where-Object CompletionText -EQ 'i-master02').ListItemText | Should -Be 'i-master02 (master2)'
        $line = 'Get-QcInstance -InstanceId node'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain (Get-QcInstance -Name node1).InstanceId
        $line = 'Start-QcInstance -Name mas'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $found.CompletionText | Sort-Object | Should -Be @('master1', 'master2', 'master3')
        ($found | Where-Object CompletionText -EQ 'master1').ListItemText | Should -Be 'master1 (i-master01)'
        $line = 'Get-QcInstance node'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'node1'
    }

    It 'completes EIP ids: every live EIP for Get-QcEip, only available ones where an EIP is bound or released' {
        $used = Get-QcEip -Name used
        $used.Status | Should -Be 'associated'
        $line = 'Get-QcEip -EipId '
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $found.CompletionText | Should -Contain $Eip.EipId
        $found.CompletionText | Should -Contain $used.EipId
        ($found | Where-Object CompletionText -EQ $Eip.EipId).ListItemText | Should -Be "$($Eip.EipId) (spare)"
        $line = 'Get-QcEip -EipId spa'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be $Eip.EipId
        $line = 'Get-QcEip sp'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $found.CompletionText | Should -Be 'spare'
        $found.ListItemText | Should -Be "spare ($($Eip.EipId))"
        foreach ($line in 'Remove-QcEip -EipId ', 'Remove-QcEip ', 'New-HaCluster -Name x -Eip ', 'New-QcLoadBalancer -Name x -Eip ') {
            $texts = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $texts | Should -Contain $Eip.EipId -Because "'$line' offers the available EIP"
            $texts | Should -Not -Contain $used.EipId -Because "'$line' offers no associated EIP"
        }
    }

    It 'completes -Zone starting with the current zone' {
        $line = 'Connect-QingCloud -Zone '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches[0].CompletionText | Should -Be $Emulator.Zone
    }
}

Describe '-PassThru on the Remove cmdlets' {
    BeforeAll {
        $script:PtLb = New-QcLoadBalancer -Name passthru -VxNet pn
        $script:PtListeners = @(7001, 7002 | ForEach-Object { $PtLb | Add-QcLbListener -Port $_ })
        $script:PtBackends = @(Get-QcInstance node1, node2, node3 | Add-QcLbBackend -Listener $PtListeners[0] -Port 7001)
        $null = Get-QcInstance master1 | Add-QcLbBackend -Listener $PtListeners[1] -Port 7002
        $null = $PtLb | Update-QcLoadBalancer
    }

    It 'Remove-QcLbBackend writes nothing by default and the deleted backend with -PassThru' {
        $PtBackends[0] | Remove-QcLbBackend -Confirm:$false | Should -BeNullOrEmpty

        $removed = @($PtBackends[1] | Remove-QcLbBackend -PassThru -Confirm:$false)
        $removed.Count | Should -Be 1
        $removed[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.Backend'
        $removed[0].BackendId | Should -Be $PtBackends[1].BackendId
        $removed[0].ResourceId | Should -Be 'i-node0002'
        $removed[0].LoadBalancerId | Should -Be $PtLb.LoadBalancerId
        (Get-QcLbBackend -Listener $PtListeners[0]).BackendId | Should -Be $PtBackends[2].BackendId
    }

    It 'Remove-QcLbBackend -PassThru binds its load balancer to Update-QcLoadBalancer (help example 2)' {
        $applied = $PtBackends[2] | Remove-QcLbBackend -PassThru -Confirm:$false | Update-QcLoadBalancer -PassThru
        $applied.LoadBalancerId | Should -Be $PtLb.LoadBalancerId
        $applied.IsApplied | Should -BeTrue
        Get-QcLbBackend -Listener $PtListeners[0] | Should -BeNullOrEmpty
    }

    It 'Remove-QcLbListener writes nothing by default and the deleted listener, with its backends, with -PassThru' {
        $spare = $PtLb | Add-QcLbListener -Port 7003
        $spare | Remove-QcLbListener -Confirm:$false | Should -BeNullOrEmpty
        Get-QcLbListener -LoadBalancer $PtLb -Port 7003 | Should -BeNullOrEmpty

        $removed = @($PtListeners[1] | Remove-QcLbListener -PassThru -Confirm:$false)
        $removed.Count | Should -Be 1
        $removed[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.Listener'
        $removed[0].ListenerId | Should -Be $PtListeners[1].ListenerId
        $removed[0].ListenerPort | Should -Be 7002
        $removed[0].Backends.ResourceId | Should -Be 'i-master01'
        (Get-QcLbListener -LoadBalancer $PtLb).ListenerId | Should -Be $PtListeners[0].ListenerId
        ($removed | Update-QcLoadBalancer -PassThru).IsApplied | Should -BeTrue
    }

    It 'Remove-QcLoadBalancer writes nothing by default and, with -PassThru, the load balancer as it was but with its status once deleted' {
        $quiet = New-QcLoadBalancer -Name passthru-quiet -VxNet pn
        $quiet | Remove-QcLoadBalancer -Confirm:$false | Should -BeNullOrEmpty
        (Get-QcLoadBalancer -LoadBalancerId $quiet.LoadBalancerId).Status | Should -Be 'deleted'

        $removed = @($PtLb | Remove-QcLoadBalancer -PassThru -Confirm:$false)
        $removed.Count | Should -Be 1
        $removed[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.LoadBalancer'
        $removed[0].LoadBalancerId | Should -Be $PtLb.LoadBalancerId
        $removed[0].Status | Should -Be 'deleted'
        (Get-QcLoadBalancer -LoadBalancerId $PtLb.LoadBalancerId).Status | Should -Be 'deleted'
    }

    It 'Remove-QcLoadBalancer -NoWait -PassThru returns once DeleteLoadBalancers is accepted' {
        $lb = New-QcLoadBalancer -Name passthru-nowait -VxNet pn
        $since = (Get-EmulatorRequestLog $Emulator | Select-Object -Last 1).sequence
        $removed = $lb | Remove-QcLoadBalancer -NoWait -PassThru -Confirm:$false
        $removed.LoadBalancerId | Should -Be $lb.LoadBalancerId
        @(Get-EmulatorRequestLog $Emulator -Since $since -Action DeleteLoadBalancers | Where-Object ret_code -EQ 0).Count | Should -Be 1
        Get-EmulatorRequestLog $Emulator -Since $since -Action DescribeJobs | Should -BeNullOrEmpty -Because '-NoWait does not wait for the job'
    }

    It 'Remove-QcEip writes nothing by default and the released EIP with -PassThru; the deleted load balancer hands over its EIP (help example 3)' {
        New-QcEip -Name passthru-quiet | Remove-QcEip -Confirm:$false | Should -BeNullOrEmpty
        Get-QcEip -Name passthru-quiet -ErrorAction SilentlyContinue -ErrorVariable gone | Should -BeNullOrEmpty
        $gone[0].FullyQualifiedErrorId | Should -Be 'QcEipNotFound,HaCluster.Commands.GetQcEipCommand'

        $eip = New-QcEip -Name passthru-ext
        $gone = New-QcLoadBalancer -Name passthru-ext -Eip $eip | Remove-QcLoadBalancer -PassThru -Confirm:$false
        $gone.Eip.EipId | Should -Be $eip.EipId
        $released = @($gone.Eip | Remove-QcEip -PassThru -Confirm:$false)
        $released.Count | Should -Be 1
        $released[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.Eip'
        $released[0].EipId | Should -Be $eip.EipId
        $released[0].EipAddr | Should -Be $eip.EipAddr
        Get-QcEip -Name passthru-ext -ErrorAction SilentlyContinue -ErrorVariable gone | Should -BeNullOrEmpty
        $gone[0].FullyQualifiedErrorId | Should -Be 'QcEipNotFound,HaCluster.Commands.GetQcEipCommand'
    }

    It 'Remove-QcEip -Force -NoWait -PassThru returns the EIP once ReleaseEips is accepted' {
        $eip = New-QcEip -Name passthru-nowait
        $released = $eip | Remove-QcEip -Force -NoWait -PassThru -Confirm:$false
        $released.EipId | Should -Be $eip.EipId
        @(Get-EmulatorRequestLog $Emulator -Action ReleaseEips | Where-Object { $_.ret_code -eq 0 -and $_.params.'eips.1' -eq $eip.EipId }).Count | Should -Be 1
    }
}

Describe 'Get-QcLoadBalancer filters' {
    BeforeAll {
        $script:WebLb = New-QcLoadBalancer -Name web-front -VxNet pn
        $script:DbLb = New-QcLoadBalancer -Name db-front -VxNet pn
        $script:WebListener = $WebLb | Add-QcLbListener -Port 8080 -Protocol Http
        $null = Get-QcInstance node1, node2 | Add-QcLbBackend -Listener $WebListener -Port 30880

        $script:FrontTag = Invoke-IndependentQingCloud -Emulator $Emulator -Action CreateTag -Parameters @{ tag_name = 'frontend' }
        $attach = Invoke-IndependentQingCloud -Emulator $Emulator -Action AttachTags -Parameters @{
            'resource_tag_pairs.1.tag_id' = $FrontTag.tag_id; 'resource_tag_pairs.1.resource_type' = 'loadbalancer'; 'resource_tag_pairs.1.resource_id' = $WebLb.LoadBalancerId
        }
        $attach.ret_code | Should -Be 0
    }

    It '-Name with wildcards returns only the matching load balancers, case-insensitively' {
        (Get-QcLoadBalancer -Name 'web*').LoadBalancerId | Should -Be $WebLb.LoadBalancerId
        (Get-QcLoadBalancer -Name 'WEB-F?ONT').LoadBalancerId | Should -Be $WebLb.LoadBalancerId
        (Get-QcLoadBalancer -Name '*-front' | Sort-Object LoadBalancerName).LoadBalancerId | Should -Be @($DbLb.LoadBalancerId, $WebLb.LoadBalancerId)
        Get-QcLoadBalancer -Name 'nothing*' -ErrorVariable missing | Should -BeNullOrEmpty
        $missing | Should -BeNullOrEmpty -Because 'a pattern that matches nothing is not an error'
    }

    It '-Name with a literal name that matches nothing reports QcLoadBalancerNotFound' {
        Get-QcLoadBalancer -Name web -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -Be 'QcLoadBalancerNotFound,HaCluster.Commands.GetQcLoadBalancerCommand'
        $missing[0].TargetObject | Should -Be 'web'
    }

    It '-Tag by name or id returns only the tagged load balancers' {
        (Get-QcLoadBalancer -Tag frontend).LoadBalancerId | Should -Be $WebLb.LoadBalancerId
        (Get-QcLoadBalancer -Tag $FrontTag.tag_id).LoadBalancerId | Should -Be $WebLb.LoadBalancerId
        Get-QcLoadBalancer -Tag frontend -Name 'db*' | Should -BeNullOrEmpty
        Get-QcLoadBalancer -Tag no-such-tag -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -Be 'QcTagNotFound,HaCluster.Commands.GetQcLoadBalancerCommand'
    }

    It '-Detailed includes the listeners and their backends' {
        (Get-QcLoadBalancer -LoadBalancerId $WebLb.LoadBalancerId).Listeners | Should -BeNullOrEmpty

        $detailed = Get-QcLoadBalancer -LoadBalancerId $WebLb.LoadBalancerId -Detailed
        $detailed.Listeners.ListenerId | Should -Be $WebListener.ListenerId
        $detailed.Listeners[0].ListenerPort | Should -Be 8080
        $detailed.Listeners[0].Backends.ResourceId | Should -Be @('i-node0001', 'i-node0002')
        $detailed.Listeners[0].Backends.Port | Should -Be @(30880, 30880)
        (Get-QcLoadBalancer -Name 'web*' -Detailed).Listeners.Backends.Count | Should -Be 2
    }
}
