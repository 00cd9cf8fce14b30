# The SaaS fakes program (tests/fakes, built into out/fakes) for Pester tests and benchmarks: start one on a free
# loopback port over its own data folder, steer its fault injection, stop it. Service-specific controls stay with
# the tests of that service.

Import-Module (Join-Path $PSScriptRoot 'ListeningProcess.psm1')

function Get-HotmessFakePath {
    # out/fakes/Hotmess.Recovery.Fakes.dll beside the module found on PSModulePath, else beside this repository's out/.
    $module = Get-Module -ListAvailable HotmessRecovery | Sort-Object Version -Descending | Select-Object -First 1
    $candidates = @(
        if ($module) { Join-Path (Split-Path $module.ModuleBase) 'fakes/Hotmess.Recovery.Fakes.dll' }
        Join-Path $PSScriptRoot '../../../out/fakes/Hotmess.Recovery.Fakes.dll'
    )
    $found = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $found) { throw "The fakes are not built (looked for $($candidates -join ', ')); run ./build.ps1 build first." }
    (Resolve-Path $found).ProviderPath
}

function Start-HotmessFake {
    <#
    .SYNOPSIS
        Starts the fakes program on a free loopback port and waits until it listens.
    .OUTPUTS
        An object with Url (no trailing slash), ServiceKey, DataDirectory and Process; pass it to Stop-HotmessFake.
    #>
    [CmdletBinding()]
    param(
        # The key the fake's Supabase gateway accepts as apikey and Bearer token.
        [string] $ServiceKey = ('fake-service-key-' + [guid]::NewGuid().ToString('N').Substring(0, 12)),

        # Where the fake keeps its state; a new temporary folder, removed by Stop-HotmessFake, when not given.
        [string] $DataDirectory,

        # More command-line options, such as '--fault-rate', '0.1' or '--fault-latency-ms', '20'.
        [string[]] $ArgumentList = @(),

        [string] $Path = (Get-HotmessFakePath),

        [TimeSpan] $Timeout = [TimeSpan]::FromSeconds(30)
    )
    $ownsData = -not $DataDirectory
    if ($ownsData) {
        $DataDirectory = Join-Path ([IO.Path]::GetTempPath()) ('hotmess-fake-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    }

    try {
        $started = Start-HotmessListeningProcess -FileName 'dotnet' -Timeout $Timeout -Name 'The fakes' `
            -ArgumentList (@($Path, '--urls', 'http://127.0.0.1:0', '--data-dir', $DataDirectory, '--service-key', $ServiceKey) + $ArgumentList) `
            -ListeningPattern 'Now listening on: (?<url>http://\S+)'
    }
    catch {
        if ($ownsData) { Remove-Item -Recurse -Force $DataDirectory -ErrorAction Ignore }
        throw
    }

    [pscustomobject]@{
        PSTypeName        = 'HotmessRecovery.TestFake'
        Url               = $started.Match.url.TrimEnd('/')
        ServiceKey        = $ServiceKey
        DataDirectory     = $DataDirectory
        Process           = $started.Process
        OwnsDataDirectory = $ownsData
    }
}

function Stop-HotmessFake {
    <#
    .SYNOPSIS
        Stops a fake started by Start-HotmessFake and removes the data folder it created.
    #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Fake)
    process {
        if (-not $Fake) { return }
        if (-not $Fake.Process.HasExited) {
            $Fake.Process.Kill($true)
            $Fake.Process.WaitForExit(10000) | Out-Null
        }
        $Fake.Process.Dispose()
        if ($Fake.OwnsDataDirectory) { Remove-Item -Recurse -Force $Fake.DataDirectory -ErrorAction Ignore }
    }
}

function Set-HotmessFakeFault {
    <#
    .SYNOPSIS
        Sets the fault injection of a running fake (POST /__fake/faults); with no rates, turns faults off.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Fake,
        [ValidateRange(0, 1)] [double] $ServerErrorRate,
        [ValidateRange(0, 1)] [double] $RateLimitRate,
        [ValidateRange(0, 1)] [double] $CutRate,
        [ValidateRange(0, 600000)] [int] $LatencyMs,
        [ValidateRange(0, 3600)] [int] $RetryAfterSeconds = 1,
        # Only requests whose path starts with this, e.g. /storage/v1.
        [string] $PathPrefix,
        [int] $Seed
    )
    $settings = @{
        serverErrorRate   = $ServerErrorRate
        rateLimitRate     = $RateLimitRate
        cutRate           = $CutRate
        latencyMs         = $LatencyMs
        retryAfterSeconds = $RetryAfterSeconds
    }
    if ($PathPrefix) { $settings.pathPrefix = $PathPrefix }
    if ($PSBoundParameters.ContainsKey('Seed')) { $settings.seed = $Seed }
    Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/__fake/faults" -ContentType 'application/json' -Body ($settings | ConvertTo-Json)
}

Export-ModuleMember -Function Start-HotmessFake, Stop-HotmessFake, Set-HotmessFakeFault, Get-HotmessFakePath
