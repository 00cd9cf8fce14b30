#Requires -Version 7.4
# Set-HotmessRepositoryKey: the master key rewrapped under a new passphrase, data untouched.

BeforeAll {
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.SetHotmessRepositoryKeyCommand'

    function New-KeyFile([string] $Passphrase) {
        $path = Join-Path $TestDrive "key-$([guid]::NewGuid().ToString('N'))"
        Set-Content -LiteralPath $path -Value $Passphrase
        if (-not $IsWindows) { chmod 600 $path }
        $path
    }

    function Open-Key([string] $Repository, [string] $Passphrase) {
        $store = [Hotmess.Recovery.Repository.Stores.LocalDirectoryStore]::new($Repository)
        [Hotmess.Recovery.Encryption.EncryptedRepositoryDescriptor]::UnlockAsync($store, [Hotmess.Recovery.Common.Secret]::new($Passphrase), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }

    # Writes one encrypted object through the engine, as a copy would; returns its stored file.
    function Write-EncryptedObject([string] $Repository, [string] $Passphrase, [string] $LogicalName, [byte[]] $Bytes) {
        $key = Open-Key $Repository $Passphrase
        try {
            $name = $key.ObjectName($LogicalName)
            $stream = $key.OpenEncrypting([IO.MemoryStream]::new($Bytes), $LogicalName)
            $store = [Hotmess.Recovery.Repository.Stores.LocalDirectoryStore]::new($Repository)
            $null = $store.PutAsync($name, $stream, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            Join-Path $Repository $name
        }
        finally { $key.Dispose() }
    }

    function Read-EncryptedObject([string] $Repository, [string] $Passphrase, [string] $LogicalName) {
        $key = Open-Key $Repository $Passphrase
        try {
            $store = [Hotmess.Recovery.Repository.Stores.LocalDirectoryStore]::new($Repository)
            $ciphertext = $store.OpenReadAsync($key.ObjectName($LogicalName), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            $plaintext = $key.OpenDecrypting($ciphertext, $LogicalName)
            $buffer = [IO.MemoryStream]::new()
            $plaintext.CopyTo($buffer)
            $plaintext.Dispose()
            [Convert]::ToBase64String($buffer.ToArray())
        }
        finally { $key.Dispose() }
    }
}

Describe 'Set-HotmessRepositoryKey' {
    BeforeEach {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $old = 'the old passphrase, long'
        $new = 'the new passphrase, longer'
        $oldKey = New-KeyFile $old
        $newKey = New-KeyFile $new
        $noConfiguration = Join-Path $TestDrive 'empty.json'
        Set-Content -LiteralPath $noConfiguration -Value '{}'
        if (-not $IsWindows) { chmod 600 $noConfiguration }
        $null = Initialize-HotmessRepository -Repository $repository -KeyFile $oldKey -ConfigurationPath $noConfiguration
        $env:HOTMESS_REPOSITORY_KEY = $null
    }

    AfterEach { $env:HOTMESS_REPOSITORY_KEY = $null }

    It 'rewraps the key: data stays readable with the new passphrase, not the old, and no data object is rewritten' {
        $bytes = [byte[]](1..200 | ForEach-Object { $_ })
        $file = Write-EncryptedObject $repository $old 'sets/a/manifest.json' $bytes
        $before = Get-FileHash -LiteralPath $file

        $info = Set-HotmessRepositoryKey -Repository $repository -KeyFile $oldKey -NewKeyFile $newKey -Force -ConfigurationPath $noConfiguration

        $info.KeyChangedUtc | Should -Not -BeNullOrEmpty
        (Get-FileHash -LiteralPath $file).Hash | Should -Be $before.Hash
        Read-EncryptedObject $repository $new 'sets/a/manifest.json' | Should -Be ([Convert]::ToBase64String($bytes))
        { Open-Key $repository $old } | Should -Throw -ExpectedMessage "*does not unlock the repository '$repository'*"
    }

    It 'with a wrong current passphrase fails with RepositoryKeyWrong naming the repository and changes nothing' {
        $descriptor = Join-Path $repository 'hotmess-repository.json'
        $before = Get-Content -Raw -LiteralPath $descriptor

        { Set-HotmessRepositoryKey -Repository $repository -KeyFile (New-KeyFile 'not the passphrase at all') -NewKeyFile $newKey -Force -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryKeyWrong,$command" -ExpectedMessage "*$repository*"
        Get-Content -Raw -LiteralPath $descriptor | Should -Be $before
    }

    It 'takes the current passphrase from HOTMESS_REPOSITORY_KEY without -KeyFile' {
        $env:HOTMESS_REPOSITORY_KEY = $old

        $null = Set-HotmessRepositoryKey -Repository $repository -NewKeyFile $newKey -Confirm:$false -ConfigurationPath $noConfiguration

        (Open-Key $repository $new).Dispose()
    }

    It 'with -WhatIf changes nothing' {
        $descriptor = Join-Path $repository 'hotmess-repository.json'
        $before = Get-Content -Raw -LiteralPath $descriptor

        Set-HotmessRepositoryKey -Repository $repository -KeyFile $oldKey -NewKeyFile $newKey -WhatIf -ConfigurationPath $noConfiguration

        Get-Content -Raw -LiteralPath $descriptor | Should -Be $before
    }

    It 'refuses a new key file holding the current passphrase with RepositoryKeyUnchanged' {
        { Set-HotmessRepositoryKey -Repository $repository -KeyFile $oldKey -NewKeyFile (New-KeyFile $old) -Force -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryKeyUnchanged,$command"
    }

    It 'refuses a plain local repository with RepositoryNotEncrypted' {
        $plain = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = Initialize-HotmessRepository -Repository $plain -ConfigurationPath $noConfiguration

        { Set-HotmessRepositoryKey -Repository $plain -KeyFile $oldKey -NewKeyFile $newKey -Force -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryNotEncrypted,$command"
    }

    It 'refuses a location with no repository with RepositoryNotFound' {
        $empty = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))

        { Set-HotmessRepositoryKey -Repository $empty -KeyFile $oldKey -NewKeyFile $newKey -Force -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryNotFound,$command"
    }
}
