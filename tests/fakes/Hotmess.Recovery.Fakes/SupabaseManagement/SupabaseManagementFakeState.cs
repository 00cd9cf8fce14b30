using System.Text;

namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>One Supabase project as its Management API and its API gateway see it.</summary>
internal sealed class SupabaseManagementFakeState
{
    public const string DefaultToken = "sbp_hotmessfaketoken0001";
    public const string DefaultRef = "hotmessrecoveryfakes";

    public static readonly string[] Services = ["auth", "db", "db_postgres_user", "pooler", "realtime", "rest", "storage", "pg_bouncer"];

    private const string PropertyName = "Hotmess.Recovery.Fakes.SupabaseManagementFakeState";

    /// <summary>The project of <paramref name="app"/>, created on first use, so each file of the fake maps onto the same one.</summary>
    public static SupabaseManagementFakeState For(WebApplication app)
    {
        var properties = ((IApplicationBuilder)app).Properties;
        if (properties.TryGetValue(PropertyName, out var existing) && existing is SupabaseManagementFakeState state)
        {
            return state;
        }

        state = new SupabaseManagementFakeState();
        properties[PropertyName] = state;
        return state;
    }

    public object Gate { get; } = new();

    /// <summary>What other files of the fake reset with the project (under <see cref="Gate"/>).</summary>
    public List<Action> OnReset { get; } = [];

    public string Token { get; set; } = DefaultToken;

    public string Ref { get; set; } = DefaultRef;

    public string Name { get; set; } = "hotmess";

    public string Status { get; set; } = "ACTIVE_HEALTHY";

    public Dictionary<string, (string Status, string? Error)> Health { get; } = new(StringComparer.Ordinal);

    public List<FakeProjectKey> Keys { get; } = [];

    /// <summary>Requests allowed per window, per project; Supabase allows 120 a minute.</summary>
    public int RateLimit { get; set; } = 120;

    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);

    public DateTimeOffset WindowStart { get; set; } = DateTimeOffset.UtcNow;

    public int WindowCount { get; set; }

    /// <summary>The next N calls answer 429 whatever the window says, with this many seconds left.</summary>
    public int ForcedRateLimitRemaining { get; set; }

    public int ForcedResetSeconds { get; set; } = 1;

    public List<object> Requests { get; } = [];

    /// <summary>Projects created through <c>POST /v1/projects</c>, by ref, beside the one project above.</summary>
    public Dictionary<string, FakeCreatedProject> Created { get; } = new(StringComparer.Ordinal);

    public void Reset(string token, string projectRef, string anonKey, string serviceRoleKey)
    {
        Token = token;
        Ref = projectRef;
        Name = "hotmess";
        Status = "ACTIVE_HEALTHY";
        Health.Clear();
        foreach (var service in Services)
        {
            Health[service] = ("ACTIVE_HEALTHY", null);
        }

        Keys.Clear();
        Keys.Add(new FakeProjectKey("anon", "legacy", anonKey, "anon"));
        Keys.Add(new FakeProjectKey("service_role", "legacy", serviceRoleKey, "service_role"));
        RateLimit = 120;
        WindowStart = DateTimeOffset.UtcNow;
        WindowCount = 0;
        ForcedRateLimitRemaining = 0;
        Requests.Clear();
        Created.Clear();
        OnReset.ForEach(reset => reset());
    }

    /// <summary>A JWT-shaped legacy key for <paramref name="role"/>; its signature means nothing to anyone but this fake.</summary>
    public static string LegacyJwt(string role, string projectRef)
    {
        static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "."
               + Encode($"{{\"iss\":\"supabase\",\"ref\":\"{projectRef}\",\"role\":\"{role}\",\"iat\":1750000000,\"exp\":2065000000}}") + "."
               + Encode("fake-signature-" + role);
    }
}

internal sealed record FakeProjectKey(string Name, string Type, string Value, string Role)
{
    public string Id { get; } = Guid.NewGuid().ToString();
}
