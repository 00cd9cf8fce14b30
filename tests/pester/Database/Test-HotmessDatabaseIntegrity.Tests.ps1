#Requires -Version 7.4
# Test-HotmessDatabaseIntegrity against a real PostgreSQL: a copy restored from an own set, and a database checked against
# the newest own set before a restore point.

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'repository'
    $set = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
    $restored = New-HotmessScratchName
    $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($restored) -Confirm:$false | Out-Null
    # A copy that lost three orders since the set, as a restore to an older point would.
    $damaged = New-HotmessScratchName
    $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($damaged) -Confirm:$false | Out-Null
    $server.ExecuteSql($damaged, 'SET session_replication_role = replica; DELETE FROM public.marketplace_order WHERE id IN (SELECT id FROM public.marketplace_order ORDER BY id LIMIT 3)') | Out-Null
    $orders = ($set.Manifest.Database.Tables | Where-Object { $_.Schema -eq 'public' -and $_.Name -eq 'marketplace_order' }).RowCount
}

AfterAll {
    $env:HOTMESS_REPOSITORY = $null
    $server | Stop-HotmessTestPostgres
}

Describe 'Test-HotmessDatabaseIntegrity' {
    BeforeEach { $env:HOTMESS_REPOSITORY = $null }

    It 'passes every row count, fingerprint and the newest transaction of a copy restored from the set piped in' {
        $checks = $set | Test-HotmessDatabaseIntegrity -ConnectionString $server.ConnectionString($restored)

        $checks | Should -Not -BeNullOrEmpty
        $checks | ForEach-Object { $_ | Should -BeOfType Hotmess.Recovery.Verification.DatabaseIntegrityCheck }
        @($checks | Where-Object { -not $_.Passed }).Detail | Should -BeNullOrEmpty
        @($checks | Where-Object Check -EQ RowCount).Count | Should -Be $set.Manifest.Database.Tables.Count
        $checks | Where-Object { $_.Check -eq 'Fingerprint' -and $_.Table -eq 'public.User' } | Should -Not -BeNullOrEmpty
        ($checks | Where-Object Check -EQ RecentTransactions).Table | Should -Be 'public.marketplace_order.updated_at'
    }

    It 'fails the row count and newest transaction of a copy that lost orders, saying by how many' {
        $checks = $set | Test-HotmessDatabaseIntegrity -ConnectionString $server.ConnectionString($damaged)

        $count = $checks | Where-Object { $_.Check -eq 'RowCount' -and $_.Table -eq 'public.marketplace_order' }
        $count.Passed | Should -BeFalse
        $count.Actual | Should -Be ($orders - 3)
        $count.Detail | Should -Match ([regex]::Escape("($orders in $($set.Id), -3)"))
        ($checks | Where-Object { $_.Check -eq 'Fingerprint' -and $_.Table -eq 'public.marketplace_order' }).Passed | Should -BeFalse
    }

    It 'checks the critical tables against the newest own set of -Repository taken before the restore point' {
        $checks = Test-HotmessDatabaseIntegrity -ConnectionString $server.ConnectionString($damaged) -Repository $repository -CriticalTable public.User, marketplace_order -RestorePoint ([DateTimeOffset]::UtcNow)

        $checks.Check | Should -Be @('RowCount', 'RowCount', 'RecentTransactions')
        $checks[0].Passed | Should -BeTrue
        $checks[1].Table | Should -Be 'public.marketplace_order'
        $checks[1].Passed | Should -BeFalse
        $checks[1].Expected | Should -Be ">= $orders"
        $checks[1].Detail | Should -BeLike "public.marketplace_order has 3 rows fewer than $($set.Id)*"
        $checks[2].Passed | Should -BeTrue
        $checks[2].Detail | Should -Match 'restore point minus the 24 h RPO'
    }

    It 'without an own set before the restore point checks only that the critical tables are there' {
        $checks = Test-HotmessDatabaseIntegrity -ConnectionString $server.ConnectionString($damaged) -Repository $repository -CriticalTable public.User, public.payments -TransactionTable public.marketplace_order -RestorePoint $set.StartedUtc.AddDays(-1) -Verbose 4>&1

        $verbose = $checks | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $checks = $checks | Where-Object { $_ -is [Hotmess.Recovery.Verification.DatabaseIntegrityCheck] }
        ($verbose.Message -join ' ') | Should -Match 'holds no database set taken before'
        ($checks | Where-Object Table -EQ public.User).Detail | Should -Be "public.User $($server.ExecuteSql($damaged, 'SELECT count(*) FROM public."User"').Trim()) rows (no own evidence)"
        ($checks | Where-Object Table -EQ public.payments).Passed | Should -BeFalse
        ($verbose.Message -join ' ') | Should -Not -Match ([regex]::Escape($server.Password))
    }

    It 'takes the connection string as a SecureString, as a new project outputs it' {
        $secure = ConvertTo-SecureString $server.ConnectionString($restored) -AsPlainText -Force

        $checks = $set | Test-HotmessDatabaseIntegrity -ConnectionString $secure

        @($checks | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
        ($checks | Out-String) | Should -Not -Match ([regex]::Escape($server.Password))
    }

    It 'warns and checks without own evidence when the configured repository cannot be read' {
        $env:HOTMESS_REPOSITORY = Join-Path $TestDrive 'nowhere'

        $checks = Test-HotmessDatabaseIntegrity -ConnectionString $server.ConnectionString($restored) -CriticalTable public.User -WarningVariable warned -WarningAction SilentlyContinue

        ($warned -join ' ') | Should -Match 'No own evidence'
        ($checks | Where-Object Check -EQ RowCount).Detail | Should -Match 'no own evidence'
    }

    It 'stops with RepositoryNotFound when -Repository names no repository' {
        { Test-HotmessDatabaseIntegrity -ConnectionString $server.ConnectionString($restored) -Repository (Join-Path $TestDrive 'nowhere') } |
            Should -Throw -ErrorId 'RepositoryNotFound,Hotmess.Recovery.Cmdlets.Commands.TestHotmessDatabaseIntegrityCommand'
    }
}
