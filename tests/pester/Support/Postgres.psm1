# A real PostgreSQL 15 server for the Pester tests, through the sandbox built beside the module in out/.

function Get-HotmessSandboxAssembly {
    $module = Get-Module -ListAvailable HotmessRecovery | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $module) { throw 'The HotmessRecovery module is not on PSModulePath; run ./build.ps1 build first.' }
    Join-Path (Split-Path $module.ModuleBase) 'sandbox/Hotmess.Recovery.Sandbox.dll'
}

function Start-HotmessTestPostgres {
    <#
    .SYNOPSIS
        Starts a throwaway PostgreSQL server on a free loopback port; with -SampleDatabase, loads the sample HOTMESS database.
    #>
    [CmdletBinding()]
    param(
        [string] $SampleDatabase,
        [ValidateSet('Small', 'Demo')] [string] $Size = 'Small',

        # The server's max_connections; the sandbox's default when not given.
        [int] $MaxConnections
    )
    Add-Type -Path (Get-HotmessSandboxAssembly)
    $options = [Hotmess.Recovery.Sandbox.LocalPostgresOptions]::new()
    if ($MaxConnections) { $options.MaxConnections = $MaxConnections }
    $server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start($options)
    if ($SampleDatabase) {
        [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, $SampleDatabase, [Hotmess.Recovery.Sandbox.SampleSize]::$Size)
    }
    $server
}

function Stop-HotmessTestPostgres {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Server)
    process { if ($Server) { $Server.Dispose() } }
}

function New-HotmessScratchName {
    # Database names the tests restore into; unique so tests never meet each other's leftovers.
    'scratch_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
}

Export-ModuleMember -Function Start-HotmessTestPostgres, Stop-HotmessTestPostgres, New-HotmessScratchName
