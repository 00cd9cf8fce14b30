#Requires -Version 7.4
# Set-HotmessSecret end to end against the Vercel fake.

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.SetHotmessSecretCommand'

    function Protect([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }

    function Get-FakeVariable([string] $Key) {
        @((Invoke-VercelControl $fake -Method Get -Path state).environment | Where-Object key -EQ $Key)
    }
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'Set-HotmessSecret' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        Reset-VercelTestFake $fake
    }

    It 'creates an encrypted variable for every environment and shows it masked with -PassThru' {
        $saved = Set-HotmessSecret -Name STRIPE_SECRET_KEY -Value (Protect 'sk_live_new_secret_0042') -PassThru

        $stored = Get-FakeVariable STRIPE_SECRET_KEY
        $stored.Count | Should -Be 1
        $stored[0].value | Should -Be 'sk_live_new_secret_0042'
        $stored[0].type | Should -Be 'encrypted'
        $stored[0].target | Should -Be 'production', 'preview', 'development'
        $saved | Should -BeOfType 'Hotmess.Recovery.Platform.Vercel.EnvironmentVariableSummary'
        $saved.Value | Should -Be '****'
        ($saved | Out-String) + ($saved | ConvertTo-Json) | Should -Not -Match 'sk_live_new_secret_0042'
    }

    It 'replaces the value of an existing variable in place, writing nothing without -PassThru' {
        Set-HotmessSecret STRIPE_SECRET_KEY (Protect 'sk_old') | Should -BeNullOrEmpty
        $id = (Get-FakeVariable STRIPE_SECRET_KEY)[0].id

        Set-HotmessSecret STRIPE_SECRET_KEY (Protect 'sk_new') -Verbose 4>&1 | Out-String | Should -Not -Match 'sk_new'

        $stored = Get-FakeVariable STRIPE_SECRET_KEY
        $stored.Count | Should -Be 1
        $stored[0].id | Should -Be $id
        $stored[0].value | Should -Be 'sk_new'
    }

    It 'sets the environments and type asked for' {
        Set-HotmessSecret SUPABASE_SERVICE_ROLE_KEY (Protect 'srk') -Target production -Type sensitive

        $stored = (Get-FakeVariable SUPABASE_SERVICE_ROLE_KEY)[0]
        $stored.type | Should -Be 'sensitive'
        $stored.target | Should -Be 'production'
    }

    It 'changes nothing with -WhatIf' {
        Set-HotmessSecret RESEND_API_KEY (Protect 're_x') -WhatIf

        Get-FakeVariable RESEND_API_KEY | Should -BeNullOrEmpty
    }

    It 'sets what is piped in by property name, and a failed one does not stop the rest' {
        Invoke-VercelControl $fake -Path env/failures -Body @{ key = 'RESEND_API_KEY'; code = 'invalid_value'; message = 'The value is too long.' } | Out-Null
        $secrets = @(
            [pscustomobject]@{ Name = 'RESEND_API_KEY'; Value = (Protect 're_rejected_value') }
            [pscustomobject]@{ Name = 'STRIPE_WEBHOOK_SECRET'; Value = (Protect 'whsec_saved'); Target = 'production' }
        )

        $secrets | Set-HotmessSecret -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "VercelEnvironmentUpsertFailed,$command"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problems[0].TargetObject | Should -Be 'RESEND_API_KEY'
        $problems[0].Exception.Message | Should -Match 'invalid_value The value is too long'
        $problems[0].Exception.Message | Should -Not -Match 're_rejected_value'
        Get-FakeVariable RESEND_API_KEY | Should -BeNullOrEmpty
        (Get-FakeVariable STRIPE_WEBHOOK_SECRET)[0].target | Should -Be 'production'
    }

    It 'refuses a name Vercel would refuse, before sending anything' {
        Set-HotmessSecret 'BAD-NAME' (Protect 'x') -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "EnvironmentVariableNameInvalid,$command"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Invoke-VercelControl $fake -Method Get -Path requests) | Should -BeNullOrEmpty
    }

    It 'fails clearly with a wrong token' {
        { Set-HotmessSecret RESEND_API_KEY (Protect 're_x') -Token (Protect 'wrong') -ErrorAction Stop } |
            Should -Throw -ErrorId "VercelAuthenticationFailed,$command"
    }

    It 'makes Test-HotmessEnvironment pass once every required variable is set' {
        'VITE_SUPABASE_URL', 'VITE_SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY' |
            ForEach-Object { [pscustomobject]@{ Name = $_; Value = (Protect "value-of-$_") } } |
            Set-HotmessSecret

        Test-HotmessEnvironment | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty
    }
}
