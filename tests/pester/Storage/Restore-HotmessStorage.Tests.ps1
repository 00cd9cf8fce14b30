#Requires -Version 7.4
# Restore-HotmessStorage end to end: a set taken from one Storage fake restored into another.

BeforeAll {
    . (Join-Path $PSScriptRoot 'StorageFake.ps1')
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessStorageCommand'
    $source = Start-HotmessFake
    $saved = Set-StorageTestEnvironment $source

    Add-StorageTestBucket $source avatars -Public -FileSizeLimit 500000 -AllowedMimeTypes 'image/*'
    Add-StorageTestBucket $source uploads
    $objects = [ordered]@{
        'avatars/u/1.png'             = @{ Content = (New-TestBytes 3000 1); Type = 'image/png'; Cache = 'max-age=60' }
        'avatars/u/2 + 3 & 4.png'     = @{ Content = (New-TestBytes 4000 2); Type = 'image/png'; Cache = 'no-cache' }
        'uploads/docs/a.pdf'          = @{ Content = (New-TestBytes 50000 3); Type = 'application/pdf'; Cache = 'max-age=3600' }
        'uploads/docs/ünï 日本.txt'    = @{ Content = (New-TestBytes 700 4); Type = 'text/plain'; Cache = 'max-age=1' }
        'uploads/media/clip.bin'      = @{ Content = (New-TestBytes 120000 5); Type = 'application/octet-stream'; Cache = 'max-age=3600' }
    }
    foreach ($name in $objects.Keys) {
        $bucket, $key = $name -split '/', 2
        Add-StorageTestObject $source $bucket $key $objects[$name].Content -ContentType $objects[$name].Type -CacheControl $objects[$name].Cache
    }

    $repository = Join-Path $TestDrive 'repository'
    $set = Backup-HotmessStorage -Repository $repository

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    Restore-StorageTestEnvironment $saved
    Stop-HotmessFake $source
}

Describe 'Restore-HotmessStorage' {
    BeforeEach {
        $target = Start-HotmessFake
        $key = ConvertTo-SecureString $target.ServiceKey -AsPlainText -Force
        $into = @{ SupabaseUrl = $target.Url; ServiceRoleKey = $key }
    }

    AfterEach {
        Stop-HotmessFake $target
    }

    It 'restores a set from the pipeline into an empty project, buckets and settings included' {
        $result = Get-HotmessBackup -Repository $repository -Kind Storage -Latest | Restore-HotmessStorage @into -Confirm:$false

        $result | Should -BeOfType 'Hotmess.Recovery.Storage.StorageRestoreResult'
        $result.Complete | Should -BeTrue
        $result.UploadedCount | Should -Be $objects.Count
        $result.VerifiedCount | Should -Be $objects.Count
        ($result.CreatedBuckets | Sort-Object) | Should -Be 'avatars', 'uploads'
        $avatars = Get-StorageTestBucket $target | Where-Object id -EQ avatars
        $avatars.public | Should -BeTrue
        $avatars.file_size_limit | Should -Be 500000
        $avatars.allowed_mime_types | Should -Be 'image/*'
        foreach ($name in $objects.Keys) {
            $bucket, $objectKey = $name -split '/', 2
            $restored = Get-StorageTestObject $target $bucket $objectKey
            [Convert]::ToHexString($restored.Content) | Should -Be ([Convert]::ToHexString($objects[$name].Content))
            $restored.ContentType | Should -Be $objects[$name].Type
            $restored.CacheControl | Should -Be $objects[$name].Cache
        }
    }

    It 'changes nothing with -WhatIf' {
        $set | Restore-HotmessStorage @into -WhatIf

        Get-StorageTestBucket $target | Should -BeNullOrEmpty
    }

    It 'leaves identical objects alone and refuses to overwrite a different one without -Force' {
        $set | Restore-HotmessStorage @into -Confirm:$false | Out-Null
        Add-StorageTestObject $target avatars 'u/1.png' (New-TestBytes 3000 42) -ContentType 'image/png' -Upsert

        $result = $set | Restore-HotmessStorage @into -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Complete | Should -BeFalse
        $result.SkippedCount | Should -Be ($objects.Count - 1)
        $result.Conflicts | Should -Be 'avatars/u/1.png'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "StorageObjectConflict,$command"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $problems[0].TargetObject | Should -Be 'avatars/u/1.png'
        [Convert]::ToHexString((Get-StorageTestObject $target avatars 'u/1.png').Content) | Should -Be ([Convert]::ToHexString((New-TestBytes 3000 42)))

        $forced = $set | Restore-HotmessStorage @into -Force
        $forced.Complete | Should -BeTrue
        $forced.UploadedCount | Should -Be 1
        [Convert]::ToHexString((Get-StorageTestObject $target avatars 'u/1.png').Content) | Should -Be ([Convert]::ToHexString($objects['avatars/u/1.png'].Content))
    }

    It 'restores only the bucket and prefix asked for' {
        $result = $set | Restore-HotmessStorage @into -Bucket uploads -Prefix 'docs/' -Confirm:$false

        $result.ObjectCount | Should -Be 2
        $result.CreatedBuckets | Should -Be 'uploads'
        (Get-StorageTestBucket $target).id | Should -Be 'uploads'
    }

    It 'reports a set of another kind and carries on with the next one' {
        $manifest = [Hotmess.Recovery.Repository.BackupManifest]@{ Id = '20260101T000000Z-database-abcd'; Kind = 'Database' }
        $database = [Hotmess.Recovery.Repository.BackupSet]::new($repository, $repository, $manifest)

        $results = $database, $set | Restore-HotmessStorage @into -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupKindMismatch,$command"
        @($results).Count | Should -Be 1
        $results.Complete | Should -BeTrue
    }

    It 'reports an object whose stored content is damaged by name, uploads none of it and restores the rest' {
        $damagedSet = Backup-HotmessStorage -Repository (Join-Path $TestDrive 'damaged') -SupabaseUrl $source.Url
        $entry = $damagedSet.Contents.Objects | Where-Object Key -EQ 'media/clip.bin'
        $blob = [Hotmess.Recovery.Repository.ContentStore]::new((Join-Path $TestDrive 'damaged/objects')).PathOf($entry.Sha256)
        $bytes = [IO.File]::ReadAllBytes($blob)
        $bytes[5] = $bytes[5] -bxor 0x01
        [IO.File]::WriteAllBytes($blob, $bytes)

        $result = $damagedSet | Restore-HotmessStorage @into -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Complete | Should -BeFalse
        $result.UploadedCount | Should -Be ($objects.Count - 1)
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "StorageObjectCorrupted,$command"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].TargetObject | Should -Be 'uploads/media/clip.bin'
        { Get-StorageTestObject $target uploads 'media/clip.bin' } | Should -Throw
    }

    It 'restores through a tenth of failing requests of each kind' {
        Set-HotmessFakeFault $target -ServerErrorRate 0.1 -RateLimitRate 0.1 -CutRate 0.1 -RetryAfterSeconds 0 -PathPrefix '/storage/v1' | Out-Null

        $result = $set | Restore-HotmessStorage @into -Confirm:$false

        Set-HotmessFakeFault $target | Out-Null
        $result.Complete | Should -BeTrue
        foreach ($name in $objects.Keys) {
            $bucket, $objectKey = $name -split '/', 2
            [Convert]::ToHexString((Get-StorageTestObject $target $bucket $objectKey).Content) | Should -Be ([Convert]::ToHexString($objects[$name].Content))
        }
    }
}
