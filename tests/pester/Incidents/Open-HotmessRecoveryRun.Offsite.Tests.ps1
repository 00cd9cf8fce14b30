#Requires -Version 7.4
# Open-HotmessRecoveryRun with an offsite repository (an encrypted folder here; the runbook's test uses Azurite): every
# save copied there, a missing local record continued from the copy, an unreachable copy a warning and never a stop.

BeforeAll {
    Import-Module HotmessRecovery -Force

    function New-KeyFile([string] $Passphrase) {
        $path = Join-Path $TestDrive "key-$([guid]::NewGuid().ToString('N'))"
        Set-Content -LiteralPath $path -Value $Passphrase
        if (-not $IsWindows) { chmod 600 $path }
        $path
    }
}

Describe 'Open-HotmessRecoveryRun -OffsiteRepository' {
    BeforeEach {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $offsite = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $keyFile = New-KeyFile 'the offsite passphrase, long enough'
        $configuration = Join-Path $TestDrive 'empty.json'
        Set-Content -LiteralPath $configuration -Value '{}'
        if (-not $IsWindows) { chmod 600 $configuration }
        $env:HOTMESS_REPOSITORY_KEY = $null
        Initialize-HotmessRepository -Repository $offsite -Encrypted -KeyFile $keyFile -ConfigurationPath $configuration | Out-Null
        $incident = New-HotmessIncident 'Everything is gone' -Name platform-recovery -Procedure 'Procedure 4: Complete Platform Recovery' -Repository $repository -Confirm:$false
        $offsiteArguments = @{ OffsiteRepository = $offsite; RepositoryKeyFile = $keyFile; Repository = $repository; ConfigurationPath = $configuration; Confirm = $false }
    }

    It 'copies every save offsite, and continues from the offsite copy when the local record is gone, saying so' {
        $run = Open-HotmessRecoveryRun -Id $incident.Id @offsiteArguments
        $run.Begin('Infrastructure', 'Restore the database', $true, $false) | Out-Null
        $run.Succeed('Infrastructure', 'Restore the database', 'restored')
        $run.Dispose()
        Remove-Item -Recurse -Force (Join-Path $repository 'incidents')

        $verbose = $($resumed = Open-HotmessRecoveryRun -Id $incident.Id @offsiteArguments -Verbose) 4>&1

        $resumed.ResumedFromOffsite | Should -BeTrue
        $resumed.OffsiteRepository | Should -Be $offsite
        $resumed.IsCompleted('Infrastructure', 'Restore the database') | Should -BeTrue
        $resumed.Begin('Infrastructure', 'Restore the database', $true, $false) | Should -BeFalse
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join ' ' | Should -BeLike '*local record was missing*continuing from its offsite copy*'
        (Get-Content -Raw (Join-Path $repository "incidents/$($incident.Id).json") | ConvertFrom-Json).notes.text -join ' ' |
            Should -BeLike '*continued from its offsite copy*'
        $resumed.Dispose()
    }

    It 'warns and notes an offsite copy that fails, and the run goes on with its local record' {
        $wrongKey = New-KeyFile 'not the offsite passphrase at all'

        $run = Open-HotmessRecoveryRun -Id $incident.Id @offsiteArguments -RepositoryKeyFile $wrongKey -WarningVariable warned -WarningAction SilentlyContinue
        $run.Begin('Assess', 'Check the providers', $false, $false) | Should -BeTrue
        $run.Succeed('Assess', 'Check the providers', 'all operational')

        $warned | Should -HaveCount 1
        "$warned" | Should -BeLike "*could not be copied to the offsite repository '$offsite'*"
        $kept = Get-Content -Raw (Join-Path $repository "incidents/$($incident.Id).json") | ConvertFrom-Json
        $kept.steps.status | Should -Be 'Succeeded'
        @($kept.notes | Where-Object text -Like '*could not be copied offsite*') | Should -HaveCount 1
        $run.TakeWarnings() | Should -BeNullOrEmpty
        $run.Dispose()
    }

    It 'plans a resume from the offsite copy under -WhatIf without writing the local record' {
        (Open-HotmessRecoveryRun -Id $incident.Id @offsiteArguments).Dispose()
        Remove-Item -Recurse -Force (Join-Path $repository 'incidents')

        $plan = Open-HotmessRecoveryRun -Id $incident.Id @offsiteArguments -WhatIf

        $plan.IsSaved | Should -BeFalse
        $plan.ResumedFromOffsite | Should -BeTrue
        Join-Path $repository 'incidents' | Should -Not -Exist
    }
}
