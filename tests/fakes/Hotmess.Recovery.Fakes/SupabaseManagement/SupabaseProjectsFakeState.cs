namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// How <c>POST /v1/projects</c> behaves: the organizations the token may use, when a new project comes up, and the
/// PostgreSQL server its database lives on. Guarded by <see cref="SupabaseManagementFakeState.Gate"/>.
/// </summary>
internal sealed class SupabaseProjectsFakeState
{
    public const string DefaultOrganization = "hotmess-org";

    /// <summary>The organizations the token is a member of.</summary>
    public List<string> Organizations { get; } = [];

    /// <summary>Organizations the token can see but may not create projects in (403).</summary>
    public List<string> ForbiddenOrganizations { get; } = [];

    /// <summary>Reads of a new project that answer <c>COMING_UP</c> before it turns to <see cref="Outcome"/>.</summary>
    public int ReadyAfterPolls { get; set; } = 2;

    /// <summary>And the time that must have passed since it was created.</summary>
    public TimeSpan ReadyAfter { get; set; } = TimeSpan.Zero;

    /// <summary><c>ACTIVE_HEALTHY</c>, <c>INIT_FAILED</c>, or <c>COMING_UP</c> for a project that never comes up.</summary>
    public string Outcome { get; set; } = "ACTIVE_HEALTHY";

    /// <summary>
    /// A superuser (<c>supabase_admin</c>) connection string of a Supabase-shaped cluster; each project gets a database
    /// there named by its ref. Null: projects have no database behind them.
    /// </summary>
    public string? PostgresAdmin { get; set; }

    /// <summary>The creations asked for, in order, without passwords: <c>{name, organization, region, ref, at}</c>.</summary>
    public List<object> Creations { get; } = [];

    public void Reset(string? postgresAdmin)
    {
        Organizations.Clear();
        Organizations.Add(DefaultOrganization);
        ForbiddenOrganizations.Clear();
        ReadyAfterPolls = 2;
        ReadyAfter = TimeSpan.Zero;
        Outcome = "ACTIVE_HEALTHY";
        PostgresAdmin = postgresAdmin;
        Creations.Clear();
    }
}

/// <summary>A project created through the API: its status moves on each read, and its keys are its own.</summary>
internal sealed class FakeCreatedProject(string reference, string name, string organization, string region, DateTimeOffset createdAt, string databaseHost,
    int readyAfterPolls, TimeSpan readyAfter, string outcome)
{
    public string Ref { get; } = reference;

    public string Name { get; } = name;

    public string Organization { get; } = organization;

    public string Region { get; } = region;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public string DatabaseHost { get; } = databaseHost;

    public string Status { get; set; } = "COMING_UP";

    public int Polls { get; set; }

    /// <summary>Counts a read and moves the status on once enough reads and time have passed.</summary>
    public string Read(DateTimeOffset now)
    {
        Polls++;
        if (Status == "COMING_UP" && Polls > readyAfterPolls && now - CreatedAt >= readyAfter)
        {
            Status = outcome;
        }

        return Status;
    }

    public List<FakeProjectKey> Keys { get; } =
    [
        new("anon", "legacy", SupabaseManagementFakeState.LegacyJwt("anon", reference), "anon"),
        new("service_role", "legacy", SupabaseManagementFakeState.LegacyJwt("service_role", reference), "service_role"),
    ];
}
