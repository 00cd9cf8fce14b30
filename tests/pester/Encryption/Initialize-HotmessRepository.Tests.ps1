#Requires -Version 7.4
# Initialize-HotmessRepository on local folders: plain and encrypted, the key from a file or the environment.

BeforeAll {
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InitializeHotmessRepositoryCommand'

    function New-KeyFile([string] $Passphrase, [string] $Mode = '600') {
        $path = Join-Path $TestDrive "key-$([guid]::NewGuid().ToString('N'))"
        Set-Content -LiteralPath $path -Value $Passphrase
        if (-not $IsWindows) { chmod $Mode $path }
        $path
    }

    function Read-Descriptor([string] $Repository) {
        Get-Content -Raw -LiteralPath (Join-Path $Repository 'hotmess-repository.json') | ConvertFrom-Json
    }
}

Describe 'Initialize-HotmessRepository' {
    BeforeEach {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $keyFile = New-KeyFile 'a passphrase long enough'
        $noConfiguration = Join-Path $TestDrive 'empty.json'
        Set-Content -LiteralPath $noConfiguration -Value '{}'
        if (-not $IsWindows) { chmod 600 $noConfiguration }
        $env:HOTMESS_REPOSITORY_KEY = $null
    }

    AfterEach { $env:HOTMESS_REPOSITORY_KEY = $null }

    It 'with -Encrypted -KeyFile writes a descriptor holding only the wrapped key and its Argon2id parameters' {
        $info = Initialize-HotmessRepository -Repository $repository -Encrypted -KeyFile $keyFile -ConfigurationPath $noConfiguration

        $info.Encrypted | Should -BeTrue
        $info.Location | Should -Be $repository
        $info.KeyDerivation | Should -Be 'Argon2id m=65536 t=3 p=1'
        $descriptor = Read-Descriptor $repository
        $descriptor.format | Should -Be 'hotmess-repository'
        $descriptor.encryption.key.kdf.memoryKiB | Should -Be 65536
        [Convert]::FromBase64String($descriptor.encryption.key.wrappedKey).Length | Should -Be 48
        Get-Content -Raw -LiteralPath (Join-Path $repository 'hotmess-repository.json') | Should -Not -Match 'passphrase long'
        @(Get-ChildItem -LiteralPath $repository -Recurse -File).Count | Should -Be 1
    }

    It 'takes the passphrase from HOTMESS_REPOSITORY_KEY without -KeyFile, and the key opens the repository' {
        $env:HOTMESS_REPOSITORY_KEY = 'a passphrase from the environment'

        $null = Initialize-HotmessRepository -Repository $repository -Encrypted -ConfigurationPath $noConfiguration

        $store = [Hotmess.Recovery.Repository.Stores.LocalDirectoryStore]::new($repository)
        $key = [Hotmess.Recovery.Encryption.EncryptedRepositoryDescriptor]::UnlockAsync($store, [Hotmess.Recovery.Common.Secret]::new('a passphrase from the environment'), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $key.ObjectName('sets/x') | Should -Match '^[0-9a-f]{64}$'
        $key.Dispose()
    }

    It 'without a key refuses with RepositoryKeyMissing naming -KeyFile and HOTMESS_REPOSITORY_KEY, and creates nothing' {
        { Initialize-HotmessRepository -Repository $repository -Encrypted -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryKeyMissing,$command" -ExpectedMessage '*-KeyFile*HOTMESS_REPOSITORY_KEY*'
        Test-Path -LiteralPath $repository | Should -BeFalse
    }

    It 'refuses a key file that other users can read, with RepositoryKeyFileReadableByOthers' -Skip:$IsWindows {
        $open = New-KeyFile 'a passphrase long enough' '644'

        { Initialize-HotmessRepository -Repository $repository -KeyFile $open -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryKeyFileReadableByOthers,$command"
        Test-Path -LiteralPath $repository | Should -BeFalse
    }

    It 'refuses a passphrase shorter than 12 characters' {
        { Initialize-HotmessRepository -Repository $repository -KeyFile (New-KeyFile 'short') -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryPassphraseTooShort,$command"
    }

    It 'refuses a second initialisation with RepositoryExists and keeps the first key' {
        $null = Initialize-HotmessRepository -Repository $repository -KeyFile $keyFile -ConfigurationPath $noConfiguration
        $before = Get-Content -Raw -LiteralPath (Join-Path $repository 'hotmess-repository.json')

        { Initialize-HotmessRepository -Repository $repository -KeyFile (New-KeyFile 'another passphrase, long') -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryExists,$command"
        Get-Content -Raw -LiteralPath (Join-Path $repository 'hotmess-repository.json') | Should -Be $before
    }

    It 'does not turn a plain local repository into an encrypted one' {
        $plain = Initialize-HotmessRepository -Repository $repository -ConfigurationPath $noConfiguration

        $plain.Encrypted | Should -BeFalse
        (Read-Descriptor $repository).formatVersion | Should -Be 1
        { Initialize-HotmessRepository -Repository $repository -KeyFile $keyFile -ConfigurationPath $noConfiguration -ErrorAction Stop } |
            Should -Throw -ErrorId "RepositoryNotEmpty,$command" -ExpectedMessage '*plain local repository*'
    }

    It 'stretches the passphrase with libsodium laid out beside the module, not the managed fallback' {
        # The engine answers null when libsodium does not load from the module's folder on this platform.
        $native = [Hotmess.Recovery.Common.Secret].Assembly.GetType('Hotmess.Recovery.Encryption.NativeArgon2id', $true)
        $tryDerive = $native.GetMethod('TryDeriveKey', [Reflection.BindingFlags] 'NonPublic, Public, Static')
        $parameters = [Hotmess.Recovery.Encryption.KdfParameters]::Default

        $key = $tryDerive.Invoke($null, @([Text.Encoding]::UTF8.GetBytes('a passphrase long enough'), [byte[]] (0..15), $parameters, 32))

        $key | Should -Not -BeNullOrEmpty
        $key.Count | Should -Be 32
    }

    It 'with -WhatIf checks the key and creates nothing' {
        $result = Initialize-HotmessRepository -Repository $repository -KeyFile $keyFile -ConfigurationPath $noConfiguration -WhatIf

        $result | Should -BeNullOrEmpty
        Test-Path -LiteralPath $repository | Should -BeFalse
    }
}
