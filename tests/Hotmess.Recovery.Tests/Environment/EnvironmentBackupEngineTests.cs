using System.Text;
using System.Text.Json.Nodes;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Environments;

public sealed class EnvironmentBackupEngineTests : IDisposable
{
    private static readonly string[] AllTargets = ["production", "preview", "development"];

    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-env-").FullName;
    private readonly EnvironmentKey _key = EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "test key");

    private static MemoryStore Store() => new(
    [
        new StoredVariable("VITE_SUPABASE_URL", new Secret("https://abcdefghijklmnopqrst.supabase.co"), "plain", AllTargets),
        new StoredVariable("SUPABASE_SERVICE_ROLE_KEY", new Secret("service-role-VALUE-a1b2c3d4e5"), "encrypted", ["production"]),
        new StoredVariable("STRIPE_SECRET_KEY", new Secret("sk_live_VALUE_f6g7h8i9j0 with ünïcode"), "encrypted", ["production", "preview"]),
        new StoredVariable("STRIPE_SECRET_KEY", new Secret("sk_test_VALUE_k1l2m3n4o5"), "encrypted", ["development"]),
        new StoredVariable("RESEND_API_KEY", null, "sensitive", ["production"]),
    ]);

    private BackupRepository Repository() => BackupRepository.OpenOrCreate(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_set_round_trips_every_value_and_records_names_targets_and_types()
    {
        var store = Store();
        var log = new CollectingLog();

        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), store, _key, log, CancellationToken.None);
        var opened = await EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None);

        Assert.Equal(BackupKind.Environment, set.Kind);
        var contents = set.Manifest.Environment!;
        Assert.Equal("memory", contents.Store);
        Assert.Equal("prj_memory", set.Manifest.Source.Project);
        Assert.Equal(["RESEND_API_KEY", "STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY", "SUPABASE_SERVICE_ROLE_KEY", "VITE_SUPABASE_URL"], contents.Variables.Select(v => v.Name));
        Assert.False(contents.Variables[0].HasValue);
        Assert.Equal("AES-256-GCM", contents.Encryption.Algorithm);
        Assert.Equal("Key", contents.Encryption.KeyKind);
        Assert.Null(contents.Encryption.Iterations);
        foreach (var original in store.Variables)
        {
            var restored = opened.Single(v => v.Name == original.Name && v.Targets.SequenceEqual(original.Targets));
            Assert.Equal(original.Type, restored.Type);
            Assert.Equal(original.Value?.Reveal(), restored.Value?.Reveal());
        }

        Assert.Contains(log.Warnings, w => w.Contains("RESEND_API_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_file_in_the_repository_holds_a_value_in_clear()
    {
        var store = Store();
        await EnvironmentBackupEngine.BackupAsync(Repository(), store, _key, new CollectingLog(), CancellationToken.None);

        var files = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("environment.bin", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("manifest.json", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var value in store.Variables.Where(v => v.Value is not null).Select(v => v.Value!.Reveal()))
            {
                foreach (var needle in new[] { Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(value[..12]), Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))) })
                {
                    Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"'{Path.GetFileName(file)}' holds a value in clear.");
                }
            }
        }
    }

    [Fact]
    public async Task Each_set_gets_its_own_salt_nonce_and_ciphertext()
    {
        var first = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        var second = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);

        Assert.NotEqual(first.Manifest.Environment!.Encryption.Salt, second.Manifest.Environment!.Encryption.Salt);
        Assert.NotEqual(first.Manifest.Environment.Encryption.KeyCheck, second.Manifest.Environment.Encryption.KeyCheck);
        var a = await File.ReadAllBytesAsync(Path.Combine(first.Path, "environment.bin"));
        var b = await File.ReadAllBytesAsync(Path.Combine(second.Path, "environment.bin"));
        Assert.Equal(a.Length, b.Length);
        Assert.False(a.AsSpan(6, 12).SequenceEqual(b.AsSpan(6, 12)), "two sets share a nonce");
        Assert.False(a.AsSpan(34).SequenceEqual(b.AsSpan(34)), "two sets share a ciphertext");
    }

    [Fact]
    public async Task A_wrong_key_fails_as_an_authentication_failure()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        var other = EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "HOTMESS_ENVIRONMENT_KEY");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(set, other, CancellationToken.None));

        Assert.Equal("EnvironmentDecryptionFailed", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains("HOTMESS_ENVIRONMENT_KEY", ex.Message);
        Assert.Equal(set.Id, ex.Target);
    }

    [Fact]
    public async Task A_changed_payload_byte_is_caught_by_the_recorded_hash()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        FlipLastByte(Path.Combine(set.Path, "environment.bin"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Contains("'environment.bin'", ex.Message);
    }

    [Fact]
    public async Task An_environment_set_with_any_listed_file_damaged_is_refused_naming_the_file()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(set.Path, "notes.txt"), "changed after the backup");
        EditManifest(set, manifest => manifest["files"]!.AsArray().Add(new JsonObject
        {
            ["path"] = "notes.txt",
            ["size"] = 24,
            ["sha256"] = new string('0', 64),
        }));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Contains("'notes.txt'", ex.Message);
    }

    [Fact]
    public async Task A_changed_payload_with_a_rewritten_hash_is_caught_by_the_authentication_tag()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        var payload = Path.Combine(set.Path, "environment.bin");
        FlipLastByte(payload);
        EditManifest(set, manifest =>
        {
            var file = manifest["files"]!.AsArray().Single(f => (string?)f!["path"] == "environment.bin")!;
            file["sha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(payload))).ToLowerInvariant();
        });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None));

        Assert.Equal("EnvironmentDecryptionFailed", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Contains("authentication tag", ex.Message);
    }

    [Fact]
    public async Task A_manifest_whose_variables_were_changed_no_longer_decrypts()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        EditManifest(set, manifest =>
        {
            var variable = manifest["environment"]!["variables"]!.AsArray().Single(v => (string?)v!["name"] == "SUPABASE_SERVICE_ROLE_KEY")!;
            variable["targets"] = new JsonArray("production", "preview", "development");
        });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None));

        Assert.Equal("EnvironmentDecryptionFailed", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
    }

    [Fact]
    public async Task A_manifest_whose_salt_was_changed_does_not_open()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        EditManifest(set, manifest => manifest["environment"]!["encryption"]!["salt"] = Convert.ToBase64String(new byte[16]));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None));

        Assert.Equal("EnvironmentDecryptionFailed", ex.ErrorId);
    }

    [Fact]
    public async Task A_missing_payload_file_is_reported()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        File.Delete(Path.Combine(set.Path, "environment.bin"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(set, _key, CancellationToken.None));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public async Task A_payload_path_that_leaves_the_set_is_refused()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);
        EditManifest(set, manifest => manifest["environment"]!["payloadPath"] = "../../hotmess-repository.json");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(Repository().GetSet(set.Id), _key, CancellationToken.None));

        Assert.Equal("EnvironmentManifestInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
    }

    [Fact]
    public async Task A_passphrase_set_round_trips_and_a_wrong_passphrase_fails()
    {
        var passphrase = EnvironmentKey.FromPassphrase(new Secret("correct horse battery staple"));
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), passphrase, new CollectingLog(), CancellationToken.None);

        var opened = await EnvironmentBackupEngine.OpenAsync(set, EnvironmentKey.FromPassphrase(new Secret("correct horse battery staple")), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            EnvironmentBackupEngine.OpenAsync(set, EnvironmentKey.FromPassphrase(new Secret("correct horse battery stapler")), CancellationToken.None));

        Assert.Equal("PBKDF2-SHA256+HKDF-SHA256", set.Manifest.Environment!.Encryption.Kdf);
        Assert.True(set.Manifest.Environment.Encryption.Iterations >= 600_000);
        Assert.Equal("sk_test_VALUE_k1l2m3n4o5", opened.Single(v => v.Targets.Contains("development") && v.Name == "STRIPE_SECRET_KEY").Value!.Reveal());
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
    }

    [Fact]
    public async Task A_key_of_the_other_kind_is_refused_naming_the_right_parameter()
    {
        var set = await EnvironmentBackupEngine.BackupAsync(Repository(), Store(), _key, new CollectingLog(), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            EnvironmentBackupEngine.OpenAsync(set, EnvironmentKey.FromPassphrase(new Secret("a long enough passphrase")), CancellationToken.None));

        Assert.Equal("EnvironmentKeyKindMismatch", ex.ErrorId);
        Assert.Contains("-KeyFile", ex.Message);
    }

    [Fact]
    public async Task A_short_passphrase_is_refused_before_anything_is_written()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            EnvironmentBackupEngine.BackupAsync(Repository(), Store(), EnvironmentKey.FromPassphrase(new Secret("short")), new CollectingLog(), CancellationToken.None));

        Assert.Equal("EnvironmentPassphraseTooShort", ex.ErrorId);
        Assert.Empty(Repository().GetSets());
        Assert.Empty(Directory.EnumerateDirectories(Repository().SetsPath));
    }

    [Fact]
    public async Task A_store_that_fails_leaves_no_set_behind()
    {
        var failing = new MemoryStore([]) { Failure = new HotmessException("VercelRateLimited", FailureKind.RateLimited, "slow down") };

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            EnvironmentBackupEngine.BackupAsync(Repository(), failing, _key, new CollectingLog(), CancellationToken.None));

        Assert.Equal("VercelRateLimited", ex.ErrorId);
        Assert.Empty(Repository().GetIncompleteSetPaths());
    }

    [Fact]
    public async Task A_database_set_is_not_an_environment_set()
    {
        var pending = Repository().BeginSet(BackupKind.Database, DateTimeOffset.UtcNow);
        var set = pending.Complete(new BackupManifest());

        var ex = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.OpenAsync(set, _key, CancellationToken.None));

        Assert.Equal("BackupKindMismatch", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }

    private static void FlipLastByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    private static void EditManifest(BackupSet set, Action<JsonNode> edit)
    {
        var path = Path.Combine(set.Path, BackupRepository.ManifestFileName);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }
}

/// <summary>An environment store in memory; what is written is kept in <see cref="Written"/>.</summary>
internal sealed class MemoryStore(IReadOnlyList<StoredVariable> variables) : IEnvironmentVariableStore
{
    public IReadOnlyList<StoredVariable> Variables => variables;

    public List<StoredVariable> Written { get; } = [];

    public Exception? Failure { get; init; }

    public string Kind => "memory";

    public string Project => "prj_memory";

    public Task<IReadOnlyList<StoredVariable>> ReadAllAsync(IOperationLog log, CancellationToken cancellationToken) =>
        Failure is null ? Task.FromResult(variables) : Task.FromException<IReadOnlyList<StoredVariable>>(Failure);

    public Task WriteAsync(IReadOnlyList<StoredVariable> written, CancellationToken cancellationToken)
    {
        Written.AddRange(written);
        return Task.CompletedTask;
    }
}
