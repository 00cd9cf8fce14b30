<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the HotmessRecovery module.

.DESCRIPTION
    One entry point for people and CI alike:

      build   publishes the importable module to out/HotmessRecovery (manifest, format views, help, dependencies)
              and out/HotmessRecovery.zip, the folder Azure Automation imports.
      test    builds, then runs the xUnit tests of the engine and the Pester tests of the cmdlets and runbooks
              in a fresh pwsh against out/; prints each runner's summary and exits non-zero on any failure.
      demo    builds, starts a throwaway PostgreSQL 15 with the sample HOTMESS database, backs it up, verifies
              the backup by restoring it into a scratch database, writes the Backup Verification Checklist to
              out/demo/ and prints it; then copies the sets, encrypted, to Azurite, deletes the local
              repository and restores the database from Azurite.
      demo-disaster
              builds, backs up the sample platform (a local PostgreSQL 15, its buckets and the fakes), destroys it and recovers
              it with runbooks/Invoke-HotmessPlatformRecovery.ps1 into a new project; prints the incident report
              and its measured RTO (out/demo-disaster/).
      bench   builds, then runs the benchmarks in bench/ against their baselines.

    PostgreSQL 15 is installed with apt-get when its binaries are missing; the storage emulators (Azurite, s3rver)
    with 'npm ci' from package-lock.json when node_modules lacks them.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'demo', 'demo-disaster', 'bench', 'clean')]
    [string] $Task = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tests to run (paths or names under tests/pester); all when empty.
    [string[]] $PesterPath,

    # xUnit filter expression (dotnet test --filter).
    [string] $XunitFilter,

    # Skip the xUnit or Pester half of 'test'.
    [switch] $SkipXunit,
    [switch] $SkipPester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'HotmessRecovery'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Invoke-Native {
    # Runs a program and stops the build when it fails. A plain function: '-o' and the like reach the program untouched.
    $program, $arguments = $args
    & $program @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$program $($arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-FreshPwsh {
    # A new pwsh process (no module, no loaded dll of this session). Under 'dotnet pwsh' this process is dotnet
    # itself, so start pwsh.dll from this PowerShell's home.
    $host_ = (Get-Process -Id $PID).Path
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    & $host_ @prefix -NoProfile -NonInteractive @args | Out-Host
    return $LASTEXITCODE
}

function Get-ModuleVersion {
    ([xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))).Project.PropertyGroup.ModuleVersion |
        Where-Object { $_ } | Select-Object -First 1
}

function Install-PostgreSql {
    # The tests and the demo need a real PostgreSQL 15 server and its own pg_dump / pg_restore / psql.
    $bin = '/usr/lib/postgresql/15/bin'
    if ((Test-Path "$bin/initdb") -and (Test-Path "$bin/pg_dump") -and (Test-Path "$bin/pg_restore") -and (Test-Path "$bin/psql")) { return }
    if (-not $IsLinux -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        throw "PostgreSQL 15 is missing from '$bin' and apt-get is not available to install it."
    }
    Write-Host 'Installing PostgreSQL 15 with apt-get...'
    $sudo = if ((id -u) -ne '0') { 'sudo' } else { $null }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    if ($sudo) {
        Invoke-Native sudo apt-get update -q
        Invoke-Native sudo apt-get install -y -q --no-install-recommends postgresql-15 postgresql-client-15
    }
    else {
        Invoke-Native apt-get update -q
        Invoke-Native apt-get install -y -q --no-install-recommends postgresql-15 postgresql-client-15
    }
}

function Install-Emulators {
    # Azurite (Azure Blob Storage) and s3rver (S3), pinned by package-lock.json, for the tests, the demo and the
    # benchmarks; installed with 'npm ci' only when they are missing. Node.js comes from apt-get when npm is missing.
    $modules = Join-Path $Root 'node_modules'
    if ((Test-Path (Join-Path $modules 'azurite/dist/src/blob/main.js')) -and (Test-Path (Join-Path $modules 's3rver/bin/s3rver.js'))) { return }
    if (-not (Get-Command npm -ErrorAction Ignore)) {
        if (-not $IsLinux -or -not (Get-Command apt-get -ErrorAction Ignore)) {
            throw 'Node.js and npm are needed for the storage emulators (Azurite, s3rver) and apt-get is not available to install them.'
        }
        Write-Host 'Installing Node.js and npm with apt-get...'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        $apt = if ((id -u) -ne '0') { @('sudo', 'apt-get') } else { @('apt-get') }
        Invoke-Native @apt update -q
        Invoke-Native @apt install -y -q --no-install-recommends nodejs npm
    }
    Write-Host 'Installing the storage emulators (npm ci)...'
    Push-Location $Root
    try { Invoke-Native npm ci --no-audit --no-fund --loglevel=error }
    finally { Pop-Location }
}

function Invoke-Build {
    $version = Get-ModuleVersion
    Write-Host "Building HotmessRecovery $version ($Configuration)..."
    $publish = Join-Path $Out 'publish'
    Remove-Item -Recurse -Force $publish, $ModuleOut -ErrorAction Ignore
    Invoke-Native dotnet publish (Join-Path $Root 'src/Hotmess.Recovery.Cmdlets') -c $Configuration -o $publish --nologo -v quiet
    Invoke-Native dotnet build (Join-Path $Root 'tests/Hotmess.Recovery.Sandbox') -c $Configuration -o (Join-Path $Out 'sandbox') --nologo -v quiet
    Invoke-Native dotnet build (Join-Path $Root 'tests/fakes/Hotmess.Recovery.Fakes') -c $Configuration -o (Join-Path $Out 'fakes') --nologo -v quiet

    New-Item -ItemType Directory -Force $ModuleOut | Out-Null
    # Everything the module needs at run time sits beside its dll; nothing of PowerShell's own.
    Get-ChildItem $publish -File |
        Where-Object { $_.Extension -in '.dll', '.json' -and $_.Name -notlike 'System.Management.Automation*' -and $_.Name -ne 'Hotmess.Recovery.Cmdlets.deps.json' } |
        Copy-Item -Destination $ModuleOut
    # Native libraries (SkiaSharp's, for the drill chart) must sit beside the dll: pwsh does not read the module's
    # runtimes/ folder. Those of the machine that builds, which is the machine that runs the tests.
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier -replace '^(linux|osx|win)[^-]*', '$1'
    Get-ChildItem (Join-Path $publish "runtimes/$rid/native") -File -ErrorAction Ignore | Copy-Item -Destination $ModuleOut
    Get-ChildItem (Join-Path $Root 'module') -File | Copy-Item -Destination $ModuleOut
    $manifest = Join-Path $ModuleOut 'HotmessRecovery.psd1'
    (Get-Content -Raw $manifest).Replace('{{ModuleVersion}}', $version) | Set-Content -NoNewline $manifest

    $helpSource = Join-Path $Root 'docs/help'
    if (Test-Path $helpSource) {
        & (Join-Path $Root 'tools/ConvertTo-MamlHelp.ps1') -Path $helpSource -OutputPath (Join-Path $ModuleOut 'en-US/Hotmess.Recovery.Cmdlets.dll-help.xml')
    }

    Copy-Item -Recurse (Join-Path $Root 'runbooks') (Join-Path $ModuleOut 'runbooks')
    $zip = Join-Path $Out 'HotmessRecovery.zip'
    Remove-Item $zip -ErrorAction Ignore
    Compress-Archive -Path $ModuleOut -DestinationPath $zip
    Write-Host "Module: $manifest"
}

function Start-Xunit {
    # In a process of its own, its output held until it ends: it runs beside the Pester tests, since both spend much of
    # their time waiting on PostgreSQL, the emulators and the fakes.
    $results = Join-Path $Out 'test-results'
    $arguments = @('test', (Join-Path $Root 'tests/Hotmess.Recovery.Tests'), '-c', $Configuration, '--nologo',
        '--logger', 'console;verbosity=minimal', '--logger', 'trx;LogFileName=xunit.trx', '--results-directory', $results)
    if ($XunitFilter) { $arguments += @('--filter', $XunitFilter) }
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($start)
    [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Errors = $process.StandardError.ReadToEndAsync() }
}

function Complete-Xunit($Run) {
    $Run.Process.WaitForExit()
    $Run.Output.GetAwaiter().GetResult() | Out-Host
    $Run.Errors.GetAwaiter().GetResult() | Out-Host
    return $Run.Process.ExitCode
}

function Invoke-PesterTests {
    $pester = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/pester/5.7.1/tools/Pester.psd1'
    if ($env:NUGET_PACKAGES) { $pester = Join-Path $env:NUGET_PACKAGES 'pester/5.7.1/tools/Pester.psd1' }
    if (-not (Test-Path $pester)) {
        Invoke-Native dotnet restore (Join-Path $Root 'tests/pester/tools/Pester.Tools.csproj') --nologo -v quiet
    }
    $paths = if ($PesterPath) { $PesterPath | ForEach-Object { $_ -split ',' } | ForEach-Object { Join-Path $Root $_ } } else { @(Join-Path $Root 'tests/pester') }
    # A fresh pwsh, with out/ first on PSModulePath: no locked dll, no stale module from this session.
    $script = @'
param($Pester, $Out, [string] $Paths)
$env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module $Pester -RequiredVersion 5.7.1
$c = New-PesterConfiguration
$c.Run.Path = $Paths -split [IO.Path]::PathSeparator
$c.Output.Verbosity = 'Normal'
$c.Output.RenderMode = 'Plaintext'
$c.Should.ErrorAction = 'Continue'
$c.Run.PassThru = $true
$result = Invoke-Pester -Configuration $c
@{ passed = $result.PassedCount; failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount; skipped = $result.SkippedCount } |
    ConvertTo-Json | Set-Content (Join-Path $Out 'test-results/pester.json')
exit ($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)
'@
    $scriptPath = Join-Path $Out 'run-pester.ps1'
    Set-Content -Path $scriptPath -Value $script
    $env:NO_COLOR = '1'
    return Invoke-FreshPwsh -File $scriptPath -Pester $pester -Out $Out -Paths ($paths -join [IO.Path]::PathSeparator)
}

function Get-TestCounts {
    $counts = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $results = Join-Path $Out 'test-results'
    foreach ($trx in Get-ChildItem $results -Recurse -Filter *.trx -ErrorAction Ignore) {
        $c = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $counts.Passed += [int]$c.passed; $counts.Failed += [int]$c.failed + [int]$c.error + [int]$c.timeout; $counts.Skipped += [int]$c.notExecuted
    }
    $pester = Join-Path $results 'pester.json'
    if (Test-Path $pester) {
        $p = Get-Content -Raw $pester | ConvertFrom-Json
        $counts.Passed += $p.passed; $counts.Failed += $p.failed; $counts.Skipped += $p.skipped
    }
    $counts
}

switch ($Task) {
    'clean' {
        Remove-Item -Recurse -Force $Out -ErrorAction Ignore
        # node_modules has bin folders of its own (the emulators' entry points): not build output.
        $nodeModules = Join-Path $Root 'node_modules'
        Get-ChildItem $Root -Recurse -Directory -Include bin, obj |
            Where-Object { -not $_.FullName.StartsWith($nodeModules + [IO.Path]::DirectorySeparatorChar) } |
            Remove-Item -Recurse -Force
    }
    'build' { Invoke-Build }
    'test' {
        Install-PostgreSql
        Install-Emulators
        Invoke-Build
        $results = Join-Path $Out 'test-results'
        Remove-Item -Recurse -Force $results -ErrorAction Ignore
        New-Item -ItemType Directory -Force $results | Out-Null
        $failures = @()
        $xunit = if (-not $SkipXunit) { Start-Xunit }
        if (-not $SkipPester) {
            Write-Host "`n=== Pester: cmdlets, pipelines, runbooks ==="
            if ((Invoke-PesterTests) -ne 0) { $failures += 'Pester' }
        }
        if ($xunit) {
            Write-Host "`n=== xUnit: the engine (run beside Pester) ==="
            if ((Complete-Xunit $xunit) -ne 0) { $failures += 'xUnit' }
        }
        # One closing line for both runners, in the plain form CI logs are read for.
        $counts = Get-TestCounts
        Write-Host ''
        Write-Host "Total: $($counts.Passed) passed, $($counts.Failed) failed, $($counts.Skipped) skipped"
        if ($failures -or $counts.Failed -gt 0) {
            Write-Host "FAILED: $(@($failures) -join ', ')"
            exit 1
        }
        exit 0
    }
    'demo' {
        Install-PostgreSql
        Install-Emulators
        Invoke-Build
        exit (Invoke-FreshPwsh -File (Join-Path $Root 'tools/Invoke-Demo.ps1') -Out $Out)
    }
    'demo-disaster' {
        Install-PostgreSql
        Invoke-Build
        exit (Invoke-FreshPwsh -File (Join-Path $Root 'tools/Invoke-DisasterDemo.ps1') -Out $Out)
    }
    'bench' {
        Install-PostgreSql
        Install-Emulators
        Invoke-Build
        exit (Invoke-FreshPwsh -File (Join-Path $Root 'bench/Invoke-Benchmarks.ps1') -Out $Out)
    }
}
