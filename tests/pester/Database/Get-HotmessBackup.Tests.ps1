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

    It 'shows a table with id, kind, size and source by default' {
        $table = Get-HotmessBackup -Repository $repository | Format-Table | Out-String -Width 250
        $table | Should -Match 'Id\s+Kind\s+CompletedUtc\s+Size\(MB\)\s+Duration\s+Source'
        $table | Should -Match ([regex]::Escape($first.Id))
    }
}
