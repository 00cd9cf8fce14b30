#Requires -Version 7.4
# Backup-HotmessStorage end to end against the Storage fake, seeded through the Storage API.

BeforeAll {
    . (Join-Path $PSScriptRoot 'StorageFake.ps1')
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.BackupHotmessStorageCommand'
    $fake = Start-HotmessFake
    $saved = Set-StorageTestEnvironment $fake

    Add-StorageTestBucket $fake avatars -Public -FileSizeLimit 1000000 -AllowedMimeTypes 'image/png'
    Add-StorageTestBucket $fake uploads
    Add-StorageTestBucket $fake products
    $objects = @{}
    foreach ($i in 0..19) {
        $key = 'media/{0}/file {1:D2}+x&y.bin' -f ($i % 3), $i
        $objects["uploads/$key"] = New-TestBytes (1000 + 997 * $i) $i
        Add-StorageTestObject $fake uploads $key $objects["uploads/$key"]
    }
    $objects['avatars/users/ünï/me.png'] = New-TestBytes 4096 100
    Add-StorageTestObject $fake avatars 'users/ünï/me.png' $objects['avatars/users/ünï/me.png'] -ContentType 'image/png' -CacheControl 'max-age=60'
    $objects['products/p1.jpg'] = New-TestBytes 2048 101
    Add-StorageTestObject $fake products 'p1.jpg' $objects['products/p1.jpg'] -ContentType 'image/jpeg'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    Restore-StorageTestEnvironment $saved
    Stop-HotmessFake $fake
}

Describe 'Backup-HotmessStorage' {
    BeforeEach {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'backs up every bucket of the project named by VITE_SUPABASE_URL, object by object' {
        $set = Backup-HotmessStorage -Repository $repository

        $set | Should -BeOfType 'Hotmess.Recovery.Repository.StorageBackupSet'
        $set.Kind | Should -Be 'Storage'
        $set.BucketCount | Should -Be 3
        $set.ObjectCount | Should -Be $objects.Count
        $set.DownloadedCount | Should -Be $objects.Count
        $set.ReusedCount | Should -Be 0
        $set.TotalBytes | Should -Be ($objects.Values | Measure-Object -Property Length -Sum).Sum
        $set.Source | Should -Be $fake.Url
        foreach ($entry in $set.Contents.Objects) {
            $content = $objects["$($entry.Bucket)/$($entry.Key)"]
            $entry.Sha256 | Should -Be ([Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($content)).ToLowerInvariant())
        }
        $avatars = $set.Contents.Buckets | Where-Object Id -EQ avatars
        $avatars.Public | Should -BeTrue
        $avatars.FileSizeLimit | Should -Be 1000000
        $avatars.AllowedMimeTypes | Should -Be 'image/png'
        ($set.Contents.Objects | Where-Object Key -EQ 'users/ünï/me.png').CacheControl | Should -Be 'max-age=60'

        $listed = Get-HotmessBackup -Repository $repository -Kind Storage
        $listed.Id | Should -Be $set.Id
        $listed.ObjectCount | Should -Be $objects.Count
    }

    It 'downloads nothing again when nothing changed, and only what changed otherwise' {
        $first = Backup-HotmessStorage -Repository $repository
        $again = Backup-HotmessStorage -Repository $repository

        $again.DownloadedCount | Should -Be 0
        $again.ReusedCount | Should -Be $objects.Count
        $again.Id | Should -Not -Be $first.Id

        Add-StorageTestObject $fake products 'p1.jpg' (New-TestBytes 2048 999) -ContentType 'image/jpeg' -Upsert
        try {
            $changed = Backup-HotmessStorage -Repository $repository
            $changed.DownloadedCount | Should -Be 1
            $changed.ReusedCount | Should -Be ($objects.Count - 1)
            (Backup-HotmessStorage -Repository $repository -Full).DownloadedCount | Should -Be $objects.Count
        }
        finally {
            Add-StorageTestObject $fake products 'p1.jpg' $objects['products/p1.jpg'] -ContentType 'image/jpeg' -Upsert
        }
    }

    It 'downloads again an object whose stored content is truncated, and one with a flipped byte only with -VerifyContentStore' {
        $first = Backup-HotmessStorage -Repository $repository
        $entries = @($first.Contents.Objects | Where-Object Bucket -EQ uploads | Sort-Object Key)
        $truncated, $flipped = $entries[0], $entries[1]
        $store = [Hotmess.Recovery.Repository.ContentStore]::new((Join-Path $repository 'objects'))
        $file = [IO.File]::Open($store.PathOf($truncated.Sha256), 'Open', 'Write')
        $file.SetLength(10)
        $file.Dispose()
        $bytes = [IO.File]::ReadAllBytes($store.PathOf($flipped.Sha256))
        $bytes[100] = $bytes[100] -bxor 0xFF
        [IO.File]::WriteAllBytes($store.PathOf($flipped.Sha256), $bytes)

        $normal = Backup-HotmessStorage -Repository $repository -WarningVariable warnings -WarningAction SilentlyContinue
        $normal.DownloadedCount | Should -Be 1
        $warnings | Should -Match ([regex]::Escape("'$truncated'"))

        $verified = Backup-HotmessStorage -Repository $repository -VerifyContentStore -WarningVariable warnings -WarningAction SilentlyContinue
        $verified.DownloadedCount | Should -Be 1
        $verified.ReusedCount | Should -Be ($objects.Count - 1)
        $warnings | Should -Match ([regex]::Escape("'$flipped'"))
        foreach ($entry in $truncated, $flipped) {
            [Convert]::ToHexString([IO.File]::ReadAllBytes($store.PathOf($entry.Sha256))) | Should -Be ([Convert]::ToHexString($objects["$entry"]))
        }
    }

    It 'backs up only the buckets named by -Bucket, with the URL and key given as parameters' {
        $env:VITE_SUPABASE_URL = 'http://127.0.0.1:9'
        $env:SUPABASE_SERVICE_ROLE_KEY = $null
        try {
            $key = ConvertTo-SecureString $fake.ServiceKey -AsPlainText -Force
            $set = Backup-HotmessStorage -Repository $repository -Bucket products, avatars -SupabaseUrl $fake.Url -ServiceRoleKey $key -ThrottleLimit 2
        }
        finally {
            $null = Set-StorageTestEnvironment $fake
        }

        ($set.Contents.Buckets.Id | Sort-Object) | Should -Be 'avatars', 'products'
        $set.ObjectCount | Should -Be 2
    }

    It 'refuses an unknown bucket by name and records nothing' {
        $thrown = Get-ThrownError { Backup-HotmessStorage -Repository $repository -Bucket nope -ErrorAction Stop }

        $thrown.FullyQualifiedErrorId | Should -Be "StorageBucketNotFound,$command"
        $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $thrown.TargetObject | Should -Be 'nope'
        $thrown.Exception.Message | Should -BeLike '*avatars, products, uploads*'
        Get-HotmessBackup -Repository $repository | Should -BeNullOrEmpty
    }

    It 'names the objects it could not fetch and records no set; the next run reuses the rest' {
        # Every download there is refused as rate-limited, with no wait asked for, until the attempts run out.
        Set-HotmessFakeFault $fake -RateLimitRate 1 -RetryAfterSeconds 0 -PathPrefix '/storage/v1/object/uploads/media/1' | Out-Null
        try {
            $thrown = Get-ThrownError { Backup-HotmessStorage -Repository $repository -ErrorAction Stop -WarningAction SilentlyContinue }
        }
        finally {
            Set-HotmessFakeFault $fake | Out-Null
        }

        $broken = @($objects.Keys | Where-Object { $_ -like 'uploads/media/1/*' } | Sort-Object)
        $thrown.FullyQualifiedErrorId | Should -Be "StorageBackupIncomplete,$command"
        @($thrown.TargetObject) | Should -Be $broken
        foreach ($name in $broken) { $thrown.Exception.Message | Should -BeLike "*'$name'*" }
        Get-HotmessBackup -Repository $repository | Should -BeNullOrEmpty

        $next = Backup-HotmessStorage -Repository $repository
        $next.DownloadedCount | Should -Be $broken.Count
        $next.ReusedCount | Should -Be ($objects.Count - $broken.Count)
    }

    It 'completes under a tenth of 500s, 429s and cut connections' {
        Set-HotmessFakeFault $fake -ServerErrorRate 0.1 -RateLimitRate 0.1 -CutRate 0.1 -RetryAfterSeconds 0 -PathPrefix '/storage/v1' | Out-Null
        try {
            $set = Backup-HotmessStorage -Repository $repository
        }
        finally {
            $faults = Invoke-RestMethod "$($fake.Url)/__fake/faults"
            Set-HotmessFakeFault $fake | Out-Null
        }

        $faults.injected.serverError + $faults.injected.rateLimit + $faults.injected.cut | Should -BeGreaterThan 0
        $set.ObjectCount | Should -Be $objects.Count
        $verification = $set | Test-HotmessBackup -Sample 100
        $verification.Passed | Should -BeTrue
        @($verification.Checks | Where-Object Category -EQ 'Objects').Count | Should -BeGreaterThan 0
    }

    It 'says what is missing when the project has no URL or key' {
        $env:VITE_SUPABASE_URL = $null
        try {
            (Get-ThrownError { Backup-HotmessStorage -Repository $repository -ErrorAction Stop }).FullyQualifiedErrorId | Should -Be "StorageUrlMissing,$command"
        }
        finally {
            $env:VITE_SUPABASE_URL = $fake.Url
        }

        $env:SUPABASE_SERVICE_ROLE_KEY = $null
        try {
            (Get-ThrownError { Backup-HotmessStorage -Repository $repository -ErrorAction Stop }).FullyQualifiedErrorId | Should -Be "StorageKeyMissing,$command"
        }
        finally {
            $env:SUPABASE_SERVICE_ROLE_KEY = $fake.ServiceKey
        }
    }

    It 'reports a refused key without ever showing the key' {
        $env:SUPABASE_SERVICE_ROLE_KEY = 'wrong-key-that-must-not-show-0001'
        $verboseFile = Join-Path $TestDrive 'verbose.txt'
        try {
            $thrown = Get-ThrownError { Backup-HotmessStorage -Repository $repository -Verbose -ErrorAction Stop 4> $verboseFile }
        }
        finally {
            $env:SUPABASE_SERVICE_ROLE_KEY = $fake.ServiceKey
        }

        $thrown.FullyQualifiedErrorId | Should -Be "StorageApiKeyInvalid,$command"
        $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
        ((Get-Content -Raw $verboseFile) + ($thrown | Out-String) + $thrown.Exception.Message) | Should -Not -BeLike '*wrong-key-that-must-not-show*'
        Backup-HotmessStorage -Repository $repository -Verbose 4> $verboseFile | Out-Null
        Get-Content -Raw $verboseFile | Should -Not -BeLike "*$($fake.ServiceKey)*"
    }

    It 'writes nothing with -WhatIf' {
        Backup-HotmessStorage -Repository $repository -WhatIf

        Test-Path (Join-Path $repository 'sets') | Should -BeFalse
    }
}
