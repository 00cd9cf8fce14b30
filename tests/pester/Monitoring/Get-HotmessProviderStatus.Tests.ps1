#Requires -Version 7.4
# Get-HotmessProviderStatus end to end against the status page fakes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'MonitoringFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-MonitoringTestFake
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Get-HotmessProviderStatus' {
    BeforeEach {
        Reset-MonitoringTestFake $fake
        $configuration = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'hotmess.json')
    }

    It 'reads every configured page: Statuspage summaries and Stripe''s own site' {
        $statuses = Get-HotmessProviderStatus -ConfigurationPath $configuration

        $statuses.Provider | Should -Be 'Vercel', 'Supabase', 'Stripe'
        $statuses.Indicator | Should -Be 'None', 'None', 'None'
        ($statuses | Where-Object Provider -EQ 'Vercel').Url | Should -BeLike '*/api/v2/summary.json'
        ($statuses | Where-Object Provider -EQ 'Stripe').Url | Should -BeLike '*/current/full'
    }

    It 'shows the affected components and the open incident of a provider in trouble' {
        Invoke-FakeControl $fake statuspage pages @{ page = 'supabase'; indicator = 'major'; description = 'Database connectivity issues' } | Out-Null

        $status = Get-HotmessProviderStatus Supabase -ConfigurationPath $configuration

        $status.Indicator | Should -Be 'Major'
        $status.Components | Should -Be 'API: partial_outage'
        $status.Incidents | Should -Be 'Database connectivity issues: major'
        ($status | Out-String -Width 300) | Should -BeLike '*API: partial_outage*'
    }

    It 'reports a page that is not Statuspage as Unknown with the reason, not an error' {
        Invoke-FakeControl $fake statuspage pages @{ page = 'vercel'; mode = 'missing' } | Out-Null

        $status = Get-HotmessProviderStatus Vercel -ConfigurationPath $configuration

        $status.Indicator | Should -Be 'Unknown'
        $status.Reason | Should -BeLike '*404*'
    }

    It 'refuses a provider that has no status page configured' {
        { Get-HotmessProviderStatus Netlify -ConfigurationPath $configuration } | Should -Throw -ErrorId 'ProviderUnknown,Hotmess.Recovery.Cmdlets.Commands.GetHotmessProviderStatusCommand'
    }
}
