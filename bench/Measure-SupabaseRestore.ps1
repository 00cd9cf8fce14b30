<#
.SYNOPSIS
    Times Restore-HotmessDatabase into a Supabase-shaped project (postgres no superuser, managed schemas, default
    privileges: the user schemas, every row in replica mode, the grants put back exactly, the objects inside managed
    schemas one by one) against a plain pg_restore -j 2 of the same dump into an empty database on a server where it
    is superuser.

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-SupabaseRestore.ps1 -Out out -Megabytes 20
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,
    [int[]] $Megabytes = @(20),
    [int] $Jobs = 2,
    # Each figure is the best of this many runs: the machine's other work only ever adds time.
    [ValidateRange(1, 10)] [int] $Repeat = 1
)

$ErrorActionPreference = 'Stop'
$Out = (Resolve-Path $Out).Path
$env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HotmessRecovery -Force
Add-Type -Path (Join-Path $Out 'sandbox/Hotmess.Recovery.Sandbox.dll')
$ProgressPreference = 'SilentlyContinue'
$none = [Threading.CancellationToken]::None
$work = Join-Path ([IO.Path]::GetTempPath()) "hotmess-bench-supabase-$PID"
New-Item -ItemType Directory -Force $work | Out-Null

$stepRows = @()
$rows = foreach ($mb in $Megabytes) {
    Write-Host "Generating a sample HOTMESS project of about $mb MB, and a Supabase-shaped target..."
    $source = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
    $target = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
    try {
        [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($source, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::FromMegabytes($mb))
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::AddProjectObjectsAsync($source, 'hotmess', $none).GetAwaiter().GetResult() | Out-Null
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::PrepareClusterAsync($target, $none).GetAwaiter().GetResult() | Out-Null
        $actualMb = [long]$source.ExecuteSql('hotmess', "SELECT pg_database_size('hotmess')").Trim() / 1MB
        $set = Backup-HotmessDatabase -ConnectionString $source.ConnectionString('hotmess') -Repository "$work/repo-$mb" -Jobs $Jobs
        $dump = Join-Path $set.Path $set.Manifest.Database.DumpPath

        $plain = $supabase = [double]::MaxValue
        $steps = @()
        foreach ($run in 1..$Repeat) {
            Write-Host "  run $run of $Repeat`: pg_restore -j $Jobs into an empty database, then Restore-HotmessDatabase into a Supabase project..."
            $source.CreateDatabase("bare_$run")
            $env:PGPASSWORD = $source.Password
            $watch = [Diagnostics.Stopwatch]::StartNew()
            & "$($source.BinDirectory)/pg_restore" "-j$Jobs" -h $source.Host -p $source.Port -U postgres -d "bare_$run" $dump 2>&1 | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "pg_restore failed with exit code $LASTEXITCODE" }
            $plain = [math]::Min($plain, $watch.Elapsed.TotalSeconds)
            $env:PGPASSWORD = $null
            $source.DropDatabase("bare_$run")

            [Hotmess.Recovery.Sandbox.SupabaseTarget]::CreateProjectDatabaseAsync($target, "project_$run", $none).GetAwaiter().GetResult() | Out-Null
            $elapsed = Measure-Command {
                $script:output = $set | Restore-HotmessDatabase -TargetConnectionString $target.ConnectionString("project_$run") -Jobs $Jobs -Confirm:$false -WarningAction SilentlyContinue -Verbose 4>&1
            }
            $result = $output | Where-Object { $_ -is [Hotmess.Recovery.Database.DatabaseRestoreResult] }
            if ($result.TargetKind -ne 'Supabase' -or -not $result.RowCountsMatch) { throw 'The restore into Supabase did not match its manifest.' }
            if ($elapsed.TotalSeconds -lt $supabase) {
                # The steps of the best run: where a restore into a project spends its time.
                $steps = $output | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match "^Supabase restore step '(.+)' took ([\d.]+) s" } |
                    ForEach-Object { [pscustomobject]@{ 'DB MB' = $mb; Step = $Matches[1]; Seconds = [double] $Matches[2] } }
            }
            $supabase = [math]::Min($supabase, $elapsed.TotalSeconds)
        }
        $script:stepRows += @($steps)
        [pscustomobject]@{
            'DB MB' = [math]::Round($actualMb); 'pg_restore -j2 (empty db) s' = [math]::Round($plain, 2)
            'Restore- into Supabase s' = [math]::Round($supabase, 2); 'Supabase/pg_restore' = [math]::Round($supabase / $plain, 2)
            'Rows' = $result.RowCount; 'Skipped' = $result.Skipped.Count
        }
    }
    finally {
        $source.Dispose()
        $target.Dispose()
        Remove-Item -Recurse -Force "$work/*" -ErrorAction Ignore
    }
}

Remove-Item -Recurse -Force $work -ErrorAction Ignore
Write-Host "`nRestore into a Supabase-shaped project against a plain pg_restore into an empty database ($Jobs jobs), best of $Repeat run(s):"
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
if ($stepRows) {
    Write-Host "Where the best restore into Supabase spent its time (-Verbose step timings):"
    $stepRows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
}
