BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force
    $fake = Start-HotmessFake
    $site = "$($fake.Url)/site"

    function Set-SitePage([hashtable] $Page) {
        Invoke-RestMethod -Method Post -Uri "$($fake.Url)/__fake/site/pages" -ContentType 'application/json' -Body ($Page | ConvertTo-Json) | Out-Null
    }

    function New-Configuration([object[]] $Flows) {
        $path = Join-Path $TestDrive "$([guid]::NewGuid()).json"
        $document = @{ platform = @{ siteUrl = $site } }
        if ($Flows) { $document.userFlows = $Flows }
        $document | ConvertTo-Json -Depth 5 | Set-Content $path
        $path
    }
}

AfterAll {
    Stop-HotmessFake $fake
}

Describe 'Test-HotmessUserFlow' {
    BeforeEach {
        Invoke-RestMethod -Method Delete -Uri "$($fake.Url)/__fake/site/pages" | Out-Null
        $configuration = New-Configuration
    }

    It 'checks the HOTMESS critical flows on the configured site when none are configured, all passing' {
        $results = @(Test-HotmessUserFlow -ConfigurationPath $configuration -ErrorVariable failures)

        $results.Name | Should -Be 'Home page', 'Health', 'Login page', 'Marketplace'
        $results.Passed | Should -Be $true, $true, $true, $true
        $results[2].Url | Should -Be "$site/login"
        $results[0].ExpectedStatus | Should -Be 200
        $results[0].StatusCode | Should -Be 200
        $results[0].Duration | Should -BeOfType [timespan]
        $failures | Should -BeNullOrEmpty
    }

    It 'writes a UserFlowFailed error per failed flow, checks the others, and stops a caller with ErrorAction Stop' {
        Set-SitePage @{ path = '/marketplace'; status = 500 }
        Set-SitePage @{ path = '/'; body = 'Down for maintenance' }

        $results = @(Test-HotmessUserFlow -SiteUrl $site -ConfigurationPath $configuration -ErrorVariable failures -ErrorAction SilentlyContinue)

        $results.Passed | Should -Be $false, $true, $true, $false
        $results[3].Reason | Should -BeLike 'expected 200, got 500*'
        $results[0].Reason | Should -BeLike "*does not contain 'HOTMESS'*"
        $failures.Count | Should -Be 2
        $failures.FullyQualifiedErrorId | Should -Be 'UserFlowFailed,Hotmess.Recovery.Cmdlets.Commands.TestHotmessUserFlowCommand', 'UserFlowFailed,Hotmess.Recovery.Cmdlets.Commands.TestHotmessUserFlowCommand'
        $failures[1].TargetObject | Should -Be 'Marketplace'
        { Test-HotmessUserFlow -SiteUrl $site -ConfigurationPath $configuration -ErrorAction Stop } | Should -Throw -ErrorId 'UserFlowFailed,Hotmess.Recovery.Cmdlets.Commands.TestHotmessUserFlowCommand'
    }

    It 'fails a flow that does not answer within -TimeoutSeconds' {
        Set-SitePage @{ path = '/login'; delayMs = 8000 }

        $result = Test-HotmessUserFlow -SiteUrl $site -Flow 'Login page' -TimeoutSeconds 1 -ConfigurationPath $configuration -ErrorAction SilentlyContinue

        $result.Passed | Should -BeFalse
        $result.StatusCode | Should -BeNullOrEmpty
        $result.Reason | Should -BeLike 'no answer*'
    }

    It 'checks the flows the userFlows section names, only those -Flow selects' {
        Set-SitePage @{ path = '/api/orders'; status = 201; body = '{"created":true}' }
        $configured = New-Configuration @(
            @{ name = 'Create order'; method = 'POST'; path = '/api/orders'; status = 201; contains = 'created'; headers = @{ 'X-Recovery-Check' = '1' } }
            @{ name = 'Login'; path = '/login' }
        )

        $result = @(Test-HotmessUserFlow -ConfigurationPath $configured -Flow 'create order')

        $result.Count | Should -Be 1
        $result[0].Method | Should -Be 'POST'
        $result[0].Passed | Should -BeTrue
        $seen = Invoke-RestMethod "$($fake.Url)/__fake/site/pages"
        $seen.seen.'/api/orders'.headers.'X-Recovery-Check' | Should -Be '1'
        $seen.seen.'/login' | Should -BeNullOrEmpty
    }

    It 'refuses a -Flow name the configuration does not have, listing the flows' {
        { Test-HotmessUserFlow -SiteUrl $site -Flow 'Checkout' -ConfigurationPath $configuration -ErrorAction Stop } |
            Should -Throw -ErrorId 'UserFlowNotFound,Hotmess.Recovery.Cmdlets.Commands.TestHotmessUserFlowCommand' -ExpectedMessage "*'Checkout'*'Home page'*"
    }
}
