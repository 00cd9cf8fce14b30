using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// Where and as whom <see cref="VercelClient"/> talks to Vercel: API base URL, token, project, optional team, and
/// how it retries. The configuration layer fills it (<c>ClientSettings.Vercel</c>); the client knows no file.
/// </summary>
public sealed record VercelSettings
{
    public static readonly Uri DefaultApiUrl = new("https://api.vercel.com");

    public required Uri ApiUrl { get; init; }

    public required Secret Token { get; init; }

    /// <summary>Project id (<c>prj_…</c>) or name.</summary>
    public required string ProjectId { get; init; }

    /// <summary>Team scope, sent as <c>teamId</c> on every call when set.</summary>
    public string? TeamId { get; init; }

    /// <summary>Retries, waits and timeouts of each call; their clock also paces status polls.</summary>
    public HttpResilienceOptions Resilience { get; init; } = new();
}
