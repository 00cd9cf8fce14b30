<#
.SYNOPSIS
    Backs up the HOTMESS database, proves the backup restores, and writes the Backup Verification Checklist.

.DESCRIPTION
    The plan's weekly manual backup and its monthly backup verification as one unattended job:
      1. Backup-HotmessDatabase: a pg_dump taken in an exported snapshot, with row counts, fingerprints of the
         critical tables and the newest timestamps recorded in the same snapshot.
      2. Test-HotmessBackup -RestoreTo: every file hashed, then a restore into a scratch database whose row
         counts and fingerprints must equal the recorded ones; the scratch database is dropped.
      3. With -IncludeStorage, Backup-HotmessStorage of every bucket (incremental) and Test-HotmessBackup of
         that storage set: every object present in the content store with its size and SHA-256.
      4. Export-HotmessReport: the checklist, filled in from that evidence, as Markdown and JSON.
    The job fails (throws) when the verification fails, so a schedule or a CI step sees it.

    Settings come from parameters, then Get-HotmessSetting: Azure Automation variables (when
    Get-AutomationVariable exists), then the environment: HOTMESS_DATABASE_URL, HOTMESS_SCRATCH_DATABASE_URL, HOTMESS_REPOSITORY, HOTMESS_REPORT_PATH,
    and for storage VITE_SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY.

.EXAMPLE
    ./Invoke-HotmessBackupVerification.ps1 -ConnectionString $env:HOTMESS_DATABASE_URL -ScratchConnectionString 'Host=localhost;Database=verify_scratch;Username=postgres' -ReportPath ./reports
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $ConnectionString,
    [string] $ScratchConnectionString,
    [string] $Repository,
    [string] $ReportPath,
    # Verify the newest database set already in the repository instead of taking a new one.
    [switch] $SkipBackup,
    # Also back up and verify the Supabase Storage buckets.
    [switch] $IncludeStorage,
    [ValidateRange(1, 64)] [int] $Jobs = 2
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Import-Module HotmessRecovery

# Parameters first, then Get-HotmessSetting: the Automation variable, else the environment variable.
if (-not $ConnectionString) { $ConnectionString = Get-HotmessSetting HOTMESS_DATABASE_URL }
if (-not $ScratchConnectionString) { $ScratchConnectionString = Get-HotmessSetting HOTMESS_SCRATCH_DATABASE_URL }
if (-not $Repository) { $Repository = Get-HotmessSetting HOTMESS_REPOSITORY }
if (-not $ReportPath) { $ReportPath = Get-HotmessSetting HOTMESS_REPORT_PATH }
if (-not $ScratchConnectionString) { throw 'No scratch database: pass -ScratchConnectionString or set HOTMESS_SCRATCH_DATABASE_URL.' }
if (-not $ReportPath) { $ReportPath = (Get-Location).Path }

$repositoryArgument = if ($Repository) { @{ Repository = $Repository } } else { @{} }
if ($SkipBackup) {
    $set = Get-HotmessBackup @repositoryArgument -Kind Database -Latest
    if (-not $set) { throw 'The repository holds no complete database backup set to verify.' }
}
else {
    $set = Backup-HotmessDatabase @repositoryArgument -ConnectionString $ConnectionString -Jobs $Jobs -WhatIf:$WhatIfPreference
}
if (-not $set) { return }

$verifications = @($set | Test-HotmessBackup -RestoreTo $ScratchConnectionString -Jobs $Jobs -WhatIf:$WhatIfPreference)
if (-not $verifications) { return }

if ($IncludeStorage) {
    $storage = @{}
    if ($url = Get-HotmessSetting VITE_SUPABASE_URL) { $storage.SupabaseUrl = $url }
    if ($key = Get-HotmessSetting SUPABASE_SERVICE_ROLE_KEY) { $storage.ServiceRoleKey = $key }
    $storageSet = Backup-HotmessStorage @repositoryArgument @storage
    $verifications += $storageSet | Test-HotmessBackup
}
$passed = -not ($verifications | Where-Object { -not $_.Passed })
$failedChecks = @($verifications.Checks | Where-Object { -not $_.Passed })

if ($PSCmdlet.ShouldProcess($ReportPath, 'Write the backup verification checklist')) {
    New-Item -ItemType Directory -Force -Path $ReportPath | Out-Null
    $markdown = $verifications | Export-HotmessReport -Format Markdown -Path $ReportPath -Force
    $json = $verifications | Export-HotmessReport -Format Json -Path ([IO.Path]::ChangeExtension($markdown.FullName, '.json')) -Force
}

[pscustomobject]@{
    PSTypeName   = 'Hotmess.Recovery.Runbooks.BackupVerificationRun'
    SetId        = @($verifications.SetId)
    Passed       = $passed
    Checks       = @($verifications.Checks).Count
    Failed       = $failedChecks.Count
    ReportPath   = $markdown.FullName
    JsonPath     = $json.FullName
}

if (-not $passed) {
    throw "The backup $($verifications.SetId -join ', ') failed its verification: $(($failedChecks | Select-Object -First 5 | ForEach-Object Name) -join '; ')"
}
