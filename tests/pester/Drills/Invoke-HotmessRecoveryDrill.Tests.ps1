#Requires -Version 7.4
# Recovery drills end to end: the database drill against a real PostgreSQL and a real repository, the application
# drill against the Vercel fake (which also plays the drill project's site); their history and its HTML chart.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Application/VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRecoveryDrillCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

Describe 'Invoke-HotmessRecoveryDrill DatabaseRestore' {
    BeforeAll {
        $server = Start-HotmessTestPostgres -SampleDatabase hotmess
        $repository = Join-Path $TestDrive 'repository'
        $set = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
        $null = $set | Test-HotmessBackup
        $env:HOTMESS_CONFIG = $null

        function Test-Database([string] $Name) {
            $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$Name'").Trim() -eq '1'
        }
    }

    AfterAll {
        $server | Stop-HotmessTestPostgres
    }

    It 'restores the newest verified set into the scratch database, measures RTO and RPO, drops it and keeps the record' {
        $name = New-HotmessScratchName

        $drill = Invoke-HotmessRecoveryDrill DatabaseRestore -Repository $repository -ScratchConnectionString $server.ConnectionString($name)

        $drill | Should -BeOfType 'Hotmess.Recovery.Drills.DrillRecord'
        $drill.Passed | Should -BeTrue
        $drill.Scenario | Should -Be 'DatabaseRestore'
        $drill.SurvivingSetId | Should -Be $set.Id
        $drill.Rto | Should -BeOfType [TimeSpan]
        $drill.Rto | Should -Be ($drill.ServiceVerifiedUtc - $drill.SimulatedIncidentUtc)
        $drill.Rpo | Should -Be ($drill.SimulatedIncidentUtc - $drill.NewestDataRecoveredUtc)
        $drill.RtoObjective | Should -Be ([TimeSpan]::FromHours(4))
        $drill.RpoObjective | Should -Be ([TimeSpan]::FromHours(24))
        @($drill.Steps | Where-Object Passed).Count | Should -Be 4
        $drill.Steps[1].Name | Should -Be 'Restore the set into the scratch database'
        $drill.Steps[3].Cleanup | Should -BeTrue
        $drill.ReportPath | Should -Exist
        Get-Content -Raw $drill.ReportPath | Should -Match 'Result: \*\*PASSED\*\*'
        Test-Database $name | Should -BeFalse
        (Get-HotmessDrill -Repository $repository -Id $drill.Id).Rto | Should -Be $drill.Rto
        Get-HotmessBackup -Repository $repository -Kind Drill | ForEach-Object Id | Should -Contain $drill.Id
    }

    It 'fails an objective it exceeds, says by how much, and still outputs and keeps the record' {
        $drill = Invoke-HotmessRecoveryDrill DatabaseRestore -Repository $repository -ScratchConnectionString $server.ConnectionString((New-HotmessScratchName)) `
            -RtoObjective '00:00:00.001' -WarningVariable warnings -WarningAction SilentlyContinue

        $drill.Passed | Should -BeFalse
        $drill.RtoPassed | Should -BeFalse
        $drill.RpoPassed | Should -BeTrue
        $drill.ObjectivesSource | Should -Be 'the objectives given to the drill'
        $drill.Findings[0] | Should -Match '^RTO .+ exceeds the 0\.001 s objective by .+\.$'
        "$warnings" | Should -Match 'failed: RTO .+ exceeds the 0\.001 s objective by'
        $drill.Improvements | Should -Not -BeNullOrEmpty
        (Get-HotmessDrill -Repository $repository -Id $drill.Id).Passed | Should -BeFalse
    }

    It 'shows the plan with -WhatIf, and creates, restores and keeps nothing' {
        $name = New-HotmessScratchName
        $before = @(Get-HotmessDrill -Repository $repository).Count

        $drill = Invoke-HotmessRecoveryDrill DatabaseRestore -Repository $repository -ScratchConnectionString $server.ConnectionString($name) -WhatIf

        $drill | Should -BeNullOrEmpty
        @(Get-HotmessDrill -Repository $repository).Count | Should -Be $before
        Test-Database $name | Should -BeFalse
    }

    It 'refuses the database the repository backs up, before anything happens' {
        $before = @(Get-HotmessDrill -Repository $repository).Count

        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill DatabaseRestore -Repository $repository -ScratchConnectionString $server.ConnectionString('hotmess') }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillTargetIsProduction,$command"
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-HotmessDrill -Repository $repository).Count | Should -Be $before
    }

    It 'takes the scratch database and the objectives from the drills section of the configuration' {
        $name = New-HotmessScratchName
        $scratch = [Npgsql.NpgsqlConnectionStringBuilder]::new($server.ConnectionString($name))
        $password = $scratch.Password
        $scratch.Password = $null
        $config = Join-Path $TestDrive 'hotmess.json'
        @{ repository = $repository; drills = @{ scratchConnectionString = $scratch.ConnectionString; objectives = @{ databaseRestore = @{ rpoHours = 0.000001 } } } } |
            ConvertTo-Json -Depth 5 | Set-Content $config
        [IO.File]::SetUnixFileMode($config, [IO.UnixFileMode]'UserRead, UserWrite')
        $env:PGPASSWORD = $password
        try {
            $drill = Invoke-HotmessRecoveryDrill DatabaseRestore -ConfigurationPath $config -WarningAction SilentlyContinue
        }
        finally { $env:PGPASSWORD = $null }

        $drill.Target | Should -Match "Database=$name;"
        $drill.ObjectivesSource | Should -Be 'drills.objectives.DatabaseRestore in the configuration'
        $drill.RpoPassed | Should -BeFalse
        $drill.Findings[1] | Should -Match '^RPO .+ exceeds the .+ objective by .+\.$'
        Test-Database $name | Should -BeFalse
    }

    It 'fails the drill and keeps it when no set was ever verified' {
        $fresh = Join-Path $TestDrive 'unverified'
        $null = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $fresh

        $drill = Invoke-HotmessRecoveryDrill DatabaseRestore -Repository $fresh -ScratchConnectionString $server.ConnectionString((New-HotmessScratchName)) -WarningAction SilentlyContinue

        $drill.Passed | Should -BeFalse
        $drill.Rto | Should -BeNullOrEmpty
        $drill.Steps[0].ErrorId | Should -Be 'DrillNoVerifiedSet'
        (Get-HotmessDrill -Repository $fresh).Id | Should -Be $drill.Id
    }

    It 'renders the drill history as an HTML page with the RTO and RPO charts' {
        $file = Get-HotmessDrill -Repository $repository | Export-HotmessReport -Path (Join-Path $TestDrive 'reports/')

        $file | Should -BeOfType [IO.FileInfo]
        $file.Name | Should -Match '^recovery-drills-\d{8}T\d{6}Z\.html$'
        $html = Get-Content -Raw $file.FullName
        ([regex]::Matches($html, '<img id="(rto|rpo)-chart"[^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"')).Count | Should -Be 2
        foreach ($drill in Get-HotmessDrill -Repository $repository) { $html | Should -Match $drill.Id }
        $html | Should -Not -Match ([regex]::Escape($server.Password))
    }

    It 'refuses Html for verifications and Markdown for drills' {
        (Get-ThrownError { Get-HotmessBackup -Repository $repository -Kind Database -Latest | Test-HotmessBackup | Export-HotmessReport -Format Html }).FullyQualifiedErrorId |
            Should -Be 'ReportFormatUnsupported,Hotmess.Recovery.Cmdlets.Commands.ExportHotmessReportCommand'
        (Get-ThrownError { Get-HotmessDrill -Repository $repository | Export-HotmessReport -Format Markdown }).FullyQualifiedErrorId |
            Should -Be 'ReportFormatUnsupported,Hotmess.Recovery.Cmdlets.Commands.ExportHotmessReportCommand'
    }
}

Describe 'Invoke-HotmessRecoveryDrill ApplicationRollback' {
    BeforeAll {
        $fake = Start-VercelTestFake
        $repository = Join-Path $TestDrive 'drills'

        function Get-FakeState { Invoke-VercelControl $fake -Method Get -Path state }
        # The fake answers one JSON array: enumerate it before filtering.
        function Get-AliasRequest { @(Invoke-VercelControl $fake -Method Get -Path requests | ForEach-Object { $_ } | Where-Object path -Match '/(rollback|promote)/') }
    }

    AfterAll {
        Stop-VercelTestFake $fake
    }

    BeforeEach {
        Set-VercelTestEnvironment $fake
        # The production site is not the fake: the drill project's own site is.
        $env:HOTMESS_SITE_URL = $null
        Invoke-VercelControl $fake -Path reset -Body @{ projectId = 'prj_hotmess_drill'; projectName = 'hotmess-drill'; stepMs = 100 } | Out-Null
        Invoke-VercelControl $fake -Path deployments -Body @{ deployments = @(
                @{ uid = 'dpl_current'; target = 'production' }
                @{ uid = 'dpl_previous'; target = 'production' }
            ) } | Out-Null
    }

    It 'rolls the drill project back, verifies its site, puts the project back as it was, and passes with no data lost' {
        $drill = Invoke-HotmessRecoveryDrill ApplicationRollback -Repository $repository -VercelProjectId prj_hotmess_drill -SiteUrl $fake.Url

        $drill.Passed | Should -BeTrue
        $drill.Rpo | Should -Be ([TimeSpan]::Zero)
        $drill.RtoObjective | Should -Be ([TimeSpan]::FromHours(1))
        $drill.Steps.Name | Should -Be @(
            'Simulate the failure: the serving deployment is broken'
            'Roll back to the last working deployment'
            'Verify the site answers healthy'
            'Promote dpl_current again')
        $drill.Steps[1].Detail | Should -Be 'dpl_current -> dpl_previous: succeeded'
        (Get-AliasRequest).path | Should -Be @('/v9/projects/prj_hotmess_drill/rollback/dpl_previous', '/v10/projects/prj_hotmess_drill/promote/dpl_current')
        (Get-FakeState).currentProductionId | Should -Be 'dpl_current'
        (Get-HotmessDrill -Repository $repository -Scenario ApplicationRollback -Latest).Id | Should -Be $drill.Id
    }

    It 'refuses the production project and changes nothing' {
        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill ApplicationRollback -Repository $repository -VercelProjectId prj_hotmess -SiteUrl $fake.Url }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillTargetIsProduction,$command"
        Get-AliasRequest | Should -BeNullOrEmpty
    }

    It 'refuses the production site' {
        $env:HOTMESS_SITE_URL = $fake.Url

        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill ApplicationRollback -Repository $repository -VercelProjectId prj_hotmess_drill -SiteUrl "$($fake.Url)/" }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillTargetIsProduction,$command"
        Get-AliasRequest | Should -BeNullOrEmpty
    }

    It 'fails the verification step of a site still unhealthy, keeps the drill, and still puts the project back' {
        Invoke-VercelControl $fake -Path site -Body @{ healthy = $false } | Out-Null

        $drill = Invoke-HotmessRecoveryDrill ApplicationRollback -Repository $repository -VercelProjectId prj_hotmess_drill -SiteUrl $fake.Url `
            -HealthCheckTimeout '00:00:01' -WarningAction SilentlyContinue

        $drill.Passed | Should -BeFalse
        $drill.Rto | Should -BeNullOrEmpty
        ($drill.Steps | Where-Object ErrorId -EQ 'DrillServiceUnhealthy').Name | Should -Be 'Verify the site answers healthy'
        $drill.Improvements[0] | Should -Match "^'Verify the site answers healthy' failed \(DrillServiceUnhealthy\)"
        (Get-FakeState).currentProductionId | Should -Be 'dpl_current'
        (Get-HotmessDrill -Repository $repository -Id $drill.Id).Passed | Should -BeFalse
    }

    It 'shows the plan with -WhatIf and touches nothing' {
        $drill = Invoke-HotmessRecoveryDrill ApplicationRollback -Repository $repository -VercelProjectId prj_hotmess_drill -SiteUrl $fake.Url -WhatIf

        $drill | Should -BeNullOrEmpty
        Get-AliasRequest | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-HotmessRecoveryDrill scenarios' {
    It 'offers the five scenarios, one per procedure the plan rehearses' {
        $values = (Get-Command Invoke-HotmessRecoveryDrill).Parameters.Scenario.ParameterType.GetEnumNames()
        $values | Should -Be @('DatabaseRestore', 'StorageRestore', 'ApplicationRollback', 'CredentialRecovery', 'PlatformRecovery')
    }
}
