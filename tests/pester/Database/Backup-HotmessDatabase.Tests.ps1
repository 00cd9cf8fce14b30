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

    It 'takes the connection string as a SecureString, as New-HotmessSupabaseProject and Get-HotmessSetting give it' {
        $set = Backup-HotmessDatabase -ConnectionString (ConvertTo-SecureString $source -AsPlainText -Force) -Repository $repository

        $set.Manifest.Source.Port | Should -Be $server.Port
        $set.Manifest.Source.Database | Should -Be 'hotmess'
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

    It 'refuses an offsite location <_> instead of writing to a local folder of that name' -ForEach 'az://backups/hotmess', 's3://hotmess-backups' {
        Push-Location $TestDrive
        try {
            { Backup-HotmessDatabase -ConnectionString $source -Repository $_ -ErrorAction Stop } |
                Should -Throw -ErrorId 'RepositoryNotLocal,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand'
            Join-Path $TestDrive ($_ -split '/')[0] | Should -Not -Exist
        }
        finally {
            Pop-Location
        }
    }

    Context 'a remote server' {
        It 'warns when the connection string asks a remote server for less than verify-full' {
            $null = Backup-HotmessDatabase -ConnectionString 'Host=db.abcd.supabase.co;Username=postgres;SSL Mode=Require' -Repository $repository -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue

            $warnings | Should -HaveCount 1
            "$($warnings[0])" | Should -Match 'db\.abcd\.supabase\.co'
            "$($warnings[0])" | Should -Match 'VerifyFull'
        }

        It 'verifies the server against database.rootCertificate of the configuration file, in the module and in pg_dump' -Skip:$IsWindows {
            $tls = Join-Path $TestDrive ('tls-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
            New-Item -ItemType Directory $tls | Out-Null
            $quiet = { param([string[]] $arguments) $output = & openssl @arguments 2>&1; if ($LASTEXITCODE) { throw "openssl: $output" } }
            & $quiet @('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Hotmess test CA', '-keyout', "$tls/ca.key", '-out', "$tls/ca.crt")
            & $quiet @('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Another CA', '-keyout', "$tls/other.key", '-out', "$tls/other.crt")
            & $quiet @('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', "$tls/server.key", '-out', "$tls/server.csr")
            Set-Content "$tls/san.ext" 'subjectAltName=DNS:localhost,IP:127.0.0.1'
            & $quiet @('x509', '-req', '-in', "$tls/server.csr", '-CA', "$tls/ca.crt", '-CAkey', "$tls/ca.key", '-CAcreateserial', '-days', '2', '-extfile', "$tls/san.ext", '-out', "$tls/server.crt")
            chmod 600 "$tls/server.key"
            if ((id -u) -eq '0') { chown -R postgres $tls }
            $options = [Hotmess.Recovery.Sandbox.LocalPostgresOptions]::new()
            $options.Settings['ssl'] = 'on'
            $options.Settings['ssl_cert_file'] = "$tls/server.crt"
            $options.Settings['ssl_key_file'] = "$tls/server.key"
            $verified = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start($options)
            try {
                $credential = [pscredential]::new('postgres', (ConvertTo-SecureString $verified.Password -AsPlainText -Force))
                $connection = "Host=localhost;Port=$($verified.Port);Username=postgres;Database=postgres;SSL Mode=VerifyFull"
                $trusted = Join-Path $tls 'trusted.json'
                @{ database = @{ connectionString = $connection; rootCertificate = "$tls/ca.crt" } } | ConvertTo-Json | Set-Content $trusted
                $untrusted = Join-Path $tls 'untrusted.json'
                @{ database = @{ connectionString = $connection; rootCertificate = "$tls/other.crt" } } | ConvertTo-Json | Set-Content $untrusted
                chmod 644 $trusted $untrusted

                $set = Backup-HotmessDatabase -ConfigurationPath $trusted -Credential $credential -Repository $repository

                Join-Path $set.Path 'dump/toc.dat' | Should -Exist
                { Backup-HotmessDatabase -ConfigurationPath $untrusted -Credential $credential -Repository $repository -ErrorAction Stop } |
                    Should -Throw -ErrorId 'DatabaseCertificateUntrusted,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand'
            }
            finally {
                $verified.Dispose()
            }
        }

        It 'says nothing when a remote server is verified by default' {
            $null = Backup-HotmessDatabase -ConnectionString 'Host=db.abcd.supabase.co;Username=postgres' -Repository $repository -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue

            $warnings | Should -BeNullOrEmpty
        }
    }

    Context 'pg_dump as a child process' {
        It 'backs up while the caller has PGOPTIONS, PGSERVICE and STRIPE_SECRET_KEY set, which pg_dump never sees' {
            $saved = @{ PGOPTIONS = $env:PGOPTIONS; PGSERVICE = $env:PGSERVICE; STRIPE_SECRET_KEY = $env:STRIPE_SECRET_KEY }
            # Each would break pg_dump if it reached it: every statement cancelled after 1 ms, a service that does not exist.
            $env:PGOPTIONS = '-c statement_timeout=1'
            $env:PGSERVICE = 'no-such-service'
            $env:STRIPE_SECRET_KEY = 'sk_test_not-for-pg_dump'
            try {
                $set = Backup-HotmessDatabase -ConnectionString $source -Repository $repository
            }
            finally {
                foreach ($name in $saved.Keys) {
                    if ($null -eq $saved[$name]) { Remove-Item "Env:$name" -ErrorAction Ignore } else { Set-Item "Env:$name" $saved[$name] }
                }
            }

            Join-Path $set.Path 'dump/toc.dat' | Should -Exist
        }

        It 'backs up and restores databases named <Name> as names, not as connection strings' -ForEach @(
            @{ Name = 'x=y' }
            @{ Name = 'postgresql://evil' }
        ) {
            $original = Backup-HotmessDatabase -ConnectionString $source -Repository $repository
            $restored = $original | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($Name) -Confirm:$false -ErrorAction Stop
            $again = Backup-HotmessDatabase -ConnectionString $server.ConnectionString($Name) -Repository $repository
            $copy = New-HotmessScratchName
            $restoredAgain = $again | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($copy) -Confirm:$false -ErrorAction Stop

            $restored.DatabaseCreated | Should -BeTrue
            $restored.RowCountsMatch | Should -BeTrue
            $again.Manifest.Source.Database | Should -Be $Name
            $restoredAgain.RowCountsMatch | Should -BeTrue
            $restoredAgain.RowCount | Should -Be $restored.RowCount
            $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$Name'") | Should -Be '1'
        }

        It 'leaves no pg_dump running when pwsh is killed with SIGKILL' -Skip:(-not $IsLinux) {
            $psql = $server.ToolPath('psql')
            $holderInfo = [System.Diagnostics.ProcessStartInfo]::new($psql)
            foreach ($argument in '-X', '-w', '-h', $server.Host, '-p', "$($server.Port)", '-U', 'postgres', '-d', 'hotmess', '-c',
                'BEGIN; LOCK TABLE public.message IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(300);') {
                $holderInfo.ArgumentList.Add($argument)
            }
            $holderInfo.Environment['PGPASSWORD'] = $server.Password
            $holderInfo.Environment['PGSSLMODE'] = 'disable'
            $holderInfo.RedirectStandardOutput = $true
            $holderInfo.UseShellExecute = $false
            # A lock that pg_dump waits on: it stays running as long as no one stops it.
            $holder = [System.Diagnostics.Process]::Start($holderInfo)
            $marker = Join-Path $TestDrive ('killed-' + [guid]::NewGuid().ToString('N'))

            $hostPath = (Get-Process -Id $PID).Path
            $pwshInfo = [System.Diagnostics.ProcessStartInfo]::new($hostPath)
            if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { $pwshInfo.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
            foreach ($argument in '-NoProfile', '-NonInteractive', '-Command',
                "Import-Module '$((Get-Module HotmessRecovery).Path)'; Backup-HotmessDatabase -Repository '$marker'") {
                $pwshInfo.ArgumentList.Add($argument)
            }
            $pwshInfo.Environment['HOTMESS_DATABASE_URL'] = $source
            $pwshInfo.RedirectStandardOutput = $true
            $pwshInfo.RedirectStandardError = $true
            $pwshInfo.UseShellExecute = $false
            $pwsh = [System.Diagnostics.Process]::Start($pwshInfo)

            function Get-Dumper {
                # The pg_dump processes (leader and workers) writing under this test's repository.
                Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | ForEach-Object {
                    $commandLine = Get-Content -Raw -ErrorAction Ignore "/proc/$($_.Name)/cmdline"
                    if ($commandLine -and $commandLine.Contains($marker) -and $commandLine.StartsWith($server.ToolPath('pg_dump'))) { [int]$_.Name }
                }
            }

            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(90)
                while (-not ($dumpers = @(Get-Dumper)) -and [DateTime]::UtcNow -lt $deadline -and -not $pwsh.HasExited) { Start-Sleep -Milliseconds 200 }
                $dumpers | Should -Not -BeNullOrEmpty -Because 'pg_dump starts and waits on the lock'

                $pwsh.Kill()
                $deadline = [DateTime]::UtcNow.AddSeconds(20)
                while (@(Get-Dumper) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }

                @(Get-Dumper) | Should -BeNullOrEmpty -Because 'pg_dump dies with the pwsh that started it'
            }
            finally {
                if (-not $pwsh.HasExited) { $pwsh.Kill($true) }
                foreach ($left in @(Get-Dumper)) { Stop-Process -Id $left -Force -ErrorAction Ignore }
                if (-not $holder.HasExited) { $holder.Kill() }
                $holder.WaitForExit(10000) | Out-Null
            }
        }
    }
}
