BeforeAll {
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.GetHotmessConfigurationCommand'
    # Settings the tests steer; saved and restored so no machine's own configuration leaks in or out.
    $names = 'HOTMESS_CONFIG', 'XDG_CONFIG_HOME', 'HOTMESS_REPOSITORY', 'HOTMESS_DATABASE_URL', 'SUPABASE_DB_URL', 'PGPASSWORD', 'STRIPE_SECRET_KEY'
    $saved = @{}
    foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }

    function New-ConfigurationFile {
        param([string] $Folder, [hashtable] $Content, [string] $Mode = '644')
        New-Item -ItemType Directory -Force $Folder | Out-Null
        $file = Join-Path $Folder 'hotmess.json'
        $Content | ConvertTo-Json -Depth 5 | Set-Content $file
        if ($IsLinux -or $IsMacOS) { chmod $Mode $file }
        $file
    }

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    foreach ($name in $saved.Keys) {
        if ($null -eq $saved[$name]) { Remove-Item "Env:$name" -ErrorAction Ignore } else { Set-Item "Env:$name" $saved[$name] }
    }
}

Describe 'Get-HotmessConfiguration' {
    BeforeEach {
        foreach ($name in $names) { Remove-Item "Env:$name" -ErrorAction Ignore }
        # An empty config folder of the user's own: nothing is found there unless a test writes it.
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    Context 'where the file comes from' {
        It 'ignores a hotmess.json in the current directory' {
            $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
            $null = New-ConfigurationFile $folder @{ repository = '/from/the/current/directory' }
            # Both the PowerShell location and the process's own current directory.
            $processDirectory = [Environment]::CurrentDirectory
            Push-Location $folder
            [Environment]::CurrentDirectory = $folder
            try {
                $configuration = Get-HotmessConfiguration
            }
            finally {
                [Environment]::CurrentDirectory = $processDirectory
                Pop-Location
            }

            $configuration.SourcePath | Should -BeNullOrEmpty
            $configuration.Repository | Should -Not -Be '/from/the/current/directory'
        }

        It "reads the user's own config folder" {
            $file = New-ConfigurationFile (Join-Path $env:XDG_CONFIG_HOME 'hotmess') @{ repository = '/from/the/config/folder' }

            $configuration = Get-HotmessConfiguration

            $configuration.SourcePath | Should -Be $file
            $configuration.Repository | Should -Be '/from/the/config/folder'
        }

        It 'accepts a file only its owner can write (0644)' -Skip:$IsWindows {
            $file = New-ConfigurationFile (Join-Path $TestDrive 'private') @{ repository = '/private' } -Mode 644

            (Get-HotmessConfiguration -ConfigurationPath $file).Repository | Should -Be '/private'
        }

        It 'refuses a file that other users can write (0666), naming the file and the fix' -Skip:$IsWindows {
            $file = New-ConfigurationFile (Join-Path $TestDrive 'shared') @{ repository = '/shared' } -Mode 666

            $thrown = Get-ThrownError { Get-HotmessConfiguration -ConfigurationPath $file }

            $thrown.FullyQualifiedErrorId | Should -Be "ConfigurationWritableByOthers,$command"
            $thrown.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $thrown.Exception.Message | Should -Match ([regex]::Escape($file))
            $thrown.Exception.Message | Should -Match 'chmod go-w'
        }

        It 'refuses a group-writable file named by HOTMESS_CONFIG' -Skip:$IsWindows {
            $env:HOTMESS_CONFIG = New-ConfigurationFile (Join-Path $TestDrive 'group') @{ repository = '/group' } -Mode 664

            (Get-ThrownError { Get-HotmessConfiguration }).FullyQualifiedErrorId | Should -Be "ConfigurationWritableByOthers,$command"
        }

        It 'refuses a file owned by another user' -Skip:($IsWindows -or (id -u) -ne '0') {
            $file = New-ConfigurationFile (Join-Path $TestDrive 'foreign') @{ repository = '/foreign' } -Mode 644
            chown 65534 $file

            $thrown = Get-ThrownError { Get-HotmessConfiguration -ConfigurationPath $file }

            $thrown.FullyQualifiedErrorId | Should -Be "ConfigurationWritableByOthers,$command"
            $thrown.Exception.Message | Should -Match ([regex]::Escape($file))
        }
    }

    Context "a file that moves a secret's destination" {
        It 'says in -Verbose which setting of which file sends secrets to which host' {
            $env:STRIPE_SECRET_KEY = 'sk_test_never-shown-anywhere'
            $file = New-ConfigurationFile (Join-Path $TestDrive 'moved') @{
                database = @{ connectionString = 'Host=db.elsewhere.example;Database=postgres;Username=postgres' }
                storage  = @{ supabaseUrl = 'https://storage.elsewhere.example' }
                platform = @{ stripeApiUrl = 'https://stripe.elsewhere.example/v1'; vercelApiUrl = 'https://vercel.elsewhere.example' }
            }

            $verbose = @(Get-HotmessConfiguration -ConfigurationPath $file -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

            $line = $verbose | Where-Object { $_ -match 'platform\.stripeApiUrl' }
            $line | Should -HaveCount 1
            $line | Should -Match ([regex]::Escape($file))
            $line | Should -Match 'stripe\.elsewhere\.example'
            $verbose | Where-Object { $_ -match 'database\.connectionString' -and $_ -match 'db\.elsewhere\.example' } | Should -HaveCount 1
            $verbose | Where-Object { $_ -match 'storage\.supabaseUrl' -and $_ -match 'storage\.elsewhere\.example' } | Should -HaveCount 1
            $verbose | Where-Object { $_ -match 'platform\.vercelApiUrl' -and $_ -match 'vercel\.elsewhere\.example' } | Should -HaveCount 1
            ($verbose -join "`n") | Should -Not -Match 'never-shown-anywhere'
        }

        It 'says nothing of destinations the file leaves alone' {
            $file = New-ConfigurationFile (Join-Path $TestDrive 'plain') @{ repository = '/plain' }

            $verbose = @(Get-HotmessConfiguration -ConfigurationPath $file -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

            $verbose | Where-Object { $_ -match 'platform\.|storage\.supabaseUrl|database\.connectionString' } | Should -BeNullOrEmpty
        }
    }

    Context 'passwords' {
        It 'never prints the password of a connection string in the <Form> form' -ForEach @(
            @{ Form = 'URI'; Text = 'postgresql://postgres:s3cr3t-Pw0rd@db.example.com:5432/postgres' }
            @{ Form = 'URI with an escaped password'; Text = 'postgres://postgres:s3cr3t%2DPw0rd@db.example.com/postgres' }
            @{ Form = 'URI query string'; Text = 'postgresql://postgres@db.example.com/postgres?sslmode=require&password=s3cr3t-Pw0rd' }
            @{ Form = 'Password= keyword'; Text = 'Host=db.example.com;Username=postgres;Password=s3cr3t-Pw0rd;Database=postgres' }
            @{ Form = 'pwd= keyword'; Text = 'Host=db.example.com;Username=postgres;pwd=s3cr3t-Pw0rd' }
            @{ Form = 'quoted keyword'; Text = 'Host=db.example.com;Username=postgres;Password="s3cr3t-Pw0rd;x"' }
            @{ Form = 'libpq keyword'; Text = "host=db.example.com user=postgres password='s3cr3t-Pw0rd' dbname=postgres" }
        ) {
            $env:HOTMESS_DATABASE_URL = $Text

            $output = Get-HotmessConfiguration -Verbose 4>&1
            $shown = ($output | ConvertTo-Json -Depth 6) + ($output | Format-List * | Out-String) +
                ($output.Database | Format-List * | Out-String)

            $shown | Should -Not -Match 's3cr3t'
            $shown | Should -Match 'db\.example\.com'
        }

        It 'shows no part of PGPASSWORD with -Secrets' {
            $env:PGPASSWORD = 'a-long-database-password-1234'

            $secret = Get-HotmessConfiguration -Secrets | Where-Object Name -EQ 'PGPASSWORD'

            $secret.IsSet | Should -BeTrue
            $secret.Value | Should -Not -Match '1234'
        }
    }
}
