using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Tests.Environments;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Storage;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Repository;

[Collection(SampleDatabaseCollection.Name)]
public sealed class RepositoryPermissionsTests(SampleDatabaseFixture fixture)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;

    [Fact]
    public async Task Every_folder_of_a_repository_is_0700_and_every_file_0600_after_database_storage_and_environment_backups()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes; Windows folders inherit the user profile's ACL.
        }

        var root = fixture.NewFolder();
        await using var fake = await FakeServer.StartAsync();
        using (var client = fake.NewClient())
        {
            await CreateBucketAsync(client, "avatars");
            await UploadManyAsync(client, "avatars", "users/", 5, 5_000, 7);
        }

        var database = await DatabaseBackupEngine.BackupAsync(
            new DatabaseBackupRequest { ConnectionString = fixture.SourceConnectionString, Repository = root }, NullOperationLog.Instance, CancellationToken.None);
        await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = fake.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Repository = root,
            ThrottleLimit = 2,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);
        var repository = BackupRepository.Open(root);
        var key = EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "test key");
        await EnvironmentBackupEngine.BackupAsync(repository, new MemoryStore([new StoredVariable("STRIPE_SECRET_KEY", new Secret("sk_test_1"), "encrypted", ["production"])]),
            key, new CollectingLog(), CancellationToken.None);
        var verification = new BackupVerification { SetId = database.Id, Kind = database.Kind, CompletedUtc = DateTimeOffset.UtcNow };
        verification.Add("File dump/toc.dat", true, "x", "x", PayloadVerifier.Category);
        repository.SaveVerification(verification);

        var folders = Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Prepend(root).ToList();
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(Path.Combine("dump", "toc.dat"), StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("storage.lock", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains(Path.Combine("objects", ""), StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains(repository.VerificationsPath, StringComparison.Ordinal));
        Assert.All(folders, f => Assert.True(File.GetUnixFileMode(f) == PrivateFolder, $"{f} is {File.GetUnixFileMode(f)}"));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == Private, $"{f} is {File.GetUnixFileMode(f)}"));
    }
}
