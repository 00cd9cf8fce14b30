using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Sandbox;

public sealed class SqlTextTests
{
    [Theory]
    [InlineData("User", "\"User\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    public void IdentifierIsDoubleQuotedWithQuotesDoubled(string name, string expected) =>
        Assert.Equal(expected, SqlText.Identifier(name));

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("back\\slash", "'back\\slash'")]
    public void LiteralIsSingleQuotedWithQuotesDoubled(string value, string expected) =>
        Assert.Equal(expected, SqlText.Literal(value));

    [Fact]
    public void NulCharactersAreRefused()
    {
        Assert.Throws<ArgumentException>(() => SqlText.Identifier("a\0b"));
        Assert.Throws<ArgumentException>(() => SqlText.Literal("a\0b"));
    }
}
