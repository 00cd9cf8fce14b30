using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Supabase;
using Npgsql;

namespace Hotmess.Recovery.Supabase;

/// <summary>
/// Creates a Supabase project (Management API <c>POST /v1/projects</c>), waits on <see cref="TimeProvider"/> until it
/// is ACTIVE_HEALTHY, then reads its keys and forms its API URL and database connection. The database password is
/// generated here unless given, and goes only into the create request and the output's connection string.
/// </summary>
public sealed partial class SupabaseProjectCreationEngine(SupabaseManagementClient account, TimeProvider time, IOperationLog? log = null)
{
    private const int ProgressId = 42;
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private const int PasswordLength = 32;
    private static readonly string[] FailedStatuses = ["INIT_FAILED", "REMOVED", "GOING_DOWN", "PAUSING", "INACTIVE"];

    /// <summary>The region codes the API accepts (V1CreateProjectBody.region_selection).</summary>
    public static readonly IReadOnlyList<string> Regions =
    [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-east-1", "ap-southeast-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-central-1", "eu-central-2", "ca-central-1", "ap-south-1", "sa-east-1",
    ];

    private readonly IOperationLog _log = log ?? NullOperationLog.Instance;

    /// <summary>
    /// Checks the request before anything is sent: <c>SupabaseProjectNameInvalid</c>, <c>SupabaseOrganizationInvalid</c>,
    /// <c>SupabaseRegionInvalid</c>, <c>SupabaseProjectWaitInvalid</c>, <c>SupabaseConnectionTemplateInvalid</c>.
    /// </summary>
    public static void Validate(NewSupabaseProjectRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 256)
        {
            throw new HotmessException("SupabaseProjectNameInvalid", FailureKind.InvalidArgument,
                $"A Supabase project name is 1 to 256 characters; '{request.Name}' is not.", request.Name);
        }

        if (!OrganizationPattern().IsMatch(request.OrganizationId ?? ""))
        {
            throw new HotmessException("SupabaseOrganizationInvalid", FailureKind.InvalidArgument,
                $"'{request.OrganizationId}' is not a Supabase organization slug (letters, digits, '_' and '-', as in the dashboard's URL "
                + "https://supabase.com/dashboard/org/<slug>).", request.OrganizationId);
        }

        if (request.Region is { } region && !Regions.Contains(region))
        {
            throw new HotmessException("SupabaseRegionInvalid", FailureKind.InvalidArgument,
                $"'{region}' is not a Supabase region; one of {string.Join(", ", Regions)}.", region);
        }

        if (request.Timeout <= TimeSpan.Zero || request.PollInterval <= TimeSpan.Zero)
        {
            throw new HotmessException("SupabaseProjectWaitInvalid", FailureKind.InvalidArgument,
                "The timeout and the poll interval must be longer than zero.", request.Timeout <= TimeSpan.Zero ? request.Timeout : request.PollInterval);
        }

        if (!request.ProjectUrlTemplate.Contains("{ref}", StringComparison.Ordinal) && !Uri.TryCreate(request.ProjectUrlTemplate, UriKind.Absolute, out _))
        {
            throw new HotmessException("SupabaseConnectionTemplateInvalid", FailureKind.InvalidArgument,
                $"supabase.projectUrlTemplate '{request.ProjectUrlTemplate}' is neither a URL nor a template with {{ref}}.", request.ProjectUrlTemplate);
        }

        ConnectionTemplate(request.DatabaseConnectionTemplate);
    }

    /// <summary>A password of 32 characters from 56 letters and digits (about 186 bits), without look-alikes or characters a URI must escape.</summary>
    public static Secret GeneratePassword() => new(new string(RandomNumberGenerator.GetItems<char>(PasswordAlphabet, PasswordLength)));

    /// <summary>
    /// Creates the project and waits for it. Fails with the client's errors (<c>SupabaseOrganizationForbidden</c>,
    /// <c>SupabaseProjectNameTaken</c>, …), <c>SupabaseProjectFailed</c>, <c>SupabaseProjectNotReady</c> (timeout) or
    /// <c>SupabaseProjectKeysMissing</c>. A status read that fails for a passing reason is reported and read again.
    /// </summary>
    public async Task<NewSupabaseProject> CreateAsync(NewSupabaseProjectRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        var password = request.DatabasePassword ?? GeneratePassword();
        _log.Verbose(request.DatabasePassword is null
            ? "The database password is generated: 32 random letters and digits, returned only inside ConnectionString."
            : "The database password is the one given.");
        var activity = $"Creating Supabase project '{request.Name}'";
        var started = time.GetUtcNow();
        _log.Progress(new OperationProgress(ProgressId, activity, $"Asking Supabase for the project in organization {request.OrganizationId}"));
        var created = await account.CreateProjectAsync(new SupabaseProjectCreation(request.Name, request.OrganizationId, request.Region, password), cancellationToken)
            .ConfigureAwait(false);
        _log.Verbose($"Supabase created project '{created.Name}' ({created.Ref}) in {created.Region ?? request.Region ?? "the region it chose"}, {created.Status}; "
                     + "waiting for ACTIVE_HEALTHY.");

        var client = account.ForProject(created.Ref);
        var project = await WaitUntilHealthyAsync(client, created, request, started, activity, cancellationToken).ConfigureAwait(false);
        var keys = await client.GetApiKeysAsync(reveal: true, cancellationToken).ConfigureAwait(false);
        var anon = PickKey(keys, "anon") ?? throw KeysMissing(created.Ref, "anon");
        var serviceRole = PickKey(keys, "service_role") ?? throw KeysMissing(created.Ref, "service_role");
        var host = project.Database?.Host ?? $"db.{created.Ref}.supabase.co";
        var region = project.Region ?? created.Region ?? request.Region;
        var connection = ConnectionTemplate(Fill(request.DatabaseConnectionTemplate, created.Ref, host, region));
        connection.Password = password.Reveal();
        var completed = time.GetUtcNow();
        _log.Progress(new OperationProgress(ProgressId, activity, "ACTIVE_HEALTHY", 100, Completed: true));
        _log.Verbose($"Supabase project {created.Ref} is ACTIVE_HEALTHY with its keys after {SupabaseRestorePlan.Span(completed - started)}.");
        return new NewSupabaseProject
        {
            Ref = created.Ref,
            Name = project.Name,
            OrganizationId = request.OrganizationId,
            Region = region,
            Status = project.Status,
            ApiUrl = Fill(request.ProjectUrlTemplate, created.Ref, host, region).TrimEnd('/'),
            DatabaseHost = host,
            ConnectionString = NewSupabaseProject.Protect(new Secret(connection.ConnectionString)),
            AnonKey = NewSupabaseProject.Protect(anon),
            ServiceRoleKey = NewSupabaseProject.Protect(serviceRole),
            StartedUtc = started,
            CompletedUtc = completed,
        };
    }

    private async Task<SupabaseProject> WaitUntilHealthyAsync(SupabaseManagementClient client, SupabaseProject created, NewSupabaseProjectRequest request,
        DateTimeOffset started, string activity, CancellationToken cancellationToken)
    {
        var status = created.Status;
        while (true)
        {
            await Task.Delay(request.PollInterval, time, cancellationToken).ConfigureAwait(false);
            var elapsed = time.GetUtcNow() - started;
            try
            {
                var project = await client.GetProjectAsync(cancellationToken).ConfigureAwait(false);
                status = project.Status;
                if (project.IsHealthy)
                {
                    return project;
                }
            }
            catch (HotmessException ex) when (ex.Kind is FailureKind.RemoteServiceFailed or FailureKind.ConnectionFailed or FailureKind.Timeout or FailureKind.RateLimited)
            {
                _log.Warning($"The status of new Supabase project {created.Ref} could not be read ({ex.Message}); reading it again.");
            }

            if (FailedStatuses.Contains(status))
            {
                throw new HotmessException("SupabaseProjectFailed", FailureKind.RemoteServiceFailed,
                    $"Supabase reports new project '{created.Name}' ({created.Ref}) as {status} after {SupabaseRestorePlan.Span(elapsed)}: it will not "
                    + "come up. Delete it in the Supabase dashboard and create another, or contact Supabase support.", created.Ref);
            }

            if (elapsed >= request.Timeout)
            {
                throw new HotmessException("SupabaseProjectNotReady", FailureKind.Timeout,
                    $"New Supabase project '{created.Name}' ({created.Ref}) is still {status} {SupabaseRestorePlan.Span(elapsed)} after it was created "
                    + $"(timeout {SupabaseRestorePlan.Span(request.Timeout)}). It exists and may still come up: watch Get-HotmessSupabaseProject "
                    + $"-ProjectRef {created.Ref} until it is ACTIVE_HEALTHY rather than creating another.", created.Ref);
            }

            _log.Progress(new OperationProgress(ProgressId, activity, $"{status}, {SupabaseRestorePlan.Span(elapsed)} elapsed",
                (int)Math.Min(99, 100 * elapsed.TotalSeconds / request.Timeout.TotalSeconds)));
        }
    }

    /// <summary>The legacy JWT first (what VITE_SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY hold today), else a new-style key acting as that role.</summary>
    private static Secret? PickKey(IReadOnlyList<SupabaseApiKey> keys, string role) =>
        keys.Where(k => k.Role == role && k.ApiKey is not null)
            .OrderBy(k => k.Type is null or "legacy" ? 0 : 1)
            .Select(k => k.ApiKey)
            .FirstOrDefault();

    private static HotmessException KeysMissing(string projectRef, string role) =>
        new("SupabaseProjectKeysMissing", FailureKind.RemoteServiceFailed,
            $"Supabase project {projectRef} is ACTIVE_HEALTHY but lists no {role} key (GET /v1/projects/{projectRef}/api-keys); read it from the dashboard's API settings.",
            projectRef);

    private static string Fill(string template, string projectRef, string host, string? region) =>
        template.Replace("{ref}", projectRef, StringComparison.Ordinal).Replace("{host}", host, StringComparison.Ordinal)
            .Replace("{region}", region ?? "", StringComparison.Ordinal);

    private static NpgsqlConnectionStringBuilder ConnectionTemplate(string template)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(template);
        }
        catch (ArgumentException ex)
        {
            throw new HotmessException("SupabaseConnectionTemplateInvalid", FailureKind.InvalidArgument,
                $"supabase.databaseConnectionTemplate is not a list of Npgsql keywords: {ex.Message}", null, ex);
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new HotmessException("SupabaseConnectionTemplateInvalid", FailureKind.InvalidArgument,
                "supabase.databaseConnectionTemplate holds a password; leave it out: the project's password is generated or given with -DatabasePassword.", null);
        }

        return builder;
    }

    [GeneratedRegex(@"^[\w-]+$")]
    private static partial Regex OrganizationPattern();
}
