@{
    RootModule           = 'Hotmess.Recovery.Cmdlets.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5d0c8a47-3f1e-4b8e-9a63-2f4c1d7e9b10'
    Author               = 'HOTMESS'
    CompanyName          = 'HOTMESS'
    Copyright            = '(c) HOTMESS. All rights reserved.'
    Description          = 'The HOTMESS Backup & Recovery Plan as commands: database and storage backups proven restorable, rollbacks, credential recovery, drills and reports.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('HotmessRecovery.format.ps1xml')
    CmdletsToExport      = @(
        'Backup-HotmessDatabase'
        'Get-HotmessBackup'
        'Restore-HotmessDatabase'
        'Test-HotmessBackup'
        'Remove-HotmessBackup'
        'Export-HotmessReport'
        'Get-HotmessConfiguration'
        'Get-HotmessDeployment'
        'Invoke-HotmessRollback'
        'Invoke-HotmessRedeploy'
        'Get-HotmessEnvironment'
        'Test-HotmessEnvironment'
        'Set-HotmessSecret'
        'Test-HotmessIntegration'
        'Backup-HotmessEnvironment'
        'Restore-HotmessEnvironment'
        'Backup-HotmessStorage'
        'Restore-HotmessStorage'
        'Get-HotmessSetting'
        'New-HotmessIncidentRecord'
        'Export-HotmessIncidentRecord'
        'Test-HotmessHealth'
        'Get-HotmessProviderStatus'
        'Send-HotmessAlert'
        'Get-HotmessContact'
        'Initialize-HotmessRepository'
        'Set-HotmessRepositoryKey'
        'Copy-HotmessBackup'
        'Invoke-HotmessRecoveryDrill'
        'Get-HotmessDrill'
        'New-HotmessIncident'
        'Add-HotmessIncidentNote'
        'Close-HotmessIncident'
        'Export-HotmessIncidentReport'
        'Open-HotmessRecoveryRun'
        'Get-HotmessSupabaseProject'
        'Get-HotmessSupabaseBackup'
        'Restore-HotmessSupabaseBackup'
        'Invoke-HotmessDataRetention'
        'Get-HotmessRetentionPolicy'
        'Backup-HotmessLog'
        'New-HotmessSupabaseProject'
        'New-HotmessDeployment'
        'Sync-HotmessWebhookEndpoint'
        'Test-HotmessDatabaseIntegrity'
        'Invoke-HotmessMigration'
        'Test-HotmessUserFlow'
        'Test-HotmessPaymentFlow'
        'Test-HotmessEmailDelivery'
        'Send-HotmessUserNotice'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Backup', 'Recovery', 'PostgreSQL', 'Supabase', 'Vercel', 'Stripe', 'DisasterRecovery')
            ProjectUri = 'https://hotmess.london'
        }
    }
}
