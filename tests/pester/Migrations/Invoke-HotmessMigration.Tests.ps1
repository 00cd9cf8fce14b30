BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $server = Start-HotmessTestPostgres

    function New-MigrationFolder([hashtable] $Files) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid())
        New-Item -ItemType Directory $folder | Out-Null
        foreach ($name in $Files.Keys) { Set-Content -LiteralPath (Join-Path $folder $name) -Value $Files[$name] -NoNewline }
        $folder
    }

    function Get-Recorded([string] $Database) {
        $server.ExecuteSql($Database, "SELECT coalesce(string_agg(version || '_' || name, ',' ORDER BY version), '') FROM supabase_migrations.schema_migrations")
    }

    function Test-Relation([string] $Database, [string] $Name) {
        $server.ExecuteSql($Database, "SELECT to_regclass('$Name') IS NOT NULL") -eq 't'
    }
}

AfterAll {
    $server | Stop-HotmessTestPostgres
}

Describe 'Invoke-HotmessMigration' {
    BeforeEach {
        $database = New-HotmessScratchName
        $server.CreateDatabase($database)
        $connection = $server.ConnectionString($database)
        $folder = New-MigrationFolder @{
            '20240101000000_create_orders.sql' = 'CREATE TABLE public.orders (id serial PRIMARY KEY, total numeric);'
            '20240102000000_add_status.sql'    = "ALTER TABLE public.orders ADD COLUMN status text NOT NULL DEFAULT 'paid';"
        }
    }

    It 'applies the pending files in order, one object per file, and a second run finds them all applied' {
        $first = @(Invoke-HotmessMigration -Path $folder -ConnectionString $connection)
        $second = @(Invoke-HotmessMigration -Path $folder -ConnectionString $connection)

        $first.Version | Should -Be '20240101000000', '20240102000000'
        $first.Name | Should -Be 'create_orders', 'add_status'
        $first.Status | Should -Be 'Applied', 'Applied'
        $first[0].Path | Should -Be (Join-Path $folder '20240101000000_create_orders.sql')
        $first[0].Duration | Should -BeOfType [timespan]
        $second.Status | Should -Be 'AlreadyApplied', 'AlreadyApplied'
        Get-Recorded $database | Should -Be '20240101000000_create_orders,20240102000000_add_status'
        $server.ExecuteSql($database, "SELECT column_default FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'status'") | Should -Be "'paid'::text"
    }

    It 'lists the pending files with -WhatIf and changes nothing' {
        $null = Invoke-HotmessMigration -Path $folder -ConnectionString $connection
        Set-Content (Join-Path $folder '20240103000000_add_refunds.sql') 'CREATE TABLE public.refunds (id int);'

        $results = @(Invoke-HotmessMigration -Path $folder -ConnectionString $connection -WhatIf)

        $results.Status | Should -Be 'AlreadyApplied', 'AlreadyApplied', 'Pending'
        Test-Relation $database 'public.refunds' | Should -BeFalse
        Get-Recorded $database | Should -Not -Match '20240103000000'
    }

    It 'writes the failed file as Failed, then stops with MigrationFailed naming the file and the line, and leaves no trace of it' {
        Set-Content (Join-Path $folder '20240103000000_broken.sql') "CREATE TABLE public.half (id int);`nINSERT INTO public.orders (totl) VALUES (1);"
        Set-Content (Join-Path $folder '20240104000000_after.sql') 'CREATE TABLE public.after (id int);'
        $results = [System.Collections.Generic.List[object]]::new()

        { Invoke-HotmessMigration -Path $folder -ConnectionString $connection -ErrorAction Stop | ForEach-Object { $results.Add($_) } } |
            Should -Throw -ErrorId 'MigrationFailed,Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessMigrationCommand' -ExpectedMessage "*'20240103000000_broken.sql'*line 2 column 28*column `"totl`"*"

        $results.Status | Should -Be 'Applied', 'Applied', 'Failed'
        Test-Relation $database 'public.half' | Should -BeFalse
        Test-Relation $database 'public.after' | Should -BeFalse
        Get-Recorded $database | Should -Be '20240101000000_create_orders,20240102000000_add_status'
    }

    It 'takes the connection string as a SecureString, as New-HotmessSupabaseProject gives it' {
        $secure = ConvertTo-SecureString $connection -AsPlainText -Force

        $results = @(Invoke-HotmessMigration -Path $folder -ConnectionString $secure)

        $results.Status | Should -Be 'Applied', 'Applied'
    }

    It 'uses HOTMESS_DATABASE_URL when no -ConnectionString is given' {
        $saved = $env:HOTMESS_DATABASE_URL
        try {
            $env:HOTMESS_DATABASE_URL = $connection
            $results = @(Invoke-HotmessMigration $folder)
        }
        finally { $env:HOTMESS_DATABASE_URL = $saved }

        $results.Status | Should -Be 'Applied', 'Applied'
        Test-Relation $database 'public.orders' | Should -BeTrue
    }

    It 'warns about a recorded version whose file is missing and leaves its record' {
        $null = Invoke-HotmessMigration -Path $folder -ConnectionString $connection
        Remove-Item (Join-Path $folder '20240102000000_add_status.sql')

        $results = @(Invoke-HotmessMigration -Path $folder -ConnectionString $connection -WarningVariable warnings -WarningAction SilentlyContinue)

        $results.Count | Should -Be 1
        "$warnings" | Should -BeLike '*20240102000000_add_status*'
        Get-Recorded $database | Should -Be '20240101000000_create_orders,20240102000000_add_status'
    }

    It 'fails with MigrationFolderNotFound for a folder that does not exist' {
        { Invoke-HotmessMigration -Path (Join-Path $TestDrive 'missing') -ConnectionString $connection -ErrorAction Stop } |
            Should -Throw -ErrorId 'MigrationFolderNotFound,Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessMigrationCommand'
    }
}
