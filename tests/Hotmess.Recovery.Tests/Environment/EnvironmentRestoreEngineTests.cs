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
    public async Task A_variable_the_set_holds_no_value_for_is_skipped_with_what_to_do_instead()
    {
        var set = await TakeSetAsync();

        var plan = await EnvironmentRestoreEngine.PlanAsync(set, _key, EnvironmentRestoreSelection.All, CancellationToken.None);

        var skipped = Assert.Single(plan.WithoutValue);
        Assert.Equal("RESEND_API_KEY", skipped.Name);
        Assert.Contains("Set-HotmessSecret", plan.SkipReason(skipped));
        Assert.Contains(set.Id, plan.SkipReason(skipped));
        Assert.Equal(["STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY", "VITE_SUPABASE_URL"], plan.Variables.Select(v => v.Name).Order(StringComparer.Ordinal));
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
