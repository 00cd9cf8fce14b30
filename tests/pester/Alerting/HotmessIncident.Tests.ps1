#Requires -Version 7.4
# New-HotmessIncident, Add-HotmessIncidentNote, Close-HotmessIncident and Export-HotmessIncidentReport end to end
# against the Statuspage, PagerDuty, Slack and Resend fakes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'AlertingFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-AlertingTestFake
}

AfterAll {
    Stop-AlertingTestFake $fake
}

Describe 'Incidents' {
    BeforeEach {
        Reset-AlertingTestFake $fake $TestDrive
    }

    It 'opens an incident kept in the repository, on the status page, and pages the team' {
        $incident = New-HotmessIncident 'Checkout is down' -Severity Critical -Scenario 'Minor outage' -Name checkout-down -StatusPage -Notify

        $incident | Should -BeOfType 'Hotmess.Recovery.Incidents.IncidentRecord'
        $incident.Id | Should -Match '^\d{8}T\d{6}Z-checkout-down$'
        Join-Path $env:HOTMESS_REPOSITORY "incidents/$($incident.Id).json" | Should -Exist
        $page = Get-FakeRecord $fake statuspage-api incidents
        $page.id | Should -Be $incident.StatusPageIncidentId
        $page[0].status | Should -Be 'investigating'
        $page[0].impact | Should -Be 'critical'
        (Get-FakeRecord $fake pagerduty events).event_action | Should -Be 'trigger'
        (Get-FakeRecord $fake slack messages)[0].text | Should -BeLike '*Emergency contacts*Sam Ops*'
    }

    It 'continues the incident from the repository: notes, status page updates, close, resolution' {
        $opened = New-HotmessIncident 'Orders missing' -Severity Critical -Scenario 'Database restore' -StatusPage -Notify

        $opened | Add-HotmessIncidentNote -Text 'A migration emptied the orders table' -StatusPageStatus identified | Out-Null
        Add-HotmessIncidentNote $opened.Id 'Test migrations against a restored copy' -Improvement | Out-Null
        $closed = $opened | Close-HotmessIncident -Outcome Recovered -RecoveredToUtc ([DateTimeOffset]::UtcNow.AddHours(-2)) -Notify

        $closed.Outcome | Should -Be 'Recovered'
        $closed.Notes.Text | Should -Contain 'A migration emptied the orders table'
        $closed.Improvements | Should -Be 'Test migrations against a restored copy'
        $page = (Get-FakeRecord $fake statuspage-api incidents)[0]
        $page.status | Should -Be 'resolved'
        $page.incident_updates.status | Should -Be 'resolved', 'identified', 'investigating'
        (Get-FakeRecord $fake pagerduty alerts)[0].status | Should -Be 'resolved'
    }

    It 'tells the team of a note on the incident''s channels under -Notify, and of no note without it' {
        $opened = New-HotmessIncident 'Slow checkout' -Severity High -Scenario 'Minor outage'

        $opened | Add-HotmessIncidentNote -Text 'Connection pool exhausted; raised to 60' | Out-Null
        $quiet = (Get-FakeRecord $fake slack messages).Count
        $opened | Add-HotmessIncidentNote -Text 'Pool raised; watching the error rate' -Notify | Out-Null

        $quiet | Should -Be 0
        $slack = Get-FakeRecord $fake slack messages
        $slack | Should -HaveCount 1
        $slack[0].text | Should -BeLike "*Pool raised; watching the error rate*$($opened.Id)*"
        $email = Get-FakeRecord $fake resend emails
        $email | Should -HaveCount 1
        $email[0].subject | Should -BeLike '*Incident: Slow checkout*'
        (Get-FakeRecord $fake pagerduty events) | Should -HaveCount 0
    }

    It 'writes the post-incident report with measured RTO and RPO against the objectives, in Markdown and HTML' {
        $incident = New-HotmessIncident 'Orders missing' -Scenario 'Database restore' -ImpactStartedUtc '2026-11-24T18:30:00Z'
        Add-HotmessIncidentNote $incident.Id 'Back up every 12 hours' -Improvement | Out-Null
        $incident | Close-HotmessIncident -RecoveredToUtc '2026-11-23T13:00:00Z' | Out-Null

        $files = $incident | Export-HotmessIncidentReport -Path (Join-Path $TestDrive reports)

        $files.Name | Should -Be "$($incident.Id)-report.md", "$($incident.Id)-report.html"
        $markdown = Get-Content -Raw $files[0].FullName
        $markdown | Should -BeLike '*| RTO (recovery time) | * | 4 h 00 min | Missed by *'
        $markdown | Should -BeLike '*| RPO (data loss) | 29 h 30 min | 24 h 00 min | Missed by 5 h 30 min |*'
        $markdown | Should -BeLike '*## Improvements*- Back up every 12 hours*'
        Get-Content -Raw $files[1].FullName | Should -BeLike '*<td class="missed">Missed by 5 h 30 min</td>*'
    }

    It 'keeps nothing and posts nothing under -WhatIf' {
        New-HotmessIncident 'Checkout is down' -StatusPage -Notify -WhatIf | Should -BeNullOrEmpty

        Join-Path $env:HOTMESS_REPOSITORY 'incidents' | Should -Not -Exist
        (Get-FakeRecord $fake statuspage-api incidents).Count | Should -Be 0
    }

    It 'keeps the incident when the status page is not configured, and says what is missing' {
        $env:STATUSPAGE_PAGE_ID = $null

        $incident = New-HotmessIncident 'Checkout is down' -StatusPage -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures[0].FullyQualifiedErrorId | Should -BeLike 'StatusPageNotConfigured*'
        $failures[0].Exception.Message | Should -BeLike '*STATUSPAGE_PAGE_ID*'
        Join-Path $env:HOTMESS_REPOSITORY "incidents/$($incident.Id).json" | Should -Exist
    }

    It 'refuses an incident the repository does not have, naming it' {
        { Add-HotmessIncidentNote 20261124T190000Z-nothing 'hello' -ErrorAction Stop } | Should -Throw -ErrorId 'IncidentNotFound,*'
    }

    It 'never shows the status page key or a channel secret in its output or errors' {
        $env:STATUSPAGE_API_KEY = 'statuspage-wrong-key-4321'
        Invoke-FakeControl $fake slack webhooks @{ path = "/services/T0HOTMESS/B0ALERTS/$SlackToken"; state = 'revoked' } | Out-Null

        $incident = New-HotmessIncident 'Checkout is down' -StatusPage -Notify -ErrorVariable failures -ErrorAction SilentlyContinue
        $text = ($incident | Out-String -Width 400) + ($failures | Out-String -Width 400) + (Get-Content -Raw (Join-Path $env:HOTMESS_REPOSITORY "incidents/$($incident.Id).json"))

        $failures.Count | Should -Be 2
        foreach ($secret in 'statuspage-wrong-key-4321', $SlackToken, $env:RESEND_API_KEY) { $text | Should -Not -BeLike "*$secret*" }
    }
}
