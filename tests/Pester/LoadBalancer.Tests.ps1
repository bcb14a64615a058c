# Copyright (c) HaCluster contributors. MIT License.
# The tutorial's Step 1 with the cmdlets against the emulator process (default config) and its real data plane.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    . $PSScriptRoot/EmulatorHelpers.ps1

    # A stand-in for the services on the six machines: each answers with its own address, so a test knows who served.
    if (-not ('HaClusterTests.AddressServer' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace HaClusterTests
{
    public sealed class AddressServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly bool _http;

        public AddressServer(string address, int port, bool http)
        {
            Address = address;
            _http = http;
            _listener = new TcpListener(IPAddress.Parse(address), port);
            _listener.Start();
            Task.Run(AcceptAsync);
        }

        public string Address { get; }

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    if (!_http)
                    {
                        var line = Encoding.ASCII.GetBytes(Address + "\n");
                        await stream.WriteAsync(line, 0, line.Length);
                        return;
                    }

                    // Read the request head; a health check connects and leaves without sending one.
                    var buffer = new byte[8192];
                    var head = new StringBuilder();
                    int read;
                    while (!head.ToString().Contains("\r\n\r\n") && (read = await stream.ReadAsync(buffer, 0, buffer.Length)) > 0)
                    {
                        head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    if (head.Length == 0) { return; }
                    var body = Encoding.ASCII.GetBytes(Address);
                    var reply = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.Length + "\r\nConnection: close\r\n\r\n" + Address);
                    await stream.WriteAsync(reply, 0, reply.Length);
                }
                catch (Exception) { }
            }
        }
    }
}
'@
    }

    function Invoke-TcpAsk([string] $Address, [int] $Port) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect($Address, $Port)
            ([System.IO.StreamReader]::new($client.GetStream())).ReadToEnd().Trim()
        }
        finally { $client.Dispose() }
    }

    function Invoke-HttpAsk([string] $Address, [int] $Port) {
        (Invoke-WebRequest -Uri "http://${Address}:$Port/" -DisableKeepAlive -TimeoutSec 10).Content
    }

    $script:Emulator = Start-TestEmulator
    $secret = ConvertTo-SecureString $Emulator.Secret -AsPlainText -Force
    Connect-QingCloud -AccessKeyId $Emulator.AccessKeyId -SecretAccessKey $secret -Zone $Emulator.Zone -Endpoint $Emulator.Endpoint
    $script:Masters = Get-QcInstance -Name master*
    $script:All = Get-QcInstance
    $script:Servers = [System.Collections.Generic.List[object]]::new()
}

AfterAll {
    foreach ($server in $Servers) { $server.Dispose() }
    Disconnect-QingCloud -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
}

Describe "The tutorial's Step 1 with the cmdlets" {
    It '1.1-1.5: an internal load balancer in pn with TCP 6443 round robin to the three masters, applied' {
        # A group of its own first: without one QingCloud binds the account's default group, which the instances share.
        $script:ApiGroup = New-QcSecurityGroup -Name k8s-apiserver
        $ApiGroup.IsDefault | Should -BeFalse
        $script:Internal = New-QcLoadBalancer -Name k8s-apiserver -VxNet pn -SecurityGroup $ApiGroup
        $Internal.SecurityGroupId | Should -Be $ApiGroup.SecurityGroupId
        $Internal.Status | Should -Be 'active'
        $Internal.Vip | Should -Match '^127\.0\.0\.\d+$'
        $Internal.PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.LoadBalancer'

        $script:ApiListener = $Internal | Add-QcLbListener -Port 6443 -Protocol Tcp -BalanceMode RoundRobin -Name apiserver -OpenFirewall
        $ApiListener.ListenerPort | Should -Be 6443
        $ApiListener.BalanceMode | Should -Be 'roundrobin'

        $backends = Get-QcInstance -Name master* | Add-QcLbBackend -Listener $ApiListener -Port 6443
        $backends.ResourceId | Should -Be $Masters.InstanceId
        $backends.BackendName | Should -Be @('master1', 'master2', 'master3')

        $Internal | Update-QcLoadBalancer
        (Get-QcLoadBalancer -LoadBalancerId $Internal.LoadBalancerId).IsApplied | Should -BeTrue
    }

    It '1.6-1.9: an external load balancer on a new EIP with HTTP 30880 to all six, applied' {
        $script:Eip = New-QcEip -Bandwidth 10 -Name ks-console
        $Eip.Status | Should -Be 'available'

        $script:ConsoleGroup = New-QcSecurityGroup -Name ks-console
        $script:External = New-QcLoadBalancer -Name ks-console -Eip $Eip -SecurityGroup $ConsoleGroup.SecurityGroupId
        $External.EipAddress | Should -Be $Eip.EipAddr
        $External.Eip.EipId | Should -Be $Eip.EipId

        $script:ConsoleListener = $External | Add-QcLbListener -Port 30880 -Protocol Http -OpenFirewall
        $backends = Get-QcInstance | Add-QcLbBackend -Listener $ConsoleListener -Port 30880
        $backends.Count | Should -Be 6

        $External | Update-QcLoadBalancer -PassThru | ForEach-Object IsApplied | Should -BeTrue
    }

    It 'opened 6443 and 30880 in the load balancers'' security groups' {
        $state = Invoke-RestMethod ($Emulator.BaseUri + '_emulator/state')
        foreach ($pair in @(@($Internal, '6443'), @($External, '30880'))) {
            $rules = $state.security_group_rules | Where-Object { $_.security_group_id -eq $pair[0].SecurityGroupId -and $_.val1 -eq $pair[1] }
            @($rules).Count | Should -Be 1
            $rules.rule_action | Should -Be 'accept'
        }

        (Get-QcSecurityGroup -SecurityGroupId $Internal.SecurityGroupId).IsApplied | Should -BeTrue
        # The account's default group keeps only its own two rules (ICMP echo, ssh).
        $default = $state.security_groups | Where-Object is_default
        @($default).Count | Should -Be 1
        @($state.security_group_rules | Where-Object security_group_id -eq $default.id).Count | Should -Be 2
    }

    It 'refuses -OpenFirewall on a load balancer in the account''s default group, naming the instances that share it' {
        $shared = New-QcLoadBalancer -Name shared -VxNet pn
        (Get-QcSecurityGroup -SecurityGroupId $shared.SecurityGroupId).IsDefault | Should -BeTrue
        $err = @($null)
        try { $shared | Add-QcLbListener -Port 8443 -OpenFirewall -ErrorAction Stop } catch { $err = @($_) }
        $err[0].FullyQualifiedErrorId | Should -Be 'QcDefaultSecurityGroupShared,HaCluster.Commands.AddQcLbListenerCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -Match 'i-master01 \(master1\).*New-QcSecurityGroup.*New-QcLoadBalancer -SecurityGroup'
        @(Get-QcLbListener -LoadBalancer $shared).Count | Should -Be 0
        $shared | Remove-QcLoadBalancer -Confirm:$false
    }

    It 'Remove-QcLoadBalancer -PassThru shows the removed load balancers as deleted, not active' {
        $doomed = New-QcLoadBalancer -Name doomed -VxNet pn
        $doomed.Status | Should -Be 'active'
        $gone = $doomed | Remove-QcLoadBalancer -PassThru -Confirm:$false
        $gone.LoadBalancerId | Should -Be $doomed.LoadBalancerId
        $gone.Status | Should -Be 'deleted'
        $gone.TransitionStatus | Should -BeNullOrEmpty
        $gone.Vip | Should -Be $doomed.Vip -Because 'it is described as it was when it was removed'
        ($gone | Out-String -Width 200) | Should -Match "$($doomed.LoadBalancerId)\s+doomed\s+deleted"
    }

    It 'Format-List shows each field once: the snake_case aliases are hidden yet still there for binding' {
        $views = @(
            @{ Object = $Internal; Alias = 'loadbalancer_id'; Target = 'LoadBalancerId' }
            @{ Object = $Eip; Alias = 'eip_addr'; Target = 'EipAddr' }
            @{ Object = $Masters[0]; Alias = 'instance_id'; Target = 'InstanceId' }
        )
        foreach ($view in $views) {
            $list = $view.Object | Format-List | Out-String -Width 200
            $list | Should -Match "(?m)^$($view.Target)\s*:"
            $list | Should -Not -Match "(?m)^$($view.Alias)\s*:"
            $list | Should -Not -Match '(?m)^create_time\s*:'
            ($view.Object | Format-List * | Out-String -Width 200) | Should -Not -Match "(?m)^$($view.Alias)\s*:"
            $view.Object.($view.Alias) | Should -Be $view.Object.($view.Target)
            $view.Object | Get-Member -Name $view.Alias -Force | Should -Not -BeNullOrEmpty
        }
        # Pipelines that use the API's spelling still see it.
        ($Masters[0] | Select-Object instance_id).instance_id | Should -Be $Masters[0].InstanceId
    }

    It 'draws the load balancer table with a one-line header at 200, 120 and 80 columns' {
        foreach ($width in 200, 120, 80) {
            $lines = @(($Internal, $External | Out-String -Width $width) -split "`r?`n" | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '^LoadBalancerId\s+Name\s+Status\s+Applied\s+Address\s+VxNetId$' -Because "the header fits $width columns"
            $lines[1] | Should -Match '^-{14} -{4}.* -{7}$' -Because "no header word wraps onto a second line at $width columns"
            $lines[2] | Should -Match "^$($Internal.LoadBalancerId)\s+k8s-apiserver\s+active\s+True\s+$([regex]::Escape($Internal.Vip))\s+vxnet-pn"
        }
    }

    It 'deletes a group of its own only when nothing uses it' {
        $spare = New-QcSecurityGroup -Name spare
        $err = @($null)
        try { Remove-QcSecurityGroup $ApiGroup -Confirm:$false -ErrorAction Stop } catch { $err = @($_) }
        $err[0].FullyQualifiedErrorId | Should -Be 'QcSecurityGroupInUse,HaCluster.Commands.RemoveQcSecurityGroupCommand'
        $removed = $spare | Remove-QcSecurityGroup -Confirm:$false -PassThru
        $removed.SecurityGroupId | Should -Be $spare.SecurityGroupId
        Get-QcSecurityGroup | Where-Object SecurityGroupId -eq $spare.SecurityGroupId | Should -BeNullOrEmpty
    }

    It 'shows every backend down (Not available) before the services start' {
        # Nothing listens yet, so no health check has ever passed: the emulator reports down, never abnormal.
        $backends = Get-QcLbBackend -LoadBalancer $Internal
        $backends.Count | Should -Be 3
        $backends.Status | Should -Be @('down', 'down', 'down')
        $rows = ($backends | Out-String -Width 400) -split "`n" | Where-Object { $_ -match 'lbb-' }
        $rows.Count | Should -Be 3
        $rows | ForEach-Object { $_ | Should -Match '\bdown\s+Not available\b' }

        $console = Get-QcLbBackend -Listener $ConsoleListener
        $console.Count | Should -Be 6
        $console.Status | Should -Be @('down', 'down', 'down', 'down', 'down', 'down')
    }

    It 'shows every backend up (Active) once the services listen' {
        foreach ($m in $Masters) { $Servers.Add([HaClusterTests.AddressServer]::new($m.PrivateIp, 6443, $false)) }
        foreach ($i in $All) { $Servers.Add([HaClusterTests.AddressServer]::new($i.PrivateIp, 30880, $true)) }

        # Nothing is left to apply: this only waits for the health checks, then shows every backend with its status.
        $shown = @($Internal, $External | Update-QcLoadBalancer -WaitForBackend Up -TimeoutSec 120)
        $shown.Count | Should -Be 9
        $shown[0].PSObject.TypeNames[0] | Should -Be 'HaCluster.Engine.QingCloud.Backend'
        $shown.Status | Sort-Object -Unique | Should -Be 'up'
        ($shown.LoadBalancerId | Sort-Object -Unique) | Should -Be (@($Internal.LoadBalancerId, $External.LoadBalancerId) | Sort-Object)
        $rows = ($shown | Out-String -Width 120) -split "`n" | Where-Object { $_ -match 'lbb-' }
        $rows.Count | Should -Be 9
        $rows | ForEach-Object { $_ | Should -Match '\bup\s+Active\b' }
        # -PassThru asks for the load balancers instead.
        $passed = @($Internal | Update-QcLoadBalancer -WaitForBackend Up -TimeoutSec 120 -PassThru)
        $passed.LoadBalancerId | Should -Be $Internal.LoadBalancerId

        $backends = Get-QcLbBackend -LoadBalancer $Internal
        $backends.Status | Should -Be @('up', 'up', 'up')
        ($backends | Out-String) | Should -Match 'Active'
        (Get-QcLbBackend -Listener $ConsoleListener -Status up).Count | Should -Be 6
    }

    It 'balances Vip:6443 over the three masters' {
        $served = 1..9 | ForEach-Object { Invoke-TcpAsk $Internal.Vip 6443 }
        $served | Should -Not -Contain ''
        ($served | Sort-Object -Unique) | Should -Be ($Masters.PrivateIp | Sort-Object)
    }

    It 'balances EipAddress:30880 over all six machines' {
        $served = 1..18 | ForEach-Object { Invoke-HttpAsk $External.EipAddress 30880 }
        ($served | Sort-Object -Unique) | Should -Be ($All.PrivateIp | Sort-Object)
    }

    It 'keeps answering through the VIP without master1 while it is stopped' {
        $stopped = Stop-QcInstance master1 -Confirm:$false -PassThru
        $stopped.Status | Should -Be 'stopped'

        $served = 1..9 | ForEach-Object { Invoke-TcpAsk $Internal.Vip 6443 }
        $served | Should -Not -Contain ''
        $served | Should -Not -Contain $Masters[0].PrivateIp
        ($served | Sort-Object -Unique) | Should -Be ($Masters[1..2].PrivateIp | Sort-Object)
        (Get-QcLbBackend -LoadBalancer $Internal | Where-Object ResourceId -EQ $Masters[0].InstanceId).Status | Should -Not -Be 'up'

        # A wait that runs out says which backends are not up: master1's, by name, id and address.
        $timedOut = $null
        try { $Internal | Update-QcLoadBalancer -WaitForBackend Up -TimeoutSec 1 } catch { $timedOut = $_ }
        $timedOut.FullyQualifiedErrorId | Should -Be 'QcBackendNotUp,HaCluster.Commands.UpdateQcLoadBalancerCommand'
        $timedOut.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $down = Get-QcLbBackend -LoadBalancer $Internal | Where-Object ResourceId -EQ $Masters[0].InstanceId
        $timedOut.Exception.Message | Should -Match "^2 of 3 backend\(s\) of $($Internal.LoadBalancerId) are up after 1 s; not up: master1 \($($down.BackendId), $($Masters[0].InstanceId):6443\) \w+\.$"
        $timedOut.TargetObject | Should -Be $down.BackendId
    }

    It 'brings master1 back up after Start-QcInstance' {
        (Start-QcInstance master1 -PassThru).Status | Should -Be 'running'
        $Internal | Update-QcLoadBalancer -WaitForBackend Up -TimeoutSec 120
        (Get-QcLbBackend -LoadBalancer $Internal | Where-Object ResourceId -EQ $Masters[0].InstanceId).Status | Should -Be 'up'
        (1..9 | ForEach-Object { Invoke-TcpAsk $Internal.Vip 6443 }) | Should -Contain $Masters[0].PrivateIp
    }

    It 'sent one AddLoadBalancerBackends per listener and one UpdateLoadBalancers per load balancer' {
        $adds = @(Get-EmulatorRequestLog $Emulator -Action AddLoadBalancerBackends | Where-Object ret_code -EQ 0)
        $adds.Count | Should -Be 2
        $adds.params.loadbalancer_listener | Should -Be @($ApiListener.ListenerId, $ConsoleListener.ListenerId)
        @($adds[0].params.PSObject.Properties.Name -like 'backends.*.resource_id').Count | Should -Be 3
        @($adds[1].params.PSObject.Properties.Name -like 'backends.*.resource_id').Count | Should -Be 6

        $updates = @(Get-EmulatorRequestLog $Emulator -Action UpdateLoadBalancers | Where-Object ret_code -EQ 0)
        $updates.Count | Should -Be 2
        $updates.params.'loadbalancers.1' | Should -Be @($Internal.LoadBalancerId, $External.LoadBalancerId)
        $updates | ForEach-Object { $_.params.PSObject.Properties.Name | Should -Not -Contain 'loadbalancers.2' }
    }

    It 'documents these pipeline forms in the help examples' {
        $forms = @{
            'New-QcLoadBalancer'    = 'New-QcLoadBalancer -Name k8s-apiserver -VxNet pn', 'New-QcLoadBalancer -Name ks-console -Eip $eip'
            'Add-QcLbListener'      = '$lb | Add-QcLbListener -Port 6443 -Protocol Tcp -BalanceMode RoundRobin -Name apiserver -OpenFirewall'
            'Add-QcLbBackend'       = 'Get-QcInstance -Name master* | Add-QcLbBackend -Listener $listener -Port 6443', 'Get-QcInstance | Add-QcLbBackend -Listener $listener -Port 30880'
            'Update-QcLoadBalancer' = '$lb | Update-QcLoadBalancer', 'Update-QcLoadBalancer -WaitForBackend Up'
            'New-QcEip'             = 'New-QcEip -Bandwidth 10 -Name ks-console'
            'Get-QcLbBackend'       = 'Get-QcLbBackend -LoadBalancer $lb'
            'Stop-QcInstance'       = 'Stop-QcInstance master1 -Confirm:$false'
            'Start-QcInstance'      = 'Start-QcInstance master1'
        }
        foreach ($command in $forms.Keys) {
            $examples = (Get-Help $command -Examples | Out-String -Width 400)
            foreach ($form in $forms[$command]) {
                $examples | Should -BeLike "*$form*" -Because "the help of $command shows the Step 1 form"
            }
        }
    }

    It 'removes both load balancers and the EIP, and the listeners stop answering' {
        $vip = $Internal.Vip
        $Internal, $External | Remove-QcLoadBalancer -Confirm:$false
        (Get-QcLoadBalancer -LoadBalancerId $Internal.LoadBalancerId).Status | Should -Be 'deleted'
        { Invoke-TcpAsk $vip 6443 } | Should -Throw
        Remove-QcEip $Eip -Confirm:$false
        Get-QcEip -Name ks-console -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
