#Requires -Version 7.4
# New-HotmessIncidentRecord and Export-HotmessIncidentRecord: the one incident record every runbook writes.

BeforeAll {
    Import-Module HotmessRecovery -Force
}

Describe 'New-HotmessIncidentRecord' {
    It 'starts an open record whose id is its start time and name, performed by the current user' {
        $record = New-HotmessIncidentRecord credential-recovery 'Procedure 3: Environment Variable Recovery' -Reason 'Key leaked'

        $record | Should -BeOfType ([Hotmess.Recovery.Incidents.IncidentRecord])
        $record.Id | Should -Match '^\d{8}T\d{6}Z-credential-recovery$'
        $record.Id | Should -BeLike "$($record.StartedUtc.UtcDateTime.ToString('yyyyMMdd''T''HHmmss''Z'''))-*"
        $record.IsOpen | Should -BeTrue
        $record.Outcome | Should -BeNullOrEmpty
        $record.PerformedBy | Should -Be ([Environment]::UserName)
    }

    It 'refuses a name that is not a plain file name' {
        { New-HotmessIncidentRecord '../Credential Recovery' 'Procedure 3' } |
            Should -Throw -ErrorId 'IncidentNameInvalid,Hotmess.Recovery.Cmdlets.Commands.NewHotmessIncidentRecordCommand'
    }

    It 'records steps with their status and duration, and shows records and steps as tables' {
        $record = New-HotmessIncidentRecord application-rollback 'Procedure 2: Application Rollback'
        $step = $record.StartStep('Roll back production')
        $step.Fail('Vercel reported ERROR', 'VercelRollbackFailed') | Out-Null
        $record.Complete('Failed', 'VercelRollbackFailed', 'Vercel reported ERROR')

        $step.Duration | Should -Not -BeNullOrEmpty
        $record | Out-String -Width 200 | Should -Match "$($record.Id)\s+Failed\s+\d+ s\s+1 \(1 failed\)\s+VercelRollbackFailed"
        $record.Steps | Out-String -Width 200 | Should -Match 'Roll back production\s+Failed\s+[\d.]+ s\s+Vercel reported ERROR'
    }
}

Describe 'Export-HotmessIncidentRecord' {
    BeforeEach {
        $record = New-HotmessIncidentRecord credential-recovery 'Procedure 3: Environment Variable Recovery' -Reason 'Key leaked'
        $record.SetFact('ProjectId', 'prj_hotmess')
        $record.StartStep('Set STRIPE_SECRET_KEY in Vercel').Succeed('For production.') | Out-Null
        $record.AddNextStep('Revoke the old value of STRIPE_SECRET_KEY.')
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'writes Markdown and JSON named after the record into a new folder, and returns the files' {
        $record.Complete('Recovered')

        $files = $record | Export-HotmessIncidentRecord -Path $folder

        $files.Name | Should -Be "$($record.Id).md", "$($record.Id).json"
        $files | ForEach-Object { $_ | Should -BeOfType [System.IO.FileInfo] }
        $json = Get-Content -Raw $files[1] | ConvertFrom-Json
        $json.outcome | Should -Be 'Recovered'
        $json.facts.ProjectId | Should -Be 'prj_hotmess'
        $json.steps[0].status | Should -Be 'Succeeded'
        $markdown = Get-Content -Raw $files[0]
        $markdown | Should -BeLike '# Incident record: Procedure 3: Environment Variable Recovery*'
        $markdown | Should -BeLike '*- `[ `] Revoke the old value of STRIPE_SECRET_KEY.*'
    }

    It 'writes the JSON properties of every record, set or not' {
        $files = $record | Export-HotmessIncidentRecord -Path $folder -Format Json

        $files | Should -HaveCount 1
        (Get-Content -Raw $files | ConvertFrom-Json).PSObject.Properties.Name |
            Should -Be 'id', 'procedure', 'reason', 'performedBy', 'outcome', 'startedUtc', 'completedUtc', 'durationSeconds', 'errorId', 'error', 'facts', 'steps', 'notes', 'nextSteps', 'severity', 'scenario', 'impactStartedUtc', 'recoveredToUtc', 'statusPageIncidentId', 'improvements'
    }

    It 'replaces its own files when the record is written again' {
        $record | Export-HotmessIncidentRecord -Path $folder | Out-Null
        $record.Complete('Recovered')

        $record | Export-HotmessIncidentRecord -Path $folder | Out-Null

        Get-ChildItem $folder | Should -HaveCount 2
        (Get-Content -Raw (Join-Path $folder "$($record.Id).json") | ConvertFrom-Json).outcome | Should -Be 'Recovered'
    }

    It 'writes nothing with -WhatIf' {
        $record | Export-HotmessIncidentRecord -Path $folder -WhatIf | Should -BeNullOrEmpty

        $folder | Should -Not -Exist
    }
}
