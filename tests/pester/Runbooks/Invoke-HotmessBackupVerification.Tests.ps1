BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force
    $runbook = Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessBackupVerification.ps1'
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    # Azure Automation's own command, absent outside the sandbox: a stub so Pester can mock it.
    function Get-AutomationVariable { param([string] $Name) }
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'Invoke-HotmessBackupVerification runbook' {
    BeforeEach {
        # Not $repository: a mock body resolves names in the runbook's scope, where $Repository is its own parameter.
        $testRepository = Join-Path $TestDrive ([guid]::NewGuid())
        $testReports = Join-Path $TestDrive ([guid]::NewGuid())
    }

    It 'backs up, verifies by restore and writes the checklist, from Automation variables' {
        Mock Get-AutomationVariable { $server.ConnectionString('hotmess') } -ParameterFilter { $Name -eq 'HOTMESS_DATABASE_URL' }
        Mock Get-AutomationVariable { $server.ConnectionString((New-HotmessScratchName)) } -ParameterFilter { $Name -eq 'HOTMESS_SCRATCH_DATABASE_URL' }
        Mock Get-AutomationVariable { $testRepository } -ParameterFilter { $Name -eq 'HOTMESS_REPOSITORY' }
        Mock Get-AutomationVariable { $testReports } -ParameterFilter { $Name -eq 'HOTMESS_REPORT_PATH' }

        $run = & $runbook

        $run.Passed | Should -BeTrue
        $run.ReportPath | Should -Exist
        $run.JsonPath | Should -Exist
        Get-Content -Raw $run.ReportPath | Should -Match '\[x\] Test restore completed'
        @(Get-HotmessBackup -Repository $testRepository).Count | Should -Be 1
    }

    It 'takes its settings from the environment when there are no Automation variables' {
        Mock Get-AutomationVariable { $null }
        $env:HOTMESS_DATABASE_URL = $server.ConnectionString('hotmess')
        $env:HOTMESS_SCRATCH_DATABASE_URL = $server.ConnectionString((New-HotmessScratchName))
        try {
            $run = & $runbook -Repository $testRepository -ReportPath $testReports
        }
        finally {
            Remove-Item Env:HOTMESS_DATABASE_URL, Env:HOTMESS_SCRATCH_DATABASE_URL
        }
        $run.Passed | Should -BeTrue
    }

    It 'fails the job when the newest backup does not verify' {
        $set = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $testRepository
        Remove-Item (Join-Path $set.Path 'dump/toc.dat')

        { & $runbook -SkipBackup -Repository $testRepository -ReportPath $testReports -ScratchConnectionString $server.ConnectionString((New-HotmessScratchName)) } |
            Should -Throw "*failed its verification*File dump/toc.dat*"
        Get-ChildItem $testReports -Filter *.md | Should -Not -BeNullOrEmpty
    }

    It 'also backs up and verifies the storage buckets with -IncludeStorage' {
        $fake = Start-HotmessFake
        try {
            $headers = @{ Authorization = "Bearer $($fake.ServiceKey)"; apikey = $fake.ServiceKey }
            Invoke-RestMethod -Method Post "$($fake.Url)/storage/v1/bucket" -Headers $headers -ContentType 'application/json' -Body '{"name":"avatars","public":true}' | Out-Null
            foreach ($i in 1..3) {
                Invoke-RestMethod -Method Post "$($fake.Url)/storage/v1/object/avatars/u$i/avatar.png" -Headers $headers -ContentType 'image/png' -Body ([byte[]](1..(100 * $i) | ForEach-Object { $_ % 256 })) | Out-Null
            }
            Mock Get-AutomationVariable { $fake.Url } -ParameterFilter { $Name -eq 'VITE_SUPABASE_URL' }
            Mock Get-AutomationVariable { $fake.ServiceKey } -ParameterFilter { $Name -eq 'SUPABASE_SERVICE_ROLE_KEY' }

            $run = & $runbook -IncludeStorage -ConnectionString $server.ConnectionString('hotmess') -ScratchConnectionString $server.ConnectionString((New-HotmessScratchName)) -Repository $testRepository -ReportPath $testReports
        }
        finally {
            $fake | Stop-HotmessFake
        }

        $run.Passed | Should -BeTrue
        $run.SetId.Count | Should -Be 2
        (Get-HotmessBackup -Repository $testRepository -Kind Storage).Manifest.Storage.Objects.Count | Should -Be 3
        $report = Get-Content -Raw $run.ReportPath
        $report | Should -Match '\[x\] File storage backup verified'
        $report | Should -Not -Match ([regex]::Escape($fake.ServiceKey))
    }

    It 'changes nothing with -WhatIf' {
        & $runbook -WhatIf -ConnectionString $server.ConnectionString('hotmess') -ScratchConnectionString $server.ConnectionString('x') -Repository $testRepository -ReportPath $testReports
        $testRepository | Should -Not -Exist
        $testReports | Should -Not -Exist
    }
}
