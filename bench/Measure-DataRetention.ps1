<#
.SYNOPSIS
    Times Invoke-HotmessDataRetention (the default policy, in batches by primary key) against what a DBA types by
    hand: one DELETE ... WHERE (or UPDATE, or INSERT ... SELECT then DELETE) per rule, each in one transaction, on
    two copies of the same generated HOTMESS database. Reports rows per second for both, and the longest lock each
    held, seen from outside: a second connection samples pg_stat_activity every 10 ms and keeps, per writing
    transaction (one with a transaction id: its row locks last until it commits), the greatest clock_timestamp() -
    xact_start it saw. The figure is a lower bound, short by at most one sampling interval (plus a busy machine's
    scheduling delay). The cmdlet runs one rule at a time (a policy of that rule alone, in the policy's run order) so
    each transaction seen is put down to its rule; its own longest batch is reported beside the sampled figure.

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-DataRetention.ps1 -Out out -Megabytes 50
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,
    # Size of the generated database (pg_database_size, roughly); the plan's measurement is at 1 GB.
    [ValidateRange(12, 100000)] [int] $Megabytes = 1024,
    [ValidateRange(1, 1000000)] [int] $BatchSize = 1000,
    [ValidateRange(1, 1000)] [int] $SampleMilliseconds = 10
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

# Watches one database from a connection of its own, in a runspace beside the benchmark: every writing transaction
# (backend_xid set) is keyed by backend and start, labelled with the rule running when it was first seen, and keeps
# the oldest age it was seen at. Autovacuum and the sampler itself hold no transaction id, so they are not counted.
function Start-LockSampler([string] $ConnectionString, [string] $Database, [int] $Milliseconds) {
    $state = [hashtable]::Synchronized(@{ Stop = $false; Label = ''; Seen = @{}; Samples = 0 })
    # Opened here: the runspace does not resolve the module's Npgsql types by name.
    $connection = [Npgsql.NpgsqlConnection]::new($ConnectionString)
    $connection.Open()
    $shell = [powershell]::Create()
    $null = $shell.AddScript({
        param($Connection, $Database, $Milliseconds, $State)
        try {
            $command = $Connection.CreateCommand()
            $command.CommandText = 'SELECT pid, xact_start, extract(epoch FROM clock_timestamp() - xact_start)::float8 FROM pg_stat_activity ' +
                "WHERE datname = '$Database' AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL AND xact_start IS NOT NULL"
            while (-not $State.Stop) {
                $reader = $command.ExecuteReader()
                try {
                    while ($reader.Read()) {
                        $key = '{0}/{1}' -f $reader.GetInt32(0), $reader.GetDateTime(1).Ticks
                        $entry = $State.Seen[$key]
                        if (-not $entry) { $entry = @{ Label = $State.Label; Seconds = 0.0 }; $State.Seen[$key] = $entry }
                        $entry.Seconds = [math]::Max($entry.Seconds, $reader.GetDouble(2))
                    }
                }
                finally { $reader.Dispose() }
                $State.Samples++
                [Threading.Thread]::Sleep($Milliseconds)
            }
        }
        finally { $Connection.Dispose() }
    }).AddArgument($connection).AddArgument($Database).AddArgument($Milliseconds).AddArgument($state)
    [pscustomobject]@{ Shell = $shell; Handle = $shell.BeginInvoke(); State = $state }
}

function Stop-LockSampler($Sampler) {
    $Sampler.State.Stop = $true
    $null = $Sampler.Shell.EndInvoke($Sampler.Handle)
    $errors = @($Sampler.Shell.Streams.Error)
    $Sampler.Shell.Dispose()
    if ($errors) { throw "The lock sampler failed: $($errors[0])" }
    # Longest sampled lock per label, in milliseconds.
    $longest = @{}
    foreach ($entry in $Sampler.State.Seen.Values) {
        $longest[$entry.Label] = [math]::Max([double]$longest[$entry.Label], $entry.Seconds * 1000)
    }
    $longest
}

Write-Host "Generating a sample HOTMESS database of about $Megabytes MB and making rows due..."
$server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
try {
    [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::FromMegabytes($Megabytes))
    $server.ExecuteSql('hotmess', $makeDue) | Out-Null
    $server.ExecuteSql('hotmess', 'VACUUM ANALYZE') | Out-Null
    $server.ExecuteSql('postgres', 'CREATE DATABASE baseline TEMPLATE hotmess') | Out-Null
    $actualMb = [math]::Round([long]$server.ExecuteSql('hotmess', "SELECT pg_database_size('hotmess')").Trim() / 1MB)

    Write-Host "  Invoke-HotmessDataRetention, batches of $BatchSize, one rule at a time..."
    $rules = (Get-HotmessRetentionPolicy -AsJson | ConvertFrom-Json).rules
    # With the database: the run order, and the module's Npgsql loaded, whose types the sampler uses.
    $order = @(Get-HotmessRetentionPolicy -ConnectionString $server.ConnectionString('hotmess') | ForEach-Object Rule)
    $repository = Join-Path ([IO.Path]::GetTempPath()) "hotmess-bench-retention-$PID"
    $policyPath = Join-Path ([IO.Path]::GetTempPath()) "hotmess-bench-retention-$PID.json"
    $ProgressPreference = 'SilentlyContinue'
    $sampler = Start-LockSampler $server.ConnectionString('postgres') 'hotmess' $SampleMilliseconds
    try {
        $results = foreach ($name in $order) {
            # The rule alone: the order above already puts it after the rules it names.
            $rule = $rules | Where-Object name -EQ $name | Select-Object * -ExcludeProperty after
            @{ rules = @($rule) } | ConvertTo-Json -Depth 10 | Set-Content $policyPath
            $sampler.State.Label = $name
            Invoke-HotmessDataRetention -PolicyPath $policyPath -ConnectionString $server.ConnectionString('hotmess') -Repository $repository -BatchSize $BatchSize -Force -WarningAction SilentlyContinue
        }
    }
    finally {
        $cmdletLocks = Stop-LockSampler $sampler
        Remove-Item -Recurse -Force $repository, $policyPath -ErrorAction Ignore
    }

    Write-Host '  one hand-written statement per rule...'
    $sampler = Start-LockSampler $server.ConnectionString('postgres') 'baseline' $SampleMilliseconds
    $connection = [Npgsql.NpgsqlConnection]::new($server.ConnectionString('baseline'))
    $connection.Open()
    $baseline = @{}
    try {
        foreach ($name in $results.Rule) {
            $command = $connection.CreateCommand()
            $command.CommandText = Get-BaselineStatement ($rules | Where-Object name -EQ $name)
            $command.CommandTimeout = 0
            $sampler.State.Label = $name
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $rows = $command.ExecuteNonQuery()
            $baseline[$name] = [pscustomobject]@{ Rows = $rows; Seconds = $watch.Elapsed.TotalSeconds }
            $command.Dispose()
        }
    }
    finally {
        $connection.Dispose()
        $statementLocks = Stop-LockSampler $sampler
    }

    $table = foreach ($result in $results) {
        $hand = $baseline[$result.Rule]
        [pscustomobject]@{
            Rule = $result.Rule; Rows = $result.Rows
            'cmdlet s' = [math]::Round($result.Duration.TotalSeconds, 2)
            'cmdlet rows/s' = if ($result.Duration.TotalSeconds -gt 0) { [math]::Round($result.Rows / $result.Duration.TotalSeconds) } else { 0 }
            'longest batch ms' = [math]::Round($result.LongestBatch.TotalMilliseconds)
            'cmdlet lock ms (sampled)' = [math]::Round([double]$cmdletLocks[$result.Rule])
            'DELETE rows' = $hand.Rows
            'DELETE s' = [math]::Round($hand.Seconds, 2)
            'DELETE rows/s' = if ($hand.Seconds -gt 0) { [math]::Round($hand.Rows / $hand.Seconds) } else { 0 }
            'DELETE lock ms (sampled)' = [math]::Round([double]$statementLocks[$result.Rule])
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
$summary = 'All rules: {0:N0} rows; cmdlet {1:N1} s ({2:N0} rows/s), longest lock sampled {3:N0} ms (its own longest batch {4:N0} ms); ' +
    'statements {5:N1} s ({6:N0} rows/s), longest lock sampled {7:N0} ms. Locks: pg_stat_activity sampled every {8} ms.'
Write-Host ($summary -f $rowsTotal, $cmdletSeconds, ($rowsTotal / [math]::Max($cmdletSeconds, 0.001)),
    ($cmdletLocks.Values | Measure-Object -Maximum).Maximum, ($results | Measure-Object { $_.LongestBatch.TotalMilliseconds } -Maximum).Maximum,
    $handSeconds, ($rowsTotal / [math]::Max($handSeconds, 0.001)), ($statementLocks.Values | Measure-Object -Maximum).Maximum, $SampleMilliseconds)
