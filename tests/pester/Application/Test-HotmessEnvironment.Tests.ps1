#Requires -Version 7.4
# Test-HotmessEnvironment end to end against the Vercel fake.

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $all = 'production', 'preview', 'development'
    $required = 'VITE_SUPABASE_URL', 'VITE_SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY'
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'Test-HotmessEnvironment' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        Reset-VercelTestFake $fake
    }

    It 'passes every required variable in every environment when all are set' {
        Invoke-VercelControl $fake -Path env -Body @{ variables = @($required | ForEach-Object { @{ key = $_; value = "value-of-$_"; target = $all } }) } | Out-Null

        $checks = Test-HotmessEnvironment

        $checks.Count | Should -Be 18
        $checks | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty
        $checks[0] | Should -BeOfType 'Hotmess.Recovery.Platform.Vercel.EnvironmentCheck'
    }

    It 'reports each missing variable and environment with the reason' {
        Invoke-VercelControl $fake -Path env -Body @{ variables = @(
                $required | Where-Object { $_ -ne 'RESEND_API_KEY' } | ForEach-Object {
                    @{ key = $_; value = 'x'; target = $(if ($_ -eq 'STRIPE_WEBHOOK_SECRET') { @('production') } else { $all }) }
                }
                @{ key = 'RESEND_API_KEY'; value = 'x'; target = @('preview'); gitBranch = 'develop' }
            ) } | Out-Null

        $failed = Test-HotmessEnvironment | Where-Object { -not $_.Passed }

        ($failed | ForEach-Object { "$($_.Name)/$($_.Target)" }) | Should -Be @(
            'STRIPE_WEBHOOK_SECRET/preview', 'STRIPE_WEBHOOK_SECRET/development',
            'RESEND_API_KEY/production', 'RESEND_API_KEY/preview', 'RESEND_API_KEY/development')
        ($failed | Where-Object Name -EQ 'STRIPE_WEBHOOK_SECRET')[0].Reason | Should -Be 'Set, but not for preview.'
    }

    It 'checks only the environments asked for' {
        $checks = Test-HotmessEnvironment -Target production

        $checks.Count | Should -Be 6
        $checks.Target | Sort-Object -Unique | Should -Be 'production'
        $checks.Name | Should -Be $required
    }
}
