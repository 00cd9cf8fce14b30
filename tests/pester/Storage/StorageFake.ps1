# Storage steps for the storage cmdlet tests: put buckets and objects into a fake project through the Storage
# API itself, read them back, and point the plan's variables at a fake. Dot-source it in BeforeAll.

Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force

$script:StorageVariables = 'VITE_SUPABASE_URL', 'SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'HOTMESS_CONFIG', 'HOTMESS_REPOSITORY'

function Get-StorageHeaders($Fake) {
    @{ apikey = $Fake.ServiceKey; Authorization = "Bearer $($Fake.ServiceKey)" }
}

function Get-StorageObjectUri($Fake, [string] $Bucket, [string] $Key) {
    $path = ($Key -split '/' | ForEach-Object { [uri]::EscapeDataString($_) }) -join '/'
    "$($Fake.Url)/storage/v1/object/$([uri]::EscapeDataString($Bucket))/$path"
}

function Add-StorageTestBucket($Fake, [string] $Name, [switch] $Public, [Nullable[long]] $FileSizeLimit, [string[]] $AllowedMimeTypes) {
    $body = @{ name = $Name; public = [bool]$Public; file_size_limit = $FileSizeLimit; allowed_mime_types = $AllowedMimeTypes }
    Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/storage/v1/bucket" -Headers (Get-StorageHeaders $Fake) -ContentType 'application/json' -Body ($body | ConvertTo-Json) | Out-Null
}

function Add-StorageTestObject($Fake, [string] $Bucket, [string] $Key, [byte[]] $Content, [string] $ContentType = 'application/octet-stream',
    [string] $CacheControl = 'max-age=3600', [switch] $Upsert) {
    $headers = Get-StorageHeaders $Fake
    $headers['cache-control'] = $CacheControl
    $headers['x-upsert'] = if ($Upsert) { 'true' } else { 'false' }
    Invoke-RestMethod -Method Post -Uri (Get-StorageObjectUri $Fake $Bucket $Key) -Headers $headers -ContentType $ContentType -Body $Content | Out-Null
}

function Get-StorageTestObject($Fake, [string] $Bucket, [string] $Key) {
    $response = Invoke-WebRequest -Uri (Get-StorageObjectUri $Fake $Bucket $Key) -Headers (Get-StorageHeaders $Fake)
    [pscustomobject]@{ Content = $response.RawContentStream.ToArray(); ContentType = "$($response.Headers['Content-Type'])"; CacheControl = "$($response.Headers['Cache-Control'])" }
}

function Get-StorageTestBucket($Fake) {
    # One object per bucket down the pipeline.
    (Invoke-RestMethod -Uri "$($Fake.Url)/storage/v1/bucket" -Headers (Get-StorageHeaders $Fake)) | ForEach-Object { $_ }
}

function New-TestBytes([int] $Size, [int] $Seed) {
    $bytes = [byte[]]::new($Size)
    [Random]::new($Seed).NextBytes($bytes)
    , $bytes
}

function Set-StorageTestEnvironment($Fake) {
    # Points the cmdlets at the fake through the plan's variables, as a runbook's environment does.
    $saved = @{}
    foreach ($name in $StorageVariables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $env:VITE_SUPABASE_URL = $Fake.Url
    $env:SUPABASE_URL = $null
    $env:SUPABASE_SERVICE_ROLE_KEY = $Fake.ServiceKey
    # No hotmess.json of the machine may leak into the tests.
    $env:HOTMESS_CONFIG = $null
    $env:HOTMESS_REPOSITORY = $null
    $saved
}

function Restore-StorageTestEnvironment([hashtable] $Saved) {
    foreach ($entry in $Saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
}
