#Requires -Version 7.4
# Restore-HotmessDatabase into a Supabase-shaped target (postgres no superuser, managed schemas owned by Supabase).

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $source = Start-HotmessTestPostgres -SampleDatabase hotmess
    $target = Start-HotmessTestPostgres
    [Hotmess.Recovery.Sandbox.SupabaseTarget]::AddProjectObjectsAsync($source, 'hotmess', [Threading.CancellationToken]::None).GetAwaiter().GetResult()  | Out-Null
    [Hotmess.Recovery.Sandbox.SupabaseTarget]::PrepareClusterAsync($target, [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
    $set = Backup-HotmessDatabase -ConnectionString $source.ConnectionString('hotmess') -Repository (Join-Path $TestDrive 'repository')

    function New-Project {
        $name = New-HotmessScratchName
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::CreateProjectDatabaseAsync($target, $name, [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
        $name
    }

    function Invoke-AsAdmin([string] $Database, [string] $Sql) {
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::ExecuteAsAdminAsync($target, $Database, $Sql, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }
}

AfterAll {
    $source, $target | Stop-HotmessTestPostgres
}

Describe 'Restore-HotmessDatabase into Supabase' {
    It 'recognises the project, restores users, files and tables, lists the roles without passwords and what it left out' {
        $name = New-Project

        $result = $set | Restore-HotmessDatabase -TargetConnectionString $target.ConnectionString($name) -Confirm:$false -WarningVariable warnings 3>$null

        $result.TargetKind | Should -Be 'Supabase'
        $result.RowCountsMatch | Should -BeTrue
        $result.CreatedRoles | Should -Contain 'hotmess_reporting'
        $result.Skipped | Where-Object { $_.Kind -eq 'TABLE DATA' -and $_.Name -eq 'auth.schema_migrations' } | Should -HaveCount 1
        "$warnings" | Should -Match 'Left out of the restore into Supabase'
        Invoke-AsAdmin $name 'SELECT count(*) FROM storage.objects' | Should -Be ($source.ExecuteSql('hotmess', 'SELECT count(*) FROM storage.objects'))
        Invoke-AsAdmin $name "SELECT has_table_privilege('anon', 'public.internal_note', 'SELECT')" | Should -Be 'f'
    }

    It 'with -TargetKind PostgreSQL restores the dump as it is, which a Supabase project refuses' {
        $name = New-Project

        $thrown = try { $set | Restore-HotmessDatabase -TargetConnectionString $target.ConnectionString($name) -TargetKind PostgreSQL -Confirm:$false -ErrorAction Stop; $null } catch { $_ }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'TargetNotEmpty,*'
    }

    It 'refuses a project that already holds users, naming auth.users' {
        $name = New-Project
        Invoke-AsAdmin $name "INSERT INTO auth.users (id, email) VALUES (gen_random_uuid(), 'someone@example.com')" | Out-Null

        $thrown = try { $set | Restore-HotmessDatabase -TargetConnectionString $target.ConnectionString($name) -Confirm:$false -ErrorAction Stop; $null } catch { $_ }

        $thrown.FullyQualifiedErrorId | Should -BeLike 'TargetNotEmpty,*'
        $thrown.Exception.Message | Should -Match 'auth\.users'
    }
}
