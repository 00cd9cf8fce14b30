using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Supabase;
using Hotmess.Recovery.Fakes.SupabaseManagement;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hotmess.Recovery.Tests.Supabase;

/// <summary>Creating a project against the Supabase Management fake: the create, the wait for ACTIVE_HEALTHY, the keys, and each refusal.</summary>
public sealed class SupabaseProjectCreationEngineTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly CollectingLog _log = new();

    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private SupabaseProjectCreationEngine Engine(Secret? token = null)
    {
        var account = SupabaseManagementClient.ForAccount(fake.Http, fake.Url("supabase-management"), token ?? PlatformFakes.ManagementToken, _log,
            new HttpResilienceOptions { Time = _clock, MaxRetryAfter = TimeSpan.FromSeconds(5), BaseDelay = TimeSpan.FromMilliseconds(10) });
        return new SupabaseProjectCreationEngine(account, _clock, _log);
    }

    private static NewSupabaseProjectRequest Request(string name = "hotmess-restored", string? region = "eu-west-2") => new()
    {
        Name = name,
        OrganizationId = "hotmess-org",
        Region = region,
        PollInterval = TimeSpan.FromSeconds(5),
        Timeout = TimeSpan.FromMinutes(2),
    };

    private Task<NewSupabaseProject> CreateAsync(NewSupabaseProjectRequest request) =>
        _clock.RunAsync(() => Engine().CreateAsync(request, CancellationToken.None));

    private async Task<JsonElement> ProjectsAsync() => await fake.GetAsync("__fake/supabase-management/projects");

    private async Task<int> CreateRequestsAsync() =>
        (await fake.RequestsAsync("supabase-management")).Count(r => r == "POST /supabase-management/v1/projects");

    internal static string Plain(SecureString value)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            return Marshal.PtrToStringUni(pointer)!;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    [Fact]
    public async Task A_created_project_reports_its_services_healthy_and_its_storage_takes_its_own_service_role_key_but_no_other()
    {
        var project = await CreateAsync(Request());
        var serviceRoleKey = Plain(project.ServiceRoleKey);

        using var health = new HttpRequestMessage(HttpMethod.Get,
            fake.Url($"supabase-management/v1/projects/{project.Ref}/health?services=db&services=auth&services=rest&services=storage"));
        health.Headers.Authorization = new("Bearer", SupabaseManagementFake.DefaultToken);
        using var healthResponse = await fake.Http.SendAsync(health);
        Assert.Equal(HttpStatusCode.OK, healthResponse.StatusCode);
        var services = JsonDocument.Parse(await healthResponse.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal(["auth", "db", "rest", "storage"], services.Keys.Order());
        Assert.All(services.Values, status => Assert.Equal("ACTIVE_HEALTHY", status));

        async Task<HttpStatusCode> ListBucketsAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, fake.Url("storage/v1/bucket"));
            request.Headers.Add("apikey", key);
            request.Headers.Authorization = new("Bearer", key);
            using var response = await fake.Http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await ListBucketsAsync(serviceRoleKey));
        Assert.Equal(HttpStatusCode.OK, await ListBucketsAsync(FakeServer.ServiceKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListBucketsAsync(serviceRoleKey + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListBucketsAsync(Plain(project.AnonKey)));

        await fake.ResetAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await ListBucketsAsync(serviceRoleKey));
    }

    [Fact]
    public async Task A_project_is_created_waited_for_until_healthy_and_comes_with_its_url_keys_and_connection()
    {
        var project = await CreateAsync(Request());

        Assert.Equal("ACTIVE_HEALTHY", project.Status);
        Assert.Matches("^[a-z]{20}$", project.Ref);
        Assert.Equal("eu-west-2", project.Region);
        Assert.Equal($"https://{project.Ref}.supabase.co", project.ApiUrl);
        Assert.Equal($"db.{project.Ref}.supabase.co", project.DatabaseHost);
        Assert.Equal(SupabaseKeyForm.LegacyAnon, SupabaseKeys.FormOf(new Secret(Plain(project.AnonKey))));
        Assert.Equal(SupabaseKeyForm.LegacyServiceRole, SupabaseKeys.FormOf(new Secret(Plain(project.ServiceRoleKey))));
        var connection = new NpgsqlConnectionStringBuilder(Plain(project.ConnectionString));
        Assert.Equal((project.DatabaseHost, 5432, "postgres", "postgres"), (connection.Host, connection.Port, connection.Database, connection.Username));
        var created = (await ProjectsAsync()).GetProperty("projects").EnumerateArray().Single();
        Assert.Equal("ACTIVE_HEALTHY", created.GetProperty("status").GetString());
        Assert.True(created.GetProperty("polls").GetInt32() >= 3, "the project was read while it came up");
        Assert.True(project.Duration >= TimeSpan.FromSeconds(15), $"three polls 5 s apart, measured {project.Duration}");
        Assert.Contains(_log.Progress, p => p.Status.StartsWith("COMING_UP", StringComparison.Ordinal));
        Assert.True(_log.Progress.Last().Completed);
    }

    [Fact]
    public async Task The_generated_password_is_strong_random_and_never_in_the_log()
    {
        var first = new NpgsqlConnectionStringBuilder(Plain((await CreateAsync(Request("one"))).ConnectionString)).Password!;
        var second = new NpgsqlConnectionStringBuilder(Plain((await CreateAsync(Request("two"))).ConnectionString)).Password!;

        Assert.Equal(32, first.Length);
        Assert.Matches("^[A-Za-z0-9]+$", first);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(_log.Verbose.Concat(_log.Warnings), m => m.Contains(first, StringComparison.Ordinal) || m.Contains(second, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_given_password_and_templates_form_the_connection_and_url()
    {
        var request = Request() with
        {
            DatabasePassword = new Secret("given-Password-1234"),
            ProjectUrlTemplate = "https://api.example.test/{ref}",
            DatabaseConnectionTemplate = "Host=aws-0-{region}.pooler.supabase.com;Port=6543;Database=postgres;Username=postgres.{ref};SSL Mode=Require",
        };

        var project = await CreateAsync(request);

        var connection = new NpgsqlConnectionStringBuilder(Plain(project.ConnectionString));
        Assert.Equal(("aws-0-eu-west-2.pooler.supabase.com", 6543, $"postgres.{project.Ref}", "given-Password-1234"),
            (connection.Host, connection.Port, connection.Username, connection.Password));
        Assert.Equal($"https://api.example.test/{project.Ref}", project.ApiUrl);
    }

    [Fact]
    public async Task The_create_sends_the_organization_slug_and_the_region_selection()
    {
        await CreateAsync(Request(region: "ca-central-1"));

        var creation = (await ProjectsAsync()).GetProperty("creations").EnumerateArray().Single();
        Assert.Equal("hotmess-org", creation.GetProperty("organization").GetString());
        Assert.Equal("ca-central-1", creation.GetProperty("region").GetString());
    }

    [Fact]
    public async Task A_project_that_never_comes_up_times_out_as_not_ready_naming_its_ref()
    {
        await fake.PostAsync("__fake/supabase-management/projects", new { outcome = "COMING_UP" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CreateAsync(Request() with { Timeout = TimeSpan.FromSeconds(30) }));

        Assert.Equal("SupabaseProjectNotReady", ex.ErrorId);
        Assert.Equal(FailureKind.Timeout, ex.Kind);
        var reference = (await ProjectsAsync()).GetProperty("projects").EnumerateArray().Single().GetProperty("ref").GetString()!;
        Assert.Contains(reference, ex.Message);
        Assert.Contains("COMING_UP", ex.Message);
    }

    [Fact]
    public async Task A_project_supabase_fails_to_start_ends_with_that_status()
    {
        await fake.PostAsync("__fake/supabase-management/projects", new { outcome = "INIT_FAILED" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CreateAsync(Request()));

        Assert.Equal("SupabaseProjectFailed", ex.ErrorId);
        Assert.Contains("INIT_FAILED", ex.Message);
    }

    [Fact]
    public async Task An_organization_the_token_may_not_create_in_is_forbidden_and_names_it()
    {
        await fake.PostAsync("__fake/supabase-management/projects", new { organizations = new[] { "hotmess-org", "other-org" }, forbiddenOrganizations = new[] { "other-org" } });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CreateAsync(Request() with { OrganizationId = "other-org" }));

        Assert.Equal("SupabaseOrganizationForbidden", ex.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
        Assert.Contains("other-org", ex.Message);
    }

    [Fact]
    public async Task A_name_already_used_in_the_organization_is_refused_as_taken()
    {
        await CreateAsync(Request("hotmess-restored"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CreateAsync(Request("hotmess-restored")));

        Assert.Equal("SupabaseProjectNameTaken", ex.ErrorId);
        Assert.Equal(FailureKind.AlreadyExists, ex.Kind);
        Assert.Single((await ProjectsAsync()).GetProperty("projects").EnumerateArray());
    }

    [Fact]
    public async Task A_rate_limited_create_is_sent_again_and_creates_one_project()
    {
        await fake.PostAsync("__fake/supabase-management/rate-limit", new { count = 1, resetSeconds = 1 });

        var project = await CreateAsync(Request());

        Assert.Equal("ACTIVE_HEALTHY", project.Status);
        Assert.Equal(2, await CreateRequestsAsync());
        Assert.Single((await ProjectsAsync()).GetProperty("projects").EnumerateArray());
    }

    [Fact]
    public async Task A_server_error_on_the_create_is_not_sent_again_since_supabase_may_have_created_it()
    {
        await fake.SetFaultsAsync(new { serverErrorRate = 1.0, pathPrefix = "/supabase-management/v1/projects" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CreateAsync(Request()));

        Assert.Equal("SupabaseManagementFailed", ex.ErrorId);
        Assert.Contains("may or may not have created it", ex.Message);
        Assert.Equal(1, (await fake.FaultCountsAsync()).GetProperty("serverError").GetInt32());
    }

    [Fact]
    public async Task Status_reads_that_fail_for_a_passing_reason_are_reported_and_read_again()
    {
        await fake.PostAsync("__fake/supabase-management/projects", new { readyAfterPolls = 1000 });
        var engine = Engine();
        var created = _clock.RunAsync(() => engine.CreateAsync(Request() with { Timeout = TimeSpan.FromHours(1) }, CancellationToken.None));
        while ((await ProjectsAsync()).GetProperty("projects").GetArrayLength() == 0)
        {
            await Task.Delay(20);
        }

        await fake.SetFaultsAsync(new { serverErrorRate = 1.0, pathPrefix = "/supabase-management/v1/projects" });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!_log.Warnings.Any(w => w.Contains("reading it again", StringComparison.Ordinal)) && DateTime.UtcNow < deadline && !created.IsCompleted)
        {
            await Task.Delay(20);
        }

        await fake.ClearFaultsAsync();
        var reference = (await ProjectsAsync()).GetProperty("projects").EnumerateArray().Single().GetProperty("ref").GetString()!;
        await fake.PostAsync("__fake/supabase-management/project-status", new { @ref = reference, status = "ACTIVE_HEALTHY" });

        var project = await created;

        Assert.Equal("ACTIVE_HEALTHY", project.Status);
        Assert.Contains(_log.Warnings, w => w.Contains(reference, StringComparison.Ordinal) && w.Contains("reading it again", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "hotmess-org", "eu-west-2", "SupabaseProjectNameInvalid")]
    [InlineData("name", "not a slug!", "eu-west-2", "SupabaseOrganizationInvalid")]
    [InlineData("name", "hotmess-org", "mars-north-1", "SupabaseRegionInvalid")]
    public async Task Bad_input_is_refused_before_anything_is_sent(string name, string organization, string region, string errorId)
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => CreateAsync(Request(name, region) with { OrganizationId = organization }));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(0, await CreateRequestsAsync());
    }

    [Fact]
    public async Task A_connection_template_with_a_password_is_refused()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            CreateAsync(Request() with { DatabaseConnectionTemplate = "Host={host};Username=postgres;Password=secret" }));

        Assert.Equal("SupabaseConnectionTemplateInvalid", ex.ErrorId);
        Assert.Equal(0, await CreateRequestsAsync());
    }

    [Fact]
    public async Task A_token_the_api_refuses_is_reported_masked()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            _clock.RunAsync(() => Engine(new Secret("sbp_wrongtoken000000000099")).CreateAsync(Request(), CancellationToken.None)));

        Assert.Equal("SupabaseManagementTokenInvalid", ex.ErrorId);
        Assert.DoesNotContain("sbp_wrongtoken000000000099", ex.Message);
    }
}
