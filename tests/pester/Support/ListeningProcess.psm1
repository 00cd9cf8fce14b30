# Starts a test server (the fakes, an emulator) and waits for the line of its output that says where it listens.

function Start-HotmessListeningProcess {
    <#
    .SYNOPSIS
        Starts FileName with ArgumentList and waits up to Timeout for an output line matching ListeningPattern.
    .OUTPUTS
        A hashtable with Process and Match (the pattern's $Matches); on a timeout the process is killed and the error
        names Name and what it wrote to standard error.
    #>
    param([string] $FileName, [string[]] $ArgumentList, [string] $ListeningPattern, [TimeSpan] $Timeout, [string] $Name)
    $info = [System.Diagnostics.ProcessStartInfo]::new($FileName)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add([string] $argument) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $errors = $process.StandardError.ReadToEndAsync()
    $deadline = [DateTime]::UtcNow + $Timeout
    $match = $null
    while (-not $match) {
        $line = $process.StandardOutput.ReadLineAsync()
        $left = [int][Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
        if (-not $line.Wait($left) -or $null -eq $line.Result) { break }
        if ($line.Result -match $ListeningPattern) { $match = $Matches.Clone() }
    }

    if (-not $match) {
        if (-not $process.HasExited) { $process.Kill($true) }
        $process.WaitForExit(5000) | Out-Null
        throw "$Name did not start within $Timeout`: $($errors.Result)"
    }

    # Keep draining its output so the server never blocks on a full pipe.
    $null = $process.StandardOutput.ReadToEndAsync()
    @{ Process = $process; Match = $match }
}

Export-ModuleMember -Function Start-HotmessListeningProcess
