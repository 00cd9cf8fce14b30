using System.Collections;
using Amazon.S3;
using Amazon.S3.Model;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;

namespace Hotmess.Recovery.Tests.Repository.Stores;

public sealed class S3ObjectStoreTests(S3rverFixture s3rver) : ObjectStoreContractTests, IClassFixture<S3rverFixture>
{
    private readonly string _location = $"s3://contract/t-{Guid.NewGuid():N}";

    protected override Task<IObjectStore> OpenStoreAsync() => Task.FromResult(s3rver.OpenStore(_location));

    protected override Task<IObjectStore> OpenSameStoreAgainAsync() => Task.FromResult(s3rver.OpenStore(_location));

    [Fact]
    public Task A_lease_whose_holder_went_away_can_be_taken_once_it_expired() =>
        AssertAnAbandonedLeaseCanBeTakenOnceExpired(TimeSpan.FromSeconds(2));

    [Fact]
    public async Task A_lease_taken_over_after_it_lapsed_cannot_be_renewed_by_its_old_holder()
    {
        await using var other = await OpenSameStoreAgainAsync();
        var old = await Store.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(1), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var taken = await other.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(30), CancellationToken.None);

        var error = await Assert.ThrowsAsync<HotmessException>(() => old.RenewAsync(CancellationToken.None));
        Assert.Equal("RepositoryLocked", error.ErrorId);
        await old.DisposeAsync();

        // The old holder's release left the new holder's lock alone.
        await Assert.ThrowsAsync<HotmessException>(() => Store.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_bucket_lists_nothing_and_is_created_by_the_first_write()
    {
        var bucket = "fresh-" + Guid.NewGuid().ToString("N")[..12];
        await using var store = s3rver.OpenStore($"s3://{bucket}/below");

        Assert.Empty(await ToListAsync(store.ListAsync("", CancellationToken.None)));
        await store.PutAsync("x", Text("1"), CancellationToken.None);

        using var client = S3Client();
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["below/x"], listed.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_with_RepositoryUnreachable_and_no_secret_in_the_message()
    {
        var environment = new Hashtable
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEKEY",
            ["AWS_SECRET_ACCESS_KEY"] = "very-secret-access-key",
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9",
        };
        await using var store = ObjectStores.Open("s3://contract/x", environment);

        var error = await Assert.ThrowsAsync<HotmessException>(() => store.GetInfoAsync("a", CancellationToken.None));

        Assert.Equal("RepositoryUnreachable", error.ErrorId);
        Assert.Contains("s3://contract/x", error.Message);
        Assert.DoesNotContain("very-secret-access-key", error.ToString());
    }

    [Fact]
    public async Task Unknown_credentials_fail_with_RepositoryAccessDenied()
    {
        var environment = s3rver.Environment;
        environment["AWS_ACCESS_KEY_ID"] = "AKIAUNKNOWNKEY";
        environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
        await using var store = ObjectStores.Open("s3://contract/x", environment);

        var error = await Assert.ThrowsAsync<HotmessException>(() => store.PutAsync("a", Text("1"), CancellationToken.None));

        Assert.Equal("RepositoryAccessDenied", error.ErrorId);
        Assert.DoesNotContain("not-the-secret", error.Message);
    }

    private AmazonS3Client S3Client() => new("S3RVER", "S3RVER", new AmazonS3Config
    {
        ServiceURL = s3rver.Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
    });
}
