<#
.SYNOPSIS
    Times Backup-HotmessDatabase, Restore-HotmessDatabase and Test-HotmessBackup -RestoreTo against what a
    sysadmin types by hand (pg_dump -Fd -j 2, pg_dump -Fc, pg_restore -j 2), on generated databases of two
    sizes, and reports the peak memory of the PowerShell process that ran the cmdlets. The forced restore
    (Restore-HotmessDatabase -Force over a populated target: a new database, its row counts, the name swap) is
    set beside pg_restore -j 2 into an empty database; the goal is at most 1.2 times that at 500 MB.

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-DatabaseBackup.ps1 -Out out -Megabytes 100, 500
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,
    # Database sizes to measure; memory must stay flat from the first to the last.
    [int[]] $Megabytes = @(100, 500),
    [int] $Jobs = 2,
    # Each figure is the best of this many runs: the machine's other work only ever adds time.
    [ValidateRange(1, 10)] [int] $Repeat = 2
)

$ErrorActionPreference = 'Stop'
$Out = (Resolve-Path $Out).Path
Add-Type -Path (Join-Path $Out 'sandbox/Hotmess.Recovery.Sandbox.dll')
$work = Join-Path ([IO.Path]::GetTempPath()) "hotmess-bench-db-$PID"
New-Item -ItemType Directory -Force $work | Out-Null

function Measure-Native([string] $Program, [string[]] $Arguments, [hashtable] $Environment) {
    foreach ($k in $Environment.Keys) { [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    & $Program @Arguments 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "$Program failed with exit code $LASTEXITCODE" }
    $watch.Elapsed.TotalSeconds
}

function Invoke-Cmdlets([string] $Source, [string] $Repository, [string] $RestoreTarget, [string] $Scratch) {
    # The cmdlets run in their own pwsh, so its peak working set is theirs alone.
    $script = {
        param($Out, $Source, $Repository, $RestoreTarget, $Scratch, $Jobs)
        $env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
        Import-Module HotmessRecovery
        $ProgressPreference = 'SilentlyContinue'
        $backup = Measure-Command { $script:set = Backup-HotmessDatabase -ConnectionString $Source -Repository $Repository -Jobs $Jobs }
        $restore = Measure-Command { $null = $set | Restore-HotmessDatabase -TargetConnectionString $RestoreTarget -Jobs $Jobs -Force }
        # The target now holds the set: -Force restores beside it and swaps the names, keeping the old one.
        $forced = Measure-Command { $script:replaced = $set | Restore-HotmessDatabase -TargetConnectionString $RestoreTarget -Jobs $Jobs -Force -WarningAction SilentlyContinue }
        if (-not $replaced.KeptDatabase) { throw 'The forced restore did not replace the target.' }
        $verify = Measure-Command { $script:v = $set | Test-HotmessBackup -RestoreTo $Scratch -Jobs $Jobs }
        if (-not $v.Passed) { throw 'The verification failed.' }
        [pscustomobject]@{
            Backup = $backup.TotalSeconds; Restore = $restore.TotalSeconds; Forced = $forced.TotalSeconds; Kept = $replaced.KeptDatabase; Verify = $verify.TotalSeconds
            PeakMB = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB; SetBytes = $set.SizeBytes
        } | ConvertTo-Json -Compress
    }
    $hostPath = (Get-Process -Id $PID).Path
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $json = & $hostPath @prefix -NoProfile -NonInteractive -Command $script -args $Out, $Source, $Repository, $RestoreTarget, $Scratch, $Jobs
    if ($LASTEXITCODE -ne 0) { throw "The cmdlet run failed: $json" }
    $json | Select-Object -Last 1 | ConvertFrom-Json
}

$rows = foreach ($mb in $Megabytes) {
    Write-Host "Generating a sample HOTMESS database of about $mb MB..."
    $server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
    try {
        [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::FromMegabytes($mb))
        $actualMb = [long]$server.ExecuteSql('hotmess', "SELECT pg_database_size('hotmess')").Trim() / 1MB
        $server.ExecuteSql('hotmess', 'VACUUM ANALYZE') | Out-Null
        $bin = $server.BinDirectory
        $libpq = @{ PGHOST = $server.Host; PGPORT = "$($server.Port)"; PGUSER = 'postgres'; PGPASSWORD = $server.Password; PGDATABASE = 'hotmess' }

        $fd = $fc = $pr = [double]::MaxValue
        $c = [pscustomobject]@{ Backup = [double]::MaxValue; Restore = [double]::MaxValue; Forced = [double]::MaxValue; Verify = [double]::MaxValue; PeakMB = 0 }
        foreach ($run in 1..$Repeat) {
            Write-Host "  run $run of $Repeat`: pg_dump and pg_restore baselines, then the cmdlets..."
            Remove-Item -Recurse -Force "$work/*" -ErrorAction Ignore
            $fd = [math]::Min($fd, (Measure-Native "$bin/pg_dump" @('-Fd', "-j$Jobs", '-f', "$work/fd-$mb") $libpq))
            $fc = [math]::Min($fc, (Measure-Native "$bin/pg_dump" @('-Fc', '-f', "$work/fc-$mb.dump") $libpq))
            $server.CreateDatabase("bare_$mb")
            $pr = [math]::Min($pr, (Measure-Native "$bin/pg_restore" @("-j$Jobs", '-d', "bare_$mb", "$work/fd-$mb") $libpq))
            $server.DropDatabase("bare_$mb")
            $one = Invoke-Cmdlets $server.ConnectionString('hotmess') "$work/repo-$mb" $server.ConnectionString("restored_$mb") $server.ConnectionString("scratch_$mb")
            $server.DropDatabase("restored_$mb")
            $server.DropDatabase($one.Kept)
            $c.Backup = [math]::Min($c.Backup, $one.Backup); $c.Restore = [math]::Min($c.Restore, $one.Restore); $c.Forced = [math]::Min($c.Forced, $one.Forced)
            $c.Verify = [math]::Min($c.Verify, $one.Verify); $c.PeakMB = [math]::Max($c.PeakMB, $one.PeakMB)
        }
        [pscustomobject]@{
            'DB MB' = [math]::Round($actualMb); 'pg_dump -Fd -j2 s' = [math]::Round($fd, 1); 'pg_dump -Fc s' = [math]::Round($fc, 1)
            'Backup- s' = [math]::Round($c.Backup, 1); 'Backup/-Fd' = [math]::Round($c.Backup / $fd, 2)
            'pg_restore -j2 s' = [math]::Round($pr, 1); 'Restore- s' = [math]::Round($c.Restore, 1); 'Restore/pg_restore' = [math]::Round($c.Restore / $pr, 2)
            'Restore -Force s' = [math]::Round($c.Forced, 1); 'Forced/pg_restore' = [math]::Round($c.Forced / $pr, 2)
            'Test -RestoreTo s' = [math]::Round($c.Verify, 1); 'Test/bare restore' = [math]::Round($c.Verify / $pr, 2)
            'pwsh peak MB' = [math]::Round($c.PeakMB)
        }
    }
    finally {
        $server.Dispose()
        Remove-Item -Recurse -Force "$work/*" -ErrorAction Ignore
    }
}

Remove-Item -Recurse -Force $work -ErrorAction Ignore
Write-Host "`nDatabase backup, restore and verification against the hand-typed baselines ($Jobs jobs), best of $Repeat runs, seconds:"
$rows | Select-Object 'DB MB', 'pg_dump -Fd -j2 s', 'pg_dump -Fc s', 'Backup- s', 'pg_restore -j2 s', 'Restore- s', 'Restore -Force s', 'Test -RestoreTo s' |
    Format-Table -AutoSize | Out-String -Width 250 | Write-Host
Write-Host 'Ratios (cmdlet / baseline; Forced/pg_restore is a forced restore over a populated target, goal <= 1.2 at 500 MB) and the peak working set of the pwsh that ran the cmdlets:'
$rows | Select-Object 'DB MB', 'Backup/-Fd', 'Restore/pg_restore', 'Forced/pg_restore', 'Test/bare restore', 'pwsh peak MB' |
    Format-Table -AutoSize | Out-String -Width 250 | Write-Host
