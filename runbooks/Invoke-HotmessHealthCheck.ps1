<#
.SYNOPSIS
    Runs the plan's health checks every few minutes for the length of one job, alerts on what is unhealthy, and fails
    the job when anything was.

.DESCRIPTION
    The plan's monitoring as one unattended job: each round runs Test-HotmessHealth (the site's /api/health, database
    connections and resources, Stripe webhooks and payments, the providers' status pages, backup, verification and
    drill freshness) and hands the results to Send-HotmessAlert, which routes them by the escalation table and
    remembers what it sent, so a problem alerts once, not once a round.

    Azure Automation runs a schedule at most hourly, so -Every 5m -For 55m covers the plan's five-minute uptime check
    within one hourly job: rounds start at 0, 5, 10 … 55 minutes (12 rounds); a round that overruns is followed at once
    by the next. -For 0 runs one round, for a systemd timer or a CI cron that starts the job every five minutes itself.

    The job fails (throws, so pwsh -File exits 1 and Azure Automation marks it Failed) when any round found a check
    Unhealthy; Degraded and Skipped results do not fail it, nor does an alert channel that fails (Send-HotmessAlert
    reports it and sends again next round). Each round writes a summary object with its results and the alerts sent.

    Settings come from parameters, then Get-HotmessSetting: Azure Automation variables (when Get-AutomationVariable
    exists), then the environment: HOTMESS_REPOSITORY, HOTMESS_DATABASE_URL, STRIPE_SECRET_KEY,
    SUPABASE_SERVICE_ROLE_KEY, and the non-secret HOTMESS_SITE_URL, VITE_SUPABASE_URL, STRIPE_API_URL and HOTMESS_CONFIG.
    The offsite BackupFreshness check reads encrypted repositories with -RepositoryKeyFile, else the
    HOTMESS_REPOSITORY_KEY setting; the database password is the PGPASSWORD setting (or the one -PasswordSetting names),
    handed to Test-HotmessHealth as -Credential for the connection string's user. Neither is ever written out.

.EXAMPLE
    ./Invoke-HotmessHealthCheck.ps1 -Every 5m -For 55m
    The hourly Azure Automation job: twelve rounds, five minutes apart.

.EXAMPLE
    ./Invoke-HotmessHealthCheck.ps1 -Check Site, StripeWebhooks, StripePayments
    One round of three checks, for a five-minute CI cron.
#>
[CmdletBinding()]
param(
    # The checks to run each round; all nine when not given.
    [string[]] $Check,

    # Time between the starts of two rounds: 30s, 5m, 1h, or a TimeSpan such as 00:05:00.
    [string] $Every = '5m',

    # How long after the first round the last may start; 0 runs a single round.
    [string] $For = '0',

    [string] $Repository,
    [string] $ConfigurationPath,

    # The file holding the passphrase of encrypted and offsite repositories; the HOTMESS_REPOSITORY_KEY setting when not given.
    [string] $RepositoryKeyFile,

    # The setting (Automation variable or environment variable) that holds the database password.
    [string] $PasswordSetting = 'PGPASSWORD',

    # Check only: do not hand the results to Send-HotmessAlert.
    [switch] $NoAlert
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

Import-Module HotmessRecovery

function ConvertTo-Interval([string] $Text, [string] $Name) {
    # 30s, 5m, 1h, 1d, or a TimeSpan; a clear error naming the parameter otherwise.
    if ($Text -match '^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$') {
        $value = [double]::Parse($Matches[1], [Globalization.CultureInfo]::InvariantCulture)
        return [TimeSpan]::FromSeconds($value * @{ s = 1; m = 60; h = 3600; d = 86400 }[$Matches[2]])
    }
    if ($Text -match '^\s*0\s*$') { return [TimeSpan]::Zero }
    $span = [TimeSpan]::Zero
    if ([TimeSpan]::TryParse($Text, [Globalization.CultureInfo]::InvariantCulture, [ref] $span) -and $span -ge [TimeSpan]::Zero) { return $span }
    throw "-$Name '$Text' is not a duration: write e.g. 30s, 5m, 1h or 00:05:00."
}

$interval = ConvertTo-Interval $Every 'Every'
$length = ConvertTo-Interval $For 'For'
if ($interval -le [TimeSpan]::Zero) { throw "-Every '$Every' must be longer than zero." }

# Settings Test-HotmessHealth reads from the environment, taken from Automation variables when the job has them.
foreach ($setting in 'HOTMESS_SITE_URL', 'VITE_SUPABASE_URL', 'STRIPE_API_URL', 'HOTMESS_CONFIG') {
    if (-not [Environment]::GetEnvironmentVariable($setting) -and ($value = Get-HotmessSetting $setting)) {
        [Environment]::SetEnvironmentVariable($setting, $value)
    }
}

$health = @{}
if ($Check) { $health.Check = $Check }
if ($ConfigurationPath) { $health.ConfigurationPath = $ConfigurationPath }
if (-not $Repository) { $Repository = Get-HotmessSetting HOTMESS_REPOSITORY }
if ($Repository) { $health.Repository = $Repository }
if ($connection = Get-HotmessSetting HOTMESS_DATABASE_URL) { $health.ConnectionString = $connection }
if ($RepositoryKeyFile) { $health.RepositoryKeyFile = $RepositoryKeyFile }

# An Automation variable is not in the environment, so the password becomes -Credential for the connection string's
# user (that of HOTMESS_DATABASE_URL, else of database.connectionString in the configuration).
if ($password = Get-HotmessSetting $PasswordSetting -AsSecureString) {
    if (-not $connection) {
        $configured = if ($ConfigurationPath) { Get-HotmessConfiguration -ConfigurationPath $ConfigurationPath } else { Get-HotmessConfiguration }
        $connection = $configured.Database.ConnectionString
    }
    $user = if ($connection) { [Hotmess.Recovery.Database.ConnectionStrings]::Parse($connection).Username }
    if ($user) { $health.Credential = [pscredential]::new($user, $password) }
    else { Write-Warning "$PasswordSetting is set but no database connection string names a user; DatabaseConnections runs without it." }
}
if ($key = Get-HotmessSetting STRIPE_SECRET_KEY) { $health.StripeSecretKey = $key }
if ($key = Get-HotmessSetting SUPABASE_SERVICE_ROLE_KEY) { $health.SupabaseServiceRoleKey = $key }

# Send-HotmessAlert keeps what it sent in the same repository, so this job and an interactive session agree.
$alerting = @{}
if ($Repository) { $alerting.Repository = $Repository }
if ($ConfigurationPath) { $alerting.ConfigurationPath = $ConfigurationPath }

# Test-HotmessHealth reads the passphrase from HOTMESS_REPOSITORY_KEY; an Automation variable is put there for this
# job only (never into a file) and the previous value restored at the end.
$previousKey = $env:HOTMESS_REPOSITORY_KEY
if (-not $RepositoryKeyFile -and ($passphrase = Get-HotmessSetting HOTMESS_REPOSITORY_KEY -AsSecureString)) {
    $env:HOTMESS_REPOSITORY_KEY = [Net.NetworkCredential]::new('', $passphrase).Password
}

$rounds = [int][Math]::Floor($length.Ticks / $interval.Ticks) + 1
$started = [DateTimeOffset]::UtcNow
$unhealthy = [Collections.Generic.List[string]]::new()
try {
    for ($round = 1; $round -le $rounds; $round++) {
        $due = $started + [TimeSpan]::FromTicks($interval.Ticks * ($round - 1))
        $wait = $due - [DateTimeOffset]::UtcNow
        if ($wait -gt [TimeSpan]::Zero) { Start-Sleep -Milliseconds ([int][Math]::Ceiling($wait.TotalMilliseconds)) }

        $roundStarted = [DateTimeOffset]::UtcNow
        $results = @(Test-HotmessHealth @health)
        # A channel that fails is reported and retried next round; it does not stop the job or the other channels.
        $alerts = if ($NoAlert) { @() } else { @($results | Send-HotmessAlert @alerting -ErrorAction Continue) }

        $problems = @($results | Where-Object Status -EQ 'Unhealthy')
        foreach ($problem in $problems) {
            Write-Verbose "Round $round`: $($problem.Name) is Unhealthy ($($problem.Severity)): $($problem.Message)"
            if (-not $unhealthy.Contains($problem.Name)) { $unhealthy.Add($problem.Name) }
        }

        [pscustomobject]@{
            PSTypeName = 'Hotmess.Recovery.Runbooks.HealthCheckRound'
            Round      = $round
            Rounds     = $rounds
            StartedUtc = $roundStarted
            Healthy    = @($results | Where-Object Status -EQ 'Healthy').Count
            Degraded   = @($results | Where-Object Status -EQ 'Degraded').Count
            Unhealthy  = $problems.Count
            Skipped    = @($results | Where-Object Status -EQ 'Skipped').Count
            Problems   = @($problems.Name)
            Results    = $results
            Alerts     = $alerts
        }
    }
}
finally {
    $env:HOTMESS_REPOSITORY_KEY = $previousKey
}

if ($unhealthy.Count -gt 0) {
    throw "Unhealthy during this run: $($unhealthy -join ', ')."
}
