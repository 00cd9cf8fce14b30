BeforeAll {
    Import-Module HotmessRecovery -Force
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    $fake = Start-PlatformTestFake

    function Add-FakeLog([string] $Source, [datetime] $From, [datetime] $To, [double] $EverySeconds) {
        Invoke-FakeControl $fake supabase-logs generate @{ source = $Source; from = $From.ToString('o'); to = $To.ToString('o'); everySeconds = $EverySeconds } | Out-Null
    }
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Backup-HotmessLog' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Invoke-FakeControl $fake supabase-logs reset | Out-Null
        Set-PlatformTestEnvironment $fake
        $repository = Join-Path $TestDrive ([guid]::NewGuid())
        $now = [datetime]::UtcNow
    }

    It 'stores the auth and API gateway logs as a Log set, and the next run continues exactly where it ended' {
        Add-FakeLog auth_logs $now.AddHours(-3) $now 60
        Add-FakeLog edge_logs $now.AddHours(-3) $now 120

        $first = Backup-HotmessLog -Repository $repository -From $now.AddHours(-3) -Until $now.AddHours(-1)
        $second = Backup-HotmessLog -Repository $repository -Until $now

        $first.Kind | Should -Be 'Log'
        $first.Id | Should -Match '-log-'
        $second.Manifest.Contents.RangeStartUtc | Should -Be $first.Manifest.Contents.RangeEndUtc
        $auth = @($first, $second | ForEach-Object { Get-Content (Join-Path $_.Path 'auth_logs.ndjson') } | ForEach-Object { ($_ | ConvertFrom-Json).id })
        $auth.Count | Should -Be 180
        @($auth | Sort-Object -Unique).Count | Should -Be 180
        ($first.Manifest.Contents.Sources | Where-Object Name -EQ 'edge_logs').Rows | Should -Be 60
        @(Get-HotmessBackup -Repository $repository -Kind Log).Count | Should -Be 2
    }

    It 'writes nothing when there is nothing new since the last set' {
        Add-FakeLog auth_logs $now.AddHours(-1) $now 300
        $null = Backup-HotmessLog -Repository $repository -From $now.AddHours(-1) -Until $now

        $again = Backup-HotmessLog -Repository $repository -Until $now

        $again | Should -BeNullOrEmpty
        @(Get-HotmessBackup -Repository $repository -Kind Log).Count | Should -Be 1
    }

    It 'fails naming a missing token without writing a set' {
        Remove-Item Env:SUPABASE_ACCESS_TOKEN

        { Backup-HotmessLog -Repository $repository } |
            Should -Throw -ErrorId 'SupabaseAccessTokenMissing,Hotmess.Recovery.Cmdlets.Commands.BackupHotmessLogCommand'
        Join-Path $repository 'sets' | Should -Not -Exist
    }

    It 'keeps log sets a year when Remove-HotmessBackup applies the weekly policy' {
        Add-FakeLog auth_logs $now.AddDays(-6) $now 3600
        foreach ($day in 6..1) { $null = Backup-HotmessLog -Repository $repository -From $now.AddDays(-6) -Until $now.AddDays(-$day + 1) }

        $decisions = @(Remove-HotmessBackup -Repository $repository -KeepLast 1 -Force)

        @($decisions | Where-Object Kind -EQ 'Log').Count | Should -Be 6
        @($decisions | Where-Object { $_.Kind -eq 'Log' -and $_.Removed }).Count | Should -Be 0
    }
}
