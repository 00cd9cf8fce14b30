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
