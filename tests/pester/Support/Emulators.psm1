# The storage emulators (npm azurite and s3rver, installed into the repository's node_modules by build.ps1 from
# package-lock.json) for Pester tests, the demo and benchmarks: start one on a loopback port the operating system
# picks, over a temporary folder of its own; stop it, which removes the folder.

Import-Module (Join-Path $PSScriptRoot 'ListeningProcess.psm1')

function Get-HotmessNodeModulesPath {
    $path = Join-Path $PSScriptRoot '../../../node_modules'
    if (-not (Test-Path (Join-Path $path 'azurite')) -or -not (Test-Path (Join-Path $path 's3rver'))) {
        throw "The storage emulators are not installed (looked in $path); run './build.ps1 test' or 'npm ci' in the repository first."
    }
    (Resolve-Path $path).ProviderPath
}

function Start-HotmessEmulatorProcess {
    # Starts node on one emulator's entry script and waits for the line that gives its port.
    param([string] $Script, [scriptblock] $Arguments, [string] $ListeningPattern, [TimeSpan] $Timeout)
    $scriptPath = Join-Path (Get-HotmessNodeModulesPath) $Script
    $data = Join-Path ([IO.Path]::GetTempPath()) ('hotmess-emulator-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $data | Out-Null

    try {
        $started = Start-HotmessListeningProcess -FileName 'node' -ArgumentList (@($scriptPath) + @(& $Arguments $data)) `
            -ListeningPattern $ListeningPattern -Timeout $Timeout -Name $Script
    }
    catch {
        Remove-Item -Recurse -Force $data -ErrorAction Ignore
        throw
    }

    @{ Process = $started.Process; Port = [int] $started.Match.port; DataDirectory = $data }
}

function Start-HotmessAzurite {
    <#
    .SYNOPSIS
        Starts Azurite's blob service on a free loopback port over a new temporary folder.
    .OUTPUTS
        An object with BlobEndpoint, ConnectionString, Environment (a hashtable with AZURE_STORAGE_CONNECTION_STRING,
        for ObjectStores.Open or to copy into $env:), DataDirectory and Process; pass it to Stop-HotmessEmulator.
    #>
    [CmdletBinding()]
    param([TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60))
    $started = Start-HotmessEmulatorProcess -Script 'azurite/dist/src/blob/main.js' -Timeout $Timeout `
        -ListeningPattern 'successfully listens on http://127\.0\.0\.1:(?<port>\d+)' `
        -Arguments { param($data) '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', $data, '--skipApiVersionCheck', '--disableTelemetry', '--silent' }
    # Azurite's published development account: not a secret.
    $key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
    $endpoint = "http://127.0.0.1:$($started.Port)/devstoreaccount1"
    $connectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=$endpoint;"
    [pscustomobject]@{
        PSTypeName       = 'HotmessRecovery.TestEmulator'
        Name             = 'Azurite'
        BlobEndpoint     = $endpoint
        ConnectionString = $connectionString
        Environment      = @{ AZURE_STORAGE_CONNECTION_STRING = $connectionString }
        Port             = $started.Port
        DataDirectory    = $started.DataDirectory
        Process          = $started.Process
    }
}

function Start-HotmessS3rver {
    <#
    .SYNOPSIS
        Starts s3rver on a free loopback port over a new temporary folder.
    .OUTPUTS
        An object with Endpoint, Environment (a hashtable of the AWS SDK's variables: AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3), DataDirectory and Process; pass it to Stop-HotmessEmulator.
    #>
    [CmdletBinding()]
    param([TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60))
    $started = Start-HotmessEmulatorProcess -Script 's3rver/bin/s3rver.js' -Timeout $Timeout `
        -ListeningPattern 'S3rver listening on 127\.0\.0\.1:(?<port>\d+)' `
        -Arguments { param($data) '-d', $data, '-a', '127.0.0.1', '-p', '0', '--silent' }
    $endpoint = "http://127.0.0.1:$($started.Port)"
    [pscustomobject]@{
        PSTypeName    = 'HotmessRecovery.TestEmulator'
        Name          = 's3rver'
        Endpoint      = $endpoint
        # s3rver's fixed development credentials: not a secret.
        Environment   = @{ AWS_ACCESS_KEY_ID = 'S3RVER'; AWS_SECRET_ACCESS_KEY = 'S3RVER'; AWS_REGION = 'us-east-1'; AWS_ENDPOINT_URL_S3 = $endpoint }
        Port          = $started.Port
        DataDirectory = $started.DataDirectory
        Process       = $started.Process
    }
}

function Stop-HotmessEmulator {
    <#
    .SYNOPSIS
        Stops an emulator started by Start-HotmessAzurite or Start-HotmessS3rver and removes its folder.
    #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Emulator)
    process {
        if (-not $Emulator) { return }
        if (-not $Emulator.Process.HasExited) {
            $Emulator.Process.Kill($true)
            $Emulator.Process.WaitForExit(10000) | Out-Null
        }
        $Emulator.Process.Dispose()
        Remove-Item -Recurse -Force $Emulator.DataDirectory -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Start-HotmessAzurite, Start-HotmessS3rver, Stop-HotmessEmulator, Get-HotmessNodeModulesPath
