#Requires -Version 7.4
# Sync-HotmessWebhookEndpoint end to end against the Stripe and Vercel fakes.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.SyncHotmessWebhookEndpointCommand'
    $events = @('checkout.session.completed', 'payment_intent.succeeded', 'charge.refunded')
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Sync-HotmessWebhookEndpoint' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Invoke-FakeControl $fake stripe reset | Out-Null
        $hookUrl = "$($fake.Url)/site/api/stripe/webhook"
        $configuration = Join-Path $TestDrive 'hotmess.json'
        @{ stripe = @{ webhookUrl = $hookUrl; webhookEvents = $events } } | ConvertTo-Json -Depth 4 | Set-Content $configuration
    }

    It 'creates the missing endpoint with the configured events and writes its signing secret to Vercel' {
        $all = Sync-HotmessWebhookEndpoint -ConfigurationPath $configuration -Confirm:$false -Verbose 4>&1 3>&1
        $result = $all | Where-Object { $_ -is [Hotmess.Recovery.Integrations.WebhookEndpointSyncResult] }

        $result.Action | Should -Be 'Created'
        $result.SecretChanged | Should -BeTrue
        $result.EventsSource | Should -Be 'Configuration'
        $result.Url | Should -Be $hookUrl
        $result.EnabledEvents | Should -Be $events
        $state = Invoke-FakeControl $fake stripe state -Method Get
        $secret = $state.secrets.($result.Id)
        $saved = Get-VercelVariable $fake STRIPE_WEBHOOK_SECRET
        $saved | Should -HaveCount 1
        $saved[0].value | Should -Be $secret
        $text = ($all | Out-String -Width 400) + ($result | ConvertTo-Json -Depth 4)
        $text | Should -Not -BeLike "*$secret*"
        $text | Should -BeLike '*redeploy*'
    }

    It 'changes nothing with -WhatIf' {
        Sync-HotmessWebhookEndpoint -ConfigurationPath $configuration -WhatIf | Should -BeNullOrEmpty

        (Invoke-FakeControl $fake stripe state -Method Get).endpoints | Should -BeNullOrEmpty
        Get-VercelVariable $fake STRIPE_WEBHOOK_SECRET | Should -BeNullOrEmpty
    }

    It 'enables a disabled endpoint in place when Vercel holds its secret' {
        Invoke-FakeControl $fake stripe webhook-endpoints @{ endpoints = @(@{ id = 'we_kept'; url = $hookUrl; status = 'disabled'; enabledEvents = $events }) } | Out-Null
        Invoke-FakeControl $fake vercel env @{ variables = @(@{ key = 'STRIPE_WEBHOOK_SECRET'; value = 'whsec_existing'; type = 'encrypted'; target = @('production') }) } | Out-Null

        $result = Sync-HotmessWebhookEndpoint -Url $hookUrl -Confirm:$false

        $result.Id | Should -Be 'we_kept'
        $result.Action | Should -Be 'Enabled'
        $result.Status | Should -Be 'enabled'
        $result.SecretChanged | Should -BeFalse
        $result.EventsSource | Should -Be 'Endpoint'
        (Get-VercelVariable $fake STRIPE_WEBHOOK_SECRET)[0].value | Should -Be 'whsec_existing'
    }

    It 'takes the URL and events from the pipeline by property name' {
        $result = [pscustomobject]@{ Url = $hookUrl; EnabledEvents = 'payment_intent.succeeded' } | Sync-HotmessWebhookEndpoint -Confirm:$false

        $result.EnabledEvents | Should -Be 'payment_intent.succeeded'
        $result.EventsSource | Should -Be 'Parameter'
    }

    It 'refuses to run without a Stripe key, naming the variable' {
        $env:STRIPE_SECRET_KEY = $null

        { Sync-HotmessWebhookEndpoint -ConfigurationPath $configuration -Confirm:$false } | Should -Throw -ErrorId "StripeSecretKeyMissing,$command"
    }

    It 'says how to name the endpoint when neither a URL nor the configuration names it' {
        $problem = Get-ThrownError { Sync-HotmessWebhookEndpoint -EnabledEvent $events -Confirm:$false }

        $problem.FullyQualifiedErrorId | Should -Be "WebhookUrlUnknown,$command"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
