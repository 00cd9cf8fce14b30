#Requires -Version 7.4
# Backup-HotmessEnvironment end to end against the Vercel fake and a repository in TestDrive.

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

Describe 'Backup-HotmessEnvironment' {
    BeforeEach {
        Reset-Environment
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $keyFile = Join-Path $TestDrive 'environment.key'
        [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32)) | Set-Content $keyFile
    }

    It 'writes an environment set whose manifest lists names, targets and types and no value' {
        $set = Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile -WarningVariable warnings -WarningAction SilentlyContinue

        $set | Should -BeOfType 'Hotmess.Recovery.Repository.BackupSet'
        $set.Kind | Should -Be 'Environment'
        $set.Source | Should -Be 'prj_hotmess'
        $variables = $set.Manifest.Environment.Variables
        $variables.Name | Should -Be 'RESEND_API_KEY', 'STRIPE_SECRET_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'VITE_SUPABASE_URL'
        ($variables | Where-Object Name -EQ 'STRIPE_SECRET_KEY').Targets | Should -Be 'production', 'preview'
        ($variables | Where-Object Name -EQ 'RESEND_API_KEY').HasValue | Should -BeFalse
        $warnings | Should -BeLike '*RESEND_API_KEY*'
        (Get-HotmessBackup -Repository $repository -Kind Environment).Id | Should -Be $set.Id
    }

    It 'leaves no value in clear in any file of the repository' {
        Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile -WarningAction SilentlyContinue | Out-Null

        $files = Get-ChildItem -Recurse -File $repository
        $files.Name | Should -Contain 'environment.bin'
        foreach ($file in $files) {
            $text = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($file.FullName))
            foreach ($value in $values.SUPABASE_SERVICE_ROLE_KEY, $values.STRIPE_SECRET_KEY, $values.VITE_SUPABASE_URL) {
                $text.Contains($value) | Should -BeFalse -Because "$($file.Name) must not hold a value"
            }
        }
    }

    It 'changes nothing with -WhatIf' {
        Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile -WhatIf | Should -BeNullOrEmpty

        Test-Path $repository | Should -BeFalse
    }

    It 'refuses a malformed key file with a categorised error before reading Vercel' {
        'not a key' | Set-Content $keyFile

        $err = Get-ThrownError { Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile }

        $err.FullyQualifiedErrorId | Should -Be 'EnvironmentKeyInvalid,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessEnvironmentCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Invoke-FakeControl $fake vercel requests -Method Get) | Should -BeNullOrEmpty
    }

    It 'asks for a key when none is given' {
        $err = Get-ThrownError { Backup-HotmessEnvironment -Repository $repository }

        $err.FullyQualifiedErrorId | Should -BeLike 'EnvironmentKeyMissing,*'
        $err.Exception.Message | Should -BeLike '*HOTMESS_ENVIRONMENT_KEY*'
    }

    It 'fails clearly without a Vercel token' {
        $env:VERCEL_TOKEN = $null

        $err = Get-ThrownError { Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile }

        $err.FullyQualifiedErrorId | Should -BeLike 'VercelTokenMissing,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}
