<#
.SYNOPSIS
    Runs every benchmark in bench/ against its baseline and prints the figures side by side.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $Out)

$ErrorActionPreference = 'Stop'
& (Join-Path $PSScriptRoot 'Measure-DatabaseBackup.ps1') -Out $Out
$storage = Join-Path $PSScriptRoot 'Measure-StorageBackup.ps1'
if (Test-Path $storage) { & $storage -Out $Out }
& (Join-Path $PSScriptRoot 'Measure-OffsiteCopy.ps1') -Out $Out
