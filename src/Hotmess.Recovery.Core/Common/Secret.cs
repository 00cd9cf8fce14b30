namespace Hotmess.Recovery.Common;

/// <summary>
/// A secret value held in memory. It prints as a mask, so it cannot slip into a log, a message or a report
/// by accident; <see cref="Reveal"/> is the one way to read it, at the point of use.
/// </summary>
public sealed class Secret
{
    private readonly string _value;

    public Secret(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    public string Reveal() => _value;

    /// <summary>The last four characters at most, for telling keys apart: <c>****abcd</c>.</summary>
    public string Masked => _value.Length <= 8 ? "****" : "****" + _value[^4..];

    public override string ToString() => "****";

    public static Secret? FromNullable(string? value) => string.IsNullOrEmpty(value) ? null : new Secret(value);
}
