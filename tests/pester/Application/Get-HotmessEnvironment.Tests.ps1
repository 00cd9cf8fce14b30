#Requires -Version 7.4
# Get-HotmessEnvironment end to end against the Vercel fake: names, targets, types, never a clear value.

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $all = 'production', 'preview', 'development'
    $clearValues = 'sk_live_clear_stripe_4242', 'service_role_clear_value', 're_clear_resend_0001', 'https://abcd.supabase.co'
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'Get-HotmessEnvironment' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        Reset-VercelTestFake $fake
        Invoke-VercelControl $fake -Path env -Body @{ variables = @(
                @{ key = 'STRIPE_SECRET_KEY'; value = $clearValues[0]; type = 'encrypted'; target = @('production') }
                @{ key = 'SUPABASE_SERVICE_ROLE_KEY'; value = $clearValues[1]; type = 'sensitive'; target = @('production', 'preview') }
                @{ key = 'RESEND_API_KEY'; value = $clearValues[2]; type = 'encrypted'; target = $all }
                @{ key = 'VITE_SUPABASE_URL'; value = $clearValues[3]; type = 'plain'; target = $all }
            ) } | Out-Null
    }

    It 'lists names, targets and types, sorted by name' {
        $variables = Get-HotmessEnvironment

        $variables.Name | Should -Be 'RESEND_API_KEY', 'STRIPE_SECRET_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'VITE_SUPABASE_URL'
        $variables[0] | Should -BeOfType 'Hotmess.Recovery.Platform.Vercel.EnvironmentVariableSummary'
        ($variables | Where-Object Name -EQ 'SUPABASE_SERVICE_ROLE_KEY').Targets | Should -Be 'production', 'preview'
        ($variables | Where-Object Name -EQ 'SUPABASE_SERVICE_ROLE_KEY').Type | Should -Be 'sensitive'
    }

    It 'never shows a clear value, in the objects, their formatting or the verbose stream' {
        $output = Get-HotmessEnvironment -Verbose 4>&1
        $text = ($output | ConvertTo-Json -Depth 5) + ($output | Format-List * | Out-String) + ($output | Out-String)

        foreach ($clear in $clearValues) { $text | Should -Not -Match ([regex]::Escape($clear)) }
        ($output | Where-Object Name -EQ 'VITE_SUPABASE_URL').Value | Should -Be '****e.co'
        ($output | Where-Object Name -EQ 'STRIPE_SECRET_KEY').Value | Should -Be '****'
        ($output | Where-Object Name -EQ 'SUPABASE_SERVICE_ROLE_KEY').Value | Should -Be ''
    }

    It 'keeps only one environment with -Target, and names matching -Name wildcards' {
        (Get-HotmessEnvironment -Target development).Name | Should -Be 'RESEND_API_KEY', 'VITE_SUPABASE_URL'
        (Get-HotmessEnvironment -Name 'S*_KEY').Name | Should -Be 'STRIPE_SECRET_KEY', 'SUPABASE_SERVICE_ROLE_KEY'
    }

    It 'fails clearly without a token' {
        $env:VERCEL_TOKEN = $null

        { Get-HotmessEnvironment } | Should -Throw -ErrorId 'VercelTokenMissing,Hotmess.Recovery.Cmdlets.Commands.GetHotmessEnvironmentCommand'
    }
}
