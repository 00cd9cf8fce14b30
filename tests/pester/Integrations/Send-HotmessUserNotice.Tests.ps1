#Requires -Version 7.4
# Send-HotmessUserNotice end to end: the users of a real sample database, emailed through the Resend fake.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $database = $server.ConnectionString('hotmess')
    $command = 'Hotmess.Recovery.Cmdlets.Commands.SendHotmessUserNoticeCommand'
    # The sample's users are user<i>@hotmess.example; every seventh never confirmed the address.
    $confirmed = @(1..50 | Where-Object { $_ % 7 -ne 0 } | ForEach-Object { "user$_@hotmess.example" })

    function Get-SentEmails { @(Invoke-FakeControl $fake resend emails -Method Get | ForEach-Object { $_ }) }
}

AfterAll {
    Stop-HotmessTestPostgres $server
    Stop-PlatformTestFake $fake
}

Describe 'Send-HotmessUserNotice' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $configuration = Join-Path $TestDrive 'hotmess.json'
        @{ userNotice = @{ from = 'HOTMESS <hello@hotmess.london>'; replyTo = 'support@hotmess.london'; batchSize = 20 } } |
            ConvertTo-Json -Depth 5 | Set-Content $configuration
        $notice = Join-Path $TestDrive 'incident-user-notice.md'
        "# HOTMESS service restored`n`nHOTMESS was unavailable for about 30 hours. The service is restored." | Set-Content $notice
        $incident = "20261201T030000Z-notice-$(Get-Random)"
    }

    It 'sends the notice to every user with a confirmed address, one email each, and writes counts only' {
        $said = Send-HotmessUserNotice $notice -IncidentId $incident -ConnectionString $database -ConfigurationPath $configuration -Confirm:$false -Verbose 4>&1

        $result = $said | Where-Object { $_ -is [Hotmess.Recovery.Integrations.UserNoticeResult] }
        $result.IncidentId | Should -Be $incident
        $result.Recipients | Should -Be 43
        $result.Sent | Should -Be 43
        $result.Batches | Should -Be 3
        $sent = Get-SentEmails
        @($sent | ForEach-Object { $_.to }) | Sort-Object | Should -Be ($confirmed | Sort-Object)
        $sent | ForEach-Object { @($_.to).Count } | Sort-Object -Unique | Should -Be 1
        $sent.subject | Sort-Object -Unique | Should -Be 'HOTMESS service restored'
        $sent.from | Sort-Object -Unique | Should -Be 'HOTMESS <hello@hotmess.london>'
        $sent[0].text | Should -BeLike '*The service is restored.*'
        ($said | Out-String) + ($result | Format-List * | Out-String) | Should -Not -Match '@hotmess\.example'
    }

    It 'sends nobody a second email when run again for the same incident' {
        Send-HotmessUserNotice $notice -IncidentId $incident -ConnectionString $database -ConfigurationPath $configuration -Confirm:$false | Out-Null

        $again = Send-HotmessUserNotice $notice -IncidentId $incident -ConnectionString $database -ConfigurationPath $configuration -Confirm:$false

        $again.Sent | Should -Be 43
        (Get-SentEmails).Count | Should -Be 43
    }

    It 'stops naming the failed batch when Resend keeps failing, and a rerun sends the rest' {
        Invoke-FakeControl $fake resend batch-faults @{ after = 1; count = 100; fault = '500' } | Out-Null

        $failure = Get-ThrownError { Send-HotmessUserNotice $notice -IncidentId $incident -ConnectionString $database -ConfigurationPath $configuration -Confirm:$false }

        $failure.FullyQualifiedErrorId | Should -Be "UserNoticeBatchFailed,$command"
        $failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $failure.Exception.Message | Should -BeLike '*Batch 2 of 3*20 recipients*'
        $failure.Exception.Message | Should -Not -Match '@hotmess\.example'
        (Get-SentEmails).Count | Should -Be 20

        Invoke-FakeControl $fake resend batch-faults @{ count = 0 } | Out-Null
        $rerun = Send-HotmessUserNotice $notice -IncidentId $incident -ConnectionString $database -ConfigurationPath $configuration -Confirm:$false

        $rerun.Sent | Should -Be 43
        $sent = @(Get-SentEmails | ForEach-Object { $_.to })
        $sent.Count | Should -Be 43
        @($sent | Sort-Object -Unique).Count | Should -Be 43
    }

    It 'says under -WhatIf how many users would get it, and sends nothing' {
        $transcript = Join-Path $TestDrive "whatif-$(Get-Random).txt"
        Start-Transcript -Path $transcript | Out-Null
        try { Send-HotmessUserNotice $notice -IncidentId $incident -ConnectionString $database -ConfigurationPath $configuration -WhatIf | Out-Null }
        finally { Stop-Transcript | Out-Null }

        Get-Content -Raw $transcript | Should -BeLike '*What if:*Send the user notice*43 recipient(s) (users of the database) in 3 batch(es)*'
        Get-SentEmails | Should -BeNullOrEmpty
    }

    It 'sends to the -To addresses instead, each once, with the incident id piped by property name' {
        $result = [pscustomobject]@{ Id = $incident; Path = $notice } |
            Send-HotmessUserNotice -To 'ops@hotmess.london', 'OPS@hotmess.london', 'cto@hotmess.london' -Subject 'Restored' -ConfigurationPath $configuration -Confirm:$false

        $result.Recipients | Should -Be 2
        $result.Batches | Should -Be 1
        $sent = Get-SentEmails
        @($sent | ForEach-Object { $_.to }) | Sort-Object | Should -Be 'cto@hotmess.london', 'ops@hotmess.london'
        $sent.subject | Sort-Object -Unique | Should -Be 'Restored'
        @(Invoke-FakeControl $fake resend requests -Method Get | ForEach-Object { $_ } | Where-Object path -EQ '/resend/emails/batch').idempotencyKey | Should -Be "hotmess-user-notice/$incident/1"
    }

    It 'refuses a -To value that is not an address, naming its position and not its value' {
        $failure = Get-ThrownError { Send-HotmessUserNotice $notice -IncidentId $incident -To 'ops@hotmess.london', 'jane.doe.hotmess' -ConfigurationPath $configuration -Confirm:$false }

        $failure.FullyQualifiedErrorId | Should -Be "UserNoticeRecipientInvalid,$command"
        $failure.Exception.Message | Should -BeLike '*-To value 2*'
        $failure.Exception.Message | Should -Not -BeLike '*jane.doe*'
        Get-SentEmails | Should -BeNullOrEmpty
    }

    It 'asks for a sender when neither -From nor the configuration names one' {
        '{}' | Set-Content $configuration

        { Send-HotmessUserNotice $notice -IncidentId $incident -To ops@hotmess.london -ConfigurationPath $configuration -Confirm:$false } |
            Should -Throw -ErrorId "UserNoticeSenderMissing,$command"
    }

    It 'refuses a configured batch size above Resend''s 100' {
        @{ userNotice = @{ from = 'hello@hotmess.london'; batchSize = 101 } } | ConvertTo-Json -Depth 5 | Set-Content $configuration

        { Send-HotmessUserNotice $notice -IncidentId $incident -To ops@hotmess.london -ConfigurationPath $configuration -Confirm:$false } |
            Should -Throw -ErrorId "ConfigurationInvalid,$command"
    }
}
