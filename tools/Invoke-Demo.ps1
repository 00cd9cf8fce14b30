<#
.SYNOPSIS
    The main job on the embedded default: a throwaway PostgreSQL 15 with the sample HOTMESS database is backed
    up, the backup is verified by a restore into a scratch database, and the Backup Verification Checklist is
    written to out/demo/ and printed.
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

Write-Host 'Starting a throwaway PostgreSQL 15 with the sample HOTMESS database...'
$server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
try {
    [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::Demo)
    $run = & (Join-Path $Out 'HotmessRecovery/runbooks/Invoke-HotmessBackupVerification.ps1') `
        -ConnectionString $server.ConnectionString('hotmess') `
        -ScratchConnectionString $server.ConnectionString('hotmess_verify_scratch') `
        -Repository (Join-Path $demo 'repository') `
        -ReportPath $demo
    Get-HotmessBackup -Repository (Join-Path $demo 'repository') | Format-Table | Out-String | Write-Host
    Get-Content -Raw $run.ReportPath | Write-Host
    Write-Host "Checklist: $($run.ReportPath)"
    Write-Host "Evidence:  $($run.JsonPath)"
    exit 0
}
catch {
    Write-Host "The demo failed: $_"
    exit 1
}
finally {
    $server.Dispose()
}
