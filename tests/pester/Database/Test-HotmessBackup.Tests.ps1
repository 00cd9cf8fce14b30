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

Describe 'Test-HotmessBackup' {
    It 'verifies a set by restoring it into a scratch database that it drops afterwards' {
        $name = New-HotmessScratchName
        $verification = $set | Test-HotmessBackup -RestoreTo $server.ConnectionString($name)

        $verification.Passed | Should -BeTrue
        $verification.Restored | Should -BeTrue
        $verification.Checks | Where-Object Name -EQ 'Fingerprint public.User' | ForEach-Object Passed | Should -BeTrue
        $verification.Checks.Category | Should -Contain 'Recency'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '0'
    }

    It 'records each verification under the repository and leaves the manifest alone' {
        $before = Get-FileHash (Join-Path $set.Path 'manifest.json')
        $verification = $set | Test-HotmessBackup
        $verification.RecordPath | Should -Exist
        $verification.RecordPath | Should -BeLike (Join-Path $repository "verifications/$($set.Id)/*.json")
        (Get-FileHash (Join-Path $set.Path 'manifest.json')).Hash | Should -Be $before.Hash
    }

    It 'fails and names the file when the set is corrupted' {
        $copy = Join-Path $TestDrive 'corrupted'
        Copy-Item -Recurse $repository $copy
        $victim = $set.Manifest.Files | Where-Object Path -Like '*.dat.gz' | Select-Object -First 1
        $path = Join-Path $copy "sets/$($set.Id)/$($victim.Path)"
        $bytes = [IO.File]::ReadAllBytes($path); $bytes[0] = $bytes[0] -bxor 0xFF; [IO.File]::WriteAllBytes($path, $bytes)

        $verification = Get-HotmessBackup -Repository $copy -Id $set.Id | Test-HotmessBackup -RestoreTo $server.ConnectionString((New-HotmessScratchName))

        $verification.Passed | Should -BeFalse
        ($verification.Checks | Where-Object { -not $_.Passed }).Name | Should -Contain "File $($victim.Path)"
    }

    It 'fails the recency check of a set older than the RPO' {
        $copy = Join-Path $TestDrive 'old'
        Copy-Item -Recurse $repository $copy
        $manifestPath = Join-Path $copy "sets/$($set.Id)/manifest.json"
        $manifest = Get-Content -Raw $manifestPath | ConvertFrom-Json
        $manifest.completedUtc = [DateTimeOffset]::UtcNow.AddHours(-25).ToString('o')
        $manifest | ConvertTo-Json -Depth 20 | Set-Content $manifestPath

        $verification = Get-HotmessBackup -Repository $copy -Id $set.Id | Test-HotmessBackup
        ($verification.Checks | Where-Object Category -EQ 'Recency').Passed | Should -Be $false
        $verification.Passed | Should -BeFalse
        (Get-HotmessBackup -Repository $copy -Id $set.Id | Test-HotmessBackup -MaxAgeHours 48).Passed | Should -BeTrue
    }

    It 'refuses a scratch database that holds data' {
        $name = New-HotmessScratchName
        $server.CreateDatabase($name)
        $server.ExecuteSql($name, 'CREATE TABLE someone_elses (id int)')
        { $set | Test-HotmessBackup -RestoreTo $server.ConnectionString($name) -ErrorAction Stop } |
            Should -Throw -ErrorId 'TargetNotEmpty,Hotmess.Recovery.Cmdlets.Commands.TestHotmessBackupCommand'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '1'
    }

    It 'refuses <Database> as a scratch database, and leaves it' -ForEach @(
        @{ Database = 'postgres' }, @{ Database = 'template1' }
    ) {
        { $set | Test-HotmessBackup -RestoreTo $server.ConnectionString($Database) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScratchDatabaseReserved,Hotmess.Recovery.Cmdlets.Commands.TestHotmessBackupCommand'
        $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$Database'").Trim() | Should -Be '1'
    }

    It 'refuses a scratch connection string that names no database, rather than using postgres' {
        $noDatabase = $server.ConnectionString('postgres') -replace ';?Database=postgres', ''

        { $set | Test-HotmessBackup -RestoreTo $noDatabase -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScratchDatabaseMissing,Hotmess.Recovery.Cmdlets.Commands.TestHotmessBackupCommand'
        $error[0].Exception.Message | Should -Not -BeLike "*$($server.Password)*"
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'postgres'").Trim() | Should -Be '1'
    }

    It 'refuses a scratch database that holds only a <What>, and leaves it' -ForEach @(
        @{ What = 'function'; Sql = "CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS 'SELECT 42'" }
        @{ What = 'large object'; Sql = "SELECT lo_from_bytea(0, 'kept')" }
    ) {
        $name = New-HotmessScratchName
        $server.CreateDatabase($name)
        $null = $server.ExecuteSql($name, $Sql)

        { $set | Test-HotmessBackup -RestoreTo $server.ConnectionString($name) -ErrorAction Stop } |
            Should -Throw -ErrorId 'TargetNotEmpty,Hotmess.Recovery.Cmdlets.Commands.TestHotmessBackupCommand'
        $error[0].Exception.Message | Should -BeLike "*1 $What*"
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '1'
    }

    It 'refuses an existing empty scratch database that it did not create, and leaves it' {
        $name = New-HotmessScratchName
        $server.CreateDatabase($name)

        { $set | Test-HotmessBackup -RestoreTo $server.ConnectionString($name) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScratchDatabaseExists,Hotmess.Recovery.Cmdlets.Commands.TestHotmessBackupCommand'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '1'
    }

    It 'does nothing with -WhatIf' {
        $count = @(Get-ChildItem (Join-Path $repository "verifications/$($set.Id)") -ErrorAction Ignore).Count
        $set | Test-HotmessBackup -RestoreTo $server.ConnectionString((New-HotmessScratchName)) -WhatIf | Should -BeNullOrEmpty
        @(Get-ChildItem (Join-Path $repository "verifications/$($set.Id)") -ErrorAction Ignore).Count | Should -Be $count
    }
}
