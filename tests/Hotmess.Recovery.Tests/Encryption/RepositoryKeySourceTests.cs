using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Tests.Encryption;

public sealed class RepositoryKeySourceTests : IDisposable
{
    private const string Location = "s3://hotmess-backups/prod";
    private readonly string _folder = Directory.CreateTempSubdirectory("hotmess-keyfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string KeyFile(string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_folder, "repository.key");
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    [Fact]
    public void A_key_file_gives_its_line_without_the_line_break_and_wins_over_the_environment()
    {
        var path = KeyFile("a passphrase from the file\n");

        var secret = RepositoryKeySource.Resolve(path, new Hashtable { ["HOTMESS_REPOSITORY_KEY"] = "from the environment" }, Location);

        Assert.Equal("a passphrase from the file", secret.Reveal());
    }

    [Fact]
    public void The_environment_variable_is_used_without_a_key_file()
    {
        var secret = RepositoryKeySource.Resolve(null, new Hashtable { ["HOTMESS_REPOSITORY_KEY"] = "from the environment" }, Location);

        Assert.Equal("from the environment", secret.Reveal());
    }

    [Fact]
    public void Without_either_the_error_names_both_ways_and_the_repository()
    {
        var failure = Assert.Throws<HotmessException>(() => RepositoryKeySource.Resolve(null, new Hashtable(), Location));

        Assert.Equal("RepositoryKeyMissing", failure.ErrorId);
        Assert.Contains("-KeyFile", failure.Message, StringComparison.Ordinal);
        Assert.Contains("HOTMESS_REPOSITORY_KEY", failure.Message, StringComparison.Ordinal);
        Assert.Contains(Location, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherWrite)]
    public void A_key_file_others_can_read_or_change_is_refused(UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows guards files with ACLs, which a mode cannot describe.
        }

        var path = KeyFile("a passphrase from the file", mode);

        var failure = Assert.Throws<HotmessException>(() => RepositoryKeySource.Resolve(path, new Hashtable(), Location));

        Assert.Equal("RepositoryKeyFileReadableByOthers", failure.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, failure.Kind);
        Assert.Contains("chmod 600", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a passphrase", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_file_is_named()
    {
        var path = Path.Combine(_folder, "absent.key");

        var failure = Assert.Throws<HotmessException>(() => RepositoryKeySource.Resolve(path, new Hashtable(), Location));

        Assert.Equal("RepositoryKeyFileNotFound", failure.ErrorId);
        Assert.Equal(path, failure.Target);
    }

    [Fact]
    public void An_empty_key_file_is_refused()
    {
        var failure = Assert.Throws<HotmessException>(() => RepositoryKeySource.Resolve(KeyFile("\n"), new Hashtable(), Location));

        Assert.Equal("RepositoryKeyFileEmpty", failure.ErrorId);
    }
}
