BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Emulators.psm1') -Force
    $runbook = Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessBackup.ps1'
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $azurite = Start-HotmessAzurite
    $fake = Start-HotmessFake
    $headers = @{ Authorization = "Bearer $($fake.ServiceKey)"; apikey = $fake.ServiceKey }
    Invoke-RestMethod -Method Post "$($fake.Url)/storage/v1/bucket" -Headers $headers -ContentType 'application/json' -Body '{"name":"avatars","public":true}' | Out-Null
    foreach ($i in 1..3) {
        Invoke-RestMethod -Method Post "$($fake.Url)/storage/v1/object/avatars/u$i/avatar.png" -Headers $headers -ContentType 'image/png' -Body ([byte[]](1..(100 * $i) | ForEach-Object { $_ % 256 })) | Out-Null
    }
    $previousConnection = $env:AZURE_STORAGE_CONNECTION_STRING
    $env:AZURE_STORAGE_CONNECTION_STRING = $azurite.ConnectionString
    # Azure Automation's own command, absent outside the sandbox: a stub so Pester can mock it.
    function Get-AutomationVariable { param([string] $Name) }

    function New-TestConfiguration([string] $Json) {
        $path = Join-Path $TestDrive "hotmess-$([guid]::NewGuid().ToString('N')).json"
        Set-Content -LiteralPath $path -Value $Json
        if (-not $IsWindows) { chmod 600 $path }
        $path
    }
}

AfterAll {
    $env:AZURE_STORAGE_CONNECTION_STRING = $previousConnection
    $fake | Stop-HotmessFake
    $azurite | Stop-HotmessEmulator
    $server | Stop-HotmessTestPostgres
}

Describe 'Invoke-HotmessBackup runbook' {
    BeforeEach {
        # Not $repository: a mock body resolves names in the runbook's scope, where $Repository is its own parameter.
        $testRepository = Join-Path $TestDrive ([guid]::NewGuid())
        $testDestination = "az://offsite/$([guid]::NewGuid().ToString('N'))"
        $env:HOTMESS_CONFIG = New-TestConfiguration '{}'
        $env:HOTMESS_REPOSITORY_KEY = $null
    }

    AfterEach {
        Remove-Item Env:HOTMESS_CONFIG, Env:HOTMESS_REPOSITORY_KEY -ErrorAction Ignore
    }

    It 'backs up the database and storage, copies both offsite encrypted, verifies them there, from Automation variables' {
        Mock Get-AutomationVariable { $server.ConnectionString('hotmess') } -ParameterFilter { $Name -eq 'HOTMESS_DATABASE_URL' }
        Mock Get-AutomationVariable { $testRepository } -ParameterFilter { $Name -eq 'HOTMESS_REPOSITORY' }
        Mock Get-AutomationVariable { $testDestination } -ParameterFilter { $Name -eq 'HOTMESS_OFFSITE_REPOSITORY' }
        Mock Get-AutomationVariable { 'the offsite passphrase, long' } -ParameterFilter { $Name -eq 'HOTMESS_REPOSITORY_KEY' }
        Mock Get-AutomationVariable { $server.ConnectionString((New-HotmessScratchName)) } -ParameterFilter { $Name -eq 'HOTMESS_SCRATCH_DATABASE_URL' }
        Mock Get-AutomationVariable { $fake.Url } -ParameterFilter { $Name -eq 'VITE_SUPABASE_URL' }
        Mock Get-AutomationVariable { $fake.ServiceKey } -ParameterFilter { $Name -eq 'SUPABASE_SERVICE_ROLE_KEY' }

        $run = & $runbook

        $run.Passed | Should -BeTrue
        $run.SetId.Count | Should -Be 2
        $run.Verified | Should -Be $run.SetId
        $env:HOTMESS_REPOSITORY_KEY | Should -BeNullOrEmpty -Because 'the passphrase is in the environment for the run only'
        $env:HOTMESS_REPOSITORY_KEY = 'the offsite passphrase, long'
        $offsite = @(Get-HotmessBackup -Repository $testDestination)
        @($offsite.Kind | Sort-Object) | Should -Be @('Database', 'Storage')
        @(Get-HotmessBackup -Repository $testRepository).Count | Should -Be 2
    }

    It 'applies the configured retention to the local and the offsite repository, keeping the newest sets' {
        $env:HOTMESS_CONFIG = New-TestConfiguration '{ "retention": { "keepLast": 1 } }'
        $env:HOTMESS_REPOSITORY_KEY = 'the offsite passphrase, long'
        $arguments = @{ ConnectionString = $server.ConnectionString('hotmess'); Repository = $testRepository; Destination = $testDestination; SkipStorage = $true }
        $first = & $runbook @arguments

        $second = & $runbook @arguments

        $second.RemovedLocal | Should -Be $first.SetId
        $second.RemovedOffsite | Should -Be $first.SetId
        (Get-HotmessBackup -Repository $testRepository).Id | Should -Be $second.SetId
        (Get-HotmessBackup -Repository $testDestination).Id | Should -Be $second.SetId
    }

    It 'exits non-zero for a scheduler when the offsite passphrase is wrong, and removes nothing' {
        $env:HOTMESS_REPOSITORY_KEY = 'the offsite passphrase, long'
        $null = & $runbook -ConnectionString $server.ConnectionString('hotmess') -Repository $testRepository -Destination $testDestination -SkipStorage
        $keyFile = Join-Path $TestDrive 'wrong.key'
        Set-Content -LiteralPath $keyFile -Value 'not the offsite passphrase'
        if (-not $IsWindows) { chmod 600 $keyFile }
        # The host running Pester: pwsh itself, or dotnet running pwsh.dll (the pinned tool).
        $hostPath = (Get-Process -Id $PID).Path
        $arguments = @(if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }) + @('-NoProfile', '-NonInteractive', '-File', $runbook, '-ConnectionString', $server.ConnectionString('hotmess'),
            '-Repository', $testRepository, '-Destination', $testDestination, '-KeyFile', $keyFile, '-SkipStorage')

        $output = & $hostPath @arguments 2>&1

        $LASTEXITCODE | Should -Not -Be 0
        "$output" | Should -Match 'does not unlock the repository'
        @(Get-HotmessBackup -Repository $testDestination).Count | Should -Be 1
    }

    It 'fails without an offsite repository, before taking a backup' {
        Mock Get-AutomationVariable { $null }

        { & $runbook -ConnectionString $server.ConnectionString('hotmess') -Repository $testRepository } | Should -Throw '*No offsite repository*'
        $testRepository | Should -Not -Exist
    }

    It 'changes nothing with -WhatIf' {
        $env:HOTMESS_REPOSITORY_KEY = 'the offsite passphrase, long'

        & $runbook -WhatIf -ConnectionString $server.ConnectionString('hotmess') -Repository $testRepository -Destination $testDestination -SkipStorage

        $testRepository | Should -Not -Exist
        { Get-HotmessBackup -Repository $testDestination -ErrorAction Stop } | Should -Throw -ErrorId 'RepositoryNotFound*'
    }
}
