# What a whole recovery into a new project needs of the fakes (tests/pester/Environment/PlatformFake.ps1, dot-sourced
# first) and of a Supabase-shaped PostgreSQL: the configuration, the integrations the runbook checks, and the project's
# Storage buckets (filled, lost, read back). Dot-source it in BeforeAll.

function Start-SupabaseTestCluster {
    # A PostgreSQL with the sample database, prepared as Supabase's (roles, schemas) for new projects to live on.
    $cluster = Start-HotmessTestPostgres -SampleDatabase hotmess
    [Hotmess.Recovery.Sandbox.SupabaseTarget]::PrepareClusterAsync($cluster, [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
    $cluster
}

function Get-SupabaseAdminConnection($Cluster, [string] $Database) {
    $Cluster.ConnectionString($Database, [Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $Cluster.Password)
}

function Set-PlatformRecoveryConfiguration {
    # The configuration a recovery into a new project reads: new projects on the cluster, Stripe's webhook at the site,
    # the status pages and the email check's addresses on the fakes. HOTMESS_CONFIG points at it.
    param($Fake, $Cluster, [string] $Path, [string] $SiteUrl, [hashtable] $Extra = @{})
    $configuration = @{
        platform   = @{ siteUrl = $SiteUrl }
        supabase   = @{
            organizationId             = 'hotmess-org'
            region                     = 'eu-west-2'
            projectUrlTemplate         = $Fake.Url
            databaseConnectionTemplate = "Host=127.0.0.1;Port=$($Cluster.Port);Database={ref};Username=postgres;SSL Mode=Disable"
        }
        stripe     = @{ webhookUrl = "$($SiteUrl.TrimEnd('/'))/api/stripe/webhook"; webhookEvents = @('payment_intent.succeeded', 'checkout.session.completed') }
        monitoring = @{ statusPages = [ordered]@{ Vercel = "$($Fake.Url)/statuspage/vercel"; Supabase = "$($Fake.Url)/statuspage/supabase"; Stripe = "$($Fake.Url)/statuspage/stripe" } }
        alerting   = @{
            email    = @{ from = 'alerts@hotmess.london'; to = @('oncall@hotmess.london') }
            contacts = @(@{ role = 'Technical Lead'; contact = 'Sam Ops, +44 20 0000 0001'; availability = '24/7' })
        }
    }
    foreach ($entry in $Extra.GetEnumerator()) { $configuration[$entry.Key] = $entry.Value }
    $configuration | ConvertTo-Json -Depth 6 | Set-Content $Path
    [IO.File]::SetUnixFileMode($Path, [IO.UnixFileMode]'UserRead, UserWrite')
    $env:HOTMESS_CONFIG = $Path
}

function Set-PlatformRecoveryIntegrations {
    # Stripe's webhook endpoint at the site with its signing secret (in Vercel and known to the site), the site healthy
    # with every page answering, and new Supabase projects created on the cluster, ready after two polls.
    param($Fake, $Cluster, [string] $SiteUrl, [string] $Signing)
    foreach ($service in 'statuspage', 'statuspage-api', 'pagerduty') { Invoke-FakeControl $Fake $service reset | Out-Null }
    Invoke-FakeControl $Fake site health -Method Delete | Out-Null
    Invoke-FakeControl $Fake site pages -Method Delete | Out-Null
    Invoke-FakeControl $Fake stripe reset | Out-Null
    Invoke-FakeControl $Fake stripe webhook-endpoints @{ endpoints = @(@{
                url = "$($SiteUrl.TrimEnd('/'))/api/stripe/webhook"; enabledEvents = @('payment_intent.succeeded', 'checkout.session.completed'); secret = $Signing
            })
    } | Out-Null
    Invoke-FakeControl $Fake vercel env @{ variables = @(@{ key = 'STRIPE_WEBHOOK_SECRET'; value = $Signing; type = 'encrypted'; target = @('production', 'preview') }) } | Out-Null
    Invoke-FakeControl $Fake site stripe-webhook @{ secret = $Signing } | Out-Null
    Invoke-FakeControl $Fake supabase-management projects @{ postgres = Get-SupabaseAdminConnection $Cluster postgres; readyAfterPolls = 2 } | Out-Null
}

function Add-PlatformStorage {
    # The project's Storage as it runs: product images and order uploads in two buckets of the Storage fake, which also
    # plays every new project's. Answers the objects: 'bucket/key' to the bytes stored.
    param($Fake)
    $headers = @{ apikey = $env:SUPABASE_SERVICE_ROLE_KEY; Authorization = "Bearer $env:SUPABASE_SERVICE_ROLE_KEY" }
    $buckets = [ordered]@{ products = @('tee.jpg', 'hoodie.jpg'); uploads = @('orders/1001/receipt.pdf', 'orders/1002/receipt.pdf', 'avatars/sam.png') }
    $objects = [ordered]@{}
    foreach ($bucket in $buckets.Keys) {
        Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/storage/v1/bucket" -Headers $headers -ContentType 'application/json' -Body (@{ name = $bucket; public = $bucket -eq 'products' } | ConvertTo-Json) | Out-Null
        foreach ($key in $buckets[$bucket]) {
            $content = [Text.Encoding]::UTF8.GetBytes("$bucket/$key $([guid]::NewGuid())")
            Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/storage/v1/object/$bucket/$key" -Headers $headers -ContentType 'application/octet-stream' -Body $content | Out-Null
            $objects["$bucket/$key"] = $content
        }
    }
    $objects
}

function Remove-PlatformStorage {
    # The disaster in Storage: every bucket of the Storage fake emptied and deleted.
    param($Fake)
    $headers = @{ apikey = $env:SUPABASE_SERVICE_ROLE_KEY; Authorization = "Bearer $env:SUPABASE_SERVICE_ROLE_KEY" }
    foreach ($bucket in @(Invoke-RestMethod -Uri "$($Fake.Url)/storage/v1/bucket" -Headers $headers | ForEach-Object { $_ })) {
        Invoke-RestMethod -Method Post -Uri "$($Fake.Url)/storage/v1/bucket/$($bucket.id)/empty" -Headers $headers | Out-Null
        Invoke-RestMethod -Method Delete -Uri "$($Fake.Url)/storage/v1/bucket/$($bucket.id)" -Headers $headers | Out-Null
    }
}

function Get-PlatformStorage {
    # What the Storage fake holds now: its bucket names, and the bytes of each object asked for ('bucket/key'), null
    # where it answers 404.
    param($Fake, [string[]] $Object)
    $headers = @{ apikey = $env:SUPABASE_SERVICE_ROLE_KEY; Authorization = "Bearer $env:SUPABASE_SERVICE_ROLE_KEY" }
    $contents = [ordered]@{}
    foreach ($name in $Object) {
        $response = Invoke-WebRequest -Uri "$($Fake.Url)/storage/v1/object/$name" -Headers $headers -SkipHttpErrorCheck
        $contents[$name] = if ($response.StatusCode -eq 200) { , $response.RawContentStream.ToArray() } else { $null }
    }
    [pscustomobject]@{
        Buckets = @(Invoke-RestMethod -Uri "$($Fake.Url)/storage/v1/bucket" -Headers $headers | ForEach-Object { $_.name })
        Objects = $contents
    }
}
