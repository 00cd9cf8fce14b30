<#
.SYNOPSIS
    Times Copy-HotmessBackup of a storage set to Azurite (first copy, and an unchanged second copy) against the
    bare upload of the same bytes, and a restore from Azurite against one from the local repository, with the peak
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

    Every step runs in its own pwsh, so its peak working set is its own; times cover the step alone. The figures are
    also written to <Out>/bench/offsite.json.

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-OffsiteCopy.ps1 -Out out -ObjectCount 300
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,

    # Objects in the generated storage project.
    [ValidateRange(1, 100000)] [int] $ObjectCount = 5000,

    # Uploads at once, for the copy and the baseline alike (Copy-HotmessBackup's default is 8).
    [ValidateRange(1, 64)] [int] $ThrottleLimit = 8,

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
        $key = if ($a.Key) { ConvertTo-SecureString $a.Key -AsPlainText -Force }
    } -Body {
        switch ($Step) {
            'Bare' {
                $files = @(Get-Content -LiteralPath $a.FileList)
                @{ Bytes = [BareUpload]::Run($env:AZURE_STORAGE_CONNECTION_STRING, 'bare', $a.Repository, $files, $a.Throttle); Objects = $files.Count }
            }
            'Copy' {
                $set = Get-HotmessBackup -Repository $a.Repository -Kind Storage -Latest |
                    Copy-HotmessBackup -Destination $a.Destination -ThrottleLimit $a.Throttle
                @{ Objects = $set.ObjectCount; Bytes = $a.Bytes }
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
        'CPU s'        = [math]::Round($Result.CpuSeconds, 2)
        'MB/s'         = if ($Result.Seconds -gt 0) { [math]::Round($Result.Bytes / 1MB / $Result.Seconds, 1) } else { $null }
        Compared       = $Comparison
        'pwsh peak MB' = [math]::Round($Result.PeakMB)
    }
}

$rows = [System.Collections.Generic.List[object]]::new()
$goals = $null
$fakes = @()
$azurite = $null
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

    Write-Host "  bare parallel BlobClient.UploadAsync loop ($ThrottleLimit at once)..."
    $bare = Invoke-Step Bare @{ Repository = $repository; FileList = $fileList }
    Write-Host '  Copy-HotmessBackup to Azurite (first)...'
    $first = Invoke-Step Copy @{ Repository = $repository; Destination = 'az://offsite/hotmess'; Bytes = $bytes }
    Write-Host '  Copy-HotmessBackup to Azurite (unchanged)...'
    $second = Invoke-Step Copy @{ Repository = $repository; Destination = 'az://offsite/hotmess'; Bytes = $bytes }
    Write-Host '  Restore-HotmessStorage from Azurite...'
    $restoreRemote = Invoke-Step Restore @{ Repository = 'az://offsite/hotmess'; Url = $fromAzure.Url; Key = $fromAzure.ServiceKey }
    Write-Host '  Restore-HotmessStorage from the local repository...'
    $restoreLocal = Invoke-Step Restore @{ Repository = $repository; Url = $fromLocal.Url; Key = $fromLocal.ServiceKey }

    $throughput = ($bytes / $first.Seconds) / ($bare.Bytes / $bare.Seconds)
    $rows.Add((Format-Row 'bare UploadAsync loop (baseline)' $bare 'baseline'))
    $rows.Add((Format-Row 'Copy-HotmessBackup, first' $first ('{0:N2}x the baseline throughput' -f $throughput)))
    $rows.Add((Format-Row 'Copy-HotmessBackup, unchanged' $second ('{0:P1} of the first copy' -f ($second.Seconds / $first.Seconds))))
    $rows.Add((Format-Row 'Restore-HotmessStorage from the local repository' $restoreLocal 'baseline'))
    $rows.Add((Format-Row 'Restore-HotmessStorage from Azurite' $restoreRemote ('{0:N2}x the local restore time' -f ($restoreRemote.Seconds / $restoreLocal.Seconds))))
    $goals = [pscustomobject]@{
        Set                                         = $name
        'Copy throughput / bare (goal >= 0.8x)'     = '{0:N2}x' -f $throughput
        'Unchanged copy / first (goal <= 5%)'       = '{0:P1}' -f ($second.Seconds / $first.Seconds)
        'Restore from Azurite / from local'         = '{0:N2}x' -f ($restoreRemote.Seconds / $restoreLocal.Seconds)
    }
}
finally {
    $fakes | Stop-HotmessFake
    $azurite | Stop-HotmessEmulator
    foreach ($variable in $saved.Keys) { Set-Item "env:$variable" -Value $saved[$variable] -ErrorAction Ignore }
    if (-not $Keep) { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
}

Write-Host "`nOffsite copy of a storage set ($name) to Azurite, $ThrottleLimit uploads at once"
$rows | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
$goals | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$results = Join-Path $Out 'bench'
New-Item -ItemType Directory -Force $results | Out-Null
@{ rows = $rows; goals = $goals } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $results 'offsite.json')
Write-Host "Figures written to $(Join-Path $results 'offsite.json')."
