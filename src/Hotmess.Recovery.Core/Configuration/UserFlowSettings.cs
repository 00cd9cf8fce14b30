namespace Hotmess.Recovery.Configuration;

/// <summary>
/// One critical user flow of the <c>userFlows</c> section: an HTTP request to the site and what a working site
/// answers. Headers are sent as written; keep secrets out of them (the file is not a secret store).
/// </summary>
public sealed class UserFlowSettings
{
    public string? Name { get; set; }

    /// <summary>GET when not given.</summary>
    public string? Method { get; set; }

    /// <summary>The path on the site, such as <c>/api/health</c>.</summary>
    public string? Path { get; set; }

    /// <summary>The expected status code; 200 when not given.</summary>
    public int? Status { get; set; }

    /// <summary>Text the response body must contain (ignoring case), when given.</summary>
    public string? Contains { get; set; }

    public Dictionary<string, string> Headers { get; set; } = new();
}
