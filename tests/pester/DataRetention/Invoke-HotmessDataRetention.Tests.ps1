BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres
    $expected = [Hotmess.Recovery.Sandbox.RetentionSample]::ExpectedByRule

    function New-RetentionDatabase {
        # The small sample plus rows at every rule's limit, legal holds and deleted accounts old and recent.
        $name = New-HotmessScratchName
        [Hotmess.Recovery.Sandbox.RetentionSample]::Create($server, $name)
        $name
    }

    function Get-TableCount([string] $Database) {
        $server.ExecuteSql($Database, @'
SELECT string_agg(format('%s=%s', t, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %s', t), false, true, '')))[1]), ',' ORDER BY t)
FROM (SELECT c.oid::regclass::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname IN ('public', 'auth')) AS tables
'@)
    }
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'Invoke-HotmessDataRetention' {
    BeforeEach {
        $database = New-RetentionDatabase
        $connection = $server.ConnectionString($database)
        $repository = Join-Path $TestDrive ([guid]::NewGuid())
    }

    It 'counts per rule with -WhatIf, shows the due time range with -Verbose, and changes nothing' {
        $before = Get-TableCount $database

        $output = Invoke-HotmessDataRetention -ConnectionString $connection -Repository $repository -WhatIf -Verbose 4>&1
        $results = @($output | Where-Object { $_ -is [Hotmess.Recovery.DataRetention.DataRetentionResult] })
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $results.Count | Should -Be $expected.Count
        foreach ($result in $results) {
            $result.Rows | Should -Be $expected[$result.Rule].Item1 -Because $result.Rule
            $result.Held | Should -Be $expected[$result.Rule].Item2 -Because $result.Rule
            $result.WhatIf | Should -BeTrue
        }
        $verbose | Should -Contain ($verbose | Where-Object { $_ -like 'deleted-account-messages: would delete 20 row(s)*oldest due*' })
        Get-TableCount $database | Should -Be $before
        Join-Path $repository 'retention' | Should -Not -Exist
    }

    It 'applies the default policy: one object per rule with exact counts, an audit record, and a second run finds nothing' {
        $results = @(Invoke-HotmessDataRetention -ConnectionString $connection -Repository $repository -Force)

        $results[0].PSObject.Properties.Name | Should -Contain 'Duration'
        foreach ($property in 'Rule', 'Table', 'Action', 'Rows', 'Held') { $results[0].PSObject.Properties.Name | Should -Contain $property }
        foreach ($result in $results) {
            $result.Rows | Should -Be $expected[$result.Rule].Item1 -Because $result.Rule
            $result.Held | Should -Be $expected[$result.Rule].Item2 -Because $result.Rule
        }
        $records = @(Get-ChildItem (Join-Path $repository 'retention') -Filter '*.json')
        $records.Count | Should -Be 1
        $record = Get-Content -Raw $records[0].FullName | ConvertFrom-Json
        $record.state | Should -Be 'Completed'
        ($record.rules | Where-Object rule -EQ 'transactions-7-years').rows | Should -Be 10

        $again = @(Invoke-HotmessDataRetention -ConnectionString $connection -Repository $repository -Force)
        ($again | Measure-Object Rows -Sum).Sum | Should -Be 0
    }

    It 'refuses a policy whose rule names a column that does not exist, before anything is deleted' {
        $policy = Join-Path $TestDrive 'policy.json'
        @'
{ "rules": [
  { "name": "messages", "table": "public.message", "action": "delete", "due": "true" },
  { "name": "tickets", "table": "public.support_tickets", "action": "delete", "due": "closed_on < now()" } ] }
'@ | Set-Content $policy
        $before = Get-TableCount $database

        { Invoke-HotmessDataRetention -PolicyPath $policy -ConnectionString $connection -Repository $repository -Force } |
            Should -Throw -ErrorId 'RetentionColumnNotFound,Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessDataRetentionCommand' -ExpectedMessage '*closed_on*'
        Get-TableCount $database | Should -Be $before
    }

    It 'takes the policy file from retention.policyPath in the configuration' {
        $policy = Join-Path $TestDrive 'configured.json'
        '{ "rules": [ { "name": "old-tickets", "table": "public.support_tickets", "action": "delete", "due": "created_at < now() - interval ''3 years''" } ] }' |
            Set-Content $policy
        $configuration = Join-Path $TestDrive 'hotmess.json'
        @{ retention = @{ policyPath = $policy } } | ConvertTo-Json | Set-Content $configuration
        if (-not $IsWindows) { chmod 600 $configuration }

        $results = @(Invoke-HotmessDataRetention -ConnectionString $connection -Repository $repository -ConfigurationPath $configuration -Force)

        $results.Rule | Should -Be 'old-tickets'
        $results.Rows | Should -Be 12
    }

    It 'warns about database sets older than the erasure window that still hold data erased since' {
        $set = Backup-HotmessDatabase -ConnectionString $connection -Repository $repository

        $null = Invoke-HotmessDataRetention -ConnectionString $connection -Repository $repository -ErasureWindow ([timespan]::FromMilliseconds(1)) -Force -WarningVariable warnings

        @($warnings | Where-Object { "$_" -like "*$($set.Id)*erased since*" }).Count | Should -Be 1
        $record = Get-ChildItem (Join-Path $repository 'retention') -Filter '*.json' | Get-Content -Raw | ConvertFrom-Json
        $record.backupSetsWithErasedData | Should -Be $set.Id
    }
}

Describe 'Get-HotmessRetentionPolicy' {
    It 'lists the default rules in run order with the rows due now, touching nothing' {
        $database = New-RetentionDatabase
        $before = Get-TableCount $database

        $rules = @(Get-HotmessRetentionPolicy -ConnectionString $server.ConnectionString($database))

        $rules.Count | Should -Be $expected.Count
        ($rules | Where-Object Rule -EQ 'deleted-account-messages').RowsDue | Should -Be 20
        ($rules | Where-Object Rule -EQ 'support-tickets-3-years').Held | Should -Be 2
        $names = @($rules.Rule)
        $names.IndexOf('deleted-account-profiles') | Should -BeGreaterThan $names.IndexOf('deleted-account-messages')
        Get-TableCount $database | Should -Be $before
    }

    It 'shows the rules without counts when no database is given, and writes the policy as JSON that reads back' {
        $configuration = Join-Path $TestDrive 'empty.json'
        '{}' | Set-Content $configuration
        if (-not $IsWindows) { chmod 600 $configuration }

        $rules = @(Get-HotmessRetentionPolicy -ConfigurationPath $configuration)
        $json = Get-HotmessRetentionPolicy -AsJson -ConfigurationPath $configuration
        $copy = Join-Path $TestDrive 'copy.json'
        $json | Set-Content $copy

        $rules.Count | Should -Be $expected.Count
        $rules[0].RowsDue | Should -BeNullOrEmpty
        @(Get-HotmessRetentionPolicy -PolicyPath $copy -ConfigurationPath $configuration).Rule | Should -Be $rules.Rule
    }

    It 'names a policy file that does not exist' {
        { Get-HotmessRetentionPolicy -PolicyPath (Join-Path $TestDrive 'missing.json') } |
            Should -Throw -ErrorId 'RetentionPolicyNotFound,Hotmess.Recovery.Cmdlets.Commands.GetHotmessRetentionPolicyCommand'
    }
}
