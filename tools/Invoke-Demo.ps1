<#
.SYNOPSIS
    The main job on the embedded default: a throwaway PostgreSQL 15 with the sample HOTMESS database and the
    local Supabase Storage fake with the plan's buckets are backed up, the database backup is verified by a
    restore into a scratch database and the storage backup against its content store, and the Backup
    Verification Checklist is written to out/demo/ and printed. Then the sets are copied offsite, encrypted, to
    Azurite (Microsoft's Azure Blob Storage emulator, on loopback), the local repository is deleted, and the
    database is restored from Azurite into a new database and the storage set verified there.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out
)

$ErrorActionPreference = 'Stop'
$demo = Join-Path $Out 'demo'
Remove-Item -Recurse -Force $demo -ErrorAction Ignore
New-Item -ItemType Directory -Force $demo | Out-Null

# build.ps1 runs this in a fresh pwsh: the module and the sandbox load from out/, nothing of the build session leaks in.
$env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HotmessRecovery
Add-Type -Path (Join-Path $Out 'sandbox/Hotmess.Recovery.Sandbox.dll')
Import-Module (Join-Path $PSScriptRoot '../tests/pester/Support/Fakes.psm1')
Import-Module (Join-Path $PSScriptRoot '../tests/pester/Support/Emulators.psm1')

function Add-SampleStorage($Fake) {
    # The plan's buckets, filled through the Storage API the way the HOTMESS app uploads: a few images and media
    # with keys as users make them (spaces, unicode, '+', '&').
    $headers = @{ Authorization = "Bearer $($Fake.ServiceKey)"; apikey = $Fake.ServiceKey }
    $buckets = @(
        @{ name = 'avatars'; public = $true; file_size_limit = 1048576; allowed_mime_types = @('image/png', 'image/jpeg') }
        @{ name = 'uploads'; public = $false }
        @{ name = 'products'; public = $true; allowed_mime_types = @('image/png', 'image/jpeg', 'image/webp') }
    )
    $random = [Random]::new(20261125)
    foreach ($bucket in $buckets) {
        Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/storage/v1/bucket" -Headers $headers -ContentType 'application/json' -Body ($bucket | ConvertTo-Json) | Out-Null
        foreach ($i in 1..40) {
            $key = switch ($bucket.name) {
                'avatars' { "users/$('{0:d4}' -f $i)/avatar.png" }
                'uploads' { "media/2026-11/clip $i + café & friends.jpg" }
                'products' { "sku-$i/front.webp" }
            }
            $bytes = [byte[]]::new($random.Next(2KB, 200KB)); $random.NextBytes($bytes)
            $path = ($key -split '/' | ForEach-Object { [uri]::EscapeDataString($_) }) -join '/'
            $type = if ($key -like '*.webp') { 'image/webp' } elseif ($key -like '*.png') { 'image/png' } else { 'image/jpeg' }
            Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/storage/v1/object/$($bucket.name)/$path" -Headers ($headers + @{ 'cache-control' = 'max-age=3600' }) -ContentType $type -Body $bytes | Out-Null
        }
    }
}

Write-Host 'Starting a throwaway PostgreSQL 15 with the sample HOTMESS database, and the Storage fake with the plan''s buckets...'
$server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
$fake = Start-HotmessFake
try {
    [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::Demo)
    Add-SampleStorage $fake
    $env:VITE_SUPABASE_URL = $fake.Url
    $env:SUPABASE_SERVICE_ROLE_KEY = $fake.ServiceKey
    $run = & (Join-Path $Out 'HotmessRecovery/runbooks/Invoke-HotmessBackupVerification.ps1') `
        -ConnectionString $server.ConnectionString('hotmess') `
        -ScratchConnectionString $server.ConnectionString('hotmess_verify_scratch') `
        -Repository (Join-Path $demo 'repository') `
        -ReportPath $demo -IncludeStorage
    Get-HotmessBackup -Repository (Join-Path $demo 'repository') | Format-Table | Out-String | Write-Host
    Get-Content -Raw $run.ReportPath | Write-Host
    Write-Host "Checklist: $($run.ReportPath)"
    Write-Host "Evidence:  $($run.JsonPath)"

    # Offsite: the sets copied to Azure Blob Storage (Azurite), encrypted under a passphrase made for this run and
    # never shown; then the machine "is lost" (the local repository deleted) and the backup comes back from Azure.
    Write-Host 'Starting Azurite and copying the sets offsite, encrypted...'
    $azurite = Start-HotmessAzurite
    $env:AZURE_STORAGE_CONNECTION_STRING = $azurite.ConnectionString
    $env:HOTMESS_REPOSITORY_KEY = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
    $offsite = 'az://hotmess-demo/offsite'
    $copies = Get-HotmessBackup -Repository (Join-Path $demo 'repository') | Copy-HotmessBackup -Destination $offsite
    $copies | Format-Table | Out-String | Write-Host
    Remove-Item -Recurse -Force (Join-Path $demo 'repository')
    Write-Host "Deleted the local repository. Restoring from $offsite into the new database hotmess_restored_from_azure..."
    $restore = Get-HotmessBackup -Repository $offsite -Kind Database -Latest |
        Restore-HotmessDatabase $server.ConnectionString('hotmess_restored_from_azure') -Confirm:$false
    $restore | Format-List | Out-String | Write-Host
    $storageCheck = Get-HotmessBackup -Repository $offsite -Kind Storage -Latest | Test-HotmessBackup
    Write-Host "Storage set $($storageCheck.SetId) verified from Azure: $($storageCheck.Passed)"
    if (-not $storageCheck.Passed) { throw 'The storage set fetched back from Azurite did not verify.' }
    exit 0
}
catch {
    Write-Host "The demo failed: $_"
    exit 1
}
finally {
    if ($azurite) { $azurite | Stop-HotmessEmulator }
    $fake | Stop-HotmessFake
    $server.Dispose()
}
