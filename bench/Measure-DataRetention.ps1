<#
.SYNOPSIS
    Times Invoke-HotmessDataRetention (the default policy, in batches by primary key) against what a DBA types by
    hand: one DELETE ... WHERE (or UPDATE, or INSERT ... SELECT then DELETE) per rule, each in one transaction, on
    two copies of the same generated HOTMESS database. Reports rows per second for both, and the longest lock each
    held: the cmdlet's longest batch transaction against the baseline's longest statement (its whole transaction
    locks every row it touches until it commits).

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-DataRetention.ps1 -Out out -Megabytes 50
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,
    # Size of the generated database (pg_database_size, roughly); the plan's measurement is at 1 GB.
    [ValidateRange(12, 100000)] [int] $Megabytes = 1024,
    [ValidateRange(1, 1000000)] [int] $BatchSize = 1000
)

$ErrorActionPreference = 'Stop'
$Out = (Resolve-Path $Out).Path
$env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HotmessRecovery -Force
Add-Type -Path (Join-Path $Out 'sandbox/Hotmess.Recovery.Sandbox.dll')

# Makes a good share of the generated rows due: a tenth of the accounts deleted 60 days ago (with their consents
# four years old), a quarter of analytics over two years old, a tenth of orders over seven, a fifth of tickets over three.
$makeDue = @'
INSERT INTO auth.users (id, aud, role, email, created_at, updated_at)
VALUES (md5('deleted_user')::uuid, 'authenticated', 'authenticated', 'deleted_user@hotmess.invalid', now(), now());
INSERT INTO public."User" (id, username, display_name) VALUES (md5('deleted_user')::uuid, 'deleted_user', 'Deleted user');
UPDATE public."User" SET deleted_at = now() - interval '60 days' WHERE username ~ '^user_[0-9]*1$';
UPDATE public.gdpr_consents SET created_at = created_at - interval '4 years'
    WHERE user_id IN (SELECT id FROM public."User" WHERE deleted_at < now() - interval '30 days');
UPDATE public.analytics_event SET occurred_at = occurred_at - interval '3 years' WHERE id % 4 = 0;
UPDATE public.marketplace_order SET created_at = created_at - interval '8 years' WHERE get_byte(decode(md5(id::text), 'hex'), 0) < 26;
UPDATE public.support_tickets SET created_at = created_at - interval '4 years' WHERE ticket_number % 5 = 0;
INSERT INTO public.legal_hold (user_id, reason) SELECT id, 'bench' FROM public."User" WHERE username = 'user_11';
'@

function Get-BaselineStatement($Rule) {
    # What one would type by hand for the rule: the same condition, one statement, one transaction.
    $where = "($($Rule.due))" + $(if ($Rule.hold) { " AND NOT coalesce(($($Rule.hold)), false)" })
    switch ($Rule.action) {
        'delete' { "DELETE FROM $($Rule.table) WHERE $where" }
        'anonymize' {
            $set = ($Rule.set.PSObject.Properties | ForEach-Object { "`"$($_.Name)`" = ($($_.Value))" }) -join ', '
            "UPDATE $($Rule.table) SET $set WHERE $where"
        }
        'aggregate' {
            $columns = @($Rule.groupBy.PSObject.Properties) + @($Rule.set.PSObject.Properties)
            $names = ($columns | ForEach-Object { '"' + $_.Name + '"' }) -join ', '
            $values = ($columns | ForEach-Object { '(' + $_.Value + ')' }) -join ', '
            $groups = (1..@($Rule.groupBy.PSObject.Properties).Count) -join ', '
            "WITH moved AS (INSERT INTO $($Rule.into) ($names) SELECT $values FROM $($Rule.table) WHERE $where GROUP BY $groups) " +
            "DELETE FROM $($Rule.table) WHERE $where"
        }
    }
}

Write-Host "Generating a sample HOTMESS database of about $Megabytes MB and making rows due..."
$server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
try {
    [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::FromMegabytes($Megabytes))
    $server.ExecuteSql('hotmess', $makeDue) | Out-Null
    $server.ExecuteSql('hotmess', 'VACUUM ANALYZE') | Out-Null
    $server.ExecuteSql('postgres', 'CREATE DATABASE baseline TEMPLATE hotmess') | Out-Null
    $actualMb = [math]::Round([long]$server.ExecuteSql('hotmess', "SELECT pg_database_size('hotmess')").Trim() / 1MB)

    Write-Host "  Invoke-HotmessDataRetention, batches of $BatchSize..."
    $repository = Join-Path ([IO.Path]::GetTempPath()) "hotmess-bench-retention-$PID"
    $ProgressPreference = 'SilentlyContinue'
    $results = @(Invoke-HotmessDataRetention -ConnectionString $server.ConnectionString('hotmess') -Repository $repository -BatchSize $BatchSize -Force -WarningAction SilentlyContinue)
    Remove-Item -Recurse -Force $repository -ErrorAction Ignore

    Write-Host '  one hand-written statement per rule...'
    $rules = (Get-HotmessRetentionPolicy -AsJson | ConvertFrom-Json).rules
    $connection = [Npgsql.NpgsqlConnection]::new($server.ConnectionString('baseline'))
    $connection.Open()
    $baseline = @{}
    try {
        foreach ($name in $results.Rule) {
            $command = $connection.CreateCommand()
            $command.CommandText = Get-BaselineStatement ($rules | Where-Object name -EQ $name)
            $command.CommandTimeout = 0
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $rows = $command.ExecuteNonQuery()
            $baseline[$name] = [pscustomobject]@{ Rows = $rows; Seconds = $watch.Elapsed.TotalSeconds }
            $command.Dispose()
        }
    }
    finally { $connection.Dispose() }

    $table = foreach ($result in $results) {
        $hand = $baseline[$result.Rule]
        [pscustomobject]@{
            Rule = $result.Rule; Rows = $result.Rows
            'cmdlet s' = [math]::Round($result.Duration.TotalSeconds, 2)
            'cmdlet rows/s' = if ($result.Duration.TotalSeconds -gt 0) { [math]::Round($result.Rows / $result.Duration.TotalSeconds) } else { 0 }
            'longest batch ms' = [math]::Round($result.LongestBatch.TotalMilliseconds)
            'DELETE rows' = $hand.Rows
            'DELETE s (lock held)' = [math]::Round($hand.Seconds, 2)
            'DELETE rows/s' = if ($hand.Seconds -gt 0) { [math]::Round($hand.Rows / $hand.Seconds) } else { 0 }
        }
    }
}
finally {
    $server.Dispose()
}

$cmdletSeconds = ($results | Measure-Object { $_.Duration.TotalSeconds } -Sum).Sum
$handSeconds = ($baseline.Values | Measure-Object Seconds -Sum).Sum
$rowsTotal = ($results | Measure-Object Rows -Sum).Sum
Write-Host "`nData retention on a $actualMb MB database: the default policy in batches of $BatchSize against one statement per rule (aggregate: one INSERT ... SELECT and DELETE):"
$table | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
Write-Host ("All rules: {0:N0} rows; cmdlet {1:N1} s ({2:N0} rows/s), longest lock {3:N0} ms; statements {4:N1} s ({5:N0} rows/s), longest lock {6:N0} ms." -f
    $rowsTotal, $cmdletSeconds, ($rowsTotal / [math]::Max($cmdletSeconds, 0.001)), ($results | Measure-Object { $_.LongestBatch.TotalMilliseconds } -Maximum).Maximum,
    $handSeconds, ($rowsTotal / [math]::Max($handSeconds, 0.001)), (($baseline.Values | Measure-Object Seconds -Maximum).Maximum * 1000))
