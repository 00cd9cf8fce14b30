using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class VercelClientEnvironmentTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly string[] AllTargets = ["production", "preview", "development"];

    public Task InitializeAsync() => fake.ResetVercelAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Upsert_creates_then_replaces_a_variable_in_place()
    {
        using var client = fake.Client();

        var created = await client.UpsertEnvironmentVariablesAsync([new EnvironmentVariableInput("STRIPE_SECRET_KEY", new Secret("sk_test_first_0001"), AllTargets)]);
        var replaced = await client.UpsertEnvironmentVariablesAsync([new EnvironmentVariableInput("STRIPE_SECRET_KEY", new Secret("sk_test_second_0002"), AllTargets)]);
        var listed = await client.GetEnvironmentVariablesAsync(decrypt: true);

        Assert.Equal(created.Single().Id, replaced.Single().Id);
        var variable = Assert.Single(listed);
        Assert.Equal("STRIPE_SECRET_KEY", variable.Key);
        Assert.True(variable.Decrypted);
        Assert.Equal("sk_test_second_0002", variable.Value!.Reveal());
        Assert.Equal(AllTargets, variable.Targets);
        Assert.Equal("****", variable.Value.ToString());
        Assert.DoesNotContain("sk_test", variable.ToString());
    }

    [Fact]
    public async Task Listing_without_decrypt_gives_no_clear_value_and_a_sensitive_value_is_never_returned()
    {
        await fake.SeedVariablesAsync(
            new { key = "RESEND_API_KEY", value = "re_clear_value_1234", type = "encrypted", target = AllTargets },
            new { key = "SUPABASE_SERVICE_ROLE_KEY", value = "service_role_clear", type = "sensitive", target = new[] { "production" } },
            new { key = "VITE_SUPABASE_URL", value = "https://abc.supabase.co", type = "plain", target = AllTargets });
        using var client = fake.Client();

        var listed = (await client.GetEnvironmentVariablesAsync()).ToDictionary(v => v.Key);
        var decrypted = (await client.GetEnvironmentVariablesAsync(decrypt: true)).ToDictionary(v => v.Key);
        var one = await client.GetEnvironmentVariableAsync(listed["RESEND_API_KEY"].Id);

        Assert.False(listed["RESEND_API_KEY"].Decrypted);
        Assert.NotEqual("re_clear_value_1234", listed["RESEND_API_KEY"].Value!.Reveal());
        Assert.Null(listed["SUPABASE_SERVICE_ROLE_KEY"].Value);
        Assert.Null(decrypted["SUPABASE_SERVICE_ROLE_KEY"].Value);
        Assert.Equal("re_clear_value_1234", decrypted["RESEND_API_KEY"].Value!.Reveal());
        Assert.Equal("re_clear_value_1234", one.Value!.Reveal());
        Assert.Equal("https://abc.supabase.co", listed["VITE_SUPABASE_URL"].Value!.Reveal());
        Assert.Equal(["production"], listed["SUPABASE_SERVICE_ROLE_KEY"].Targets);
    }

    [Fact]
    public async Task Listing_for_one_target_keeps_only_its_variables()
    {
        await fake.SeedVariablesAsync(
            new { key = "ONLY_PRODUCTION", value = "a", target = new[] { "production" } },
            new { key = "ONLY_PREVIEW", value = "b", target = new[] { "preview" } });
        using var client = fake.Client();

        var production = await client.GetEnvironmentVariablesAsync("production");

        Assert.Equal(["ONLY_PRODUCTION"], production.Select(v => v.Key));
    }

    [Fact]
    public async Task A_201_with_failed_entries_is_an_error_naming_the_failed_keys_and_not_their_values()
    {
        await fake.PostAsync("/__fake/vercel/env/failures", new { key = "RESEND_API_KEY", code = "invalid_value", message = "The value is too long." });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.UpsertEnvironmentVariablesAsync(
        [
            new EnvironmentVariableInput("STRIPE_WEBHOOK_SECRET", new Secret("whsec_saved_value"), AllTargets),
            new EnvironmentVariableInput("RESEND_API_KEY", new Secret("re_rejected_value"), AllTargets),
        ]));
        var saved = await client.GetEnvironmentVariablesAsync();

        Assert.Equal("VercelEnvironmentUpsertFailed", error.ErrorId);
        Assert.Equal(FailureKind.InvalidOperation, error.Kind);
        Assert.Equal("RESEND_API_KEY", error.Target);
        Assert.Contains("RESEND_API_KEY: invalid_value The value is too long.", error.Message);
        Assert.Contains("1 of 2", error.Message);
        Assert.DoesNotContain("re_rejected_value", error.Message);
        Assert.DoesNotContain("whsec_saved_value", error.Message);
        Assert.Equal(["STRIPE_WEBHOOK_SECRET"], saved.Select(v => v.Key));
    }

    [Fact]
    public async Task Update_changes_a_variable_and_delete_removes_it()
    {
        await fake.SeedVariablesAsync(new { key = "RESEND_API_KEY", value = "re_old", type = "encrypted", target = AllTargets });
        using var client = fake.Client();
        var id = (await client.GetEnvironmentVariablesAsync()).Single().Id;

        var updated = await client.UpdateEnvironmentVariableAsync(id, new EnvironmentVariableUpdate { Value = new Secret("re_new"), Targets = ["production"] });
        var read = await client.GetEnvironmentVariableAsync(id);
        await client.DeleteEnvironmentVariableAsync(id);
        var error = await Assert.ThrowsAsync<HotmessException>(() => client.DeleteEnvironmentVariableAsync(id));

        Assert.Equal(["production"], updated.Targets);
        Assert.Equal("re_new", read.Value!.Reveal());
        Assert.Empty(await client.GetEnvironmentVariablesAsync());
        Assert.Equal("VercelEnvironmentVariableNotFound", error.ErrorId);
        Assert.Equal(id, error.Target);
    }

    [Theory]
    [InlineData("1STARTS_WITH_DIGIT")]
    [InlineData("HAS-DASH")]
    [InlineData("")]
    public void A_name_Vercel_would_refuse_is_refused_before_sending(string name)
    {
        var error = Assert.Throws<HotmessException>(() => new EnvironmentVariableInput(name, new Secret("x"), AllTargets));

        Assert.Equal("EnvironmentVariableNameInvalid", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void An_unknown_target_or_a_system_type_is_refused()
    {
        Assert.Equal("EnvironmentTargetInvalid",
            Assert.Throws<HotmessException>(() => new EnvironmentVariableInput("A", new Secret("x"), ["staging"])).ErrorId);
        Assert.Equal("EnvironmentTargetMissing",
            Assert.Throws<HotmessException>(() => new EnvironmentVariableInput("A", new Secret("x"), [])).ErrorId);
        Assert.Equal("EnvironmentVariableTypeInvalid",
            Assert.Throws<HotmessException>(() => new EnvironmentVariableInput("A", new Secret("x"), AllTargets, "system")).ErrorId);
    }

    [Fact]
    public async Task The_summary_masks_every_value()
    {
        await fake.SeedVariablesAsync(
            new { key = "RESEND_API_KEY", value = "re_clear_value_1234", type = "encrypted", target = AllTargets },
            new { key = "SUPABASE_SERVICE_ROLE_KEY", value = "service_role_clear", type = "sensitive", target = AllTargets },
            new { key = "VITE_SUPABASE_URL", value = "https://abc.supabase.co", type = "plain", target = AllTargets });
        using var client = fake.Client();

        var summaries = (await client.GetEnvironmentVariablesAsync()).Select(EnvironmentVariableSummary.From).ToDictionary(s => s.Name);

        Assert.Equal("****", summaries["RESEND_API_KEY"].Value);
        Assert.Equal("", summaries["SUPABASE_SERVICE_ROLE_KEY"].Value);
        Assert.Equal("****e.co", summaries["VITE_SUPABASE_URL"].Value);
    }

    [Fact]
    public void The_check_reports_each_required_variable_for_each_target()
    {
        VercelEnvironmentVariable Variable(string key, params string[] targets) =>
            new() { Id = "env_" + key, Key = key, Type = "encrypted", Targets = targets };
        var variables = EnvironmentRequirements.RequiredVariables
            .Where(n => n != "RESEND_API_KEY")
            .Select(n => n == "STRIPE_WEBHOOK_SECRET" ? Variable(n, "production") : Variable(n, AllTargets))
            .ToList();

        var checks = EnvironmentRequirements.Check(variables, AllTargets).ToList();

        Assert.Equal(18, checks.Count);
        Assert.Equal(
            ["RESEND_API_KEY/development", "RESEND_API_KEY/preview", "RESEND_API_KEY/production", "STRIPE_WEBHOOK_SECRET/development", "STRIPE_WEBHOOK_SECRET/preview"],
            checks.Where(c => !c.Passed).Select(c => $"{c.Name}/{c.Target}").Order());
        Assert.Equal("Not set in Vercel.", checks.First(c => c.Name == "RESEND_API_KEY").Reason);
        Assert.Equal("Set, but not for preview.", checks.Single(c => c is { Name: "STRIPE_WEBHOOK_SECRET", Target: "preview" }).Reason);
    }
}
