using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Repository.Stores;

public sealed class RepositoryLocationTests
{
    [Theory]
    [InlineData("az://backups", RepositoryLocationKind.AzureBlob, "backups", "", "az://backups")]
    [InlineData("az://backups/hotmess", RepositoryLocationKind.AzureBlob, "backups", "hotmess", "az://backups/hotmess")]
    [InlineData("AZ://backups/hotmess/weekly/", RepositoryLocationKind.AzureBlob, "backups", "hotmess/weekly", "az://backups/hotmess/weekly")]
    [InlineData("s3://my-bucket.eu", RepositoryLocationKind.S3, "my-bucket.eu", "", "s3://my-bucket.eu")]
    [InlineData("s3://hotmess-backups/prod/db", RepositoryLocationKind.S3, "hotmess-backups", "prod/db", "s3://hotmess-backups/prod/db")]
    public void Remote_locations_parse_into_container_and_prefix_with_a_display_form(string text, RepositoryLocationKind kind, string container, string prefix, string display)
    {
        var location = RepositoryLocation.Parse(text);

        Assert.Equal(kind, location.Kind);
        Assert.Equal(container, location.Container);
        Assert.Equal(prefix, location.Prefix);
        Assert.Equal(display, location.ToString());
        Assert.True(location.IsRemote);
        Assert.True(RepositoryLocation.IsRemoteText(text));
    }

    [Fact]
    public void A_local_path_becomes_its_full_path()
    {
        var location = RepositoryLocation.Parse("relative/repo");

        Assert.Equal(RepositoryLocationKind.Local, location.Kind);
        Assert.Equal(Path.GetFullPath("relative/repo"), location.Path);
        Assert.Equal(location.Path, location.ToString());
        Assert.False(location.IsRemote);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".hotmess/backups"), RepositoryLocation.Parse("~/.hotmess/backups").Path);
    }

    [Theory]
    [InlineData("", "is not valid")]
    [InlineData("   ", "is not valid")]
    [InlineData("az://", "not an Azure container name")]
    [InlineData("az://Backups", "not an Azure container name")]
    [InlineData("az://ab", "not an Azure container name")]
    [InlineData("az://back--ups", "not an Azure container name")]
    [InlineData("az://backups/a//b", "prefix")]
    [InlineData("az://backups/../x", "prefix")]
    [InlineData("s3://", "not an S3 bucket name")]
    [InlineData("s3://Bucket_Name", "not an S3 bucket name")]
    [InlineData("s3://bucket..name", "not an S3 bucket name")]
    [InlineData("s3://-bucket", "not an S3 bucket name")]
    [InlineData("gs://bucket/x", "the remote forms are az://")]
    [InlineData("https://account.blob.core.windows.net/backups", "the remote forms are az://")]
    public void Malformed_locations_fail_with_RepositoryLocationInvalid_saying_what_is_wrong(string text, string reason)
    {
        var error = Assert.Throws<HotmessException>(() => RepositoryLocation.Parse(text));

        Assert.Equal("RepositoryLocationInvalid", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("az://backups/hotmess?sv=2024-01-01&sig=SECRETSIGNATURE", "SECRETSIGNATURE", "AZURE_STORAGE_CONNECTION_STRING")]
    [InlineData("s3://AKIAKEY:SECRETKEY@bucket/x", "SECRETKEY", "AWS_SECRET_ACCESS_KEY")]
    [InlineData("az://account:SECRETKEY@backups", "SECRETKEY", "AZURE_STORAGE_CONNECTION_STRING")]
    public void Credentials_in_a_location_are_refused_without_being_repeated(string text, string secret, string hint)
    {
        var error = Assert.Throws<HotmessException>(() => RepositoryLocation.Parse(text));

        Assert.Equal("RepositoryLocationInvalid", error.ErrorId);
        Assert.DoesNotContain(secret, error.Message);
        Assert.DoesNotContain(secret, error.Target?.ToString() ?? "");
        Assert.Contains(hint, error.Message);
    }

    [Fact]
    public void Opening_a_local_location_gives_a_local_directory_store()
    {
        var store = ObjectStores.Open("some/folder", new System.Collections.Hashtable());

        var local = Assert.IsType<LocalDirectoryStore>(store);
        Assert.Equal(Path.GetFullPath("some/folder"), local.Location);
    }
}
