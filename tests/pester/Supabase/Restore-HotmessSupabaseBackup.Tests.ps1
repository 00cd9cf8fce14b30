#Requires -Version 7.4
# Restore-HotmessSupabaseBackup end to end against the Supabase Management fake: checks first, then the restore, then
# polling the project through RESTORING to ACTIVE_HEALTHY.

BeforeAll {
    . (Join-Path $PSScriptRoot 'SupabaseFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessSupabaseBackupCommand'
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Restore-HotmessSupabaseBackup' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Set-SupabaseFakeBackups $fake @{ restoreDelayMs = 1500 }
    }

    It 'restores a piped daily backup, waits until the project is healthy and outputs the measured duration' {
        $backup = Get-HotmessSupabaseBackup -Kind Daily | Select-Object -Skip 1 -First 1

        $result = $backup | Restore-HotmessSupabaseBackup -Force -PollInterval 00:00:01

        $result | Should -BeOfType 'Hotmess.Recovery.Supabase.SupabaseRestoreResult'
        $result.Status | Should -Be 'ACTIVE_HEALTHY'
        $result.BackupId | Should -Be $backup.BackupId
        $result.Duration.TotalSeconds | Should -BeGreaterOrEqual 1.5
        (Get-SupabaseFakeRestores $fake).id | Should -Be $backup.BackupId
        (Get-HotmessSupabaseProject).Status | Should -Be 'ACTIVE_HEALTHY'
    }

    It 'restores a PITR project to the point asked for, in whole seconds' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true }
        $point = [DateTimeOffset]::UtcNow.AddHours(-2)

        $result = Restore-HotmessSupabaseBackup -PointInTime $point -Force -PollInterval 00:00:01

        $result.Kind | Should -Be 'PointInTime'
        (Get-SupabaseFakeRestores $fake).recoveryTimeTargetUnix | Should -Be $point.ToUnixTimeSeconds()
    }

    It 'restores to the newest point of a piped PITR window' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true }
        $window = Get-HotmessSupabaseBackup -Kind PointInTime

        $window | Restore-HotmessSupabaseBackup -Force -PollInterval 00:00:01 | Out-Null

        (Get-SupabaseFakeRestores $fake).recoveryTimeTargetUnix | Should -Be $window.LatestUtc.ToUnixTimeSeconds()
    }

    It 'with -WhatIf says what would be restored and the data lost after it, and sends nothing' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true }
        $point = [DateTimeOffset]::UtcNow.AddHours(-3).AddMinutes(-20)

        $messages = Restore-HotmessSupabaseBackup -PointInTime $point -WhatIf -Verbose 4>&1 | Out-String

        $messages | Should -Match ([regex]::Escape("to the point in time $($point.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss'))Z"))
        $messages | Should -Match 'Every change made after .* is lost: 3 h 20 min of data'
        Get-SupabaseFakeRestores $fake | Should -BeNullOrEmpty
        (Get-HotmessSupabaseProject).Status | Should -Be 'ACTIVE_HEALTHY'
    }

    It 'declares ConfirmImpact High, so it asks before restoring' {
        (Get-Command Restore-HotmessSupabaseBackup).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact |
            Should -Be 'High'
    }

    Context 'refused before anything is sent' {
        It 'a point in time on a plan without PITR: SupabasePitrNotEnabled' {
            $thrown = Get-ThrownError { Restore-HotmessSupabaseBackup -PointInTime (Get-Date).AddHours(-1) -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "SupabasePitrNotEnabled,$command"
            $thrown.Exception.Message | Should -Match 'Restore a daily backup instead'
            Get-SupabaseFakeRestores $fake | Should -BeNullOrEmpty
        }

        It 'a point outside the window: SupabasePointInTimeOutsideWindow naming the window' {
            Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true; earliestUnix = 1764374400; latestUnix = 1764590000 }

            $thrown = Get-ThrownError { Restore-HotmessSupabaseBackup -PointInTime '2025-11-20T00:00:00Z' -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "SupabasePointInTimeOutsideWindow,$command"
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -Match 'from 2025-11-29 00:00:00Z to 2025-12-01 11:53:20Z'
            Get-SupabaseFakeRestores $fake | Should -BeNullOrEmpty
        }

        It 'a project that does not exist: SupabaseProjectNotFound' {
            $thrown = Get-ThrownError { Restore-HotmessSupabaseBackup -BackupId 1000 -ProjectRef 'nosuchprojectatallxx' -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "SupabaseProjectNotFound,$command"
        }

        It 'a token without rights on the project: SupabaseManagementForbidden' {
            Set-SupabaseFakeBackups $fake @{ limitedToken = 'sbp_memberwithoutrights01' }
            $env:SUPABASE_ACCESS_TOKEN = 'sbp_memberwithoutrights01'

            $thrown = Get-ThrownError { Restore-HotmessSupabaseBackup -BackupId 1000 -Force }

            $thrown.FullyQualifiedErrorId | Should -BeLike 'Supabase*,*'
            $thrown.CategoryInfo.Category | Should -BeIn 'PermissionDenied', 'AuthenticationError'
            $thrown.Exception.Message | Should -Not -Match 'sbp_memberwithoutrights01'
            Get-SupabaseFakeRestores $fake | Should -BeNullOrEmpty
        }
    }

    It 'times out with a clear error when the project stays RESTORING' {
        Set-SupabaseFakeBackups $fake @{ restoreDelayMs = 600000 }

        $thrown = Get-ThrownError { Restore-HotmessSupabaseBackup -BackupId 1000 -Force -PollInterval 00:00:01 -Timeout 00:00:03 }

        $thrown.FullyQualifiedErrorId | Should -Be "SupabaseRestoreTimedOut,$command"
        $thrown.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $thrown.Exception.Message | Should -Match 'still RESTORING'
    }
}
