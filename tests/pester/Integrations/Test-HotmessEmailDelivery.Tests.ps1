#Requires -Version 7.4
# Test-HotmessEmailDelivery end to end against the Resend fake.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.TestHotmessEmailDeliveryCommand'
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Test-HotmessEmailDelivery' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $configuration = Join-Path $TestDrive 'hotmess.json'
        @{ alerting = @{ email = @{ from = 'HOTMESS <alerts@hotmess.london>'; to = @('oncall@hotmess.london', 'cto@hotmess.london') } } } |
            ConvertTo-Json -Depth 5 | Set-Content $configuration
    }

    It 'passes for the configured recipient when the domain is verified and the email delivered' {
        $result = Test-HotmessEmailDelivery -ConfigurationPath $configuration -PollIntervalSeconds 1

        $result | Should -BeOfType 'Hotmess.Recovery.Integrations.EmailDeliveryResult'
        $result.Passed | Should -BeTrue
        $result.Domain | Should -Be 'hotmess.london'
        $result.DomainStatus | Should -Be 'verified'
        $result.To | Should -Be 'oncall@hotmess.london'
        $result.LastEvent | Should -Be 'delivered'
        $sent = Invoke-FakeControl $fake resend emails -Method Get
        $sent | Should -HaveCount 1
        $sent[0].from | Should -Be 'HOTMESS <alerts@hotmess.london>'
    }

    It 'fails with DomainNotVerified and sends nothing when the domain is pending' {
        Invoke-FakeControl $fake resend domains @{ domains = @(@{ name = 'mail.hotmess.london'; status = 'pending' }) } | Out-Null

        $result = Test-HotmessEmailDelivery -To ops@hotmess.london -Domain mail.hotmess.london -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Passed | Should -BeFalse
        $result.DomainStatus | Should -Be 'pending'
        $problems[0].FullyQualifiedErrorId | Should -Be "DomainNotVerified,$command"
        Invoke-FakeControl $fake resend emails -Method Get | Should -BeNullOrEmpty
    }

    It 'stops a caller with ErrorAction Stop when the email bounces' {
        { Test-HotmessEmailDelivery -To bounced@resend.dev -Domain hotmess.london -PollIntervalSeconds 1 -ErrorAction Stop } |
            Should -Throw -ErrorId "EmailNotDelivered,$command"
    }

    It 'sends nothing with -WhatIf' {
        Test-HotmessEmailDelivery -ConfigurationPath $configuration -WhatIf | Should -BeNullOrEmpty

        Invoke-FakeControl $fake resend emails -Method Get | Should -BeNullOrEmpty
    }

    It 'asks for a recipient when neither -To nor the configuration names one' {
        { Test-HotmessEmailDelivery } | Should -Throw -ErrorId "EmailRecipientMissing,$command"
    }
}
