#Requires -Version 7.4
# Send-HotmessAlert and Get-HotmessContact end to end against the PagerDuty, Slack and Resend fakes.

BeforeAll {
    . (Join-Path $PSScriptRoot 'AlertingFake.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/AnsweringHost.psm1') -Force
    Import-Module HotmessRecovery -Force
    $fake = Start-AlertingTestFake

    function New-Result([string] $Name, [string] $Status = 'Unhealthy', [string] $Severity = 'Critical', [string] $Message = "$Name is down") {
        [pscustomobject]@{ Name = $Name; Status = $Status; Severity = $Severity; Value = '503'; Threshold = '2xx'; Message = $Message; CheckedUtc = [DateTimeOffset]::UtcNow }
    }
}

AfterAll {
    Stop-AlertingTestFake $fake
}

Describe 'Send-HotmessAlert' {
    BeforeEach {
        Reset-AlertingTestFake $fake $TestDrive
    }

    It 'pages and posts a Critical result, one object per message, with the emergency contacts' {
        $sent = New-Result Site | Send-HotmessAlert

        $sent | Should -HaveCount 2
        $sent | ForEach-Object { $_ | Should -BeOfType 'Hotmess.Recovery.Alerting.AlertDelivery' }
        $sent.Channel | Should -Be 'Phone', 'Slack'
        $sent.Status | Should -Be 'Sent', 'Sent'
        $events = (Get-FakeRecord $fake pagerduty events)
        $events.event_action | Should -Be 'trigger'
        $events[0].payload.severity | Should -Be 'critical'
        (Get-FakeRecord $fake slack messages)[0].text | Should -BeLike '*Technical Lead: Sam Ops, +44 20 0000 0001 (24/7)*'
    }

    It 'sends one alert for a problem that fails three runs in a row' {
        1..3 | ForEach-Object { New-Result DatabaseConnections -Severity High | Send-HotmessAlert } | Out-Null

        (Get-FakeRecord $fake slack messages) | Should -HaveCount 1
        (Get-FakeRecord $fake resend emails) | Should -HaveCount 1
    }

    It 'resolves on the channels that were alerted once the check is healthy' {
        $alert = New-Result Site | Send-HotmessAlert
        $resolved = New-Result Site -Status Healthy | Send-HotmessAlert

        $resolved.Kind | Should -Be 'Resolved', 'Resolved'
        $events = (Get-FakeRecord $fake pagerduty events)
        $events.event_action | Should -Be 'trigger', 'resolve'
        $events[1].dedup_key | Should -Be $alert[0].DedupKey
    }

    It 'shows what it would send under -WhatIf, sends nothing and remembers nothing' {
        $planned = New-Result Site | Send-HotmessAlert -WhatIf

        $planned.Status | Should -Be 'Planned', 'Planned'
        (Get-FakeRecord $fake pagerduty events) | Should -HaveCount 0
        (New-Result Site | Send-HotmessAlert).Status | Should -Be 'Sent', 'Sent'
    }

    It 'under -Confirm sends the messages accepted, and keeps the declined ones for the next run instead of recording them sent' {
        $result = New-Result Site
        $send = { param($Result) $Result | Send-HotmessAlert -Confirm }

        $first = Invoke-WithAnswers -Answers 'Yes', 'No' -ScriptBlock $send -Arguments $result
        $second = Invoke-WithAnswers -Answers @() -ScriptBlock { param($Result) $Result | Send-HotmessAlert } -Arguments $result
        $third = Invoke-WithAnswers -Answers @() -ScriptBlock { param($Result) $Result | Send-HotmessAlert } -Arguments $result

        $first.Prompts | Should -HaveCount 2
        $first.Output.Channel | Should -Be 'Phone', 'Slack'
        $first.Output.Status | Should -Be 'Sent', 'Planned'
        $second.Output.Channel | Should -Be 'Slack'
        $second.Output.Status, $second.Output.Kind | Should -Be 'Sent', 'Alert'
        $third.Output | Should -BeNullOrEmpty
        (Get-FakeRecord $fake pagerduty events) | Should -HaveCount 1
        (Get-FakeRecord $fake slack messages) | Should -HaveCount 1
    }

    It 'under -Confirm keeps a declined resolve owed, so the channel that was alerted is still told' {
        New-Result Site | Send-HotmessAlert | Out-Null
        $healthy = New-Result Site -Status Healthy

        $declined = Invoke-WithAnswers -Answers 'No', 'Yes' -ScriptBlock { param($Result) $Result | Send-HotmessAlert -Confirm } -Arguments $healthy
        $owed = $healthy | Send-HotmessAlert

        $declined.Output.Status | Should -Be 'Planned', 'Sent'
        $owed.Channel, $owed.Kind, $owed.Status | Should -Be 'Phone', 'Resolved', 'Sent'
        (Get-FakeRecord $fake pagerduty alerts)[0].status | Should -Be 'resolved'
    }

    It 'reports a failing channel as an error, sends on the others, and retries it next run' {
        Invoke-FakeControl $fake slack webhooks @{ path = "/services/T0HOTMESS/B0ALERTS/$SlackToken"; state = 'revoked' } | Out-Null

        $first = New-Result StripePayments -Severity High | Send-HotmessAlert -ErrorVariable failures -ErrorAction SilentlyContinue
        Invoke-FakeControl $fake slack reset | Out-Null
        $second = New-Result StripePayments -Severity High | Send-HotmessAlert

        ($first | Where-Object Channel -EQ Slack).Status | Should -Be 'Failed'
        ($first | Where-Object Channel -EQ Email).Status | Should -Be 'Sent'
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'AlertChannelFailed*'
        $second.Channel | Should -Be 'Slack'
        $second.Status | Should -Be 'Sent'
        (Get-FakeRecord $fake resend emails) | Should -HaveCount 1
    }

    It 'never shows a channel secret in its output, errors or verbose stream' {
        Invoke-FakeControl $fake slack webhooks @{ path = "/services/T0HOTMESS/B0ALERTS/$SlackToken"; state = 'revoked' } | Out-Null

        $all = New-Result Site -Message "failed with $env:RESEND_API_KEY" | Send-HotmessAlert -Verbose -ErrorAction SilentlyContinue -ErrorVariable failures 4>&1
        $text = ($all | Out-String -Width 400) + ($all | Where-Object { $_ -is [Hotmess.Recovery.Alerting.AlertDelivery] } | ConvertTo-Json -Depth 4) + ($failures | Out-String -Width 400)

        foreach ($secret in $SlackToken, $RoutingKey, $env:RESEND_API_KEY) { $text | Should -Not -BeLike "*$secret*" }
    }

    It 'sends nothing for healthy and skipped results it has no problem for' {
        $none = @(New-Result Site -Status Healthy), @(New-Result Backups -Status Skipped) | ForEach-Object { $_ } | Send-HotmessAlert

        $none | Should -BeNullOrEmpty
        (Get-FakeRecord $fake pagerduty events) | Should -HaveCount 0
    }
}

Describe 'Get-HotmessContact' {
    It 'shows the plan''s emergency contacts when the configuration has none' {
        $empty = Join-Path $TestDrive 'empty.json'
        '{}' | Set-Content $empty

        $contacts = Get-HotmessContact -ConfigurationPath $empty

        $contacts.Role | Should -Be 'Technical Lead', 'Database Admin', 'Hosting Support', 'Security Lead'
        ($contacts | Where-Object Role -EQ 'Database Admin').Contact | Should -Be 'Supabase Support'
    }

    It 'shows the configured table, filtered by role' {
        $config = Join-Path $TestDrive 'contacts.json'
        @{ alerting = @{ contacts = @(
                    @{ role = 'Technical Lead'; contact = 'Sam Ops'; availability = '24/7' }
                    @{ role = 'Database Admin'; contact = 'Supabase Support'; availability = 'Business hours' }
                )
            }
        } | ConvertTo-Json -Depth 5 | Set-Content $config

        $lead = Get-HotmessContact -Role 'tech*' -ConfigurationPath $config

        $lead.Contact | Should -Be 'Sam Ops'
    }
}
