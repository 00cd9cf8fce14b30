#Requires -Version 7.4
# Get-HotmessSupabaseProject and Get-HotmessSupabaseBackup end to end against the Supabase Management fake.

BeforeAll {
    . (Join-Path $PSScriptRoot 'SupabaseFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Get-HotmessSupabaseProject' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
    }

    It 'reports status, region, Postgres version and the daily backups a plan without PITR keeps' {
        $project = Get-HotmessSupabaseProject

        $project | Should -BeOfType 'Hotmess.Recovery.Supabase.SupabaseProjectInfo'
        $project.Status | Should -Be 'ACTIVE_HEALTHY'
        $project.Region | Should -Be 'eu-west-2'
        $project.PostgresVersion | Should -Be '15.8.1.054'
        $project.PitrEnabled | Should -BeFalse
        $project.DailyBackupsRetained | Should -Be 7
        ($project | Out-String) | Should -Match 'PITR +: not enabled'
        ($project | Out-String) | Should -Match 'Daily backups : 7, 20\d\d-'
    }

    It 'reports the PITR window of a project that has it' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true }

        $project = Get-HotmessSupabaseProject

        $project.PitrEnabled | Should -BeTrue
        $project.PitrWindow.TotalDays | Should -BeGreaterThan 6.9
        $project.DailyBackupsRetained | Should -Be 0
    }

    It 'fails with SupabaseProjectNotFound for a project that does not exist' {
        $thrown = Get-ThrownError { Get-HotmessSupabaseProject -ProjectRef 'nosuchprojectatallxx' }

        $thrown.FullyQualifiedErrorId | Should -Be 'SupabaseProjectNotFound,Hotmess.Recovery.Cmdlets.Commands.GetHotmessSupabaseProjectCommand'
        $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'fails with SupabaseAccessTokenMissing naming the variable when there is no token' {
        $env:SUPABASE_ACCESS_TOKEN = $null

        $thrown = Get-ThrownError { Get-HotmessSupabaseProject }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'SupabaseAccessTokenMissing,*'
        $thrown.Exception.Message | Should -BeLike '*SUPABASE_ACCESS_TOKEN*'
    }
}

Describe 'Get-HotmessSupabaseBackup' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Set-SupabaseFakeBackups $fake @{ backups = @(
                @{ id = 31; insertedAt = '2026-11-29T02:00:00Z' }
                @{ id = 32; insertedAt = '2026-11-30T02:00:00Z' }
                @{ id = 33; insertedAt = '2026-12-01T02:00:00Z'; status = 'FAILED' }
            )
        }
    }

    It 'lists the daily backups newest first' {
        $backups = Get-HotmessSupabaseBackup

        $backups.BackupId | Should -Be 33, 32, 31
        $backups[0] | Should -BeOfType 'Hotmess.Recovery.Supabase.SupabaseDailyBackup'
        $backups[0].IsRestorable | Should -BeFalse
    }

    It 'gives the newest restorable backup taken before a time with -Before and -Latest' {
        $backup = Get-HotmessSupabaseBackup -Kind Daily -Before '2026-12-01T12:00:00Z' -Latest

        $backup.BackupId | Should -Be 32
    }

    It 'gives the PITR window, whose PointInTime is its newest point, for a PITR project' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true; earliestUnix = 1764374400; latestUnix = 1764590000 }

        $window = Get-HotmessSupabaseBackup

        $window | Should -HaveCount 1
        $window | Should -BeOfType 'Hotmess.Recovery.Supabase.SupabasePointInTimeWindow'
        $window.PointInTime | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds(1764590000))
        ($window | Out-String) | Should -Match '2025-12-01'
    }

    It 'fails with SupabaseManagementForbidden for a token without rights on the backups' {
        Set-SupabaseFakeBackups $fake @{ limitedToken = 'sbp_memberwithoutrights01' }

        $thrown = Get-ThrownError { Get-HotmessSupabaseBackup -AccessToken (Protect 'sbp_memberwithoutrights01') }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'SupabaseManagementForbidden,*'
        $thrown.CategoryInfo.Category | Should -Be 'PermissionDenied'
    }
}
