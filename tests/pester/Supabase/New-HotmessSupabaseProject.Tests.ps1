#Requires -Version 7.4
# New-HotmessSupabaseProject end to end against the Supabase Management fake, whose new projects are real databases on a
# Supabase-shaped PostgreSQL: create, wait for ACTIVE_HEALTHY, then restore an own set into the project.

BeforeAll {
    . (Join-Path $PSScriptRoot 'SupabaseFake.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module HotmessRecovery -Force
    $source = Start-HotmessTestPostgres -SampleDatabase hotmess
    $target = Start-HotmessTestPostgres
    [Hotmess.Recovery.Sandbox.SupabaseTarget]::AddProjectObjectsAsync($source, 'hotmess', [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
    [Hotmess.Recovery.Sandbox.SupabaseTarget]::PrepareClusterAsync($target, [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
    $set = Backup-HotmessDatabase -ConnectionString $source.ConnectionString('hotmess') -Repository (Join-Path $TestDrive 'repository')
    $fake = Start-PlatformTestFake
    $adminConnection = $target.ConnectionString('postgres', [Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $target.Password)
    $configuration = Join-Path $TestDrive 'hotmess.json'
    @{
        supabase = @{
            projectUrlTemplate         = $fake.Url
            databaseConnectionTemplate = "Host={host};Port=$($target.Port);Database={ref};Username=postgres;SSL Mode=Disable"
        }
    } | ConvertTo-Json | Set-Content $configuration

    function Get-FakeProjects { Invoke-FakeControl $fake supabase-management projects -Method Get }

    function Invoke-AsAdmin([string] $Database, [string] $Sql) {
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::ExecuteAsAdminAsync($target, $Database, $Sql, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }

    function ConvertFrom-Secure([securestring] $Value) { [Net.NetworkCredential]::new('', $Value).Password }
}

AfterAll {
    $env:SUPABASE_ORGANIZATION_ID = $null
    $env:SUPABASE_REGION = $null
    Stop-PlatformTestFake $fake
    $source, $target | Stop-HotmessTestPostgres
}

Describe 'New-HotmessSupabaseProject' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $env:HOTMESS_CONFIG = $configuration
        $env:SUPABASE_ORGANIZATION_ID = 'hotmess-org'
        $env:SUPABASE_REGION = $null
        Invoke-FakeControl $fake supabase-management projects @{ postgres = $adminConnection; readyAfterPolls = 2 } | Out-Null
    }

    It 'creates a project, waits until it is ACTIVE_HEALTHY, and an own set restores into it the Supabase way' {
        $project = New-HotmessSupabaseProject "hotmess-restored-$(Get-Random)" -Region eu-west-2 -PollIntervalSeconds 1 -Confirm:$false

        $project | Should -BeOfType 'Hotmess.Recovery.Supabase.NewSupabaseProject'
        $project.Status | Should -Be 'ACTIVE_HEALTHY'
        $project.ApiUrl | Should -Be $fake.Url
        $project.ConnectionString | Should -BeOfType [securestring]
        (Get-FakeProjects).projects.polls | Should -BeGreaterThan 2

        $result = $set | Restore-HotmessDatabase -TargetConnectionString $project.ConnectionString -Confirm:$false 3>$null

        $result.TargetKind | Should -Be 'Supabase'
        $result.RowCountsMatch | Should -BeTrue
        Invoke-AsAdmin $project.Ref 'SELECT count(*) FROM public."User"' | Should -Be ($source.ExecuteSql('hotmess', 'SELECT count(*) FROM public."User"'))
        Invoke-AsAdmin $project.Ref 'SELECT count(*) FROM auth.users' | Should -Be ($source.ExecuteSql('hotmess', 'SELECT count(*) FROM auth.users'))
    }

    It 'outputs keys the project gateway accepts, and shows no secret when printed' {
        $project = New-HotmessSupabaseProject 'hotmess-keys' -PollIntervalSeconds 1 -Confirm:$false
        $anon = ConvertFrom-Secure $project.AnonKey
        $password = [regex]::Match((ConvertFrom-Secure $project.ConnectionString), 'Password=([^;]+)').Groups[1].Value

        (Invoke-RestMethod "$($project.ApiUrl)/auth/v1/settings" -Headers @{ apikey = $anon }).external.email | Should -BeTrue
        $printed = $project | Format-List * | Out-String
        $printed | Should -Not -Match ([regex]::Escape($anon))
        $printed | Should -Not -Match ([regex]::Escape($password))
        $password.Length | Should -Be 32
    }

    It 'takes the organization and region from SUPABASE_ORGANIZATION_ID and SUPABASE_REGION' {
        Invoke-FakeControl $fake supabase-management projects @{ organizations = @('hotmess-org', 'hotmess-drills') } | Out-Null
        $env:SUPABASE_ORGANIZATION_ID = 'hotmess-drills'
        $env:SUPABASE_REGION = 'eu-central-1'

        $project = New-HotmessSupabaseProject 'hotmess-drill' -PollIntervalSeconds 1 -Confirm:$false

        (Get-FakeProjects).creations | Should -HaveCount 1
        (Get-FakeProjects).creations[0].organization | Should -Be 'hotmess-drills'
        $project.Region | Should -Be 'eu-central-1'
    }

    It 'with -WhatIf names the project and creates nothing' {
        $messages = New-HotmessSupabaseProject 'hotmess-whatif' -Region eu-west-2 -WhatIf -Verbose 4>&1 | Out-String

        $messages | Should -Match "hotmess-whatif' in organization hotmess-org, region eu-west-2"
        (Get-FakeProjects).creations | Should -HaveCount 0
    }

    It 'refuses an organization the token may not create in, as PermissionDenied' {
        Invoke-FakeControl $fake supabase-management projects @{ forbiddenOrganizations = @('hotmess-org') } | Out-Null

        $thrown = Get-ThrownError { New-HotmessSupabaseProject 'hotmess-forbidden' -PollIntervalSeconds 1 -Confirm:$false }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'SupabaseOrganizationForbidden,*'
        $thrown.CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'without an organization anywhere says where to set one, before anything is sent' {
        $env:SUPABASE_ORGANIZATION_ID = $null

        $thrown = Get-ThrownError { New-HotmessSupabaseProject 'hotmess-orphan' -Confirm:$false }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'SupabaseOrganizationMissing,*'
        $thrown.Exception.Message | Should -Match 'SUPABASE_ORGANIZATION_ID'
        (Get-FakeProjects).creations | Should -HaveCount 0
    }

    It 'refuses a name already taken in the organization' {
        New-HotmessSupabaseProject 'hotmess-twice' -PollIntervalSeconds 1 -Confirm:$false | Out-Null

        $thrown = Get-ThrownError { New-HotmessSupabaseProject 'hotmess-twice' -PollIntervalSeconds 1 -Confirm:$false }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'SupabaseProjectNameTaken,*'
    }
}
