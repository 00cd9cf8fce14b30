#Requires -Version 7.4
# Backup-HotmessDatabase straight into an encrypted local repository, and what the other backups do with one.

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $source = $server.ConnectionString('hotmess')
    $savedKey = $env:HOTMESS_REPOSITORY_KEY
    $env:HOTMESS_REPOSITORY_KEY = $null
    $noConfiguration = Join-Path $TestDrive 'empty.json'
    Set-Content -LiteralPath $noConfiguration -Value '{}'

    function New-KeyFile([string] $Passphrase) {
        $path = Join-Path $TestDrive "key-$([guid]::NewGuid().ToString('N'))"
        Set-Content -LiteralPath $path -Value $Passphrase
        if (-not $IsWindows) { chmod 600 $path }
        $path
    }

    $keyFile = New-KeyFile 'the passphrase of the encrypted repository'
    $repository = Join-Path $TestDrive 'encrypted'
    $null = Initialize-HotmessRepository -Repository $repository -Encrypted -KeyFile $keyFile -ConfigurationPath $noConfiguration
    $staging = Join-Path $repository '.hotmess-staging'

    # Every file of the folder but the descriptor and the store's own lock files, i.e. what a set left there.
    function Get-StoredFile([string] $Path) {
        Get-ChildItem -LiteralPath $Path -Recurse -File -Force |
            Where-Object { $_.Name -ne 'hotmess-repository.json' -and $_.FullName -notmatch '[/\\]\.hotmess-locks[/\\]' }
    }

    $verbose = Backup-HotmessDatabase -ConnectionString $source -Repository $repository -RepositoryKeyFile $keyFile -ConfigurationPath $noConfiguration -Verbose 4>&1
    $set = $verbose | Where-Object { $_ -is [Hotmess.Recovery.Repository.BackupSet] }
    $messages = ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
}

AfterAll {
    $server | Stop-HotmessTestPostgres
    $env:HOTMESS_REPOSITORY_KEY = $savedKey
}

Describe 'Backup-HotmessDatabase into an encrypted local folder' {
    It 'outputs the complete set as it is in the encrypted repository, with the evidence of the snapshot' {
        $set.Kind | Should -Be 'Database'
        $set.Repository | Should -Be (Resolve-Path $repository).Path
        $set.SizeBytes | Should -BeGreaterThan 0
        $users = [long]$server.ExecuteSql('hotmess', 'SELECT count(*) FROM public."User"').Trim()
        ($set.Manifest.Database.Tables | Where-Object Name -EQ 'User').RowCount | Should -Be $users
        $messages -join "`n" | Should -Match 'Staging the backup'
        $messages -join "`n" | Should -Not -Match ([regex]::Escape($server.Password))
    }

    It 'leaves no staging and no file in clear: only keyed names under sets/ and files/' {
        Get-ChildItem -LiteralPath $staging -Force | Should -BeNullOrEmpty
        $stored = @(Get-StoredFile $repository)
        $stored.Count | Should -Be ($set.Manifest.Files.Count + 1)
        $stored.Name | Should -Not -Contain 'toc.dat'
        $stored.Name | Should -Not -Contain 'manifest.json'
        $stored | ForEach-Object { [IO.File]::ReadAllText($_.FullName) } | Should -Not -Match 'CREATE TABLE|auth\.users'
    }

    It 'is listed by Get-HotmessBackup and passes Test-HotmessBackup -RestoreTo' {
        $listed = Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile -Kind Database -Latest
        $listed.Id | Should -Be $set.Id

        $result = $listed | Test-HotmessBackup -RestoreTo $server.ConnectionString('verify_encrypted') -RepositoryKeyFile $keyFile

        $result.Passed | Should -BeTrue
    }

    It 'is restored by Restore-HotmessDatabase with every row' {
        $target = $server.ConnectionString('restored_encrypted')
        $null = Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile -Id $set.Id | Restore-HotmessDatabase -TargetConnectionString $target -RepositoryKeyFile $keyFile -Confirm:$false

        $expected = [long]$server.ExecuteSql('hotmess', 'SELECT count(*) FROM auth.users').Trim()
        [long]$server.ExecuteSql('restored_encrypted', 'SELECT count(*) FROM auth.users').Trim() | Should -Be $expected
    }

    It 'takes the key from HOTMESS_REPOSITORY_KEY when no -RepositoryKeyFile is given' {
        $env:HOTMESS_REPOSITORY_KEY = 'the passphrase of the encrypted repository'
        try {
            $second = Backup-HotmessDatabase -ConnectionString $source -Repository $repository -ConfigurationPath $noConfiguration
        }
        finally { $env:HOTMESS_REPOSITORY_KEY = $null }

        (Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile -Kind Database).Id | Should -Contain $second.Id
    }

    It 'with a wrong key fails naming the repository and leaves nothing behind' {
        $wrong = New-KeyFile 'not the passphrase of this repository'
        $before = @(Get-StoredFile $repository).Count

        { Backup-HotmessDatabase -ConnectionString $source -Repository $repository -RepositoryKeyFile $wrong -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryKeyWrong,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand' -ExpectedMessage "*$repository*"
        @(Get-StoredFile $repository).Count | Should -Be $before
        Get-ChildItem -LiteralPath $staging -Force | Should -BeNullOrEmpty
    }

    It 'without a key (no -RepositoryKeyFile, no HOTMESS_REPOSITORY_KEY) fails saying where the key comes from' {
        { Backup-HotmessDatabase -ConnectionString $source -Repository $repository -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryKeyMissing,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand' -ExpectedMessage '*HOTMESS_REPOSITORY_KEY*'
        Get-ChildItem -LiteralPath $staging -Force | Should -BeNullOrEmpty
    }

    It 'when the backup fails (no such database) leaves no set and no staging' {
        $before = @(Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile).Id
        $missing = $server.ConnectionString('no_such_database')

        { Backup-HotmessDatabase -ConnectionString $missing -Repository $repository -RepositoryKeyFile $keyFile -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId 'DatabaseNotFound,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessDatabaseCommand'
        @(Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile).Id | Should -Be $before
        Get-ChildItem -LiteralPath $staging -Force | Should -BeNullOrEmpty
    }

    It 'stopped with Ctrl+C while pg_dump writes leaves no set, no staging and no pg_dump running' -Skip:(-not $IsLinux) {
        # A lock pg_dump waits on, so the backup is certainly still running when it is stopped.
        $holderInfo = [System.Diagnostics.ProcessStartInfo]::new($server.ToolPath('psql'))
        foreach ($argument in '-X', '-w', '-h', $server.Host, '-p', "$($server.Port)", '-U', 'postgres', '-d', 'hotmess', '-c',
            'BEGIN; LOCK TABLE public.message IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(300);') {
            $holderInfo.ArgumentList.Add($argument)
        }
        $holderInfo.Environment['PGPASSWORD'] = $server.Password
        $holderInfo.Environment['PGSSLMODE'] = 'disable'
        $holderInfo.RedirectStandardOutput = $true
        $holderInfo.UseShellExecute = $false
        $holder = [System.Diagnostics.Process]::Start($holderInfo)
        $before = @(Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile).Id
        $stagingPath = (Resolve-Path $staging).Path

        function Get-Dumper {
            # The pg_dump processes (leader and workers) writing into this repository's staging.
            Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | ForEach-Object {
                $commandLine = Get-Content -Raw -ErrorAction Ignore "/proc/$($_.Name)/cmdline"
                if ($commandLine -and $commandLine.Contains($stagingPath) -and $commandLine.StartsWith($server.ToolPath('pg_dump'))) { [int]$_.Name }
            }
        }

        $backup = [powershell]::Create()
        $null = $backup.AddCommand('Import-Module').AddParameter('Name', (Get-Module HotmessRecovery).Path).AddStatement().
            AddCommand('Backup-HotmessDatabase').AddParameter('ConnectionString', $source).AddParameter('Repository', $repository).
            AddParameter('RepositoryKeyFile', $keyFile).AddParameter('ConfigurationPath', $noConfiguration)
        $running = $backup.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while (-not ($dumpers = @(Get-Dumper)) -and [DateTime]::UtcNow -lt $deadline -and -not $running.IsCompleted) { Start-Sleep -Milliseconds 200 }
            $dumpers | Should -Not -BeNullOrEmpty -Because 'pg_dump starts in the staging and waits on the lock'

            $backup.Stop()

            $backup.InvocationStateInfo.State | Should -Be 'Stopped'
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (@(Get-Dumper) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            @(Get-Dumper) | Should -BeNullOrEmpty -Because 'pg_dump is stopped with the backup'
            Get-ChildItem -LiteralPath $staging -Force | Should -BeNullOrEmpty
            @(Get-HotmessBackup -Repository $repository -RepositoryKeyFile $keyFile).Id | Should -Be $before
        }
        finally {
            if (-not $holder.HasExited) { $holder.Kill($true) }
            $backup.Dispose()
        }
    }

    It 'with -WhatIf writes nothing' {
        $before = @(Get-StoredFile $repository).Count

        Backup-HotmessDatabase -ConnectionString $source -Repository $repository -RepositoryKeyFile $keyFile -ConfigurationPath $noConfiguration -WhatIf

        @(Get-StoredFile $repository).Count | Should -Be $before
    }
}

Describe 'The other backups and an encrypted local folder' {
    It 'Backup-HotmessStorage refuses it, naming the way through a plain folder and Copy-HotmessBackup' {
        { Backup-HotmessStorage -Repository $repository -SupabaseUrl 'http://127.0.0.1:9' -ServiceRoleKey (ConvertTo-SecureString 'k' -AsPlainText -Force) -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryEncrypted,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessStorageCommand' -ExpectedMessage "*Copy-HotmessBackup -Destination '$repository'*"
    }

    It 'Backup-HotmessLog refuses it, naming the way through a plain folder and Copy-HotmessBackup' {
        { Backup-HotmessLog -Repository $repository -ProjectRef 'abcdefghijklmnopqrst' -AccessToken (ConvertTo-SecureString 't' -AsPlainText -Force) -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryEncrypted,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessLogCommand' -ExpectedMessage "*Copy-HotmessBackup -Destination '$repository'*"
    }

    It 'Backup-HotmessEnvironment refuses it, naming the way through a plain folder and Copy-HotmessBackup' {
        { Backup-HotmessEnvironment -Repository $repository -Token (ConvertTo-SecureString 't' -AsPlainText -Force) -ProjectId 'prj_hotmess' -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryEncrypted,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessEnvironmentCommand' -ExpectedMessage "*Copy-HotmessBackup -Destination '$repository'*"
    }

    It 'leaves nothing of them in the encrypted folder' {
        Get-ChildItem -LiteralPath $repository -Force -Directory | Where-Object Name -EQ 'sets' |
            Get-ChildItem -Force -Directory | Should -BeNullOrEmpty
    }
}
