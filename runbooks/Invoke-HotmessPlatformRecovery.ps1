<#
.SYNOPSIS
    Procedure 4 of the HOTMESS Backup & Recovery Plan: complete platform recovery, from "everything is gone" to
    "customers can pay again", in one resumable run.

.DESCRIPTION
    The six phases of the plan, each step recorded in the incident the moment it starts and ends:

      1. Assess          provider status pages (Get-HotmessProviderStatus), the site's /api/health
                         (Test-HotmessHealth -Check Site), whether the Supabase project answers
                         (Get-HotmessSupabaseProject), the newest verified database, storage and environment sets of
                         -Repository (else the newest, said unverified) and of the offsite repository (taken from there
                         when -Repository has none); the current state goes into the incident and to the team and the
                         status page.
      2. Infrastructure  a new Supabase project (New-HotmessSupabaseProject) when the old one is gone or -NewProject;
                         the newest database set restored into it (Restore-HotmessDatabase, the Supabase way), the
                         newest storage set into its buckets (Restore-HotmessStorage), then the migrations the
                         database has not recorded (Invoke-HotmessMigration -Path -MigrationsPath).
      3. Application     the newest environment set into Vercel with the new project's URL and keys
                         (Restore-HotmessEnvironment -Value), then a production deployment from Git
                         (New-HotmessDeployment -GitRef -Production) waited on until READY, serving and healthy.
      4. Integrations    the Stripe webhook endpoint (Sync-HotmessWebhookEndpoint; a recreated endpoint's new signing
                         secret is set in Vercel and production redeployed), email sending (Test-HotmessEmailDelivery),
                         a test payment whose webhook is delivered (Test-HotmessPaymentFlow; live mode refused unless
                         -AllowLivePayment).
      5. Verify          the critical user flows (Test-HotmessUserFlow), the data against the backup's evidence
                         (Test-HotmessDatabaseIntegrity), every integration (Test-HotmessIntegration).
      6. Communicate     the status page updated, the user notice prepared and, with -SendUserNotice when the outage
                         exceeded the plan's 24 h, emailed to every user (Send-HotmessUserNotice), the incident closed
                         with the team told, and the post-incident report written (Export-HotmessIncidentReport): every
                         step with its duration and the measured RTO and RPO against the plan's "Full disaster: 24 h / 24 h".

    Checkpointed: the incident is kept in the repository (New-HotmessIncident, Open-HotmessRecoveryRun). Run again
    with the same -IncidentId and the run continues: steps that completed are skipped, and a step that changes the
    platform and started without completing (creating the project, restoring the database) is not run a second
    time unless -RedoStep names it, after a person has checked what it left behind. -From and -Only choose phases.
    With an offsite repository (-OffsiteRepository, else HOTMESS_OFFSITE_REPOSITORY), every save of the incident is
    copied there too, encrypted, so the record outlives the machine running the recovery: on another machine, the
    same -IncidentId continues from the offsite copy. A copy that fails is a warning and a note on the record, never
    the end of the recovery, and the first save a minute or more later tries again.

    The new project's database connection string and keys exist only in memory during the run that created the
    project. A later run of the same incident reads them from the settings HOTMESS_RECOVERY_DATABASE_URL,
    HOTMESS_RECOVERY_ANON_KEY and HOTMESS_RECOVERY_SERVICE_ROLE_KEY (Automation variables, else the environment), and
    stops naming them when one is missing.

    Non-interactive: every value comes from a parameter or a setting (Get-HotmessSetting: Automation variables inside
    a job, else the environment). pg_restore and psql must be on the machine, so in Azure Automation it runs on a
    Hybrid Runbook Worker. The job fails, after saving the incident, when a step fails.

.PARAMETER IncidentId
    The incident to continue. A new incident is opened when not given.

.PARAMETER From
    Run this phase and those after it.

.PARAMETER Only
    Run this phase alone.

.PARAMETER NewProject
    Create a new Supabase project even when the old one still answers.

.PARAMETER ProjectName
    The new Supabase project's name.

.PARAMETER Repository
    The backup repository the sets are read from: a folder, or az:// or s3:// for the offsite copy.

.PARAMETER RepositoryKeyFile
    The passphrase file of an encrypted repository; otherwise HOTMESS_REPOSITORY_KEY.

.PARAMETER OffsiteRepository
    Where the incident record is copied at every save (az://, s3:// or an encrypted folder), opened with
    -RepositoryKeyFile or HOTMESS_REPOSITORY_KEY; otherwise the setting HOTMESS_OFFSITE_REPOSITORY, else nowhere.
    Its newest sets are assessed beside -Repository's, and a chosen set that -Repository no longer holds (the machine
    that held it is gone) is read from there.

.PARAMETER MigrationsPath
    The application repository's supabase/migrations folder. Without it, no migrations are applied (said in the record).

.PARAMETER GitRef
    The branch, tag or commit deployed to production.

.PARAMETER SiteUrl
    The site; otherwise the configuration's platform.siteUrl or HOTMESS_SITE_URL.

.PARAMETER ImpactStarted
    When users were first affected; RTO and RPO are measured from here. The incident's opening otherwise.

.PARAMETER AllowLivePayment
    Allow the test payment with a live Stripe key (a real charge).

.PARAMETER SendUserNotice
    Email the user notice through Resend to every user of the recovered database with a confirmed address
    (Send-HotmessUserNotice) when the outage exceeded the plan's 24 h objective. Each batch is keyed by the incident, so
    a rerun of the same incident sends nobody a second email.

.PARAMETER IncidentPath
    The folder the incident record (Markdown and JSON), the user notice and the report are written to.

.PARAMETER IncidentRepository
    The local repository folder the incident is kept in; -Repository when it is a folder, else the configuration's.

.PARAMETER RedoStep
    Steps, by their name on the record ('Infrastructure: Create the Supabase project'), checked by a person and
    safe to run again although they started without completing.

.PARAMETER Reason
    What happened, in a line: the incident's title.

.EXAMPLE
    ./Invoke-HotmessPlatformRecovery.ps1 -Repository az://hotmess-offsite/backups -MigrationsPath ./supabase/migrations -WhatIf

    Assesses, and prints every step it would take with the sets, project and deployment it would use.

.EXAMPLE
    ./Invoke-HotmessPlatformRecovery.ps1 -IncidentId 20261201T030000Z-platform-recovery -MigrationsPath ./supabase/migrations

    Continues the recovery after the step that failed.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $IncidentId,
    [ValidateSet('Assess', 'Infrastructure', 'Application', 'Integrations', 'Verify', 'Communicate')] [string] $From,
    [ValidateSet('Assess', 'Infrastructure', 'Application', 'Integrations', 'Verify', 'Communicate')] [string] $Only,
    [switch] $NewProject,
    [ValidateNotNullOrEmpty()] [string] $ProjectName = 'hotmess-recovered',
    [string] $Repository,
    [string] $RepositoryKeyFile,
    [string] $OffsiteRepository,
    [string] $MigrationsPath,
    [ValidateNotNullOrEmpty()] [string] $GitRef = 'main',
    [uri] $SiteUrl,
    [Nullable[DateTimeOffset]] $ImpactStarted,
    [switch] $AllowLivePayment,
    [switch] $SendUserNotice,
    [ValidateNotNullOrEmpty()] [string] $IncidentPath = './incidents',
    [string] $IncidentRepository,
    [string[]] $RedoStep = @(),
    [ValidateNotNullOrEmpty()] [string] $Reason = 'Complete platform loss'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module HotmessRecovery

$procedure = 'Procedure 4: Complete Platform Recovery'
$state = @{}     # what one step hands to the next within this run; secrets stay here, never in the record

# The incident is kept in a local folder: -IncidentRepository, else -Repository when it is one, else the configuration's.
$incidentStore = @{}
if ($IncidentRepository) { $incidentStore.Repository = $IncidentRepository }
elseif ($Repository -and $Repository -notmatch '^(az|s3)://') { $incidentStore.Repository = $Repository }
# Each save of the incident is copied offsite too, when an offsite repository is configured.
if (-not $OffsiteRepository) { $OffsiteRepository = Get-HotmessSetting HOTMESS_OFFSITE_REPOSITORY }
$offsiteCopy = @{}
if ($OffsiteRepository) {
    $offsiteCopy.OffsiteRepository = $OffsiteRepository
    if ($RepositoryKeyFile) { $offsiteCopy.RepositoryKeyFile = $RepositoryKeyFile }
}
$backups = @{}
if ($Repository) { $backups.Repository = $Repository }
if ($RepositoryKeyFile) { $backups.RepositoryKeyFile = $RepositoryKeyFile }
# The offsite repository holds copies of the sets too: assessed beside the backup repository, and read when that one
# (or the machine that held it) is gone.
$offsiteBackups = @{}
if ($OffsiteRepository -and $OffsiteRepository -ne $Repository) {
    $offsiteBackups.Repository = $OffsiteRepository
    if ($RepositoryKeyFile) { $offsiteBackups.RepositoryKeyFile = $RepositoryKeyFile }
}

# Inside Azure Automation the services' settings are Automation variables, which the cmdlets do not read themselves.
$vercel = @{}
foreach ($setting in @{ Token = 'VERCEL_TOKEN'; ProjectId = 'VERCEL_PROJECT_ID'; TeamId = 'VERCEL_TEAM_ID'; ApiUrl = 'VERCEL_API_URL' }.GetEnumerator()) {
    if ($value = Get-HotmessSetting $setting.Value) { $vercel[$setting.Key] = $value }
}
$supabase = @{}
if ($value = Get-HotmessSetting SUPABASE_ACCESS_TOKEN) { $supabase.AccessToken = $value }
$stripe = @{}
if ($value = Get-HotmessSetting STRIPE_SECRET_KEY) { $stripe.StripeSecretKey = $value }
Remove-Variable value -WhatIf:$false

function New-Failure([string] $ErrorId, [string] $Message, $Target, [System.Management.Automation.ErrorCategory] $Category = 'InvalidResult') {
    [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($Message), $ErrorId, $Category, $Target)
}

function Get-ErrorId($Failure) {
    # The engine's id when a method of the run threw it, else the error record's.
    $inner = $Failure.Exception
    while ($inner) {
        if ($inner.PSObject.Properties['ErrorId'] -and $inner.ErrorId) { return $inner.ErrorId }
        $inner = $inner.InnerException
    }
    $Failure.FullyQualifiedErrorId
}

function Get-ErrorMessage($Failure) {
    $inner = $Failure.Exception
    while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
    $inner.Message
}

function Invoke-RecoveryStep {
    # Runs one step through the checkpoints: skipped when it completed before, planned only under -WhatIf (read-only
    # steps run, so the plan names real sets and projects), failed on the record with the error that stops the run.
    param(
        [string] $Phase, [string] $Name, [scriptblock] $Action,
        [string] $Plan, [switch] $Destructive, [switch] $ReadOnly
    )
    if (-not $run.Includes($Phase)) { return }
    $safe = $RedoStep -contains "$Phase`: $Name"
    $begun = $run.Begin($Phase, $Name, [bool] $Destructive, $safe)
    Write-RunWarning
    if (-not $begun) {
        Write-Verbose "$Phase`: $Name completed in an earlier run: $($run.LastAttempt($Phase, $Name).Detail)"
        return
    }
    if ($WhatIfPreference -and -not $ReadOnly) {
        $run.Skip($Phase, $Name, "WhatIf: $(& { $ExecutionContext.InvokeCommand.ExpandString($Plan) })")
        return
    }
    Write-Verbose "$Phase`: $Name"
    try { $detail = & $Action }
    catch {
        $run.Fail($Phase, $Name, (Get-ErrorMessage $_), (Get-ErrorId $_))
        Write-RunWarning
        throw
    }
    $run.Succeed($Phase, $Name, [string] $detail)
    Write-RunWarning
}

function Write-RunWarning {
    # The run cannot write to the pipeline itself: what it has to say (an offsite copy that failed) is written here.
    foreach ($warning in $run.TakeWarnings()) { Write-Warning $warning }
}

function Get-Fact([string] $Name) { $run.Fact($Name) }

function ConvertTo-Secret($Value) {
    # Settings come back as text from the environment, as SecureString from Automation; the cmdlets take SecureString.
    if ($null -eq $Value -or $Value -is [securestring]) { return $Value }
    ConvertTo-SecureString ([string] $Value) -AsPlainText -Force
}

function Get-ProjectSecrets {
    # The new project's connection string and keys: from this run, else from the settings a person set for a later run.
    if ($state.ContainsKey('ConnectionString')) { return }
    $ref = Get-Fact 'ProjectRef'
    if ($ref) {
        $names = 'HOTMESS_RECOVERY_DATABASE_URL', 'HOTMESS_RECOVERY_ANON_KEY', 'HOTMESS_RECOVERY_SERVICE_ROLE_KEY'
        $values = @(foreach ($name in $names) { Get-HotmessSetting $name })
        $missing = @(for ($i = 0; $i -lt $names.Count; $i++) { if (-not $values[$i]) { $names[$i] } })
        if ($missing) {
            throw (New-Failure 'RecoveryProjectSecretsMissing' ("The project $ref was created by an earlier run; its secrets are not kept. " +
                    "Set $($missing -join ', ') (Automation variables or environment) to the project's database connection string and keys, then run again.") $ref 'ObjectNotFound')
        }
        $state.ConnectionString, $state.AnonKey, $state.ServiceRoleKey = $values | ForEach-Object { ConvertTo-Secret $_ }
        $state.ApiUrl = Get-Fact 'ApiUrl'
    }
    else {
        # The old project is kept: the plan's own settings name it.
        $state.ConnectionString = Get-HotmessSetting HOTMESS_DATABASE_URL
        $state.AnonKey = ConvertTo-Secret (Get-HotmessSetting VITE_SUPABASE_ANON_KEY)
        $state.ServiceRoleKey = ConvertTo-Secret (Get-HotmessSetting SUPABASE_SERVICE_ROLE_KEY)
        $state.ApiUrl = [string] (Get-HotmessSetting VITE_SUPABASE_URL)
    }
}

function Test-SetVerified($Set) {
    # Test-HotmessBackup keeps each verification of a set in a plain local repository; a set of an offsite or encrypted
    # repository is authenticated file by file as it is fetched.
    if ($Set.Repository -match '^(az|s3)://' -or [Hotmess.Recovery.Repository.ObjectRepositoryAddress]::IsEncryptedFolder($Set.Repository)) {
        return 'encrypted: checked when restored'
    }
    if ([Hotmess.Recovery.Repository.BackupRepository]::Open($Set.Repository).GetVerifications($Set.Id) | Where-Object Passed) { 'verified' } else { 'not verified' }
}

function Get-NewestSet([string] $Kind, [hashtable] $Where) {
    # The newest set that passed a verification; after a total loss, else the newest there is (its state is on the record).
    $sets = @(@(try { Get-HotmessBackup -Kind $Kind @Where -ErrorAction SilentlyContinue } catch { Write-Verbose "No $Kind sets read: $(Get-ErrorMessage $_)" }) |
            Sort-Object StartedUtc -Descending)
    $verified = $sets | Where-Object { (Test-SetVerified $_) -ne 'not verified' } | Select-Object -First 1
    if ($verified) { $verified } elseif ($sets) { $sets[0] } else { $null }
}

function Get-ChosenSet([string] $Kind) {
    # The set the assessment chose: from the backup repository, else from its offsite copy.
    $id = Get-Fact "${Kind}Set"
    if (-not $offsiteBackups.Count) { return Get-HotmessBackup -Id $id @backups }
    foreach ($where in $backups, $offsiteBackups) {
        $set = try { Get-HotmessBackup -Id $id @where -ErrorAction SilentlyContinue } catch { Write-Verbose "$id not read: $(Get-ErrorMessage $_)" }
        if ($set) { return $set }
    }
    throw (New-Failure 'RecoverySetNotFound' "The $Kind set $id chosen when the incident was assessed is in neither the backup repository nor the offsite one ($OffsiteRepository)." $id 'ObjectNotFound')
}

# --- The incident ----------------------------------------------------------------------------------------------------------
$phaseSelection = @{}
if ($From) { $phaseSelection.From = $From }
if ($Only) { $phaseSelection.Only = $Only }
if ($IncidentId) {
    $run = Open-HotmessRecoveryRun -Id $IncidentId @incidentStore @offsiteCopy @phaseSelection -WhatIf:$WhatIfPreference -Confirm:$false
}
elseif ($WhatIfPreference) {
    $record = New-HotmessIncidentRecord platform-recovery $procedure -Reason $Reason
    $record.Scenario = 'Full disaster'
    $record.Severity = 'Critical'
    if ($ImpactStarted) { $record.ImpactStartedUtc = $ImpactStarted }
    $run = Open-HotmessRecoveryRun -Record $record @phaseSelection
}
else {
    $opening = @{}
    if ($ImpactStarted) { $opening.ImpactStartedUtc = $ImpactStarted }
    if (Get-HotmessSetting STATUSPAGE_API_KEY) { $opening.StatusPage = $true }
    # A channel or the status page refusing is written as an error and recorded; it does not stop the recovery.
    $incident = New-HotmessIncident $Reason -Name platform-recovery -Procedure $procedure -Severity Critical -Scenario 'Full disaster' `
        -Notify @opening @incidentStore -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable openingErrors
    $run = Open-HotmessRecoveryRun -Id $incident.Id @incidentStore @offsiteCopy @phaseSelection -Confirm:$false
    foreach ($e in $openingErrors) { $run.AddNote("Not told when the incident opened: $($e.Exception.Message)") }
}
Write-Verbose "Incident $($run.IncidentId): phases $($run.Phases -join ', ')."

function Save-RecordFiles {
    if ($WhatIfPreference) { return }
    $run.Refresh() | Export-HotmessIncidentRecord -Path $IncidentPath -Confirm:$false | Out-Null
}

try {
    # --- 1. Assess ---------------------------------------------------------------------------------------------------------
    Invoke-RecoveryStep Assess 'Read the providers'' status pages' -ReadOnly {
        $statuses = @(Get-HotmessProviderStatus)
        $summary = ($statuses | ForEach-Object { "$($_.Provider): $($_.Indicator)$(if ($_.Reason) { " ($($_.Reason))" })" }) -join '; '
        $run.SetFact('Providers', $summary)
        $summary
    }

    Invoke-RecoveryStep Assess 'Check the site''s health' -ReadOnly {
        $site = @(Test-HotmessHealth -Check Site -ErrorAction SilentlyContinue)
        $summary = if ($site) { ($site | ForEach-Object { "$($_.Status): $($_.Message)" }) -join '; ' } else { 'no answer' }
        $run.SetFact('Site', $summary)
        $summary
    }

    Invoke-RecoveryStep Assess 'Check the Supabase project' -ReadOnly {
        try {
            $project = Get-HotmessSupabaseProject @supabase
            $answer = "$($project.ProjectRef) $($project.Status)"
            $healthy = [bool] $project.IsHealthy
        }
        catch {
            $answer = "does not answer: $(Get-ErrorMessage $_)"
            $healthy = $false
        }
        $run.SetFact('OldProject', $answer)
        $create = $NewProject -or -not $healthy
        $run.SetFact('ProjectPlan', $(if ($create) { "create $ProjectName" } else { 'restore into the existing project' }))
        $answer
    }

    Invoke-RecoveryStep Assess 'Find the newest backups' -ReadOnly {
        $found = foreach ($kind in 'Database', 'Storage', 'Environment') {
            $set = Get-NewestSet $kind $backups
            $offsiteSet = if ($offsiteBackups.Count) { Get-NewestSet $kind $offsiteBackups }
            $offsiteState = if ($offsiteSet) { "; offsite $($offsiteSet.Id)" } elseif ($offsiteBackups.Count) { '; offsite none' }
            # The backup repository's set; when it has none (it went with the machine), the offsite copy's.
            if (-not $set) { $set = $offsiteSet }
            if ($set) {
                $run.SetFact("${kind}Set", $set.Id)
                "$kind $($set.Id) ($(Test-SetVerified $set))$offsiteState"
            }
            else { "$kind none$offsiteState" }
        }
        if (-not (Get-Fact DatabaseSet)) {
            throw (New-Failure 'RecoveryNoDatabaseBackup' "No database set to recover from in the repository '$(if ($Repository) { $Repository } else { 'of the configuration' })'$(if ($offsiteBackups.Count) { ", nor in the offsite repository '$OffsiteRepository'" })." $Repository 'ObjectNotFound')
        }
        $found -join '; '
    }

    Invoke-RecoveryStep Assess 'Tell the team the current state' -Plan 'tell the team and the status page: the assessment' {
        $text = "Current state. Providers: $(Get-Fact Providers). Site: $(Get-Fact Site). Supabase: $(Get-Fact OldProject). " +
        "Plan: $(Get-Fact ProjectPlan); database set $(Get-Fact DatabaseSet)."
        $note = @{}
        if ($run.Refresh().StatusPageIncidentId) { $note.StatusPageStatus = 'identified' }
        Add-HotmessIncidentNote -Id $run.IncidentId -Text $text -Notify @note @incidentStore -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable told | Out-Null
        if ($told) { "told, with $($told.Count) channel(s) failing: $(($told | ForEach-Object { $_.Exception.Message }) -join '; ')" } else { 'team told' }
    }

    # --- 2. Infrastructure -------------------------------------------------------------------------------------------------
    $createProject = (Get-Fact ProjectPlan) -like 'create *'
    Invoke-RecoveryStep Infrastructure 'Create the Supabase project' -Destructive -Plan "create the Supabase project $ProjectName and wait until ACTIVE_HEALTHY" {
        if (-not $createProject) { return "not needed: the project $(Get-Fact OldProject) answers" }
        $project = New-HotmessSupabaseProject -Name $ProjectName @supabase -Confirm:$false
        $state.ConnectionString = $project.ConnectionString
        $state.AnonKey = $project.AnonKey
        $state.ServiceRoleKey = $project.ServiceRoleKey
        $state.ApiUrl = [string] $project.ApiUrl
        $run.SetFact('ProjectRef', $project.Ref)
        $run.SetFact('ApiUrl', [string] $project.ApiUrl)
        $run.SetFact('DatabaseHost', $project.DatabaseHost)
        "$($project.Ref) $($project.Status) in $($project.Region) at $($project.ApiUrl)"
    }

    Invoke-RecoveryStep Infrastructure 'Restore the database' -Destructive -Plan 'restore the database set $(Get-Fact DatabaseSet) into $(if ($createProject) { "the new project" } else { "HOTMESS_DATABASE_URL" })' {
        Get-ProjectSecrets
        $set = Get-ChosenSet Database
        $restored = $set | Restore-HotmessDatabase -TargetConnectionString $state.ConnectionString -Confirm:$false
        if (-not $restored.RowCountsMatch) {
            throw (New-Failure 'RecoveryRowCountsDiffer' "The restored database's row counts differ from the set $($set.Id)." $set.Id)
        }
        $run.SetRecoveredTo($set.StartedUtc)
        "set $($set.Id) as $($restored.TargetKind): $($restored.TableCount) tables, $($restored.RowCount) rows, counts match"
    }

    Invoke-RecoveryStep Infrastructure 'Restore the storage buckets' -Plan 'restore the storage set $(Get-Fact StorageSet) into the project''s buckets' {
        if (-not (Get-Fact StorageSet)) { return 'no storage set in the repository' }
        Get-ProjectSecrets
        $set = Get-ChosenSet Storage
        $restored = $set | Restore-HotmessStorage -SupabaseUrl $state.ApiUrl -ServiceRoleKey $state.ServiceRoleKey -Confirm:$false
        if (-not $restored.Complete) {
            throw (New-Failure 'RecoveryStorageIncomplete' "The storage restore of $($set.Id) is incomplete: $(@($restored.Failures).Count) object(s) failed." $set.Id)
        }
        "set $($set.Id): $($restored.ObjectCount) objects, $($restored.UploadedCount) uploaded, $($restored.VerifiedCount) confirmed"
    }

    Invoke-RecoveryStep Infrastructure 'Apply the migrations' -Plan 'apply the migrations of $MigrationsPath the database has not recorded' {
        if (-not $MigrationsPath) {
            $run.AddNextStep('Apply the migrations of supabase/migrations the restored database has not recorded (Invoke-HotmessMigration).')
            return 'no -MigrationsPath given'
        }
        Get-ProjectSecrets
        $migrations = @(Invoke-HotmessMigration -Path $MigrationsPath -ConnectionString $state.ConnectionString -Confirm:$false)
        $applied = @($migrations | Where-Object Status -EQ 'Applied')
        "$($applied.Count) applied$(if ($applied) { " ($(($applied | ForEach-Object Version) -join ', '))" }), $(@($migrations | Where-Object Status -EQ 'AlreadyApplied').Count) already recorded"
    }

    # --- 3. Application ----------------------------------------------------------------------------------------------------
    Invoke-RecoveryStep Application 'Restore the environment variables' -Plan 'restore the environment set $(Get-Fact EnvironmentSet) into Vercel$(if ($createProject) { " with the new project''s URL and keys" })' {
        if (-not (Get-Fact EnvironmentSet)) {
            # The deployment then runs with what the Vercel project still holds.
            $run.AddNextStep('Check the Vercel project''s environment variables by hand: the repository had no environment set.')
            return 'no environment set in the repository: Vercel''s variables left as they are'
        }
        $set = Get-ChosenSet Environment
        $values = @{}
        if (Get-Fact ProjectRef) {
            Get-ProjectSecrets
            $values = @{ VITE_SUPABASE_URL = $state.ApiUrl; SUPABASE_URL = $state.ApiUrl; VITE_SUPABASE_ANON_KEY = $state.AnonKey; SUPABASE_SERVICE_ROLE_KEY = $state.ServiceRoleKey }
        }
        $extra = @{}
        if ($environmentKey = Get-HotmessSetting HOTMESS_ENVIRONMENT_KEY) { $extra.Key = $environmentKey }
        # Restore-HotmessEnvironment -Value replaces only variables the set holds (any other name it refuses with
        # EnvironmentValueNotInSet); the new project's values for variables the set lacks are set after it with Set-HotmessSecret.
        $inSet = @($set.Manifest.Environment.Variables | ForEach-Object Name)
        $inline = @{}
        $after = @{}
        foreach ($name in $values.Keys) {
            if ($name -in $inSet) { $inline[$name] = $values[$name] } else { $after[$name] = $values[$name] }
        }
        if ($inline.Count) { $extra.Value = $inline }
        $written = @($set | Restore-HotmessEnvironment @extra @vercel -Force -Confirm:$false)
        foreach ($name in $after.Keys) {
            $value = if ($after[$name] -is [securestring]) { $after[$name] } else { ConvertTo-SecureString ([string] $after[$name]) -AsPlainText -Force }
            Set-HotmessSecret -Name $name -Value $value -Target production, preview, development @vercel -Confirm:$false | Out-Null
        }
        "set $($set.Id): $($written.Count) variable(s) written$(if ($values.Count) { ", the project's URL and keys replaced" })"
    }

    Invoke-RecoveryStep Application 'Deploy production' -Plan 'deploy $GitRef to production from Git and wait until READY and healthy' {
        $deployment = New-HotmessDeployment -GitRef $GitRef -Production @vercel -Confirm:$false
        $run.SetFact('DeploymentId', $deployment.Id)
        $run.SetFact('DeploymentUrl', [string] $deployment.Url)
        if ($deployment.PSObject.Properties['Healthy'] -and $deployment.Healthy -eq $false) {
            throw (New-Failure 'RecoverySiteUnhealthy' "The deployment $($deployment.Id) is READY but the site's health check fails." $deployment.Id)
        }
        "$($deployment.Id) $($deployment.State) $($deployment.Url) from $GitRef"
    }

    # --- 4. Integrations ---------------------------------------------------------------------------------------------------
    Invoke-RecoveryStep Integrations 'Restore the Stripe webhook endpoint' -Plan 'make the Stripe webhook endpoint exist, enabled, with its events and signing secret' {
        $endpoint = Sync-HotmessWebhookEndpoint @stripe @vercel -Confirm:$false
        $run.SetFact('WebhookEndpoint', "$($endpoint.Id) $($endpoint.Action)")
        if ($endpoint.SecretChanged) {
            # The new signing secret is in Vercel; the running deployment still has the old one.
            $redeploy = Invoke-HotmessRedeploy -Target production -Wait @vercel -Confirm:$false
            $run.SetFact('DeploymentId', $redeploy.DeploymentId)
            return "$($endpoint.Id) $($endpoint.Action), new signing secret set, redeployed as $($redeploy.DeploymentId)"
        }
        "$($endpoint.Id) $($endpoint.Action) ($($endpoint.Status), $(@($endpoint.EnabledEvents).Count) events)"
    }

    Invoke-RecoveryStep Integrations 'Check email sending' -Plan 'check the Resend domain and deliver a test email' {
        $email = Test-HotmessEmailDelivery
        if (-not $email.Passed) {
            throw (New-Failure 'RecoveryEmailNotDelivered' "Email is not delivered: domain $($email.Domain) $($email.DomainStatus), last event $($email.LastEvent)." $email.Domain)
        }
        "$($email.Domain) $($email.DomainStatus); $($email.EmailId) $($email.LastEvent)"
    }

    Invoke-RecoveryStep Integrations 'Take a test payment' -Plan 'pay with pm_card_visa in Stripe test mode and wait for its webhook' {
        $payment = Test-HotmessPaymentFlow -AllowLivePayment:$AllowLivePayment
        if (-not $payment.Passed) {
            throw (New-Failure 'RecoveryPaymentFailed' "The test payment $($payment.PaymentIntentId) is $($payment.Status); webhooks pending: $($payment.PendingWebhooks)." $payment.PaymentIntentId)
        }
        "$($payment.PaymentIntentId) $($payment.Status), event $($payment.EventId) delivered"
    }

    # --- 5. Verify ---------------------------------------------------------------------------------------------------------
    Invoke-RecoveryStep Verify 'Test the critical user flows' -Plan 'test the critical user flows of the configuration' {
        $flow = @{}
        if ($SiteUrl) { $flow.SiteUrl = $SiteUrl }
        $flows = @(Test-HotmessUserFlow @flow)
        "$(@($flows | Where-Object Passed).Count) of $($flows.Count) passed: $(($flows | ForEach-Object Name) -join ', ')"
    }

    Invoke-RecoveryStep Verify 'Check the data against the backup' -Plan 'compare the database with the evidence of $(Get-Fact DatabaseSet)' {
        Get-ProjectSecrets
        $set = Get-ChosenSet Database
        # The migrations applied after the restore may create tables the set predates: those pass as new.
        $checks = @(Test-HotmessDatabaseIntegrity -ConnectionString $state.ConnectionString -Backup $set -AllowNewTable)
        $failed = @($checks | Where-Object { -not $_.Passed })
        if ($failed) {
            throw (New-Failure 'RecoveryDataIntegrityFailed' "The data differs from the backup's evidence: $(($failed | ForEach-Object { "$($_.Check) $($_.Table): expected $($_.Expected), found $($_.Actual)" }) -join '; ')." $set.Id)
        }
        "$($checks.Count) checks against $($set.Id) passed"
    }

    Invoke-RecoveryStep Verify 'Test every integration' -Plan 'test Supabase, Stripe and Resend with the recovered keys' {
        Get-ProjectSecrets
        $keys = @{}
        if ($state.ApiUrl) { $keys.SupabaseUrl = $state.ApiUrl }
        if ($state.AnonKey) { $keys.SupabaseAnonKey = $state.AnonKey }
        if ($state.ServiceRoleKey) { $keys.SupabaseServiceRoleKey = $state.ServiceRoleKey }
        if (Get-Fact ProjectRef) { $keys.SupabaseProjectRef = Get-Fact ProjectRef }
        if ($SiteUrl) { $keys.SiteUrl = [string] $SiteUrl }
        $results = @(Test-HotmessIntegration @keys)
        $failing = @($results | Where-Object { -not $_.Passed })
        if ($failing) {
            throw (New-Failure 'RecoveryIntegrationFailed' "Integrations failing: $(($failing | ForEach-Object { "$($_.Integration) $($_.Check): $($_.Reason)" }) -join '; ')." $failing[0].Check)
        }
        "all $($results.Count) checks passed"
    }

    # --- 6. Communicate ----------------------------------------------------------------------------------------------------
    Invoke-RecoveryStep Communicate 'Update the status page' -Plan 'post "restored, monitoring" to the status page incident' {
        if (-not $run.Refresh().StatusPageIncidentId) { return 'no status page incident' }
        Add-HotmessIncidentNote -Id $run.IncidentId -Text 'The platform is restored and verified; we are monitoring.' -StatusPageStatus monitoring @incidentStore -Confirm:$false | Out-Null
        'monitoring'
    }

    Invoke-RecoveryStep Communicate 'Prepare the user notice' -Plan 'write the user notice to $IncidentPath' {
        $record = $run.Refresh()
        $impact = if ($record.ImpactStartedUtc) { $record.ImpactStartedUtc } else { $record.StartedUtc }
        $outage = [DateTimeOffset]::UtcNow - $impact
        $lost = if ($record.RecoveredToUtc) { "Changes made after $($record.RecoveredToUtc.ToString('u')) may need to be made again." } else { '' }
        New-Item -ItemType Directory -Force $IncidentPath | Out-Null
        $notice = Join-Path $IncidentPath "$($run.IncidentId)-user-notice.md"
        @(
            '# HOTMESS service restored'
            ''
            "HOTMESS was unavailable from $($impact.ToString('u')) for about $([math]::Round($outage.TotalHours, 1)) hours. The service is restored and payments work again. $lost"
            ''
            'We are sorry for the disruption. If something looks wrong in your account, reply to this message.'
        ) | Set-Content -Path $notice
        $exceeded = $outage -gt [TimeSpan]::FromHours(24)
        $run.SetFact('OutageHours', [math]::Round($outage.TotalHours, 1).ToString([cultureinfo]::InvariantCulture))
        if ($exceeded -and -not $SendUserNotice) {
            $run.AddNextStep("Send the user notice ($notice): the outage exceeded the plan's 24 h objective (Send-HotmessUserNotice, or run again with -SendUserNotice).")
        }
        "$notice (outage $([math]::Round($outage.TotalHours, 1)) h, $(if ($exceeded) { 'over' } else { 'within' }) the 24 h objective)"
    }

    Invoke-RecoveryStep Communicate 'Send the user notice' -Plan 'email the user notice to the users of the recovered database through Resend, with -SendUserNotice when the outage exceeded 24 h' {
        # Not destructive: each batch is keyed by the incident, so a run after a failed batch sends nobody a second email.
        $hours = [double]::Parse((Get-Fact OutageHours), [cultureinfo]::InvariantCulture)
        if (-not $SendUserNotice) { return "skipped: -SendUserNotice not given (outage $hours h)" }
        if ($hours -le 24) { return "skipped: the outage ($hours h) is within the plan's 24 h objective" }
        Get-ProjectSecrets
        $resend = @{}
        if ($key = Get-HotmessSetting RESEND_API_KEY) { $resend.ResendApiKey = ConvertTo-Secret $key }
        $notice = Join-Path $IncidentPath "$($run.IncidentId)-user-notice.md"
        # Users created after the incident opened had no outage, and leaving them out keeps a rerun's batches the same.
        $sent = Send-HotmessUserNotice -Path $notice -IncidentId $run.IncidentId -ConnectionString $state.ConnectionString `
            -CreatedBefore $run.Refresh().StartedUtc @resend -Confirm:$false
        "sent to $($sent.Sent) of $($sent.Recipients) users in $($sent.Batches) batch(es)"
    }

    Invoke-RecoveryStep Communicate 'Close the incident' -Plan 'close the incident as Recovered, resolve the status page and tell the team' {
        $closing = @{}
        if ($run.Refresh().RecoveredToUtc) { $closing.RecoveredToUtc = $run.Record.RecoveredToUtc }
        Close-HotmessIncident -Id $run.IncidentId -Outcome Recovered -Notify @closing @incidentStore -Confirm:$false `
            -Message 'HOTMESS is restored: site, payments and email verified.' -ErrorAction SilentlyContinue -ErrorVariable told | Out-Null
        if ($told) { "closed; not told: $(($told | ForEach-Object { $_.Exception.Message }) -join '; ')" } else { 'closed, team told' }
    }
}
catch {
    $failure = $_
    if (-not $WhatIfPreference) {
        Add-HotmessIncidentNote -Id $run.IncidentId -Text "Recovery stopped: $(Get-ErrorMessage $failure). Run again with -IncidentId $($run.IncidentId) to continue." `
            -Notify @incidentStore -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    }
    $run.Close('Failed', (Get-ErrorId $failure), (Get-ErrorMessage $failure)) | Out-Null
    Write-RunWarning
    $run.Dispose()
    Save-RecordFiles
    if ($failure.Exception -is [System.Management.Automation.MethodInvocationException]) {
        # The run's own refusal (e.g. RecoveryStepNotRepeatable): thrown with the engine's id, not the method call's.
        $inner = $failure.Exception.InnerException
        $failure = [System.Management.Automation.ErrorRecord]::new($inner, (Get-ErrorId $failure), 'InvalidOperation', $inner.Target)
    }
    throw $failure
}

if ($WhatIfPreference) {
    $run.Close('WhatIf')
    return
}

$record = $run.Refresh()
$run.Dispose()
Save-RecordFiles
if (-not $record.IsOpen) {
    Export-HotmessIncidentReport -Id $record.Id -Path $IncidentPath -Format Markdown @incidentStore -Confirm:$false | Out-Null
}
$record
