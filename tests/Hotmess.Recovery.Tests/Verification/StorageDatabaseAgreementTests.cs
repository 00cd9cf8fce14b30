using Hotmess.Recovery.Reports;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Storage;
using Hotmess.Recovery.Tests.Support;
using Hotmess.Recovery.Verification;

namespace Hotmess.Recovery.Tests.Verification;

/// <summary>A database set whose storage.objects rows and the nearest storage set disagree, as after restoring one without the other.</summary>
public sealed class StorageDatabaseAgreementTests(SupabaseTargetFixture database, FakeServer fake)
    : IClassFixture<SupabaseTargetFixture>, IClassFixture<FakeServer>
{
    [Fact]
    public async Task Rows_without_files_and_files_without_rows_are_reported_as_a_checklist_item()
    {
        var rows = (await database.QuerySourceAsync("SELECT bucket_id || '/' || name FROM storage.objects ORDER BY 1")).Split('\n');
        var client = fake.NewClient();
        await StorageTestData.CreateBucketAsync(client, "avatars", isPublic: true);
        foreach (var row in rows.Skip(2))
        {
            await StorageTestData.UploadAsync(client, "avatars", row["avatars/".Length..], StorageTestData.Bytes(16, row.Length));
        }

        await StorageTestData.UploadAsync(client, "avatars", "stray/avatar.png", StorageTestData.Bytes(16, 7));
        var repository = database.Set.Repository;
        await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = fake.BaseUrl, ServiceKey = StorageFakes.Key, Repository = repository, Buckets = ["avatars"], ThrottleLimit = 4,
        }, new CollectingLog(), CancellationToken.None);

        var verification = await BackupVerificationEngine.VerifyAsync(new BackupVerificationRequest
        {
            Repository = BackupRepository.Open(repository), Set = database.Set,
        }, new CollectingLog(), CancellationToken.None);

        var checks = verification.Checks.Where(c => c.Category == StorageDatabaseAgreement.Category).ToList();
        Assert.Equal(2, checks.Count);
        Assert.False(checks[0].Passed);
        Assert.StartsWith($"2 missing: {rows[0]}, {rows[1]}", checks[0].Actual);
        Assert.False(checks[1].Passed);
        Assert.Equal("1: avatars/stray/avatar.png", checks[1].Actual);
        var item = Assert.Single(VerificationChecklist.Build([verification]), i => i.Item == "File storage and database agree");
        Assert.False(item.Passed);
        Assert.Contains("2 missing", item.Evidence);
    }

    [Fact]
    public void A_copy_block_is_read_with_its_escapes_and_nulls()
    {
        const string script = "SET x = 1;\nCOPY storage.objects (id, bucket_id, name, owner) FROM stdin;\n1\tuploads\ta\\tb.txt\t\\N\n2\t\\N\tno-bucket\t\\N\n\\.\n";

        var rows = StorageDatabaseAgreement.ParseCopy(script);

        Assert.Equal([("uploads", "a\tb.txt")], rows!);
        Assert.Null(StorageDatabaseAgreement.ParseCopy("SET x = 1;\n"));
    }
}
