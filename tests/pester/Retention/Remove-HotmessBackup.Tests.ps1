#Requires -Version 7.4
# Remove-HotmessBackup on repositories whose sets are written through the engine, at chosen dates.

BeforeAll {
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.RemoveHotmessBackupCommand'

    # A complete database set started $DaysAgo days ago, verified (passed or failed) when asked.
    function New-TestSet([string] $Repository, [double] $DaysAgo, [ValidateSet('Passed', 'Failed', 'None')] [string] $Verification = 'None') {
        $repo = [Hotmess.Recovery.Repository.BackupRepository]::OpenOrCreate($Repository)
        $pending = $repo.BeginSet([Hotmess.Recovery.Repository.BackupKind]::Database, [datetimeoffset]::UtcNow.AddDays(-$DaysAgo))
        Set-Content -LiteralPath (Join-Path $pending.Path 'dump.sql') -Value "set $DaysAgo"
        $manifest = [Hotmess.Recovery.Repository.BackupManifest]::new()
        $manifest.Source.Host = 'db.example'
        $manifest.Source.Port = 5432
        $manifest.Source.Database = 'postgres'
        $set = $pending.Complete($manifest)
        if ($Verification -ne 'None') {
            $record = [Hotmess.Recovery.Repository.BackupVerification]::new()
            $record.SetId = $set.Id
            $record.Kind = $set.Kind
            $record.CompletedUtc = [datetimeoffset]::UtcNow
            $null = $record.Add('payload', $Verification -eq 'Passed', 'ok', $Verification)
            $null = $repo.SaveVerification($record)
        }
        $set
    }

    function New-TestConfiguration([string] $Json) {
        $path = Join-Path $TestDrive "hotmess-$([guid]::NewGuid().ToString('N')).json"
        Set-Content -LiteralPath $path -Value $Json
        if (-not $IsWindows) { chmod 600 $path }
        $path
    }
}

Describe 'Remove-HotmessBackup' {
    BeforeEach {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $sets = @(10, 5, 3, 1) | ForEach-Object { New-TestSet $repository $_ }   # oldest first
        $noRetention = New-TestConfiguration '{}'
    }

    It 'with -WhatIf outputs a decision for every set and removes nothing' {
        $decisions = Remove-HotmessBackup -Repository $repository -KeepLast 1 -WhatIf -ConfigurationPath $noRetention

        $decisions.Id | Should -Be @($sets[3].Id, $sets[2].Id, $sets[1].Id, $sets[0].Id)
        $decisions.Action | Should -Be @('Keep', 'Remove', 'Remove', 'Remove')
        $decisions[0].Reasons | Should -Be @('last', 'newest')
        $decisions.Removed | Should -Not -Contain $true
        (Get-HotmessBackup -Repository $repository).Count | Should -Be 4
        $sets | ForEach-Object { Test-Path -LiteralPath $_.Path } | Should -Not -Contain $false
    }

    It 'without a Keep parameter or a retention section refuses with RetentionPolicyMissing and removes nothing' {
        { Remove-HotmessBackup -Repository $repository -Force -ConfigurationPath $noRetention -ErrorAction Stop } |
            Should -Throw -ErrorId "RetentionPolicyMissing,$command"
        (Get-HotmessBackup -Repository $repository).Count | Should -Be 4
    }

    It 'refuses a policy whose counts are all 0 with RetentionPolicyEmpty' {
        { Remove-HotmessBackup -Repository $repository -KeepLast 0 -Force -ConfigurationPath $noRetention -ErrorAction Stop } |
            Should -Throw -ErrorId "RetentionPolicyEmpty,$command"
        (Get-HotmessBackup -Repository $repository).Count | Should -Be 4
    }

    It 'uses the configuration''s retention section when no Keep parameter is given' {
        $configuration = New-TestConfiguration '{ "retention": { "keepLast": 2 } }'

        $decisions = Remove-HotmessBackup -Repository $repository -Force -ConfigurationPath $configuration

        ($decisions | Where-Object Removed).Id | Should -Be @($sets[1].Id, $sets[0].Id)
        (Get-HotmessBackup -Repository $repository).Id | Should -Be @($sets[3].Id, $sets[2].Id)
    }

    It 'reads the plan''s weekly manual default by name from the configuration' {
        $configuration = New-TestConfiguration '{ "retention": { "preset": "weeklyManualBackups" } }'

        $decisions = Remove-HotmessBackup -Repository $repository -WhatIf -ConfigurationPath $configuration

        $decisions[0].Reasons | Should -Contain 'within'
        $decisions[0].Reasons | Should -Contain 'weekly'
        $decisions | Where-Object Action -EQ Remove | Should -BeNullOrEmpty
    }

    It 'takes -KeepWithin as restic writes it, measured from the newest set' {
        $decisions = Remove-HotmessBackup -Repository $repository -KeepWithin 3d -WhatIf -ConfigurationPath $noRetention

        $decisions.Action | Should -Be @('Keep', 'Keep', 'Remove', 'Remove')
        $decisions[1].Reasons | Should -Be @('within')
        { Remove-HotmessBackup -Repository $repository -KeepWithin 'a week' -WhatIf -ConfigurationPath $noRetention -ErrorAction Stop } |
            Should -Throw -ErrorId "ParameterArgumentTransformationError,$command"
    }

    It 'removed sets vanish from Get-HotmessBackup, folders and verifications with them' {
        $null = New-TestSet $repository 20 -Verification Failed

        $removed = Remove-HotmessBackup -Repository $repository -KeepLast 2 -Confirm:$false -ConfigurationPath $noRetention | Where-Object Removed

        $removed.Count | Should -Be 3
        (Get-HotmessBackup -Repository $repository).Id | Should -Be @($sets[3].Id, $sets[2].Id)
        $removed | ForEach-Object { Join-Path $repository "sets/$($_.Id)" } | Test-Path | Should -Not -Contain $true
        $removed | ForEach-Object { Join-Path $repository "verifications/$($_.Id)" } | Test-Path | Should -Not -Contain $true
    }

    It 'the newest verified set survives -KeepLast 1 when a newer unverified one exists' {
        $verified = New-TestSet $repository 2 -Verification Passed
        $null = New-TestSet $repository 0.5 -Verification Failed

        $decisions = Remove-HotmessBackup -Repository $repository -KeepLast 1 -Force -ConfigurationPath $noRetention

        ($decisions | Where-Object Id -EQ $verified.Id).Reasons | Should -Be @('newest verified')
        (Get-HotmessBackup -Repository $repository).Id | Should -Contain $verified.Id
        (Get-HotmessBackup -Repository $repository).Count | Should -Be 2
    }

    It 'removes the sets piped from Get-HotmessBackup by Id and Repository' {
        $old = Get-HotmessBackup -Repository $repository | Where-Object StartedUtc -LT ([datetimeoffset]::UtcNow.AddDays(-4))

        $decisions = $old | Remove-HotmessBackup -Force -ConfigurationPath $noRetention

        $decisions.Id | Should -Be @($sets[1].Id, $sets[0].Id)
        $decisions.Removed | Should -Be @($true, $true)
        (Get-HotmessBackup -Repository $repository).Id | Should -Be @($sets[3].Id, $sets[2].Id)
    }

    It 'shows a table with id, kind, start, action, removed and reasons by default' {
        $table = Remove-HotmessBackup -Repository $repository -KeepLast 1 -WhatIf -ConfigurationPath $noRetention | Format-Table | Out-String -Width 250
        $table | Should -Match 'Id\s+Kind\s+StartedUtc\s+Action\s+Removed\s+Reasons'
        $table | Should -Match "$([regex]::Escape($sets[3].Id))\s+Database\s+\S+ \S+\s+Keep\s+False\s+last, newest"
    }
}
