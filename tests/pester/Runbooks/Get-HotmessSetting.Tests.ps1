#Requires -Version 7.4
# Get-HotmessSetting: the one way runbooks read settings, from Azure Automation variables (a stub, mocked) or the environment.

BeforeAll {
    Import-Module HotmessRecovery -Force
    $names = 'HOTMESS_TEST_PROJECT', 'HOTMESS_TEST_TEAM', 'RESEND_API_KEY'
    $saved = @{}
    foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }

    function Read-Secure([securestring] $Value) { [System.Net.NetworkCredential]::new('', $Value).Password }
}

AfterAll {
    foreach ($entry in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
}

Describe 'Get-HotmessSetting outside Azure Automation' {
    BeforeEach {
        $env:HOTMESS_TEST_PROJECT = 'prj_from_environment'
        $env:HOTMESS_TEST_TEAM = $null
        $env:RESEND_API_KEY = 're_from_environment_0001'
    }

    It 'reads the environment variable of each name, in the order named' {
        Get-Command Get-AutomationVariable -ErrorAction Ignore | Should -BeNullOrEmpty
        $env:HOTMESS_TEST_TEAM = 'team_from_environment'

        Get-HotmessSetting HOTMESS_TEST_TEAM, HOTMESS_TEST_PROJECT | Should -Be 'team_from_environment', 'prj_from_environment'
    }

    It 'returns nothing for a setting set nowhere' {
        Get-HotmessSetting HOTMESS_TEST_TEAM | Should -BeNullOrEmpty
    }

    It 'returns the plan''s secrets as SecureString, and any setting with -AsSecureString' {
        $key = Get-HotmessSetting RESEND_API_KEY
        $project = Get-HotmessSetting HOTMESS_TEST_PROJECT -AsSecureString

        $key | Should -BeOfType [securestring]
        Read-Secure $key | Should -Be 're_from_environment_0001'
        $project | Should -BeOfType [securestring]
        Get-HotmessSetting HOTMESS_TEST_PROJECT | Should -BeOfType [string]
    }

    It 'fails with -Required with one error naming every missing setting, and returns nothing' {
        $env:HOTMESS_TEST_PROJECT = $null
        $output = @()

        $err = { $script:output = @(Get-HotmessSetting RESEND_API_KEY, HOTMESS_TEST_PROJECT, HOTMESS_TEST_TEAM -Required) } | Should -Throw -PassThru

        $err.FullyQualifiedErrorId | Should -Be 'SettingMissing,Hotmess.Recovery.Cmdlets.Commands.GetHotmessSettingCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*HOTMESS_TEST_PROJECT, HOTMESS_TEST_TEAM*'
        $err.TargetObject | Should -Be 'HOTMESS_TEST_PROJECT', 'HOTMESS_TEST_TEAM'
        $output | Should -BeNullOrEmpty
    }

    It 'says where each setting came from in -Verbose, never its value' {
        $verbose = Get-HotmessSetting RESEND_API_KEY, HOTMESS_TEST_PROJECT -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

        "$verbose" | Should -BeLike '*RESEND_API_KEY from the environment variable (a secret)*'
        "$verbose" | Should -Not -BeLike '*re_from_environment_0001*'
        "$verbose" | Should -Not -BeLike '*prj_from_environment*'
    }
}

Describe 'Get-HotmessSetting in Azure Automation' {
    BeforeAll {
        # Exists only in the Azure Automation sandbox; defined here so it can be mocked.
        function Get-AutomationVariable { param([string] $Name) throw "Automation variable '$Name' is not defined." }
    }

    BeforeEach {
        $env:HOTMESS_TEST_PROJECT = 'prj_from_environment'
        $env:HOTMESS_TEST_TEAM = 'team_from_environment'
        $env:RESEND_API_KEY = 're_from_environment_0001'
        $automation = @{ HOTMESS_TEST_PROJECT = 'prj_from_automation'; RESEND_API_KEY = 're_from_automation_0002'; HOTMESS_TEST_EMPTY = '' }
        Mock Get-AutomationVariable {
            if (-not $automation.ContainsKey($Name)) { throw "Variable '$Name' was not found." }
            $automation[$Name]
        }
    }

    It 'prefers the Automation variable, asking for each name once' {
        $project = Get-HotmessSetting HOTMESS_TEST_PROJECT
        $key = Get-HotmessSetting RESEND_API_KEY

        $project | Should -Be 'prj_from_automation'
        Read-Secure $key | Should -Be 're_from_automation_0002'
        Should -Invoke Get-AutomationVariable -ParameterFilter { $Name -eq 'HOTMESS_TEST_PROJECT' } -Exactly -Times 1
    }

    It 'falls back to the environment for a variable that is missing or empty' {
        $env:HOTMESS_TEST_EMPTY = 'empty_in_automation'
        try {
            Get-HotmessSetting HOTMESS_TEST_TEAM, HOTMESS_TEST_EMPTY | Should -Be 'team_from_environment', 'empty_in_automation'
        }
        finally {
            $env:HOTMESS_TEST_EMPTY = $null
        }
    }

    It 'names the Automation variable in the error for a missing required setting' {
        $env:HOTMESS_TEST_TEAM = $null

        { Get-HotmessSetting HOTMESS_TEST_TEAM -Required } | Should -Throw '*HOTMESS_TEST_TEAM*Azure Automation variable*' -ErrorId 'SettingMissing,*'
    }

    It 'answers a runbook script that calls it, with the Automation variables of the job' {
        $script = Join-Path $TestDrive 'Invoke-HotmessFourthRunbook.ps1'
        Set-Content $script @'
[CmdletBinding()] param()
$ErrorActionPreference = 'Stop'
Import-Module HotmessRecovery
$project, $key = Get-HotmessSetting HOTMESS_TEST_PROJECT, RESEND_API_KEY -Required
[pscustomobject]@{ Project = $project; KeyIsSecure = $key -is [securestring] }
'@

        $result = & $script

        $result.Project | Should -Be 'prj_from_automation'
        $result.KeyIsSecure | Should -BeTrue
        Should -Invoke Get-AutomationVariable -ParameterFilter { $Name -eq 'RESEND_API_KEY' } -Exactly -Times 1
    }
}
