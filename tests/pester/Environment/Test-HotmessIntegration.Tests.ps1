#Requires -Version 7.4
# Test-HotmessIntegration end to end against the fakes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Test-HotmessIntegration' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
    }

    It 'passes every check with the keys of the environment, one result per check' {
        $results = Test-HotmessIntegration

        $results | Should -HaveCount 6
        $results | ForEach-Object { $_ | Should -BeOfType 'Hotmess.Recovery.Environments.IntegrationCheckResult' }
        ($results | ForEach-Object { "$($_.Integration)/$($_.Check)" }) |
            Should -Be 'Supabase/AnonKey', 'Supabase/ServiceRoleKey', 'Supabase/Project', 'Stripe/SecretKey', 'Stripe/WebhookEndpoint', 'Resend/ApiKey'
        $results | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty
    }

    It 'never shows a key in its output, its table or its verbose stream' {
        $env:STRIPE_SECRET_KEY = 'sk_test_rotated_away_77778888'

        $all = Test-HotmessIntegration -Verbose 4>&1
        $text = ($all | Out-String -Width 400) + ($all | Where-Object { $_ -is [Hotmess.Recovery.Environments.IntegrationCheckResult] } | ConvertTo-Json -Depth 4)

        foreach ($secret in $env:STRIPE_SECRET_KEY, $env:RESEND_API_KEY, $env:SUPABASE_SERVICE_ROLE_KEY, $env:VITE_SUPABASE_ANON_KEY, $env:SUPABASE_ACCESS_TOKEN) {
            $text | Should -Not -BeLike "*$secret*"
        }
        $text | Should -BeLike '*`*`*`*`*8888*'
    }

    It 'tests only the integrations asked for' {
        $results = Test-HotmessIntegration -Integration Resend

        $results.Integration | Should -Be 'Resend'
        (Invoke-FakeControl $fake stripe requests -Method Get) | Should -BeNullOrEmpty
    }

    It 'tests keys given as parameters instead of the environment ones' {
        Invoke-FakeControl $fake stripe keys @{ key = 'sk_test_brand_new_key_0042' } | Out-Null
        $env:STRIPE_SECRET_KEY = 'sk_test_compromised_0001'

        $results = Test-HotmessIntegration -Integration Stripe -StripeSecretKey (Protect 'sk_test_brand_new_key_0042')

        $results.Passed | Should -Be $true, $true
        $results[0].Target | Should -Be '****0042'
    }

    It 'reports a missing key as a failed check naming the variable, and still runs the others' {
        $env:RESEND_API_KEY = $null

        $results = Test-HotmessIntegration

        $resend = $results | Where-Object Integration -EQ 'Resend'
        $resend.Passed | Should -BeFalse
        $resend.ErrorId | Should -Be 'IntegrationSettingMissing'
        $resend.FailureKind | Should -Be 'InvalidArgument'
        $resend.Reason | Should -BeLike '*RESEND_API_KEY*'
        ($results | Where-Object Passed).Count | Should -Be 5
    }

    It 'reports a wrong key as an authentication failure' {
        $results = Test-HotmessIntegration -Integration Resend -ResendApiKey (Protect 're_wrong_key_0000')

        $results.Passed | Should -BeFalse
        $results.ErrorId | Should -Be 'ResendKeyInvalid'
        $results.FailureKind | Should -Be 'AuthenticationFailed'
    }

    It 'reports a rate-limited service as rate limited' {
        Invoke-FakeControl $fake supabase-management rate-limit @{ count = 50; resetSeconds = 3600 } | Out-Null

        $project = Test-HotmessIntegration -Integration Supabase | Where-Object Check -EQ 'Project'

        $project.Passed | Should -BeFalse
        $project.ErrorId | Should -Be 'SupabaseManagementRateLimited'
        $project.FailureKind | Should -Be 'RateLimited'
    }

    It 'fails the webhook check when no endpoint points at the site' {
        Invoke-FakeControl $fake stripe reset | Out-Null
        Invoke-FakeControl $fake stripe webhook-endpoints @{ endpoints = @(@{ url = 'https://hotmess-git-old.vercel.app/api/stripe/webhook' }) } | Out-Null

        $webhook = Test-HotmessIntegration -Integration Stripe | Where-Object Check -EQ 'WebhookEndpoint'

        $webhook.Passed | Should -BeFalse
        $webhook.ErrorId | Should -Be 'StripeWebhookEndpointMissing'
        $webhook.Reason | Should -BeLike '*hotmess-git-old.vercel.app*'
    }

    It 'runs Stripe.net from the module folder on the Newtonsoft.Json that PowerShell itself ships' {
        Test-HotmessIntegration -Integration Stripe | Out-Null

        $loaded = [AppDomain]::CurrentDomain.GetAssemblies()
        $stripe = $loaded | Where-Object { $_.GetName().Name -eq 'Stripe.net' }
        $newtonsoft = $loaded | Where-Object { $_.GetName().Name -eq 'Newtonsoft.Json' }
        $stripe.Location | Should -BeLike "$((Get-Module HotmessRecovery).ModuleBase)*"
        @($newtonsoft) | Should -HaveCount 1
        $newtonsoft.Location | Should -BeLike "$PSHOME*"
    }

    It 'shows results as a table of integration, check, passed and reason' {
        $table = Test-HotmessIntegration -Integration Resend | Out-String -Width 200

        $table | Should -Match 'Integration\s+Check\s+Passed\s+Reason'
        $table | Should -Match 'Resend\s+ApiKey\s+True'
    }
}
