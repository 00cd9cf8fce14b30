using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Environments;

public sealed class EnvironmentRestoreEngineTests : IDisposable
{
    private static readonly string[] AllTargets = ["production", "preview", "development"];

    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-env-restore-").FullName;
    private readonly EnvironmentKey _key = EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "test key");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<BackupSet> TakeSetAsync() =>
        await EnvironmentBackupEngine.BackupAsync(BackupRepository.OpenOrCreate(_root), new MemoryStore(
        [
            new StoredVariable("VITE_SUPABASE_URL", new Secret("https://abcdefghijklmnopqrst.supabase.co"), "plain", AllTargets),
            new StoredVariable("STRIPE_SECRET_KEY", new Secret("sk_live_VALUE_f6g7h8i9j0"), "encrypted", ["production", "preview"]),
            new StoredVariable("STRIPE_SECRET_KEY", new Secret("sk_test_VALUE_k1l2m3n4o5"), "encrypted", ["development"]),
            new StoredVariable("RESEND_API_KEY", null, "sensitive", ["production"]),
        ]), _key, new CollectingLog(), CancellationToken.None);

    [Fact]
    public async Task The_plan_keeps_only_the_names_and_targets_asked_for()
    {
        var set = await TakeSetAsync();

        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key,
            new EnvironmentRestoreSelection(name => name.StartsWith("STRIPE_", StringComparison.Ordinal), ["production"]), CancellationToken.None);

        var variable = Assert.Single(plan.Variables);
        Assert.Equal(("STRIPE_SECRET_KEY", "sk_live_VALUE_f6g7h8i9j0"), (variable.Name, variable.Value!.Reveal()));
        Assert.Equal(["production"], variable.Targets);
        Assert.Empty(plan.WithoutValue);
    }

    [Fact]
    public async Task A_variable_the_set_holds_no_value_for_is_held_apart_until_a_value_is_found()
    {
        var set = await TakeSetAsync();

        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);

        var without = Assert.Single(plan.WithoutValue);
        Assert.Equal("RESEND_API_KEY", without.Name);
        Assert.Contains("-Value", plan.MissingReason(without));
        Assert.Contains(set.Id, plan.MissingReason(without));
        Assert.Equal(["STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY", "VITE_SUPABASE_URL"], plan.Variables.Select(v => v.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Given_values_replace_the_sets_and_fill_what_it_lacks_and_the_results_say_so()
    {
        var set = await TakeSetAsync();
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);
        var store = new MemoryStore([]);

        var completed = plan.Complete(new EnvironmentValueSources
        {
            Given = new Dictionary<string, Secret>
            {
                ["VITE_SUPABASE_URL"] = new("https://newprojectref0000000.supabase.co"),
                ["RESEND_API_KEY"] = new("re_given_value"),
            },
            Setting = _ => throw new InvalidOperationException("A given value needs no setting."),
        });
        var results = await EnvironmentRestoreEngine.RestoreAsync(completed, completed.Variables, store, CancellationToken.None);

        Assert.Empty(completed.WithoutValue);
        Assert.Equal("https://newprojectref0000000.supabase.co", store.Written.Single(v => v.Name == "VITE_SUPABASE_URL").Value!.Reveal());
        Assert.Equal("re_given_value", store.Written.Single(v => v.Name == "RESEND_API_KEY").Value!.Reveal());
        Assert.Equal("sensitive", store.Written.Single(v => v.Name == "RESEND_API_KEY").Type);
        Assert.Equal(EnvironmentValueSource.Given, results.Single(r => r.Name == "VITE_SUPABASE_URL").ValueSource);
        Assert.Equal(EnvironmentValueSource.Given, results.Single(r => r.Name == "RESEND_API_KEY").ValueSource);
        Assert.All(results.Where(r => r.Name == "STRIPE_SECRET_KEY"), r => Assert.Equal(EnvironmentValueSource.EnvironmentSet, r.ValueSource));
    }

    [Fact]
    public async Task A_missing_value_comes_from_the_setting_of_its_name_before_anyone_is_asked()
    {
        var set = await TakeSetAsync();
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);
        var asked = new List<string>();

        var completed = plan.Complete(new EnvironmentValueSources
        {
            Setting = name => name == "RESEND_API_KEY" ? new Secret("re_from_automation") : null,
            Prompt = variable => { asked.Add(variable.Name); return new Secret("typed"); },
        });

        Assert.Empty(asked);
        Assert.Equal("re_from_automation", completed.Variables.Single(v => v.Name == "RESEND_API_KEY").Value!.Reveal());
        Assert.Equal(EnvironmentValueSource.Setting, completed.SourceOf("RESEND_API_KEY"));
        Assert.Equal("sk_live_VALUE_f6g7h8i9j0", completed.Variables.Single(v => v.Name == "STRIPE_SECRET_KEY" && v.Targets.Contains("production")).Value!.Reveal());
    }

    [Fact]
    public async Task A_person_is_asked_once_for_each_value_nothing_else_holds()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(BackupRepository.OpenOrCreate(_root), new MemoryStore(
        [
            new StoredVariable("RESEND_API_KEY", null, "sensitive", ["production"]),
            new StoredVariable("RESEND_API_KEY", null, "sensitive", ["preview"]),
            new StoredVariable("STRIPE_WEBHOOK_SECRET", null, "sensitive", ["production"]),
        ]), _key, new CollectingLog(), CancellationToken.None);
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);
        var asked = new List<string>();

        var completed = plan.Complete(new EnvironmentValueSources
        {
            Given = new Dictionary<string, Secret> { ["STRIPE_WEBHOOK_SECRET"] = new("whsec_given") },
            Setting = _ => null,
            Prompt = variable => { asked.Add(variable.Name); return new Secret("re_typed"); },
        });

        Assert.Equal(["RESEND_API_KEY"], asked);
        Assert.Equal(2, completed.Variables.Count(v => v.Name == "RESEND_API_KEY" && v.Value!.Reveal() == "re_typed"));
        Assert.Equal(EnvironmentValueSource.Prompt, completed.SourceOf("RESEND_API_KEY"));
    }

    [Fact]
    public async Task Values_found_nowhere_stop_the_restore_naming_every_one_before_anything_is_written()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(BackupRepository.OpenOrCreate(_root), new MemoryStore(
        [
            new StoredVariable("VITE_SUPABASE_URL", new Secret("https://abcdefghijklmnopqrst.supabase.co"), "plain", AllTargets),
            new StoredVariable("RESEND_API_KEY", null, "sensitive", ["production"]),
            new StoredVariable("STRIPE_WEBHOOK_SECRET", null, "sensitive", ["production"]),
        ]), _key, new CollectingLog(), CancellationToken.None);
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);

        var error = Assert.Throws<HotmessException>(() => plan.Complete(new EnvironmentValueSources { Setting = _ => null, Prompt = _ => null }));

        Assert.Equal("EnvironmentValuesMissing", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Contains("RESEND_API_KEY (sensitive, production)", error.Message);
        Assert.Contains("STRIPE_WEBHOOK_SECRET (sensitive, production)", error.Message);
        Assert.Contains("Nothing was written", error.Message);
        Assert.Equal(new[] { "RESEND_API_KEY", "STRIPE_WEBHOOK_SECRET" }, (string[])error.Target!);
    }

    [Fact]
    public async Task Allowing_missing_values_keeps_them_apart_instead_of_stopping()
    {
        var set = await TakeSetAsync();
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);

        var completed = plan.Complete(new EnvironmentValueSources(), allowMissing: true);

        Assert.Equal("RESEND_API_KEY", Assert.Single(completed.WithoutValue).Name);
        Assert.DoesNotContain(completed.Variables, v => v.Name == "RESEND_API_KEY");
    }

    [Fact]
    public async Task A_given_value_for_a_variable_the_restore_does_not_hold_is_refused()
    {
        var set = await TakeSetAsync();
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key,
            new EnvironmentRestoreSelection(name => name.StartsWith("STRIPE_", StringComparison.Ordinal)), CancellationToken.None);

        var error = Assert.Throws<HotmessException>(() => plan.Complete(new EnvironmentValueSources
        {
            Given = new Dictionary<string, Secret> { ["VITE_SUPABASE_URL"] = new("https://x.supabase.co"), ["NOT_IN_SET"] = new("x") },
        }));

        Assert.Equal("EnvironmentValueNotInSet", error.ErrorId);
        Assert.Contains("NOT_IN_SET, VITE_SUPABASE_URL", error.Message);
        Assert.DoesNotContain("https://x.supabase.co", error.Message);
    }

    [Fact]
    public async Task Restore_writes_only_the_variables_kept_and_reports_them_without_values()
    {
        var set = await TakeSetAsync();
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, new EnvironmentRestoreSelection(Targets: ["development"]), CancellationToken.None);
        var store = new MemoryStore([]);
        var kept = plan.Variables.Where(v => v.Name == "STRIPE_SECRET_KEY").ToList();

        var results = await EnvironmentRestoreEngine.RestoreAsync(plan, kept, store, CancellationToken.None);

        var written = Assert.Single(store.Written);
        Assert.Equal(("sk_test_VALUE_k1l2m3n4o5", "development"), (written.Value!.Reveal(), Assert.Single(written.Targets)));
        var result = Assert.Single(results);
        Assert.Equal(new EnvironmentRestoreResult("STRIPE_SECRET_KEY", written.Targets, "encrypted", "memory", "prj_memory", set.Id), result);
    }

    [Fact]
    public async Task Restore_refuses_a_variable_that_is_not_in_the_plan()
    {
        var set = await TakeSetAsync();
        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, new EnvironmentRestoreSelection(Targets: ["production"]), CancellationToken.None);
        var store = new MemoryStore([]);
        var widened = plan.Variables[0] with { Targets = AllTargets };

        var error = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentRestoreEngine.RestoreAsync(plan, [widened], store, CancellationToken.None));

        Assert.Equal("EnvironmentRestoreNotPlanned", error.ErrorId);
        Assert.Empty(store.Written);
    }

    [Fact]
    public async Task Without_an_id_the_newest_environment_set_is_restored()
    {
        var older = await TakeSetAsync();
        await Task.Delay(1100);
        var newer = await TakeSetAsync();
        var repository = BackupRepository.Open(_root);

        Assert.Equal(newer.Id, EnvironmentRestoreEngine.FindSet(repository, null).Id);
        Assert.Equal(older.Id, EnvironmentRestoreEngine.FindSet(repository, older.Id).Id);
    }

    [Fact]
    public void A_repository_without_an_environment_set_is_an_error_saying_how_to_take_one()
    {
        var error = Assert.Throws<HotmessException>(() => EnvironmentRestoreEngine.FindSet(BackupRepository.OpenOrCreate(_root), null));

        Assert.Equal("BackupNotFound", error.ErrorId);
        Assert.Contains("Backup-HotmessEnvironment", error.Message);
    }
}
