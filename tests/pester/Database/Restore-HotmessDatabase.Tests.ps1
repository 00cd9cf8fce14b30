BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'repository'
    $set = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'Restore-HotmessDatabase' {
    It 'restores a piped set into a new database and reports matching row counts' {
        $name = New-HotmessScratchName
        $result = $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false

        $result.DatabaseCreated | Should -BeTrue
        $result.RowCountsMatch | Should -BeTrue
        $result.TableCount | Should -Be $set.Manifest.Database.Tables.Count
        $server.ExecuteSql($name, 'SELECT count(*) FROM public.marketplace_order').Trim() |
            Should -Be ($set.Manifest.Database.Tables | Where-Object Name -EQ 'marketplace_order').RowCount
        $result.Target | Should -Not -Match ([regex]::Escape($server.Password))
    }

    It 'refuses a target that holds data, and keeps that data' {
        $name = New-HotmessScratchName
        $server.CreateDatabase($name)
        $server.ExecuteSql($name, 'CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (42)')

        { $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'TargetNotEmpty,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessDatabaseCommand'
        $error[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $server.ExecuteSql($name, 'SELECT id FROM keep_me').Trim() | Should -Be '42'
    }

    It 'replaces the objects of a target with -Force and no prompt' {
        $name = New-HotmessScratchName
        $null = $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false
        $server.ExecuteSql($name, 'DELETE FROM public.support_tickets')

        $result = $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Force

        $result.RowCountsMatch | Should -BeTrue
        $server.ExecuteSql($name, 'SELECT count(*) FROM public.support_tickets').Trim() | Should -Not -Be '0'
        $server.DropDatabase($result.KeptDatabase)
    }

    It 'a forced restore over a target with a dependent view swaps in the restored database and keeps the old one' {
        $name = New-HotmessScratchName
        $null = $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false
        $server.ExecuteSql($name, 'DELETE FROM public.support_tickets; CREATE VIEW public.open_tickets AS SELECT * FROM public.support_tickets')

        $result = $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Force -WarningVariable warnings -WarningAction SilentlyContinue

        $result.RowCountsMatch | Should -BeTrue
        $server.ExecuteSql($name, 'SELECT count(*) FROM public.support_tickets').Trim() |
            Should -Be ($set.Manifest.Database.Tables | Where-Object Name -EQ 'support_tickets').RowCount
        $result.KeptDatabase | Should -BeLike "${name}_before_*"
        $result.RemoveKeptDatabase | Should -Be "DROP DATABASE `"$($result.KeptDatabase)`";"
        ($warnings -join "`n") | Should -BeLike "*$($result.RemoveKeptDatabase)*"
        $server.ExecuteSql($result.KeptDatabase, "SELECT count(*) FROM pg_views WHERE viewname = 'open_tickets'").Trim() | Should -Be '1'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE '${name}_restore_%'").Trim() | Should -Be '0'
    }

    It 'a forced restore that fails leaves a target with a dependent view as it was' {
        $name = New-HotmessScratchName
        $null = $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false
        $server.ExecuteSql($name, 'DELETE FROM public.support_tickets; CREATE VIEW public.open_tickets AS SELECT * FROM public.support_tickets')
        $before = $server.ExecuteSql($name, "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
        # pg_restore does all its work, then reports a failure.
        $bin = New-Item -ItemType Directory (Join-Path $TestDrive "bin-$name")
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $bin 'pg_dump') -Target $server.ToolPath('pg_dump')
        Set-Content (Join-Path $bin 'pg_restore') "#!/bin/sh`n'$($server.ToolPath('pg_restore'))' `"`$@`"; exit 1"
        chmod +x (Join-Path $bin 'pg_restore')
        $env:HOTMESS_PG_BIN = $bin.FullName
        try {
            { $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Force -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'PgRestoreFailed,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessDatabaseCommand'
        }
        finally {
            Remove-Item Env:HOTMESS_PG_BIN
        }

        $server.ExecuteSql($name, "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace") | Should -Be $before
        $server.ExecuteSql($name, 'SELECT count(*) FROM public.open_tickets').Trim() | Should -Be '0'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE '${name}_%'").Trim() | Should -Be '0'
    }

    It 'refuses a damaged set naming the file, and creates nothing' {
        $copy = Join-Path $TestDrive 'damaged'
        Copy-Item -Recurse $repository $copy
        $victim = $set.Manifest.Files | Where-Object Path -Like '*.dat.gz' | Select-Object -First 1
        $path = Join-Path $copy "sets/$($set.Id)/$($victim.Path)"
        $bytes = [IO.File]::ReadAllBytes($path); $bytes[-1] = $bytes[-1] -bxor 0x01; [IO.File]::WriteAllBytes($path, $bytes)
        $name = New-HotmessScratchName

        { Restore-HotmessDatabase -Id $set.Id -Repository $copy -TargetConnectionString $server.ConnectionString($name) -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupCorrupted,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessDatabaseCommand'
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $error[0].Exception.Message | Should -BeLike "*'$($victim.Path)'*"
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '0'
    }

    It 'creates nothing with -WhatIf, even with -Force' {
        $name = New-HotmessScratchName
        $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Force -WhatIf
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '0'
    }

    It 'declares a high confirm impact' {
        (Get-Command Restore-HotmessDatabase).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact |
            Should -Be 'High'
    }

    It 'restores a set named by id and repository' {
        $name = New-HotmessScratchName
        $result = Restore-HotmessDatabase -Id $set.Id -Repository $repository -TargetConnectionString $server.ConnectionString($name) -Confirm:$false
        $result.SetId | Should -Be $set.Id
    }

    It 'refuses a set id that does not exist' {
        { Restore-HotmessDatabase -Id '20200101T000000Z-database-0000' -Repository $repository -TargetConnectionString $server.ConnectionString('x') -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupNotFound,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessDatabaseCommand'
    }
}
