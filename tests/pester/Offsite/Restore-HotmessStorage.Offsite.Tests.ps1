#Requires -Version 7.4
# A storage set copied to Azure Blob Storage (Azurite), the local repository deleted, then verified and restored from there.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Storage/StorageFake.ps1')
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Emulators.psm1') -Force
    $source = Start-HotmessFake
    $saved = Set-StorageTestEnvironment $source
    $azurite = Start-HotmessAzurite
    $savedConnection = $env:AZURE_STORAGE_CONNECTION_STRING
    $savedKey = $env:HOTMESS_REPOSITORY_KEY
    $env:AZURE_STORAGE_CONNECTION_STRING = $azurite.ConnectionString
    $keyFile = Join-Path $TestDrive 'repository.key'
    Set-Content -LiteralPath $keyFile -Value 'a passphrase only this test knows' -NoNewline
    if (-not $IsWindows) { chmod 600 $keyFile }
    $env:HOTMESS_REPOSITORY_KEY = $null

    Add-StorageTestBucket $source avatars -Public
    $objects = [ordered]@{
        'avatars/u/1.png'  = New-TestBytes 3000 1
        'avatars/u/2.png'  = New-TestBytes 3000 1
        'avatars/u/3.png'  = New-TestBytes 90000 2
    }
    foreach ($name in $objects.Keys) {
        $bucket, $key = $name -split '/', 2
        Add-StorageTestObject $source $bucket $key $objects[$name] -ContentType 'image/png'
    }

    $repository = Join-Path $TestDrive 'repository'
    $destination = "az://offsite/storage-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $copied = Backup-HotmessStorage -Repository $repository | Copy-HotmessBackup -Destination $destination -KeyFile $keyFile
    Remove-Item -Recurse -Force $repository
}

AfterAll {
    Restore-StorageTestEnvironment $saved
    Stop-HotmessFake $source
    $azurite | Stop-HotmessEmulator
    $env:AZURE_STORAGE_CONNECTION_STRING = $savedConnection
    $env:HOTMESS_REPOSITORY_KEY = $savedKey
}

Describe 'A storage set in Azure Blob Storage' {
    BeforeEach {
        $target = Start-HotmessFake
        $into = @{ SupabaseUrl = $target.Url; ServiceRoleKey = (ConvertTo-SecureString $target.ServiceKey -AsPlainText -Force) }
    }

    AfterEach {
        Stop-HotmessFake $target
    }

    It 'is stored with its two distinct contents once each, and restores every object from there once the local repository is gone' {
        $copied.ObjectCount | Should -Be 3
        $set = Get-HotmessBackup -Repository $destination -RepositoryKeyFile $keyFile -Kind Storage -Latest

        $result = $set | Restore-HotmessStorage @into -RepositoryKeyFile $keyFile -Confirm:$false

        $result.Complete | Should -BeTrue
        $result.UploadedCount | Should -Be 3
        foreach ($name in $objects.Keys) {
            $bucket, $objectKey = $name -split '/', 2
            [Convert]::ToHexString((Get-StorageTestObject $target $bucket $objectKey).Content) | Should -Be ([Convert]::ToHexString($objects[$name]))
        }
    }

    It 'verifies from there, every object re-hashed' {
        $verification = Get-HotmessBackup -Repository $destination -RepositoryKeyFile $keyFile -Kind Storage -Latest |
            Test-HotmessBackup -RepositoryKeyFile $keyFile

        $verification.Passed | Should -BeTrue
        $verification.Repository | Should -Be $destination
    }

    It 'refuses to restore anything when a stored object has a flipped byte, naming the set and the object' {
        $set = Get-HotmessBackup -Repository $destination -RepositoryKeyFile $keyFile -Kind Storage -Latest
        $none = [Threading.CancellationToken]::None
        $store = [Hotmess.Recovery.Repository.ObjectRepositoryAddress]::OpenStore($destination, [Environment]::GetEnvironmentVariables())
        try {
            $enumerator = $store.ListAsync('objects/', $none).GetAsyncEnumerator($none)
            $stored = while ($enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { $enumerator.Current }
            $largest = $stored | Sort-Object Length -Descending | Select-Object -First 1
            $buffer = [IO.MemoryStream]::new()
            $read = $store.OpenReadAsync($largest.Name, $none).GetAwaiter().GetResult()
            $read.CopyTo($buffer); $read.Dispose()
            $bytes = $buffer.ToArray()
            $bytes[100] = $bytes[100] -bxor 4
            $null = $store.PutAsync($largest.Name, [IO.MemoryStream]::new($bytes), $none).GetAwaiter().GetResult()
        }
        finally { $null = $store.DisposeAsync().AsTask().GetAwaiter().GetResult() }

        { $set | Restore-HotmessStorage @into -RepositoryKeyFile $keyFile -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackupCorrupted,Hotmess.Recovery.Cmdlets.Commands.RestoreHotmessStorageCommand'
        $error[0].Exception.Message | Should -Match ([regex]::Escape($set.Id))
        $error[0].Exception.Message | Should -Match 'avatars/u/3\.png'
        Get-StorageTestBucket $target | Should -BeNullOrEmpty

        $verification = $set | Test-HotmessBackup -RepositoryKeyFile $keyFile -WarningAction SilentlyContinue
        $verification.Passed | Should -BeFalse
        ($verification.Checks | Where-Object { -not $_.Passed }).Name | Should -Contain "Authenticated object 'avatars/u/3.png' (sha256 $(($set.Manifest.Storage.Objects | Where-Object Key -EQ 'u/3.png').Sha256))"
    }
}
