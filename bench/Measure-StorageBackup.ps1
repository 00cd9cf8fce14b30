<#
.SYNOPSIS
    Times Backup-HotmessStorage (full, and a re-run with nothing changed) and Restore-HotmessStorage against the
    plan's sequential loop that lists a bucket and downloads one object after another, on generated Storage
    projects of two sizes, and reports the peak memory of the PowerShell process that ran each step.

.DESCRIPTION
    Each project is generated in the Storage fake (tests/fakes, built into out/fakes): three buckets (avatars,
    uploads, products) over 20 folders each, object sizes drawn log-uniformly within each bucket's range, from 1 KB
    to 2 MB in all (the larger project holds 5,000 objects and over 500 MB). The fake adds -LatencyMs to every Storage request, a round
    trip to a hosted project; a second set of rows for the larger project repeats the backups on bare loopback.

    The cmdlets run with their defaults (24 downloads, 8 uploads at once) unless -ThrottleLimit says otherwise. Every
    step runs in its own pwsh, so its peak working set is its own; times cover the step alone, not starting PowerShell
    or importing the module, and so does the CPU time the step's process used (both cores count). The figures are
    also written to <Out>/bench/storage.json.

    Nothing is deleted until the end: on ext4 without a journal, a file created within a minute or so of many
    deletions costs up to a millisecond (the allocator skips the inodes just freed), which would charge one step
    with the clean-up of the one before it.

.EXAMPLE
    dotnet pwsh ./build.ps1 build; dotnet pwsh bench/Measure-StorageBackup.ps1 -Out out
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out,

    # Object counts of the generated projects; memory must stay flat from the first to the last.
    [int[]] $ObjectCount = @(1000, 5000),

    # Added to every Storage request, as a round trip to a hosted project would be.
    [int] $LatencyMs = 20,

    # Transfers at once; the module's defaults (24 downloads, 8 uploads) when not given.
    [ValidateRange(1, 64)] [int] $ThrottleLimit,

    # Where the projects, repositories and downloads go; a new folder under -Out when not given. A shared temporary
    # folder is a poor place: other processes' deletions there slow down every file this benchmark creates.
    [string] $WorkPath,

    # Keep the generated projects, repositories and downloads instead of deleting them at the end.
    [switch] $Keep
)

$ErrorActionPreference = 'Stop'
$Out = (Resolve-Path $Out).Path
Import-Module (Join-Path $PSScriptRoot '../tests/pester/Support/Fakes.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'MeasuredStep.psm1') -Force
$fakePath = Join-Path $Out 'fakes/Hotmess.Recovery.Fakes.dll'
$work = if ($WorkPath) { Join-Path $WorkPath "hotmess-bench-storage-$PID" } else { Join-Path $Out "bench/storage-work-$PID" }
New-Item -ItemType Directory -Force $work | Out-Null

# Share of the objects, and their size range in bytes, per bucket: many small avatars, large uploads, middling product images.
$layout = @(
    @{ Bucket = 'avatars'; Share = 0.40; Min = 1KB; Max = 64KB; Public = $true }
    @{ Bucket = 'uploads'; Share = 0.45; Min = 1KB; Max = 2MB; Public = $false }
    @{ Bucket = 'products'; Share = 0.15; Min = 8KB; Max = 512KB; Public = $true }
)

function New-StorageProject($Fake, [int] $Count) {
    $headers = @{ apikey = $Fake.ServiceKey; Authorization = "Bearer $($Fake.ServiceKey)" }
    $made = 0
    $bytes = 0L
    foreach ($part in $layout) {
        $n = if ($part -eq $layout[-1]) { $Count - $made } else { [int][math]::Round($Count * $part.Share) }
        $bucket = @{ name = $part.Bucket; public = $part.Public } | ConvertTo-Json
        Invoke-RestMethod -Method Post "$($Fake.Url)/storage/v1/bucket" -Headers $headers -ContentType 'application/json' -Body $bucket | Out-Null
        $request = @{ bucket = $part.Bucket; prefix = 'f'; count = $n; minSize = $part.Min; maxSize = $part.Max; folders = 20; seed = $Count + $made } | ConvertTo-Json
        $generated = Invoke-RestMethod -Method Post "$($Fake.Url)/__fake/storage/generate" -ContentType 'application/json' -Body $request
        $made += $generated.count
        $bytes += $generated.bytes
    }
    [pscustomobject]@{ Objects = $made; Bytes = $bytes }
}

function Invoke-Step([string] $Step, [hashtable] $Arguments) {
    $Arguments.Out = $Out
    $Arguments.Throttle = $ThrottleLimit
    Invoke-MeasuredStep $Step $Arguments -Setup {
        $key = ConvertTo-SecureString $a.Key -AsPlainText -Force
        $throttle = if ($a.Throttle) { @{ ThrottleLimit = $a.Throttle } } else { @{} }
    } -Body {
        switch ($Step) {
            'Backup' {
                $set = Backup-HotmessStorage -Repository $a.Repository -SupabaseUrl $a.Url -ServiceRoleKey $key @throttle
                @{ Objects = $set.ObjectCount; Downloaded = $set.DownloadedCount; Bytes = $set.TotalBytes }
            }
            'Restore' {
                $r = Get-HotmessBackup -Repository $a.Repository -Kind Storage -Latest |
                    Restore-HotmessStorage -SupabaseUrl $a.Url -ServiceRoleKey $key @throttle -Confirm:$false
                if (-not $r.Complete) { throw "The restore is incomplete: $($r.Failures.Count) failures, $($r.Conflicts.Count) conflicts." }
                @{ Objects = $r.VerifiedCount; Downloaded = $r.UploadedCount; Bytes = $r.UploadedBytes }
            }
            'Sequential' {
                # The plan's loop: list the bucket, then copy one object after another (one HttpClient, no hashing).
                $http = [System.Net.Http.HttpClient]::new()
                $http.DefaultRequestHeaders.Add('apikey', $a.Key)
                $http.DefaultRequestHeaders.Add('Authorization', "Bearer $($a.Key)")
                $base = $a.Url.TrimEnd('/') + '/storage/v1'
                $buckets = $http.GetStringAsync("$base/bucket").GetAwaiter().GetResult() | ConvertFrom-Json
                $objects = [System.Collections.Generic.List[object]]::new()
                foreach ($bucket in $buckets) {
                    $folders = [System.Collections.Generic.Queue[string]]::new()
                    $folders.Enqueue('')
                    while ($folders.Count -gt 0) {
                        $prefix = $folders.Dequeue()
                        for ($offset = 0; ; $offset += 1000) {
                            $body = [System.Net.Http.StringContent]::new((@{ prefix = $prefix; limit = 1000; offset = $offset } | ConvertTo-Json), [Text.Encoding]::UTF8, 'application/json')
                            $page = $http.PostAsync("$base/object/list/$($bucket.id)", $body).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json
                            foreach ($entry in $page) {
                                if ($null -eq $entry.id) { $folders.Enqueue("$prefix$($entry.name)/") } else { $objects.Add(@($bucket.id, "$prefix$($entry.name)")) }
                            }
                            if ($page.Count -lt 1000) { break }
                        }
                    }
                }
                $bytes = 0L
                $i = 0
                foreach ($o in $objects) {
                    $key = ($o[1] -split '/' | ForEach-Object { [uri]::EscapeDataString($_) }) -join '/'
                    $response = $http.GetAsync("$base/object/$($o[0])/$key", [System.Net.Http.HttpCompletionOption]::ResponseHeadersRead).GetAwaiter().GetResult()
                    $null = $response.EnsureSuccessStatusCode()
                    $file = [IO.File]::Create((Join-Path $a.Repository ($i++)))
                    $null = $response.Content.CopyToAsync($file).GetAwaiter().GetResult()
                    $bytes += $file.Length
                    $file.Dispose()
                    $response.Dispose()
                }
                @{ Objects = $objects.Count; Downloaded = $objects.Count; Bytes = $bytes }
            }
        }
    }
}

function Format-Row([string] $Project, [string] $Network, [string] $Step, $Result, [string] $Comparison) {
    [pscustomobject]@{
        Project        = $Project
        Network        = $Network
        Step           = $Step
        Objects        = $Result.Objects
        'Fetched/sent' = $Result.Downloaded
        MB             = [math]::Round($Result.Bytes / 1MB)
        Seconds        = [math]::Round($Result.Seconds, 2)
        'CPU s'        = [math]::Round($Result.CpuSeconds, 2)
        'MB/s'         = if ($Result.Seconds -gt 0) { [math]::Round($Result.Bytes / 1MB / $Result.Seconds, 1) } else { $null }
        Compared       = $Comparison
        'pwsh peak MB' = [math]::Round($Result.PeakMB)
    }
}

$rows = [System.Collections.Generic.List[object]]::new()
$goals = [System.Collections.Generic.List[object]]::new()
try {
    foreach ($count in $ObjectCount) {
        $source = Start-HotmessFake -Path $fakePath -DataDirectory (Join-Path $work "source-$count")
        $target = Start-HotmessFake -Path $fakePath -DataDirectory (Join-Path $work "target-$count")
        try {
            Write-Host "Generating $count objects in the Storage fake..."
            $project = New-StorageProject $source $count
            $name = '{0:N0} objects, {1:N0} MB' -f $project.Objects, ($project.Bytes / 1MB)
            $networks = @(@{ Name = "+$LatencyMs ms"; Latency = $LatencyMs; Restore = $true })
            if ($count -eq ($ObjectCount | Measure-Object -Maximum).Maximum -and $LatencyMs -gt 0) { $networks += @{ Name = 'loopback'; Latency = 0; Restore = $false } }
            foreach ($network in $networks) {
                foreach ($fake in $source, $target) { Set-HotmessFakeFault $fake -LatencyMs $network.Latency -PathPrefix '/storage/v1' | Out-Null }
                $repository = Join-Path $work "repo-$count-$($network.Latency)"
                $downloads = Join-Path $work "sequential-$count-$($network.Latency)"
                New-Item -ItemType Directory -Force $downloads | Out-Null
                $from = @{ Url = $source.Url; Key = $source.ServiceKey; Repository = $repository }

                Write-Host "  [$($network.Name)] sequential loop..."
                $sequential = Invoke-Step Sequential @{ Url = $source.Url; Key = $source.ServiceKey; Repository = $downloads }
                Write-Host "  [$($network.Name)] Backup-HotmessStorage (full)..."
                $full = Invoke-Step Backup $from
                Write-Host "  [$($network.Name)] Backup-HotmessStorage (nothing changed)..."
                $again = Invoke-Step Backup $from
                if ($full.Objects -ne $project.Objects -or $again.Downloaded -ne 0) {
                    throw "Unexpected backup: $($full.Objects) of $($project.Objects) objects, $($again.Downloaded) downloaded again."
                }

                $rows.Add((Format-Row $name $network.Name 'sequential loop (baseline)' $sequential 'baseline'))
                $rows.Add((Format-Row $name $network.Name 'Backup-HotmessStorage, full' $full ('{0:N1}x faster than baseline' -f ($sequential.Seconds / $full.Seconds))))
                $rows.Add((Format-Row $name $network.Name 'Backup-HotmessStorage, no change' $again ('{0:P1} of the full backup' -f ($again.Seconds / $full.Seconds))))
                $goals.Add([pscustomobject]@{
                        Project = $name; Network = $network.Name
                        'Full backup speed-up (goal >= 10x)' = '{0:N1}x' -f ($sequential.Seconds / $full.Seconds)
                        'No-change re-run / full (goal < 5%)' = '{0:P1}' -f ($again.Seconds / $full.Seconds)
                    })
                if ($network.Restore) {
                    Write-Host "  [$($network.Name)] Restore-HotmessStorage into an empty project..."
                    $restore = Invoke-Step Restore @{ Url = $target.Url; Key = $target.ServiceKey; Repository = $repository }
                    $rows.Add((Format-Row $name $network.Name 'Restore-HotmessStorage, empty target' $restore ('{0:N1}x faster than baseline' -f ($sequential.Seconds / $restore.Seconds))))
                }
            }
        }
        finally {
            $source, $target | Stop-HotmessFake
        }
    }
}
finally {
    if (-not $Keep) { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
}

$transfers = if ($ThrottleLimit) { $ThrottleLimit } else { "the module's default number of" }
Write-Host "`nSupabase Storage backup and restore, $transfers transfers at once; the baseline lists and downloads one object after another"
$rows | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
$goals | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$results = Join-Path $Out 'bench'
New-Item -ItemType Directory -Force $results | Out-Null
@{ rows = $rows; goals = $goals } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $results 'storage.json')
Write-Host "Figures written to $(Join-Path $results 'storage.json')."
