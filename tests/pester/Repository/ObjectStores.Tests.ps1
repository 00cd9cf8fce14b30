#Requires -Version 7.4
# The repository stores from the built module, in a fresh pwsh: their SDKs load from the module folder and reach
# Azurite and s3rver started by the emulator harness.

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Emulators.psm1') -Force
    $azurite = Start-HotmessAzurite
    $s3rver = Start-HotmessS3rver

    function Write-TestObject($Store, [string] $Name, [string] $Text) {
        $bytes = [Text.Encoding]::UTF8.GetBytes($Text)
        $Store.PutAsync($Name, [IO.MemoryStream]::new($bytes), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }

    function Read-TestObject($Store, [string] $Name) {
        $stream = $Store.OpenReadAsync($Name, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        try { [IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
    }
}

AfterAll {
    $azurite, $s3rver | Stop-HotmessEmulator
}

Describe 'Repository stores in the module' {
    It 'writes and reads an object through <Location>' -ForEach @(
        @{ Location = 'local'; Kind = 'LocalDirectoryStore' }
        @{ Location = 'az://pester/stores'; Kind = 'AzureBlobStore' }
        @{ Location = 's3://pester/stores'; Kind = 'S3ObjectStore' }
    ) {
        $where = if ($Location -eq 'local') { Join-Path $TestDrive 'repository' } else { $Location }
        $environment = if ($Location -like 'az://*') { $azurite.Environment } elseif ($Location -like 's3://*') { $s3rver.Environment } else { @{} }
        $store = [Hotmess.Recovery.Repository.Stores.ObjectStores]::Open($where, $environment)
        try {
            $store.GetType().Name | Should -Be $Kind
            Write-TestObject $store 'sets/a/manifest.json' '{"id":"a"}'
            Read-TestObject $store 'sets/a/manifest.json' | Should -Be '{"id":"a"}'
        }
        finally {
            $store.DisposeAsync().AsTask().GetAwaiter().GetResult()
        }
    }

    It 'reports a missing object with the RepositoryObjectMissing id' {
        $store = [Hotmess.Recovery.Repository.Stores.ObjectStores]::Open('az://pester/stores', $azurite.Environment)
        $caught = $null
        try { $null = $store.OpenReadAsync('none', [Threading.CancellationToken]::None).GetAwaiter().GetResult() }
        catch { $caught = $_.Exception }
        while ($caught -and $caught -isnot [Hotmess.Recovery.Common.HotmessException]) { $caught = $caught.InnerException }
        $caught.ErrorId | Should -Be 'RepositoryObjectMissing'
    }
}

Describe 'Emulator harness' {
    It 'starts Azurite and s3rver on loopback ports over temporary folders and stops them, removing the folders' {
        $a = Start-HotmessAzurite
        $s = Start-HotmessS3rver
        $ids = $a.Process.Id, $s.Process.Id
        try {
            $a.Port | Should -BeGreaterThan 0
            $s.Port | Should -BeGreaterThan 0
            (Invoke-WebRequest "$($s.Endpoint)/" -SkipHttpErrorCheck).StatusCode | Should -Be 200
            (Invoke-WebRequest "$($a.BlobEndpoint)?comp=list" -SkipHttpErrorCheck).StatusCode | Should -Be 403
            Test-Path $a.DataDirectory | Should -BeTrue
        }
        finally {
            $a, $s | Stop-HotmessEmulator
        }
        Get-Process -Id $ids -ErrorAction Ignore | Should -BeNullOrEmpty
        Test-Path $a.DataDirectory | Should -BeFalse
        Test-Path $s.DataDirectory | Should -BeFalse
    }
}
