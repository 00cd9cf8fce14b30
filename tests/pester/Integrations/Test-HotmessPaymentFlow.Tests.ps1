#Requires -Version 7.4
# Test-HotmessPaymentFlow end to end against the Stripe fake, which delivers its events to the Site fake.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.TestHotmessPaymentFlowCommand'
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Test-HotmessPaymentFlow' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Invoke-FakeControl $fake stripe reset | Out-Null
        $hookUrl = "$($fake.Url)/site/api/stripe/webhook"
        Invoke-FakeControl $fake site stripe-webhook @{ secret = 'whsec_pester_site_0001' } | Out-Null
    }

    It 'passes when the test payment succeeds and its event reaches the site' {
        Invoke-FakeControl $fake stripe webhook-endpoints @{ endpoints = @(@{ url = $hookUrl; enabledEvents = @('payment_intent.succeeded'); secret = 'whsec_pester_site_0001' }) } | Out-Null

        $result = Test-HotmessPaymentFlow -TimeoutSeconds 20 -PollIntervalSeconds 1

        $result | Should -BeOfType 'Hotmess.Recovery.Integrations.PaymentFlowResult'
        $result.Passed | Should -BeTrue
        $result.Status | Should -Be 'succeeded'
        $result.PendingWebhooks | Should -Be 0
        $result.Delivered | Should -BeTrue
        $result.Livemode | Should -BeFalse
        (Invoke-FakeControl $fake site stripe-webhook -Method Get).events.id | Should -Contain $result.EventId
    }

    It 'fails with WebhookNotDelivered when the site verifies with another secret, after writing the result' {
        Invoke-FakeControl $fake stripe webhook-endpoints @{ endpoints = @(@{ url = $hookUrl; enabledEvents = @('payment_intent.succeeded'); secret = 'whsec_endpoint_other' }) } | Out-Null

        $result = Test-HotmessPaymentFlow -TimeoutSeconds 2 -PollIntervalSeconds 1 -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Passed | Should -BeFalse
        $result.PendingWebhooks | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "WebhookNotDelivered,$command"
        { Test-HotmessPaymentFlow -TimeoutSeconds 1 -PollIntervalSeconds 1 -ErrorAction Stop } | Should -Throw -ErrorId "WebhookNotDelivered,$command"
    }

    It 'refuses a live key unless -AllowLivePayment, never showing the key' {
        Invoke-FakeControl $fake stripe keys @{ key = 'sk_live_pester_key_55554444' } | Out-Null
        $env:STRIPE_SECRET_KEY = 'sk_live_pester_key_55554444'

        $problem = Get-ThrownError { Test-HotmessPaymentFlow }

        $problem.FullyQualifiedErrorId | Should -Be "LivePaymentRefused,$command"
        $problem.Exception.Message | Should -Not -BeLike '*sk_live_pester_key_55554444*'
        (Invoke-FakeControl $fake stripe requests -Method Get | Where-Object method -EQ 'POST') | Should -BeNullOrEmpty
        (Test-HotmessPaymentFlow -AllowLivePayment -TimeoutSeconds 5 -PollIntervalSeconds 1).Livemode | Should -BeTrue
    }

    It 'makes no payment with -WhatIf' {
        Test-HotmessPaymentFlow -WhatIf | Should -BeNullOrEmpty

        (Invoke-FakeControl $fake stripe requests -Method Get | Where-Object method -EQ 'POST') | Should -BeNullOrEmpty
    }

    It 'reports a declined card as PaymentDeclined' {
        $result = Test-HotmessPaymentFlow -PaymentMethod pm_card_chargeDeclined -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Passed | Should -BeFalse
        $result.Status | Should -Be 'requires_payment_method'
        $problems[0].FullyQualifiedErrorId | Should -Be "PaymentDeclined,$command"
    }
}
