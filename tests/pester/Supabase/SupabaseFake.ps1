# The Supabase Management fake's backups for the Supabase-native recovery tests: the platform fake
# (../Environment/PlatformFake.ps1) plus its backup controls. Dot-source it in BeforeAll.

. (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')

function Set-SupabaseFakeBackups {
    # Steers the project's backups: pitrEnabled, backups, earliestUnix/latestUnix, restoreDelayMs, restoreOutcome, limitedToken.
    param($Fake, [hashtable] $Settings)
    Invoke-FakeControl $Fake supabase-management backups $Settings | Out-Null
}

function Get-SupabaseFakeRestores {
    # The restores the fake was asked for, in order.
    param($Fake)
    @(Invoke-FakeControl $Fake supabase-management restores -Method Get)
}
