using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;

namespace Hotmess.Recovery.Tests.Environments;

public sealed class EnvironmentKeyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hotmess-key-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_key_file_holds_32_random_bytes_in_base64()
    {
        var path = Path.Combine(_folder, "environment.key");
        File.WriteAllText(path, EnvironmentKey.NewKeyText() + "\n");

        var key = EnvironmentKey.FromKeyFile(path);

        Assert.Equal(EnvironmentKey.KeyKindRaw, key.Kind);
        Assert.Equal(path, key.Source);
        Assert.NotEqual(EnvironmentKey.NewKeyText(), EnvironmentKey.NewKeyText());
        Assert.Equal(32, Convert.FromBase64String(EnvironmentKey.NewKeyText()).Length);
    }

    [Fact]
    public void A_missing_key_file_is_not_found()
    {
        var ex = Assert.Throws<HotmessException>(() => EnvironmentKey.FromKeyFile(Path.Combine(_folder, "absent.key")));

        Assert.Equal("EnvironmentKeyFileNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")]
    public void A_key_that_is_not_32_bytes_of_base64_is_invalid_and_not_quoted(string text)
    {
        var path = Path.Combine(_folder, "bad.key");
        File.WriteAllText(path, text);

        var ex = Assert.Throws<HotmessException>(() => EnvironmentKey.FromKeyFile(path));

        Assert.Equal("EnvironmentKeyInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain(text, ex.Message);
    }

    [Fact]
    public void A_base64_key_from_an_automation_variable_names_its_source_in_errors()
    {
        var ex = Assert.Throws<HotmessException>(() => EnvironmentKey.FromBase64(new Secret("AAAA"), "Automation variable 'HOTMESS_ENVIRONMENT_KEY'"));

        Assert.Contains("Automation variable 'HOTMESS_ENVIRONMENT_KEY'", ex.Message);
        Assert.Contains("3 bytes", ex.Message);
    }
}
