<#
.SYNOPSIS
    The offsite benchmark in one run: an encrypted Backup-HotmessDatabase against pg_dump -Fd -j 2; Copy-HotmessBackup
    of that database set and a storage set to Azurite (first copy, and an unchanged second copy) against the bare
    upload of the same bytes; a restore of each from Azurite against one from the local repository; with the peak
    memory of the PowerShell process that ran each step.

.DESCRIPTION
    A storage project is generated in the Storage fake (tests/fakes, built into out/fakes): -ObjectCount objects
    over 20 folders, sizes drawn log-uniformly from 1 KB to 2 MB, backed up with Backup-HotmessStorage into a local
    repository. Azurite runs on loopback (tests/pester/Support/Emulators.psm1).

    The baseline is the nearest thing to the link's limit here: a plain parallel loop of BlobClient.UploadAsync
    calls over the same files (the set's own files and its content-store objects), with the same parallelism as the
    copy, no hashing and no encryption. Copy-HotmessBackup encrypts every object, has the store check the MD5 of
    every request body, and writes the manifest last; the goals are at least 0.8x the baseline's throughput, and an
    unchanged second copy within 5 % of the first. The restores put the set into an empty Storage fake project, once
    from Azurite (fetched, decrypted and authenticated into the local cache first) and once from the local repository.

    A sample HOTMESS database of about -DatabaseMegabytes is generated in a throwaway PostgreSQL 15 (the test
    sandbox). pg_dump -Fd -j <Jobs> of it is the baseline for Backup-HotmessDatabase into an encrypted local folder
    (staged in a private folder inside it, encrypted in, the staging removed; goal at most 1.3x). The database is also
    backed up into the plain local repository beside the storage set, and both sets are copied and restored: the
    database with Restore-HotmessDatabase into a new database, from Azurite and from the local repository.

    Every step runs in its own pwsh, so its peak working set is its own; times cover the step alone. The figures are
    also written to <Out>/bench/offsite.json.

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-OffsiteCopy.ps1 -Out out -ObjectCount 300 -DatabaseMegabytes 50

    A smoke run. The issue's whole table (500 MB, 5,000 objects) is the defaults, on a quiet machine:
    dotnet pwsh bench/Measure-OffsiteCopy.ps1 -Out out -WorkPath /var/tmp
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,

    # Objects in the generated storage project.
    [ValidateRange(1, 100000)] [int] $ObjectCount = 5000,

    # Uploads at once, for the copy and the baseline alike (Copy-HotmessBackup's default is 8).
    [ValidateRange(1, 64)] [int] $ThrottleLimit = 8,

    # Size of the generated database; 0 leaves the database out (the storage set alone).
    [ValidateRange(0, 100000)] [int] $DatabaseMegabytes = 500,

    # pg_dump's and pg_restore's parallel jobs, for the cmdlets and the baseline alike.
    [ValidateRange(1, 16)] [int] $Jobs = 2,

    # Where the project, repository and emulator data go; a new folder under -Out when not given.
    [string] $WorkPath,

    # Keep the generated project and repositories instead of deleting them at the end.
    [switch] $Keep
)

$ErrorActionPreference = 'Stop'
$Out = (Resolve-Path $Out).Path
Import-Module (Join-Path $PSScriptRoot '../tests/pester/Support/Fakes.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'MeasuredStep.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/pester/Support/Emulators.psm1') -Force
$fakePath = Join-Path $Out 'fakes/Hotmess.Recovery.Fakes.dll'
$work = if ($WorkPath) { Join-Path $WorkPath "hotmess-bench-offsite-$PID" } else { Join-Path $Out "bench/offsite-work-$PID" }
New-Item -ItemType Directory -Force $work | Out-Null

function Invoke-Step([string] $Step, [hashtable] $Arguments) {
    $Arguments.Out = $Out
    $Arguments.Throttle = $ThrottleLimit
    Invoke-MeasuredStep $Step $Arguments -Setup {
        if ($Step -eq 'Bare') {
            # Compiled before the clock starts: the loop a developer would write with the SDK alone.
            $module = (Get-Module HotmessRecovery).ModuleBase
            $sdk = 'Azure.Core.dll', 'System.Memory.Data.dll', 'Azure.Storage.Common.dll', 'Azure.Storage.Blobs.dll' | ForEach-Object { Join-Path $module $_ }
            $sdk | ForEach-Object { Add-Type -Path $_ }
            Add-Type -IgnoreWarnings -WarningAction SilentlyContinue -ReferencedAssemblies ($sdk + 'System.Collections', 'System.Threading', 'System.Threading.Tasks.Parallel', 'System.Linq', 'System.Runtime', 'System.Net.Primitives', 'System.Memory') -TypeDefinition @'
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure.Storage.Blobs;
public static class BareUpload
{
    public static long Run(string connectionString, string container, string root, string[] files, int parallelism)
    {
        var client = new BlobContainerClient(connectionString, container);
        client.CreateIfNotExists();
        long bytes = 0;
        Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (file, ct) =>
        {
            using var stream = File.OpenRead(file);
            await client.GetBlobClient(Path.GetRelativePath(root, file).Replace('\\', '/')).UploadAsync(stream, overwrite: true, cancellationToken: ct);
            Interlocked.Add(ref bytes, stream.Length);
        }).GetAwaiter().GetResult();
        return bytes;
    }
}
'@
        }
        if ($Step -eq 'EncryptedBackup') {
            $null = Initialize-HotmessRepository -Repository $a.Repository -Encrypted
        }
        $key = if ($a.Key) { ConvertTo-SecureString $a.Key -AsPlainText -Force }
    } -Body {
        switch ($Step) {
            'Bare' {
                $files = @(Get-Content -LiteralPath $a.FileList)
                @{ Bytes = [BareUpload]::Run($env:AZURE_STORAGE_CONNECTION_STRING, 'bare', $a.Repository, $files, $a.Throttle); Objects = $files.Count }
            }
            'Copy' {
                # Every set of the local repository: the storage set, and the database set when there is one.
                $sets = @(Get-HotmessBackup -Repository $a.Repository | Copy-HotmessBackup -Destination $a.Destination -ThrottleLimit $a.Throttle)
                if ($sets.Count -ne $a.Sets) { throw "$($sets.Count) of $($a.Sets) sets were copied." }
                @{ Objects = $a.Objects; Bytes = $a.Bytes }
            }
            { $_ -in 'EncryptedBackup', 'PlainBackup' } {
                $set = Backup-HotmessDatabase -ConnectionString $a.Source -Repository $a.Repository -Jobs $a.Jobs
                @{ Objects = $set.Manifest.Files.Count; Bytes = $set.SizeBytes }
            }
            'RestoreDatabase' {
                $set = Get-HotmessBackup -Repository $a.Repository -Kind Database -Latest
                $null = $set | Restore-HotmessDatabase -TargetConnectionString $a.Target -Jobs $a.Jobs -Confirm:$false
                @{ Objects = $set.Manifest.Files.Count; Bytes = $set.SizeBytes }
            }
            'Restore' {
                $r = Get-HotmessBackup -Repository $a.Repository -Kind Storage -Latest |
                    Restore-HotmessStorage -SupabaseUrl $a.Url -ServiceRoleKey $key -Confirm:$false
                if (-not $r.Complete) { throw "The restore is incomplete: $($r.Failures.Count) failures, $($r.Conflicts.Count) conflicts." }
                @{ Objects = $r.VerifiedCount; Bytes = $r.UploadedBytes }
            }
        }
    }
}

function Format-Row([string] $Step, $Result, [string] $Comparison) {
    [pscustomobject]@{
        Step           = $Step
        Objects        = $Result.Objects
        MB             = [math]::Round($Result.Bytes / 1MB, 1)
        Seconds        = [math]::Round($Result.Seconds, 2)
        'CPU s'        = if ($null -ne $Result.CpuSeconds) { [math]::Round($Result.CpuSeconds, 2) }
        'MB/s'         = if ($Result.Seconds -gt 0) { [math]::Round($Result.Bytes / 1MB / $Result.Seconds, 1) } else { $null }
        Compared       = $Comparison
        'pwsh peak MB' = if ($null -ne $Result.PeakMB) { [math]::Round($Result.PeakMB) }
    }
}

$rows = [System.Collections.Generic.List[object]]::new()
$goals = $null
$fakes = @()
$azurite = $null
$postgres = $null
$database = $null
$saved = @{ AZURE_STORAGE_CONNECTION_STRING = $env:AZURE_STORAGE_CONNECTION_STRING; HOTMESS_REPOSITORY_KEY = $env:HOTMESS_REPOSITORY_KEY }
try {
    $source = Start-HotmessFake -Path $fakePath -DataDirectory (Join-Path $work 'source')
    $fakes += $source
    $fakes += ($fromAzure = Start-HotmessFake -Path $fakePath -DataDirectory (Join-Path $work 'target-azure'))
    $fakes += ($fromLocal = Start-HotmessFake -Path $fakePath -DataDirectory (Join-Path $work 'target-local'))
    $azurite = Start-HotmessAzurite
    # The steps' processes inherit the account and the repository passphrase (a throwaway one) from here.
    $env:AZURE_STORAGE_CONNECTION_STRING = $azurite.ConnectionString
    $env:HOTMESS_REPOSITORY_KEY = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))

    Write-Host "Generating $ObjectCount objects in the Storage fake and backing them up locally..."
    $headers = @{ apikey = $source.ServiceKey; Authorization = "Bearer $($source.ServiceKey)" }
    Invoke-RestMethod -Method Post "$($source.Url)/storage/v1/bucket" -Headers $headers -ContentType 'application/json' -Body (@{ name = 'uploads'; public = $false } | ConvertTo-Json) | Out-Null
    $generate = @{ bucket = 'uploads'; prefix = 'f'; count = $ObjectCount; minSize = 1KB; maxSize = 2MB; folders = 20; seed = $ObjectCount } | ConvertTo-Json
    $null = Invoke-RestMethod -Method Post "$($source.Url)/__fake/storage/generate" -ContentType 'application/json' -Body $generate
    $repository = Join-Path $work 'repository'
    $module = Join-Path $Out 'HotmessRecovery'

    if ($DatabaseMegabytes -gt 0) {
        Write-Host "Generating a sample HOTMESS database of about $DatabaseMegabytes MB..."
        Add-Type -Path (Join-Path $Out 'sandbox/Hotmess.Recovery.Sandbox.dll')
        $postgres = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
        [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($postgres, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::FromMegabytes($DatabaseMegabytes))
        $postgres.ExecuteSql('hotmess', 'VACUUM ANALYZE') | Out-Null
        $databaseMb = [long]$postgres.ExecuteSql('hotmess', "SELECT pg_database_size('hotmess')").Trim() / 1MB
        $sourceDatabase = $postgres.ConnectionString('hotmess')

        Write-Host "  pg_dump -Fd -j $Jobs (baseline)..."
        $dumpFolder = Join-Path $work 'pg_dump-fd'
        $libpq = @{ PGHOST = $postgres.Host; PGPORT = "$($postgres.Port)"; PGUSER = 'postgres'; PGPASSWORD = $postgres.Password; PGDATABASE = 'hotmess' }
        $savedLibpq = @{}
        foreach ($variable in $libpq.Keys) { $savedLibpq[$variable] = [Environment]::GetEnvironmentVariable($variable); [Environment]::SetEnvironmentVariable($variable, $libpq[$variable]) }
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            & (Join-Path $postgres.BinDirectory 'pg_dump') -Fd "-j$Jobs" -f $dumpFolder 2>&1 | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "pg_dump failed with exit code $LASTEXITCODE" }
            $pgDump = @{ Seconds = $watch.Elapsed.TotalSeconds; Bytes = (Get-ChildItem $dumpFolder -File | Measure-Object Length -Sum).Sum; Objects = @(Get-ChildItem $dumpFolder -File).Count }
        }
        finally {
            foreach ($variable in $savedLibpq.Keys) { [Environment]::SetEnvironmentVariable($variable, $savedLibpq[$variable]) }
            Remove-Item -Recurse -Force $dumpFolder -ErrorAction Ignore
        }

        Write-Host '  Backup-HotmessDatabase into an encrypted local folder...'
        $encryptedBackup = Invoke-Step EncryptedBackup @{ Source = $sourceDatabase; Repository = (Join-Path $work 'encrypted'); Jobs = $Jobs }
        Write-Host '  Backup-HotmessDatabase into the plain local repository (the set the copy sends)...'
        $plainBackup = Invoke-Step PlainBackup @{ Source = $sourceDatabase; Repository = $repository; Jobs = $Jobs }
        Remove-Item -Recurse -Force (Join-Path $work 'encrypted')
        $database = '{0:N0} MB database' -f $databaseMb
    }
    $backup = & (Get-Process -Id $PID).Path @(if ([IO.Path]::GetFileNameWithoutExtension((Get-Process -Id $PID).Path) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }) -NoProfile -NonInteractive -Command {
        param($Module, $Repository, $Url, $Key)
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $Module
        $null = Backup-HotmessStorage -Repository $Repository -SupabaseUrl $Url -ServiceRoleKey (ConvertTo-SecureString $Key -AsPlainText -Force) -ErrorAction Stop
    } -args $module, $repository, $source.Url, $source.ServiceKey
    if ($LASTEXITCODE -ne 0) { throw "The local storage backup failed: $backup" }

    # The same bytes the copy sends: the set's own files and the content-store objects (one set, so all of them).
    $files = @(Get-ChildItem (Join-Path $repository 'sets'), (Join-Path $repository 'objects') -Recurse -File |
            Where-Object { $_.FullName -notmatch '[/\\]objects[/\\](journal|tmp)[/\\]' })
    $bytes = ($files | Measure-Object Length -Sum).Sum
    $fileList = Join-Path $work 'files.txt'
    $files.FullName | Set-Content -LiteralPath $fileList
    $name = '{0:N0} files, {1:N0} MB' -f $files.Count, ($bytes / 1MB)
    $setCount = if ($database) { 2 } else { 1 }

    Write-Host "  bare parallel BlobClient.UploadAsync loop ($ThrottleLimit at once)..."
    $bare = Invoke-Step Bare @{ Repository = $repository; FileList = $fileList }
    Write-Host '  Copy-HotmessBackup to Azurite (first)...'
    $first = Invoke-Step Copy @{ Repository = $repository; Destination = 'az://offsite/hotmess'; Bytes = $bytes; Objects = $files.Count; Sets = $setCount }
    Write-Host '  Copy-HotmessBackup to Azurite (unchanged)...'
    $second = Invoke-Step Copy @{ Repository = $repository; Destination = 'az://offsite/hotmess'; Bytes = $bytes; Objects = $files.Count; Sets = $setCount }
    Write-Host '  Restore-HotmessStorage from Azurite...'
    $restoreRemote = Invoke-Step Restore @{ Repository = 'az://offsite/hotmess'; Url = $fromAzure.Url; Key = $fromAzure.ServiceKey }
    Write-Host '  Restore-HotmessStorage from the local repository...'
    $restoreLocal = Invoke-Step Restore @{ Repository = $repository; Url = $fromLocal.Url; Key = $fromLocal.ServiceKey }
    if ($database) {
        Write-Host '  Restore-HotmessDatabase from Azurite...'
        $databaseRemote = Invoke-Step RestoreDatabase @{ Repository = 'az://offsite/hotmess'; Target = $postgres.ConnectionString('restored_azure'); Jobs = $Jobs }
        Write-Host '  Restore-HotmessDatabase from the local repository...'
        $databaseLocal = Invoke-Step RestoreDatabase @{ Repository = $repository; Target = $postgres.ConnectionString('restored_local'); Jobs = $Jobs }
    }

    $throughput = ($bytes / $first.Seconds) / ($bare.Bytes / $bare.Seconds)
    if ($database) {
        $rows.Add((Format-Row "pg_dump -Fd -j $Jobs (baseline)" ([pscustomobject]$pgDump) 'baseline'))
        $rows.Add((Format-Row 'Backup-HotmessDatabase, encrypted folder' $encryptedBackup ('{0:N2}x the pg_dump time' -f ($encryptedBackup.Seconds / $pgDump.Seconds))))
        $rows.Add((Format-Row 'Backup-HotmessDatabase, plain folder' $plainBackup ('{0:N2}x the pg_dump time' -f ($plainBackup.Seconds / $pgDump.Seconds))))
    }
    $rows.Add((Format-Row 'bare UploadAsync loop (baseline)' $bare 'baseline'))
    $rows.Add((Format-Row 'Copy-HotmessBackup, first' $first ('{0:N2}x the baseline throughput' -f $throughput)))
    $rows.Add((Format-Row 'Copy-HotmessBackup, unchanged' $second ('{0:P1} of the first copy' -f ($second.Seconds / $first.Seconds))))
    $rows.Add((Format-Row 'Restore-HotmessStorage from the local repository' $restoreLocal 'baseline'))
    $rows.Add((Format-Row 'Restore-HotmessStorage from Azurite' $restoreRemote ('{0:N2}x the local restore time' -f ($restoreRemote.Seconds / $restoreLocal.Seconds))))
    if ($database) {
        $rows.Add((Format-Row 'Restore-HotmessDatabase from the local repository' $databaseLocal 'baseline'))
        $rows.Add((Format-Row 'Restore-HotmessDatabase from Azurite' $databaseRemote ('{0:N2}x the local restore time' -f ($databaseRemote.Seconds / $databaseLocal.Seconds))))
    }
    $goals = [pscustomobject]@{
        Set                                         = $name
        'Copy throughput / bare (goal >= 0.8x)'     = '{0:N2}x' -f $throughput
        'Unchanged copy / first (goal <= 5%)'       = '{0:P1}' -f ($second.Seconds / $first.Seconds)
        'Restore from Azurite / from local'         = '{0:N2}x' -f ($restoreRemote.Seconds / $restoreLocal.Seconds)
    }
    if ($database) {
        $goals | Add-Member 'Database' $database
        $goals | Add-Member 'Encrypted backup / pg_dump -Fd (goal <= 1.3x)' ('{0:N2}x' -f ($encryptedBackup.Seconds / $pgDump.Seconds))
        $goals | Add-Member 'Database restore from Azurite / from local' ('{0:N2}x' -f ($databaseRemote.Seconds / $databaseLocal.Seconds))
    }
    $goals | Add-Member 'Peak pwsh MB (any step)' ([math]::Round(($rows | Where-Object 'pwsh peak MB' | Measure-Object 'pwsh peak MB' -Maximum).Maximum))
}
finally {
    $fakes | Stop-HotmessFake
    $azurite | Stop-HotmessEmulator
    if ($postgres) { $postgres.Dispose() }
    foreach ($variable in $saved.Keys) { Set-Item "env:$variable" -Value $saved[$variable] -ErrorAction Ignore }
    if (-not $Keep) { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
}

Write-Host "`nOffsite copy of $(if ($database) { "a $database and " })a storage set of $ObjectCount objects ($name in all) to Azurite, $ThrottleLimit uploads at once"
$rows | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
$goals | Format-List | Out-String -Width 200 | Write-Host
$results = Join-Path $Out 'bench'
New-Item -ItemType Directory -Force $results | Out-Null
@{ rows = $rows; goals = $goals } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $results 'offsite.json')
Write-Host "Figures written to $(Join-Path $results 'offsite.json')."
