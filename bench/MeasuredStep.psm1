# One measured step of a benchmark, in a pwsh of its own so each step has its own peak working set.

function Invoke-MeasuredStep {
    <#
    .SYNOPSIS
        Runs Body in a new pwsh with the built module imported and $a (Arguments, as JSON) and $Step in scope, after
        Setup (dot-sourced, before the clock starts). Body returns a hashtable; Seconds, CpuSeconds and PeakMB are added.
    #>
    param([string] $Step, [hashtable] $Arguments, [scriptblock] $Body, [scriptblock] $Setup = {})
    $script = [scriptblock]::Create(@"
param(`$Step, `$ArgumentsJson)
`$a = `$ArgumentsJson | ConvertFrom-Json
`$env:PSModulePath = `$a.Out + [IO.Path]::PathSeparator + `$env:PSModulePath
`$ProgressPreference = 'SilentlyContinue'
`$ErrorActionPreference = 'Stop'
Import-Module HotmessRecovery
. {
$Setup
}
`$cpu = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime
`$watch = [Diagnostics.Stopwatch]::StartNew()
`$result = . {
$Body
}
`$result.Seconds = `$watch.Elapsed.TotalSeconds
`$result.CpuSeconds = ([Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime - `$cpu).TotalSeconds
`$result.PeakMB = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB
`$result | ConvertTo-Json -Compress
"@)
    $hostPath = (Get-Process -Id $PID).Path
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $json = & $hostPath @prefix -NoProfile -NonInteractive -Command $script -args $Step, ($Arguments | ConvertTo-Json -Compress)
    if ($LASTEXITCODE -ne 0) { throw "The $Step step failed: $json" }
    $json | Select-Object -Last 1 | ConvertFrom-Json
}

Export-ModuleMember -Function Invoke-MeasuredStep
