#Requires -Version 7.4
# The storage drill end to end against the Storage fake: a verified storage set restored into scratch buckets beside
# the originals, confirmed, then the scratch buckets deleted.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Storage/StorageFake.ps1')
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRecoveryDrillCommand'
    $fake = Start-HotmessFake
    $saved = Set-StorageTestEnvironment $fake

    Add-StorageTestBucket $fake avatars -Public
    Add-StorageTestBucket $fake uploads
    Add-StorageTestObject $fake avatars 'u/1.png' (New-TestBytes 3000 1) -ContentType image/png
    Add-StorageTestObject $fake uploads 'docs/a.pdf' (New-TestBytes 50000 2) -ContentType application/pdf
    Add-StorageTestObject $fake uploads 'docs/b.txt' (New-TestBytes 700 3) -ContentType text/plain

    $repository = Join-Path $TestDrive 'repository'
    $set = Backup-HotmessStorage -Repository $repository
    $null = $set | Test-HotmessBackup

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    Restore-StorageTestEnvironment $saved
    Stop-HotmessFake $fake
}

Describe 'Invoke-HotmessRecoveryDrill StorageRestore' {
    It 'restores the newest verified set into scratch buckets, confirms every object, deletes them, and measures RPO from the newest object' {
        $drill = Invoke-HotmessRecoveryDrill StorageRestore -Repository $repository -ScratchBucketPrefix drill-

        $drill.Passed | Should -BeTrue
        $drill.SurvivingSetId | Should -Be $set.Id
        $drill.Steps.Name | Should -Be @(
            'Simulate the failure: the newest verified storage set survived'
            'Restore the set into the scratch buckets'
            'Verify every object is back'
            'Delete the scratch buckets')
        $drill.Steps[1].Detail | Should -Match '^3 objects, 53,700 bytes into drill-avatars, drill-uploads$'
        $drill.Steps[3].Detail | Should -Be 'Deleted drill-avatars, drill-uploads (3 objects).'
        $newest = ($set.Manifest.Storage.Objects | Measure-Object -Property LastModified -Maximum).Maximum
        $drill.NewestDataRecoveredUtc | Should -Be $newest
        $drill.Rpo | Should -Be ($drill.SimulatedIncidentUtc - $newest)
        (Get-StorageTestBucket $fake).id | Sort-Object | Should -Be @('avatars', 'uploads')
    }

    It 'refuses to run without a scratch bucket prefix, which would restore into the production buckets' {
        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill StorageRestore -Repository $repository }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillTargetIsProduction,$command"
    }

    It 'fails without touching a scratch bucket that already exists, and keeps the drill' {
        Add-StorageTestBucket $fake taken-avatars
        Add-StorageTestObject $fake taken-avatars 'keep.txt' (New-TestBytes 10 9)
        try {
            $drill = Invoke-HotmessRecoveryDrill StorageRestore -Repository $repository -ScratchBucketPrefix taken- -WarningAction SilentlyContinue

            $drill.Passed | Should -BeFalse
            $drill.Steps.Count | Should -Be 1
            $drill.Steps[0].ErrorId | Should -Be 'DrillScratchBucketExists'
            (Get-StorageTestObject $fake taken-avatars 'keep.txt').Content.Length | Should -Be 10
            (Get-StorageTestBucket $fake).id | Should -Not -Contain 'taken-uploads'
            (Get-HotmessDrill -Repository $repository -Id $drill.Id).Passed | Should -BeFalse
        }
        finally {
            Invoke-RestMethod -Method Delete -Uri "$($fake.Url)/storage/v1/object/taken-avatars" -Headers (Get-StorageHeaders $fake) -ContentType 'application/json' -Body '{"prefixes":["keep.txt"]}' | Out-Null
            Invoke-RestMethod -Method Delete -Uri "$($fake.Url)/storage/v1/bucket/taken-avatars" -Headers (Get-StorageHeaders $fake) | Out-Null
        }
    }
}
