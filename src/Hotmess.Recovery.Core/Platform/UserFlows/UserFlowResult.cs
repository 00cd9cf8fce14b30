namespace Hotmess.Recovery.Platform.UserFlows;

/// <summary>One flow's check: what was asked, what came back, and why it failed when it did.</summary>
public sealed record UserFlowResult
{
    public required string Name { get; init; }

    public required string Method { get; init; }

    public required string Url { get; init; }

    public required int ExpectedStatus { get; init; }

    /// <summary>Null when no answer came.</summary>
    public int? StatusCode { get; init; }

    public required bool Passed { get; init; }

    /// <summary>Why it failed; empty when it passed.</summary>
    public required string Reason { get; init; }

    public TimeSpan Duration { get; init; }
}
