<#
.SYNOPSIS
    The plan's weekly backup, unattended: database and storage backups, an encrypted offsite copy, a verification
    of the newest sets where they now live, and retention.

.DESCRIPTION
    One job a scheduler (Azure Automation, a systemd timer, a CI cron) runs and can trust:
      1. Backup-HotmessDatabase into the local repository (pg_dump needs a disk), and with storage (unless
         -SkipStorage) Backup-HotmessStorage of every bucket, incremental.
      2. Copy-HotmessBackup of both sets to the offsite repository (az:// or s3://): only what it lacks, encrypted,
         read back and compared; the first copy initialises it with the passphrase.
      3. Test-HotmessBackup of the copies at the offsite repository: fetched back, every file authenticated and
         checked against its manifest; with a scratch database, the database set is also restored into it and
         compared. The verification comes before any removal, so a run that cannot prove its backup removes nothing,
         and the retention below sees the newest verified set.
      4. Remove-HotmessBackup, on the local and the offsite repository: the configuration's retention section, else
         the plan's policy for weekly manual backups (8 weekly, 12 monthly, every set of the last 7 days). The newest
         set of each kind and the newest verified one always stay.
    Any failure fails the job: the script throws, so Azure Automation marks the job Failed and `pwsh -File`
    exits with 1. It writes one object saying what it did.

    Settings come from parameters, then Get-HotmessSetting (Azure Automation variables, then the environment):
    HOTMESS_DATABASE_URL, HOTMESS_REPOSITORY, HOTMESS_OFFSITE_REPOSITORY, HOTMESS_REPOSITORY_KEY (the offsite
    passphrase, unless -KeyFile), HOTMESS_SCRATCH_DATABASE_URL (optional), and for storage VITE_SUPABASE_URL and
    SUPABASE_SERVICE_ROLE_KEY. The store's own credentials come from AZURE_STORAGE_CONNECTION_STRING or
    AZURE_STORAGE_ACCOUNT (the Automation account's managed identity), or the AWS_* variables.

.EXAMPLE
    ./Invoke-HotmessBackup.ps1 -Destination az://backups/hotmess -KeyFile ~/.config/hotmess/repository.key -ScratchConnectionString 'Host=localhost;Database=verify_scratch;Username=postgres'
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $ConnectionString,
    # The local repository the backups are taken into.
    [string] $Repository,
    # The offsite repository: az://container[/prefix] or s3://bucket[/prefix].
    [string] $Destination,
    # A file holding the offsite repository's passphrase; HOTMESS_REPOSITORY_KEY when not given.
    [string] $KeyFile,
    # A database to restore the newest database set into as its verification; files only when not given.
    [string] $ScratchConnectionString,
    [switch] $SkipStorage,
    [ValidateRange(1, 64)] [int] $Jobs = 2
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Import-Module HotmessRecovery

if (-not $ConnectionString) { $ConnectionString = Get-HotmessSetting HOTMESS_DATABASE_URL }
if (-not $Repository) { $Repository = Get-HotmessSetting HOTMESS_REPOSITORY }
if (-not $Destination) { $Destination = Get-HotmessSetting HOTMESS_OFFSITE_REPOSITORY }
if (-not $ScratchConnectionString) { $ScratchConnectionString = Get-HotmessSetting HOTMESS_SCRATCH_DATABASE_URL }
if (-not $Destination) {
    throw 'No offsite repository: pass -Destination or set HOTMESS_OFFSITE_REPOSITORY (az://container/prefix or s3://bucket/prefix).'
}

$repositoryArgument = if ($Repository) { @{ Repository = $Repository } } else { @{} }
$keyArgument = if ($KeyFile) { @{ RepositoryKeyFile = $KeyFile } } else { @{} }

# The cmdlets read the passphrase from HOTMESS_REPOSITORY_KEY; an Automation variable is not in the environment, so
# it is put there for this run only (never into a file) and the previous value restored at the end.
$previousKey = $env:HOTMESS_REPOSITORY_KEY
if (-not $KeyFile -and ($passphrase = Get-HotmessSetting HOTMESS_REPOSITORY_KEY -AsSecureString)) {
    $env:HOTMESS_REPOSITORY_KEY = [Net.NetworkCredential]::new('', $passphrase).Password
}

try {
    $sets = @(Backup-HotmessDatabase @repositoryArgument -ConnectionString $ConnectionString -Jobs $Jobs -WhatIf:$WhatIfPreference)
    if (-not $SkipStorage) {
        $storage = @{}
        if ($url = Get-HotmessSetting VITE_SUPABASE_URL) { $storage.SupabaseUrl = $url }
        if ($key = Get-HotmessSetting SUPABASE_SERVICE_ROLE_KEY) { $storage.ServiceRoleKey = $key }
        $sets += @(Backup-HotmessStorage @repositoryArgument @storage -WhatIf:$WhatIfPreference)
    }
    if (-not $sets) {
        Write-Verbose "Would copy the new sets to $Destination, verify them there, and apply retention to both repositories."
        return
    }

    $copies = @($sets | Copy-HotmessBackup -Destination $Destination @keyArgument)

    $restore = if ($ScratchConnectionString) { @{ RestoreTo = $ScratchConnectionString; Jobs = $Jobs } } else { @{} }
    $verifications = @(foreach ($copy in $copies) {
            if ($copy.Kind -eq 'Database') { $copy | Test-HotmessBackup @restore @keyArgument }
            else { $copy | Test-HotmessBackup @keyArgument }
        })
    $failed = @($verifications | Where-Object { -not $_.Passed })
    if ($failed) {
        $checks = @($failed.Checks | Where-Object { -not $_.Passed } | Select-Object -First 5 | ForEach-Object Name)
        throw "The offsite copy of $($failed.SetId -join ', ') failed its verification ($($checks -join '; ')); nothing was removed."
    }

    # The configuration's retention section when it has one, else the plan's policy for weekly manual backups.
    $policy = if ((Get-HotmessConfiguration).Retention.IsEmpty) { @{ KeepWeekly = 8; KeepMonthly = 12; KeepWithin = [TimeSpan]::FromDays(7) } } else { @{} }
    $removedLocal = @(Remove-HotmessBackup @repositoryArgument @policy -Force | Where-Object Removed)
    $removedOffsite = @(Remove-HotmessBackup -Repository $Destination @keyArgument @policy -Force | Where-Object Removed)

    [pscustomobject]@{
        PSTypeName     = 'Hotmess.Recovery.Runbooks.BackupRun'
        SetId          = @($copies.Id)
        Destination    = $Destination
        Verified       = @($verifications.SetId)
        Passed         = $true
        RemovedLocal   = @($removedLocal.Id)
        RemovedOffsite = @($removedOffsite.Id)
    }
}
finally {
    $env:HOTMESS_REPOSITORY_KEY = $previousKey
}
