BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'repository'
    $null = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'The plan''s verification pipeline' {
    It 'Get-HotmessBackup -Latest | Test-HotmessBackup -RestoreTo | Export-HotmessReport fills in the checklist' {
        $scratch = $server.ConnectionString((New-HotmessScratchName))
        $report = Get-HotmessBackup -Repository $repository -Latest | Test-HotmessBackup -RestoreTo $scratch | Export-HotmessReport -Format Markdown

        $report | Should -Match '# Backup Verification Checklist'
        $report | Should -Match 'Result: \*\*PASSED\*\*'
        $report | Should -Match '- \[x\] Database backup downloaded successfully'
        $report | Should -Match '- \[x\] Test restore completed'
        $report | Should -Match '    - \[x\] User table has expected row count'
        $report | Should -Match '    - \[x\] Recent transactions present'
        $report | Should -Match '    - \[x\] Messages intact'
        $report | Should -Match '- \[ \] Recovery procedures reviewed'
        $report | Should -Not -Match ([regex]::Escape($server.Password))
    }
}

Describe 'Export-HotmessReport' {
    BeforeAll {
        $verification = Get-HotmessBackup -Repository $repository -Latest | Test-HotmessBackup
    }

    It 'leaves the restore lines open when no restore was done' {
        $report = $verification | Export-HotmessReport
        $report | Should -Match '- \[ \] Test restore completed — not restored'
    }

    It 'writes JSON evidence to a file and returns it' {
        $file = $verification | Export-HotmessReport -Format Json -Path (Join-Path $TestDrive 'report.json')
        $file | Should -BeOfType System.IO.FileInfo
        $json = Get-Content -Raw $file | ConvertFrom-Json
        $json.verifications[0].setId | Should -Be $verification.SetId
        $json.checklist | ForEach-Object item | Should -Contain 'Database backup downloaded successfully'
    }

    It 'writes a dated file into a folder' {
        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'reports')
        $file = $verification | Export-HotmessReport -Path $folder
        $file.Name | Should -Match '^backup-verification-\d{8}T\d{6}Z\.md$'
    }

    It 'writes a dated file into a folder that does not exist yet when the path ends in a separator' {
        $folder = Join-Path $TestDrive 'new-reports'

        $file = $verification | Export-HotmessReport -Format Json -Path ($folder + [IO.Path]::DirectorySeparatorChar)

        $file.DirectoryName | Should -Be $folder
        $file.Name | Should -Match '^backup-verification-\d{8}T\d{6}Z\.json$'
        (Get-Content -Raw $file | ConvertFrom-Json).verifications[0].setId | Should -Be $verification.SetId
    }

    It 'refuses to overwrite a report without -Force' {
        $path = Join-Path $TestDrive 'existing.md'
        Set-Content $path 'keep'
        { $verification | Export-HotmessReport -Path $path -ErrorAction Stop } |
            Should -Throw -ErrorId 'ReportFileExists,Hotmess.Recovery.Cmdlets.Commands.ExportHotmessReportCommand'
        Get-Content $path | Should -Be 'keep'
        ($verification | Export-HotmessReport -Path $path -Force).FullName | Should -Be $path
        Get-Content -Raw $path | Should -BeLike '# Backup Verification Checklist*'
    }
}
