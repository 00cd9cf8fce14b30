#Requires -Version 7.4
# Copy-HotmessBackup end to end, and the reading cmdlets on what it wrote: to an encrypted local folder, to Azure Blob
# Storage (Azurite) and to S3 (s3rver), a real database backed up and restored from each.

BeforeDiscovery {
    $destinations = @(
        @{ Name = 'an encrypted local folder'; Emulator = 'None' }
        @{ Name = 'Azure Blob Storage (Azurite)'; Emulator = 'Azurite' }
        @{ Name = 'S3 (s3rver)'; Emulator = 'S3rver' }
    )
}

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Emulators.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $local = Join-Path $TestDrive 'local'
    $first = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $local
    $copyCommand = 'Hotmess.Recovery.Cmdlets.Commands.CopyHotmessBackupCommand'
    $savedKey = $env:HOTMESS_REPOSITORY_KEY

    # The stored objects whose names start with $Prefix, largest first, through the store itself.
    function Get-StoredObject([string] $Location, [string] $Prefix) {
        $none = [Threading.CancellationToken]::None
        $store = [Hotmess.Recovery.Repository.ObjectRepositoryAddress]::OpenStore($Location, [Environment]::GetEnvironmentVariables())
        try {
            $enumerator = $store.ListAsync($Prefix, $none).GetAsyncEnumerator($none)
            $found = while ($enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { $enumerator.Current }
            $found | Sort-Object Length -Descending
        }
        finally { $null = $store.DisposeAsync().AsTask().GetAwaiter().GetResult() }
    }

    # Rewrites a stored object with one byte in its middle changed, as rot or an attacker would.
    function Set-FlippedByte([string] $Location, [string] $Name) {
        $none = [Threading.CancellationToken]::None
        $store = [Hotmess.Recovery.Repository.ObjectRepositoryAddress]::OpenStore($Location, [Environment]::GetEnvironmentVariables())
        try {
            $buffer = [IO.MemoryStream]::new()
            $read = $store.OpenReadAsync($Name, $none).GetAwaiter().GetResult()
            $read.CopyTo($buffer); $read.Dispose()
            $bytes = $buffer.ToArray()
            $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 1
            $null = $store.PutAsync($Name, [IO.MemoryStream]::new($bytes), $none).GetAwaiter().GetResult()
        }
        finally { $null = $store.DisposeAsync().AsTask().GetAwaiter().GetResult() }
    }

    function Remove-StoredObject([string] $Location, [string] $Name) {
        $store = [Hotmess.Recovery.Repository.ObjectRepositoryAddress]::OpenStore($Location, [Environment]::GetEnvironmentVariables())
        try { $null = $store.DeleteAsync($Name, [Threading.CancellationToken]::None).GetAwaiter().GetResult() }
        finally { $null = $store.DisposeAsync().AsTask().GetAwaiter().GetResult() }
    }
}

AfterAll {
    $server | Stop-HotmessTestPostgres
    $env:HOTMESS_REPOSITORY_KEY = $savedKey
}

Describe 'Copy-HotmessBackup to <Name>' -ForEach $destinations {
    BeforeAll {
        $saved = @{}
        $started = switch ($Emulator) {
            'Azurite' { Start-HotmessAzurite }
            'S3rver' { Start-HotmessS3rver }
            default { $null }
        }
        if ($started) {
            foreach ($variable in $started.Environment.Keys) {
                $saved[$variable] = [Environment]::GetEnvironmentVariable($variable)
                [Environment]::SetEnvironmentVariable($variable, $started.Environment[$variable])
            }
        }

        $suffix = [guid]::NewGuid().ToString('N').Substring(0, 12)
        $destination = switch ($Emulator) {
            'Azurite' { "az://offsite/$suffix" }
            'S3rver' { "s3://offsite/$suffix" }
            default { Join-Path $TestDrive "offsite-$suffix" }
        }
        $env:HOTMESS_REPOSITORY_KEY = 'correct horse battery staple'
    }

    AfterAll {
        $started | Stop-HotmessEmulator
        foreach ($variable in $saved.Keys) { [Environment]::SetEnvironmentVariable($variable, $saved[$variable]) }
    }

    It 'copies a piped database set, which is then listed there and restores into a new database with matching row counts' {
        $copied = $first | Copy-HotmessBackup -Destination $destination

        $copied.Id | Should -Be $first.Id
        $copied.Repository | Should -Be $destination
        $listed = Get-HotmessBackup -Repository $destination
        $listed.Id | Should -Be @($first.Id)
        $listed.SizeBytes | Should -Be $first.SizeBytes

        $name = New-HotmessScratchName
        $result = $listed | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false
        $result.RowCountsMatch | Should -BeTrue
        $server.ExecuteSql($name, 'SELECT count(*) FROM public.marketplace_order').Trim() |
            Should -Be ($first.Manifest.Database.Tables | Where-Object Name -EQ 'marketplace_order').RowCount
    }

    It 'stores no set id, file name or digest in the names it writes' {
        $names = @(Get-StoredObject $destination '').Name
        $names | Should -Not -BeNullOrEmpty
        $names | Where-Object { $_ -match [regex]::Escape($first.Id) -or $_ -match 'dump|toc\.dat|database' -or $_ -match $first.Manifest.Files[0].Sha256 } |
            Should -BeNullOrEmpty
    }

    It 'sends nothing on an unchanged second copy and outputs the set as it is there' {
        $verbose = $first | Copy-HotmessBackup -Destination $destination -Verbose 4>&1
        $copied = $verbose | Where-Object { $_ -is [Hotmess.Recovery.Repository.BackupSet] }

        $copied.Repository | Should -Be $destination
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match "was complete at '$([regex]::Escape($destination))' already"
    }

    It 'verifies the copy by fetching it, with and without -RestoreTo, and records the verification there' {
        $files = Get-HotmessBackup -Repository $destination -Kind Database -Latest | Test-HotmessBackup
        $files.Passed | Should -BeTrue
        $files.Repository | Should -Be $destination

        $restored = Get-HotmessBackup -Repository $destination -Kind Database -Latest |
            Test-HotmessBackup -RestoreTo $server.ConnectionString((New-HotmessScratchName)) -Confirm:$false
        $restored.Passed | Should -BeTrue
        $restored.Restored | Should -BeTrue

        # The newest verified set is what retention keeps whatever the policy says.
        $decision = Remove-HotmessBackup -Repository $destination -KeepLast 1 -WhatIf
        $decision.Reasons | Should -Contain 'newest verified'
    }

    It 'resumes a copy that stopped before its manifest: the set is not listed until a rerun sends only what is missing' {
        $manifest = @(Get-StoredObject $destination 'sets/')
        $manifest.Count | Should -Be 1
        $file = Get-StoredObject $destination 'files/' | Select-Object -First 1
        Remove-StoredObject $destination $manifest[0].Name
        Remove-StoredObject $destination $file.Name
        Get-HotmessBackup -Repository $destination | Should -BeNullOrEmpty

        $verbose = $first | Copy-HotmessBackup -Destination $destination -Verbose 4>&1

        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match '1 file\(s\) and object\(s\) sent'
        (Get-HotmessBackup -Repository $destination).Id | Should -Be @($first.Id)
    }

    It 'refuses a wrong key at once, naming the repository' {
        $env:HOTMESS_REPOSITORY_KEY = 'not the passphrase of it'
        try {
            { Get-HotmessBackup -Repository $destination -ErrorAction Stop } |
                Should -Throw -ErrorId 'RepositoryKeyWrong,Hotmess.Recovery.Cmdlets.Commands.GetHotmessBackupCommand'
            $error[0].Exception.Message | Should -Match ([regex]::Escape($destination))
            { $first | Copy-HotmessBackup -Destination $destination -ErrorAction Stop } | Should -Throw -ErrorId "RepositoryKeyWrong,$copyCommand"
        }
        finally { $env:HOTMESS_REPOSITORY_KEY = 'correct horse battery staple' }
    }

    It 'removes by policy there: the older set goes with its files, the newer stays' {
        $second = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $local | Copy-HotmessBackup -Destination $destination
        # Verified, the newer set is the newest verified one too, so the policy alone decides about the older.
        ($second | Test-HotmessBackup).Passed | Should -BeTrue
        $filesBefore = @(Get-StoredObject $destination 'files/').Count

        $decisions = Remove-HotmessBackup -Repository $destination -Kind Database -KeepLast 1 -Force |
            Sort-Object StartedUtc

        ($decisions | Where-Object Removed).Id | Should -Be @($first.Id)
        (Get-HotmessBackup -Repository $destination).Id | Should -Be @($second.Id)
        @(Get-StoredObject $destination 'files/').Count | Should -Be $second.Manifest.Files.Count
        $filesBefore | Should -BeGreaterThan $second.Manifest.Files.Count
        (Get-HotmessBackup -Repository $destination | Test-HotmessBackup).Passed | Should -BeTrue
    }

    It 'fails the verification and refuses the restore when a byte of a payload file is flipped, naming the set and the file' {
        $set = Get-HotmessBackup -Repository $destination -Kind Database -Latest
        Set-FlippedByte $destination (Get-StoredObject $destination 'files/' | Select-Object -First 1).Name

        $verification = $set | Test-HotmessBackup -WarningAction SilentlyContinue
        $verification.Passed | Should -BeFalse
        $failed = $verification.Checks | Where-Object { -not $_.Passed } | Select-Object -First 1
        $failed.Detail | Should -Match ([regex]::Escape($set.Id))
        $failed.Name | Should -Match "file 'dump/"

        $name = New-HotmessScratchName
        { $set | Restore-HotmessDatabase -TargetConnectionString $server.ConnectionString($name) -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupCorrupted,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessDatabaseCommand'
        $error[0].Exception.Message | Should -Match ([regex]::Escape($set.Id))
        $error[0].Exception.Message | Should -Match 'dump/'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'").Trim() | Should -Be '0'
    }

    It 'leaves a set whose manifest has a flipped byte unlisted with a warning, and verifies it by id as damaged' {
        $set = Get-HotmessBackup -Repository $destination -Kind Database -Latest
        Set-FlippedByte $destination (Get-StoredObject $destination 'sets/' | Select-Object -First 1).Name

        Get-HotmessBackup -Repository $destination -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$warnings" | Should -Match 'sets/[0-9a-f]{64}'

        $verification = Test-HotmessBackup -Id $set.Id -Repository $destination
        $verification.Passed | Should -BeFalse
        ($verification.Checks | Where-Object { -not $_.Passed }).Detail | Should -Match ([regex]::Escape($set.Id))
    }
}

Describe 'Copy-HotmessBackup from an encrypted repository with its own passphrase' {
    BeforeAll {
        $sourceKey = Join-Path $TestDrive 'source.key'
        $destinationKey = Join-Path $TestDrive 'destination.key'
        Set-Content -LiteralPath $sourceKey -Value 'the source repository passphrase'
        Set-Content -LiteralPath $destinationKey -Value 'the destination repository passphrase'
        # Key files are refused unless they are their owner's alone.
        $sourceKey, $destinationKey | ForEach-Object { [IO.File]::SetUnixFileMode($_, [IO.UnixFileMode]'UserRead, UserWrite') }
        $source = Join-Path $TestDrive 'encrypted-source'
        $null = $first | Copy-HotmessBackup -Destination $source -KeyFile $sourceKey -ErrorAction Stop
    }

    It 'reads the source with -SourceKeyFile and writes the destination under -KeyFile' {
        $target = Join-Path $TestDrive 'encrypted-target-piped'

        $copied = Get-HotmessBackup -Repository $source -RepositoryKeyFile $sourceKey |
            Copy-HotmessBackup -Destination $target -SourceKeyFile $sourceKey -KeyFile $destinationKey

        $copied.Id | Should -Be $first.Id
        $copied.Repository | Should -Be $target
        (Get-HotmessBackup -Repository $target -RepositoryKeyFile $destinationKey | Test-HotmessBackup -RepositoryKeyFile $destinationKey).Passed | Should -BeTrue
        { Get-HotmessBackup -Repository $target -RepositoryKeyFile $sourceKey -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryKeyWrong,Hotmess.Recovery.Cmdlets.Commands.GetHotmessBackupCommand'
    }

    It 'copies by -Id from the source repository with -SourceKeyFile' {
        $target = Join-Path $TestDrive 'encrypted-target-by-id'

        $copied = Copy-HotmessBackup -Id $first.Id -Repository $source -Destination $target -SourceKeyFile $sourceKey -KeyFile $destinationKey

        $copied.Id | Should -Be $first.Id
        (Get-HotmessBackup -Repository $target -RepositoryKeyFile $destinationKey).Id | Should -Be @($first.Id)
    }

    It 'without -SourceKeyFile opens the source with the destination passphrase, which fails naming the source' {
        $target = Join-Path $TestDrive 'encrypted-target-refused'
        $set = Get-HotmessBackup -Repository $source -RepositoryKeyFile $sourceKey

        { $set | Copy-HotmessBackup -Destination $target -KeyFile $destinationKey -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryKeyWrong,Hotmess.Recovery.Cmdlets.Commands.CopyHotmessBackupCommand'
        $error[0].Exception.Message | Should -Match ([regex]::Escape($source))
        Test-Path $target | Should -BeFalse
    }
}
