BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'repository'
    $first = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
    Start-Sleep -Milliseconds 1100
    $second = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
    # An interrupted backup: a set folder that never got its manifest.
    New-Item -ItemType Directory (Join-Path $repository 'sets/20261124T000000Z-database-dead') | Out-Null
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'Get-HotmessBackup' {
    It 'lists the complete sets newest first and never the incomplete one' {
        $sets = Get-HotmessBackup -Repository $repository
        $sets.Id | Should -Be @($second.Id, $first.Id)
    }

    It 'returns only the newest set with -Latest' {
        (Get-HotmessBackup -Repository $repository -Kind Database -Latest).Id | Should -Be $second.Id
    }

    It 'filters by kind' {
        Get-HotmessBackup -Repository $repository -Kind Storage | Should -BeNullOrEmpty
    }

    It 'gets sets by id and reports the missing ones without stopping' {
        $found = Get-HotmessBackup -Repository $repository -Id $first.Id, '20200101T000000Z-database-0000' -ErrorVariable missing -ErrorAction SilentlyContinue
        $found.Id | Should -Be $first.Id
        $missing[0].FullyQualifiedErrorId | Should -Be 'BackupNotFound,Hotmess.Recovery.Cmdlets.Commands.GetHotmessBackupCommand'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'binds Repository and Id by property name' {
        ([pscustomobject]@{ Repository = $repository; Id = $second.Id } | Get-HotmessBackup).Id | Should -Be $second.Id
    }

    It 'says so when the folder is not a repository' {
        { Get-HotmessBackup -Repository $TestDrive -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotFound,Hotmess.Recovery.Cmdlets.Commands.GetHotmessBackupCommand'
    }

    It 'shows a table with id, kind, state, size and source by default' {
        $table = Get-HotmessBackup -Repository $repository | Format-Table | Out-String -Width 250
        $table | Should -Match 'Id\s+Kind\s+State\s+CompletedUtc\s+Size\(MB\)\s+Duration\s+Source'
        $table | Should -Match "$([regex]::Escape($first.Id))\s+Database\s+Complete"
    }

    Context 'when one manifest is damaged' {
        BeforeAll {
            # The same two sets, the older one with a manifest cut short.
            $damagedRepository = Join-Path $TestDrive 'damaged'
            Copy-Item -Recurse $repository $damagedRepository
            Set-Content -Path (Join-Path $damagedRepository "sets/$($first.Id)/manifest.json") -Value '{ "formatVersion": 1, "id": "'
        }

        It 'lists the damaged set with its state and a warning, and the others as they are' {
            $sets = Get-HotmessBackup -Repository $damagedRepository -WarningVariable warnings -WarningAction SilentlyContinue
            $sets.Id | Should -Be @($second.Id, $first.Id)
            $sets.State | Should -Be @('Complete', 'Damaged')
            $sets[1].Kind | Should -Be 'Database'
            $sets[1].Problem | Should -Match 'manifest\.json'
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match ([regex]::Escape($first.Id))
        }

        It 'shows the damaged state in the table' {
            $table = Get-HotmessBackup -Repository $damagedRepository -WarningAction SilentlyContinue | Format-Table | Out-String -Width 250
            $table | Should -Match "$([regex]::Escape($first.Id))\s+Database\s+Damaged"
        }

        It 'gets a damaged set by id with a warning' {
            $set = Get-HotmessBackup -Repository $damagedRepository -Id $first.Id -WarningVariable warnings -WarningAction SilentlyContinue
            $set.State | Should -Be 'Damaged'
            $warnings.Count | Should -Be 1
        }

        It 'lets Test-HotmessBackup report the damaged set failed and verify the others' {
            $verifications = Get-HotmessBackup -Repository $damagedRepository -WarningAction SilentlyContinue |
                Test-HotmessBackup -ErrorVariable problems -ErrorAction SilentlyContinue
            $problems | Should -BeNullOrEmpty
            $verifications.SetId | Should -Be @($second.Id, $first.Id)
            $verifications.Passed | Should -Be @($true, $false)
            ($verifications[1].Checks | Where-Object Name -EQ 'Manifest').Detail | Should -Match 'cannot be read'
        }

        It 'lets Test-HotmessBackup -Id report the damaged set failed' {
            (Test-HotmessBackup -Repository $damagedRepository -Id $first.Id).Passed | Should -BeFalse
        }
    }
}
