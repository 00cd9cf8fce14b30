#Requires -Version 7.4
# Restore-HotmessEnvironment end to end against the Vercel fake and a repository in TestDrive.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake

    $values = Get-SampleVariableValues

    function Reset-Environment {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Add-SampleVercelVariables $fake
    }
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Restore-HotmessEnvironment' {
    BeforeEach {
        Reset-Environment
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $env:HOTMESS_ENVIRONMENT_KEY = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
        $set = Backup-HotmessEnvironment -Repository $repository -WarningAction SilentlyContinue
        Set-HotmessSecret STRIPE_SECRET_KEY (Protect 'sk_live_compromised_0000') -Target production, preview
        Set-HotmessSecret SUPABASE_SERVICE_ROLE_KEY (Protect 'service-role-compromised') -Target production
    }

    It 'puts every value of the newest set back into Vercel, a sensitive one from the setting of its name, and lists what it wrote' {
        $restored = Restore-HotmessEnvironment -Repository $repository -Force -WarningVariable warnings

        $restored.Name | Sort-Object | Should -Be 'RESEND_API_KEY', 'STRIPE_SECRET_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'VITE_SUPABASE_URL'
        $restored.SetId | Should -Be $set.Id, $set.Id, $set.Id, $set.Id
        ($restored | Where-Object Name -EQ RESEND_API_KEY).ValueSource | Should -Be 'Setting'
        ($restored | Where-Object Name -EQ STRIPE_SECRET_KEY).ValueSource | Should -Be 'EnvironmentSet'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be $values.STRIPE_SECRET_KEY
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be $values.SUPABASE_SERVICE_ROLE_KEY
        (Get-VercelVariable $fake RESEND_API_KEY)[0].value | Should -Be $env:RESEND_API_KEY
        (Get-VercelVariable $fake RESEND_API_KEY)[0].type | Should -Be 'sensitive'
        $warnings | Should -BeNullOrEmpty
        ($restored | Out-String) + ($restored | ConvertTo-Json) | Should -Not -BeLike "*$($values.STRIPE_SECRET_KEY)*"
    }

    It 'writes the values of -Value instead of the set''s, as strings or SecureStrings, and fills the sensitive one with it' {
        $env:RESEND_API_KEY = $null

        $restored = Restore-HotmessEnvironment -Repository $repository -Force -Value @{
            VITE_SUPABASE_URL         = 'https://newprojectref00000000.supabase.co'
            SUPABASE_SERVICE_ROLE_KEY = (Protect 'service-role-of-the-new-project')
            RESEND_API_KEY            = (Protect 're_given_for_the_restore')
        }

        (Get-VercelVariable $fake VITE_SUPABASE_URL)[0].value | Should -Be 'https://newprojectref00000000.supabase.co'
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be 'service-role-of-the-new-project'
        (Get-VercelVariable $fake RESEND_API_KEY)[0].value | Should -Be 're_given_for_the_restore'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be $values.STRIPE_SECRET_KEY
        ($restored | Where-Object ValueSource -EQ 'Given').Name | Sort-Object | Should -Be 'RESEND_API_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'VITE_SUPABASE_URL'
        ($restored | Out-String) + ($restored | ConvertTo-Json) | Should -Not -BeLike '*service-role-of-the-new-project*'
    }

    It 'takes a value Vercel never returned from the Azure Automation variable of its name' {
        $env:RESEND_API_KEY = $null
        function global:Get-AutomationVariable { param([string] $Name) if ($Name -eq 'RESEND_API_KEY') { 're_from_automation_77' } else { throw "No variable $Name" } }
        try {
            $restored = Restore-HotmessEnvironment -Repository $repository -Name RESEND_API_KEY -Force
        }
        finally {
            Remove-Item Function:\Get-AutomationVariable
        }

        $restored.ValueSource | Should -Be 'Setting'
        (Get-VercelVariable $fake RESEND_API_KEY)[0].value | Should -Be 're_from_automation_77'
    }

    It 'stops before writing anything, naming every value found nowhere, when nobody can be asked' {
        $env:RESEND_API_KEY = $null

        $err = Get-ThrownError { Restore-HotmessEnvironment -Repository $repository -Force }

        $err.FullyQualifiedErrorId | Should -BeLike 'EnvironmentValuesMissing,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*RESEND_API_KEY (sensitive, production)*-Value*'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be 'service-role-compromised'
    }

    It 'lists a missing value as a warning under -WhatIf, asking nothing and writing nothing' {
        $env:RESEND_API_KEY = $null

        $output = Restore-HotmessEnvironment -Repository $repository -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue

        $output | Should -BeNullOrEmpty
        $warnings | Should -BeLike '*RESEND_API_KEY*-Value*'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
    }

    It 'refuses a -Value the restore has no variable for, and a value that is not text' {
        $unknown = Get-ThrownError { Restore-HotmessEnvironment -Repository $repository -Name 'STRIPE_*' -Force -Value @{ VITE_SUPABASE_URL = 'https://x.supabase.co' } }
        $notText = Get-ThrownError { Restore-HotmessEnvironment -Repository $repository -Force -Value @{ VITE_SUPABASE_URL = 42 } }

        $unknown.FullyQualifiedErrorId | Should -BeLike 'EnvironmentValueNotInSet,*'
        $unknown.Exception.Message | Should -BeLike '*VITE_SUPABASE_URL*'
        $notText.FullyQualifiedErrorId | Should -BeLike 'EnvironmentValueInvalid,*'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
    }

    It 'takes a set from the pipeline and restores only the names and targets asked for' {
        Get-HotmessBackup -Repository $repository -Kind Environment | Restore-HotmessEnvironment -Name 'STRIPE_*' -Target production -Force | Out-Null

        $stripe = Get-VercelVariable $fake STRIPE_SECRET_KEY
        ($stripe | Where-Object { $_.target -contains 'production' }).value | Should -Be $values.STRIPE_SECRET_KEY
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be 'service-role-compromised'
    }

    It 'writes nothing with -WhatIf' {
        Restore-HotmessEnvironment -Repository $repository -WhatIf -WarningAction SilentlyContinue | Should -BeNullOrEmpty

        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be 'service-role-compromised'
    }

    It 'fails with a wrong key as an authentication error, changing nothing' {
        $env:HOTMESS_ENVIRONMENT_KEY = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))

        $err = Get-ThrownError { Restore-HotmessEnvironment -Repository $repository -Force }

        $err.FullyQualifiedErrorId | Should -Be 'EnvironmentDecryptionFailed,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessEnvironmentCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.TargetObject | Should -Be $set.Id
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
    }

    It 'fails on a tampered payload as invalid data, changing nothing' {
        $payload = Join-Path $set.Path 'environment.bin'
        $bytes = [IO.File]::ReadAllBytes($payload)
        $bytes[-3] = $bytes[-3] -bxor 0x40
        [IO.File]::WriteAllBytes($payload, $bytes)

        $err = Get-ThrownError { Restore-HotmessEnvironment -Repository $repository -Force }

        $err.FullyQualifiedErrorId | Should -BeLike 'BackupCorrupted,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be 'service-role-compromised'
    }

    It 'fails on a manifest whose variables were edited, changing nothing' {
        $manifestPath = Join-Path $set.Path 'manifest.json'
        $manifest = Get-Content -Raw $manifestPath | ConvertFrom-Json
        ($manifest.environment.variables | Where-Object name -EQ 'STRIPE_SECRET_KEY').name = 'STRIPE_SECRET_KEX'
        $manifest | ConvertTo-Json -Depth 20 | Set-Content $manifestPath

        $err = Get-ThrownError { Restore-HotmessEnvironment -Repository $repository -Force }

        $err.FullyQualifiedErrorId | Should -BeLike 'EnvironmentDecryptionFailed,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        Get-VercelVariable $fake STRIPE_SECRET_KEX | Should -BeNullOrEmpty
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY)[0].value | Should -Be 'service-role-compromised'
    }

    It 'asks for the passphrase of a passphrase set' {
        $passphraseSet = Backup-HotmessEnvironment -Repository $repository -Passphrase (Protect 'a passphrase for the drill') -WarningAction SilentlyContinue

        $err = Get-ThrownError { $passphraseSet | Restore-HotmessEnvironment -Force }
        $restored = $passphraseSet | Restore-HotmessEnvironment -Passphrase (Protect 'a passphrase for the drill') -Name VITE_SUPABASE_URL -Force

        $err.FullyQualifiedErrorId | Should -BeLike 'EnvironmentKeyKindMismatch,*'
        $err.Exception.Message | Should -BeLike '*-Passphrase*'
        $restored.Name | Should -Be 'VITE_SUPABASE_URL'
    }

    It 'restores the set named by -Id, not the newest one' {
        Start-Sleep -Seconds 1
        Set-HotmessSecret STRIPE_SECRET_KEY (Protect 'sk_live_in_the_newer_set_1111') -Target production, preview
        $newer = Backup-HotmessEnvironment -Repository $repository -WarningAction SilentlyContinue
        Set-HotmessSecret STRIPE_SECRET_KEY (Protect 'sk_live_compromised_0000') -Target production, preview

        $restored = Restore-HotmessEnvironment -Repository $repository -Id $set.Id -Name STRIPE_SECRET_KEY -Force

        $newer.Id | Should -Not -Be $set.Id
        $restored.SetId | Should -Be $set.Id
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be $values.STRIPE_SECRET_KEY
    }

    It 'refuses a set of another kind' {
        $other = [Hotmess.Recovery.Repository.BackupRepository]::OpenOrCreate($repository).BeginSet('Database', [DateTimeOffset]::UtcNow).Complete([Hotmess.Recovery.Repository.BackupManifest]::new())

        $err = Get-ThrownError { $other | Restore-HotmessEnvironment -Force }

        $err.FullyQualifiedErrorId | Should -BeLike 'BackupKindMismatch,*'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be 'sk_live_compromised_0000'
    }
}
