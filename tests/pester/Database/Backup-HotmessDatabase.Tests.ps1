BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $source = $server.ConnectionString('hotmess')
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'Backup-HotmessDatabase' {
    BeforeEach {
        $repository = Join-Path $TestDrive ([guid]::NewGuid())
    }

    It 'writes a complete database set with the evidence of the snapshot' {
        $set = Backup-HotmessDatabase -ConnectionString $source -Repository $repository

        $set.Kind | Should -Be 'Database'
        $set.Id | Should -Match '^\d{8}T\d{6}Z-database-[0-9a-f]{4}$'
        $set.SizeBytes | Should -BeGreaterThan 0
        $set.CompletedUtc | Should -BeGreaterThan $set.StartedUtc
        Join-Path $set.Path 'manifest.json' | Should -Exist
        $users = [long]$server.ExecuteSql('hotmess', 'SELECT count(*) FROM public."User"').Trim()
        ($set.Manifest.Database.Tables | Where-Object Name -EQ 'User').RowCount | Should -Be $users
        @($set.Manifest.Database.Tables | Where-Object Fingerprint).Count | Should -Be 6
    }

    It 'takes the connection from HOTMESS_DATABASE_URL and the password from -Credential' {
        $withoutPassword = "Host=$($server.Host);Port=$($server.Port);Database=hotmess;Username=postgres"
        $credential = [pscredential]::new('postgres', (ConvertTo-SecureString $server.Password -AsPlainText -Force))
        $env:HOTMESS_DATABASE_URL = $withoutPassword
        try {
            $set = Backup-HotmessDatabase -Repository $repository -Credential $credential
        }
        finally {
            Remove-Item Env:HOTMESS_DATABASE_URL
        }
        $set.Manifest.Source.Port | Should -Be $server.Port
    }

    It 'never shows the password in output, verbose messages or the manifest' {
        $verbose = Backup-HotmessDatabase -ConnectionString $source -Repository $repository -Verbose 4>&1
        $messages = $verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $messages.Count | Should -BeGreaterThan 5
        ($messages.Message -join "`n") | Should -Not -Match ([regex]::Escape($server.Password))
        $set = $verbose | Where-Object { $_ -is [Hotmess.Recovery.Repository.BackupSet] }
        Get-Content -Raw (Join-Path $set.Path 'manifest.json') | Should -Not -Match ([regex]::Escape($server.Password))
    }

    It 'reports progress while it works' {
        $progress = [System.Collections.Generic.List[object]]::new()
        $ps = [powershell]::Create()
        $null = $ps.AddCommand('Import-Module').AddArgument('HotmessRecovery').AddStatement()
        $null = $ps.AddCommand('Backup-HotmessDatabase').AddParameter('ConnectionString', $source).AddParameter('Repository', $repository)
        $ps.Streams.Progress.add_DataAdded({ param($sender, $e) $progress.Add($sender[$e.Index]) }.GetNewClosure())
        $null = $ps.Invoke()
        $ps.Dispose()
        $progress.Activity | Should -Contain 'Backing up the database'
        $progress | Where-Object RecordType -EQ 'Completed' | Should -Not -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        Backup-HotmessDatabase -ConnectionString $source -Repository $repository -WhatIf
        Join-Path $repository 'sets' | Should -Not -Exist
    }

    It 'fails with <id> when <case>' -ForEach @(
        @{ case = 'the password is wrong'; id = 'DatabaseAuthenticationFailed'; category = 'AuthenticationError'; make = { param($s) $s.ConnectionString('hotmess', 'postgres', 'wrong-password') } }
        @{ case = 'the database is missing'; id = 'DatabaseNotFound'; category = 'ObjectNotFound'; make = { param($s) $s.ConnectionString('no_such_db') } }
        @{ case = 'the server is unreachable'; id = 'DatabaseUnreachable'; category = 'ConnectionError'; make = { param($s) 'Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=hotmess;Timeout=2' } }
        @{ case = 'the connection string is unusable'; id = 'ConnectionStringInvalid'; category = 'InvalidArgument'; make = { param($s) 'Database=hotmess' } }
    ) {
        $connection = & $make $server
        { Backup-HotmessDatabase -ConnectionString $connection -Repository $repository -ErrorAction Stop } |
            Should -Throw -ErrorId "$id,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand"
        $error[0].CategoryInfo.Category | Should -Be $category
        $error[0].ToString() | Should -Not -Match 'wrong-password'
        Get-ChildItem (Join-Path $repository 'sets') -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'refuses a pg_dump older than the server' {
        $bin = New-Item -ItemType Directory (Join-Path $TestDrive 'oldbin')
        Set-Content (Join-Path $bin 'pg_dump') "#!/bin/sh`necho 'pg_dump (PostgreSQL) 12.20'"
        Set-Content (Join-Path $bin 'pg_restore') "#!/bin/sh`nexit 1"
        chmod +x (Join-Path $bin 'pg_dump') (Join-Path $bin 'pg_restore')
        $env:HOTMESS_PG_BIN = $bin.FullName
        try {
            { Backup-HotmessDatabase -ConnectionString $source -Repository $repository -ErrorAction Stop } |
                Should -Throw -ErrorId 'PgDumpTooOld,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand'
        }
        finally {
            Remove-Item Env:HOTMESS_PG_BIN
        }
    }

    It 'refuses a repository it cannot write' {
        $file = New-Item -ItemType File (Join-Path $TestDrive 'not-a-folder')
        { Backup-HotmessDatabase -ConnectionString $source -Repository (Join-Path $file 'repo') -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryNotWritable,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand'
    }
}
