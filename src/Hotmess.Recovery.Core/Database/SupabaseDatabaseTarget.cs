using System.Diagnostics;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// Restores a set into a Supabase-hosted database the way Supabase documents moving between projects: the dump's
/// custom roles (NOLOGIN, no password), then the user schemas' objects, then all data with
/// <c>session_replication_role = replica</c>, the managed tables that hold user data included, then the grants exactly
/// as dumped, then the user's own objects inside managed schemas (bucket policies on storage.objects, triggers on
/// auth.users), each on its own so one that the project refuses is reported rather than fatal, and last the owners the
/// connecting role can be. Never the DDL of a managed schema, never an ALTER OWNER to a role the caller cannot SET ROLE to
/// (pg_restore --no-owner restores everything as the caller; owners are given back afterwards).
/// </summary>
public static class SupabaseDatabaseTarget
{
    /// <summary>Schemas Supabase creates and migrates itself.</summary>
    public static readonly IReadOnlyList<string> ManagedSchemas =
    [
        "auth", "storage", "extensions", "graphql", "graphql_public", "realtime", "_realtime", "vault", "supabase_functions",
        "supabase_migrations", "pgsodium", "pgsodium_masks", "net", "cron", "pgbouncer", "_analytics",
    ];

    /// <summary>The managed tables whose rows are the project's users and files: restored with the data.</summary>
    public static readonly IReadOnlyList<string> UserDataTables = ["auth.users", "auth.identities", "storage.buckets", "storage.objects"];

    // The API roles a fresh project's default privileges grant everything in public to.
    private static readonly string[] ApiRoles = ["anon", "authenticated", "service_role"];

    private const int ProgressId = 3;

    /// <summary>True when the connecting role is not a superuser and the managed schemas auth and storage exist.</summary>
    public static async Task<bool> IsSupabaseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
               AND (SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth', 'storage')) = 2
            """, connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// What makes the target not empty: rows in a table outside the managed schemas, or in auth.users or storage.objects.
    /// The migration tables of the managed schemas do not count. Null when empty.
    /// </summary>
    public static async Task<string?> DescribeDataAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var tables = await TableMeasurement.ListTablesAsync(connection, ManagedSchemas, cancellationToken).ConfigureAwait(false);
        var candidates = tables.Select(t => t.Sql).ToList();
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('auth.users') IS NOT NULL, to_regclass('storage.objects') IS NOT NULL", connection))
        await using (var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetBoolean(0))
            {
                candidates.Add("auth.users");
            }

            if (reader.GetBoolean(1))
            {
                candidates.Add("storage.objects");
            }
        }

        var holding = new List<string>();
        foreach (var table in candidates)
        {
            await using var any = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {table})", connection);
            if ((bool)(await any.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                holding.Add(table);
            }
        }

        return holding.Count == 0 ? null : $"rows in {string.Join(", ", holding.Take(10))}{(holding.Count > 10 ? $" and {holding.Count - 10} more tables" : "")}";
    }

    /// <summary>The restore itself, into a target checked to be a Supabase database without data.</summary>
    internal static async Task<(List<TableEvidence> Tables, List<TableComparison> Comparison, List<RestoreSkip> Skipped)> RestoreAsync(
        PostgresTools tools, NpgsqlConnectionStringBuilder target, DatabaseContents contents, string dumpFolder, DatabaseRestoreRequest request,
        List<string> createdRoles, IOperationLog log, CancellationToken cancellationToken)
    {
        var activity = $"Restoring {request.Set.Id} into Supabase";
        var skipped = new List<RestoreSkip>();
        // Each step's time in -Verbose: where a restore into a project spends it, beyond what a plain pg_restore does.
        var watch = Stopwatch.StartNew();
        void Took(string step)
        {
            log.Verbose($"Supabase restore step '{step}' took {watch.Elapsed.TotalSeconds:F2} s.");
            watch.Restart();
        }

        var environment = ConnectionStrings.ToLibpqEnvironment(target);
        var list = await RunAsync(tools, ["--list", dumpFolder], environment, request.Set.Id, "list", log, cancellationToken).ConfigureAwait(false);
        var entries = DumpTocEntry.Parse(list.StandardOutput.Split('\n'));

        string caller;
        HashSet<string> installedExtensions;
        await using (var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false))
        {
            caller = (string)(await new NpgsqlCommand("SELECT current_user", connection).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            installedExtensions = await ReadNamesAsync(connection, "SELECT extname FROM pg_extension", cancellationToken).ConfigureAwait(false);
        }

        var plan = Classify(entries, caller, installedExtensions, skipped);
        await CreateRolesAsync(target, contents.Roles, createdRoles, log, cancellationToken).ConfigureAwait(false);
        Took("list the dump, read the project, create roles");

        log.Progress(new OperationProgress(ProgressId, activity, "User schemas", 10));
        await RunListAsync(tools, target, dumpFolder, plan.Main, environment, request.Jobs, request.Set.Id, "schema", log, cancellationToken, "pre-data").ConfigureAwait(false);
        Took("user schemas (pre-data)");
        log.Progress(new OperationProgress(ProgressId, activity, "All data (session_replication_role = replica)", 20));
        if (await ReplicaAtConnectionAsync(target, log, cancellationToken).ConfigureAwait(false))
        {
            // The role may set session_replication_role when it connects: one parallel pg_restore of the data section, every
            // connection of it in replica mode, as a plain pg_restore -j loads a database.
            var replica = new Dictionary<string, string>(environment) { ["PGOPTIONS"] = ReplicaOptions(target) };
            await RunListAsync(tools, target, dumpFolder, plan.Main, replica, request.Jobs, request.Set.Id, "all data, session_replication_role = replica", log,
                cancellationToken, "data").ConfigureAwait(false);
        }
        else
        {
            await LoadDataAsync(tools, target, dumpFolder, plan.Main.Where(e => e.Description == "TABLE DATA").ToList(), environment, request, log, cancellationToken)
                .ConfigureAwait(false);
            await RunListAsync(tools, target, dumpFolder, plan.Main.Where(e => e.Description != "TABLE DATA").ToList(), environment, 1, request.Set.Id, "sequences",
                log, cancellationToken, "data").ConfigureAwait(false);
        }

        Took("all data (replica mode) and sequences");
        log.Progress(new OperationProgress(ProgressId, activity, "Indexes, constraints, triggers, policies, materialized views", 50));
        await RunListAsync(tools, target, dumpFolder, plan.Main, environment, request.Jobs, request.Set.Id, "indexes and constraints", log, cancellationToken,
            "post-data").ConfigureAwait(false);
        Took("indexes, constraints, triggers, policies, materialized views (post-data)");

        log.Progress(new OperationProgress(ProgressId, activity, "Grants exactly as dumped", 60));
        await RevokeDefaultGrantsAsync(target, plan.UserSchemas, log, cancellationToken).ConfigureAwait(false);
        await RunListAsync(tools, target, dumpFolder, plan.Grants, environment, 1, request.Set.Id, "grants", log, cancellationToken).ConfigureAwait(false);
        Took("default grants taken back, grants as dumped");

        log.Progress(new OperationProgress(ProgressId, activity, "Objects in managed schemas", 70));
        var restoredOneByOne = new List<DumpTocEntry>();
        foreach (var entry in plan.OneByOne)
        {
            var result = await RunListAsync(tools, target, dumpFolder, [entry], environment, 1, request.Set.Id, null, log, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                skipped.Add(new RestoreSkip(entry.Description, $"{entry.Namespace}.{entry.Name}", "The project refused it: " + result.FailureReason));
                log.Warning($"{entry.Description} {entry.Namespace}.{entry.Name} was not restored: {result.FailureReason}");
            }
            else
            {
                restoredOneByOne.Add(entry);
                log.Verbose($"Restored {entry.Description} {entry.Namespace}.{entry.Name}.");
            }
        }

        Took($"{plan.OneByOne.Count} objects in managed schemas, one by one");
        log.Progress(new OperationProgress(ProgressId, activity, "Owners", 75));
        await RestoreOwnersAsync(tools, target, dumpFolder, plan.Main.Concat(restoredOneByOne).ToList(), caller, environment, request.Set.Id, skipped, log,
            cancellationToken).ConfigureAwait(false);
        Took("owners");

        log.Progress(new OperationProgress(ProgressId, activity, "Counting restored rows", 80));
        var restoredTables = plan.DataTables;
        var expected = contents.Tables.Where(t => restoredTables.Contains(t.QualifiedName)).ToList();
        var tables = await MeasureAsync(target, restoredTables, contents, request, cancellationToken).ConfigureAwait(false);
        Took("counting the restored rows");
        foreach (var skip in skipped)
        {
            log.Verbose($"Skipped {skip.Kind} {skip.Name}: {skip.Reason}");
        }

        return (tables, DatabaseRestoreEngine.Compare(expected, tables), skipped);
    }

    private sealed record RestorePlan(List<DumpTocEntry> Main, List<DumpTocEntry> Grants, List<DumpTocEntry> OneByOne, HashSet<string> UserSchemas,
        HashSet<string> DataTables);

    /// <summary>Sorts the dump's entries into the three runs, and what is left out into <paramref name="skipped"/>.</summary>
    private static RestorePlan Classify(List<DumpTocEntry> entries, string caller, HashSet<string> installedExtensions, List<RestoreSkip> skipped)
    {
        var managed = ManagedSchemas.ToHashSet(StringComparer.Ordinal);
        var main = new List<DumpTocEntry>();
        var grants = new List<DumpTocEntry>();
        var oneByOne = new List<DumpTocEntry>();
        var userSchemas = new HashSet<string>(StringComparer.Ordinal) { "public" };
        var dataTables = new HashSet<string>(StringComparer.Ordinal);
        void Skip(DumpTocEntry e, string reason) => skipped.Add(new RestoreSkip(e.Description, e.Namespace == "-" ? e.Name : $"{e.Namespace}.{e.Name}", reason));

        foreach (var e in entries)
        {
            var schemaObject = e.Namespace == "-" && e.Name.StartsWith("SCHEMA ", StringComparison.Ordinal) ? e.Name["SCHEMA ".Length..] : null;
            var isManaged = managed.Contains(e.Namespace) || (schemaObject is not null && managed.Contains(schemaObject));
            switch (e.Description)
            {
                case "SCHEMA" when managed.Contains(e.Name):
                    Skip(e, "A managed schema: the project has it, owned by Supabase.");
                    break;
                case "SCHEMA":
                    userSchemas.Add(e.Name);
                    main.Add(e);
                    break;
                case "EXTENSION" when installedExtensions.Contains(e.Name):
                    Skip(e, "Already installed in the project.");
                    break;
                case "EXTENSION":
                    oneByOne.Add(e);
                    break;
                case "COMMENT" when e.Name.StartsWith("EXTENSION ", StringComparison.Ordinal):
                    break;
                case "ACL" when isManaged:
                case "COMMENT" when isManaged:
                    Skip(e, "Belongs to a managed schema, whose grants and comments Supabase keeps.");
                    break;
                case "ACL":
                    grants.Add(e);
                    break;
                case "DEFAULT ACL" when e.Owner == caller && !isManaged:
                    grants.Add(e);
                    break;
                case "DEFAULT ACL":
                    Skip(e, $"Default privileges of '{e.Owner}', whom '{caller}' cannot speak for.");
                    break;
                case "TABLE DATA" when isManaged && UserDataTables.Contains($"{e.Namespace}.{e.Name}"):
                    dataTables.Add($"{e.Namespace}.{e.Name}");
                    main.Add(e);
                    break;
                case "TABLE DATA" when isManaged:
                    Skip(e, "Rows of a managed table other than users, identities, buckets and objects (such as a migration table): the project keeps its own.");
                    break;
                case "TABLE DATA":
                    dataTables.Add($"{e.Namespace}.{e.Name}");
                    main.Add(e);
                    break;
                case "POLICY" or "TRIGGER" when isManaged:
                    oneByOne.Add(e);
                    break;
                case var _ when isManaged:
                    Skip(e, "DDL of a managed schema: the project has its own.");
                    break;
                case var _ when e.Namespace == "-" && schemaObject is null:
                    oneByOne.Add(e);
                    break;
                default:
                    main.Add(e);
                    break;
            }
        }

        return new RestorePlan(main, grants, oneByOne, userSchemas, dataTables);
    }

    /// <summary>
    /// Gives the restored objects back the owners the dump names, where the caller can be that owner (is a member of the
    /// role, so may SET ROLE to it, as ALTER OWNER requires of a non-superuser). pg_restore writes the dump's own ALTER
    /// OWNER statements for those entries into a script, which is run statement by statement: an owner the caller cannot
    /// be is reported once, a statement the project refuses (the owner lacks CREATE on the schema…) is reported on its own.
    /// </summary>
    private static async Task RestoreOwnersAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, string dumpFolder, List<DumpTocEntry> restored,
        string caller, Dictionary<string, string> environment, string setId, List<RestoreSkip> skipped, IOperationLog log, CancellationToken cancellationToken)
    {
        var owned = restored.Where(e => e.Owner.Length > 0 && e.Owner != caller && e.Description != "TABLE DATA").ToList();
        if (owned.Count == 0)
        {
            return;
        }

        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var becomable = await ReadNamesAsync(connection, "SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')", cancellationToken)
            .ConfigureAwait(false);
        foreach (var owner in owned.Select(e => e.Owner).Where(o => !becomable.Contains(o)).Distinct(StringComparer.Ordinal))
        {
            skipped.Add(new RestoreSkip("OWNER", owner,
                $"Objects the dump gives to '{owner}' are owned by '{caller}': '{caller}' is no member of '{owner}', so cannot make it their owner."));
        }

        var entries = owned.Where(e => becomable.Contains(e.Owner)).ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var script = Path.Combine(Path.GetTempPath(), $"hotmess-owners-{Guid.NewGuid():N}.sql");
        var list = script + ".list";
        try
        {
            await File.WriteAllLinesAsync(list, entries.Select(e => e.Line), cancellationToken).ConfigureAwait(false);
            await RunAsync(tools, ["--file=" + script, "--use-list=" + list, "--schema-only", dumpFolder], environment, setId, "read the owners of", log,
                cancellationToken).ConfigureAwait(false);
            foreach (var line in await File.ReadAllLinesAsync(script, cancellationToken).ConfigureAwait(false))
            {
                var at = line.StartsWith("ALTER ", StringComparison.Ordinal) ? line.IndexOf(" OWNER TO ", StringComparison.Ordinal) : -1;
                if (at < 0)
                {
                    continue;
                }

                var what = line[..at];
                try
                {
                    await using var alter = new NpgsqlCommand(line, connection);
                    await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    log.Verbose($"{what} OWNER TO {line[(at + " OWNER TO ".Length)..].TrimEnd(';')}");
                }
                catch (PostgresException ex)
                {
                    skipped.Add(new RestoreSkip("OWNER", what["ALTER ".Length..], $"Left owned by '{caller}': {ex.MessageText}"));
                    log.Warning($"{what} keeps the owner '{caller}': {ex.MessageText}");
                }
            }
        }
        finally
        {
            File.Delete(script);
            File.Delete(list);
        }
    }

    private static async Task CreateRolesAsync(NpgsqlConnectionStringBuilder target, IReadOnlyList<string> roles, List<string> created, IOperationLog log,
        CancellationToken cancellationToken)
    {
        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var existing = await ReadNamesAsync(connection, "SELECT rolname FROM pg_roles", cancellationToken).ConfigureAwait(false);
        foreach (var role in roles.Where(r => !existing.Contains(r)))
        {
            try
            {
                await using var create = new NpgsqlCommand($"CREATE ROLE {TableMeasurement.Quote(role)} NOLOGIN", connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                created.Add(role);
                log.Verbose($"Created the role '{role}' (NOLOGIN, no password): set its password and LOGIN if it signs in.");
            }
            catch (PostgresException ex)
            {
                log.Warning($"The role '{role}' is missing in the project and cannot be created ({ex.MessageText}); grants to it will fail.");
            }
        }
    }

    /// <summary>
    /// Takes back what the project's default privileges gave anon, authenticated and service_role on the restored
    /// objects, so the grants the dump carries are the only ones left.
    /// </summary>
    private static async Task RevokeDefaultGrantsAsync(NpgsqlConnectionStringBuilder target, HashSet<string> userSchemas, IOperationLog log,
        CancellationToken cancellationToken)
    {
        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var existing = await ReadNamesAsync(connection, "SELECT rolname FROM pg_roles", cancellationToken).ConfigureAwait(false);
        var roles = string.Join(", ", ApiRoles.Where(existing.Contains).Select(TableMeasurement.Quote));
        if (roles.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            SELECT format('REVOKE ALL ON TABLE %I.%I FROM ', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ANY(@schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            UNION ALL
            SELECT format('REVOKE ALL ON SEQUENCE %I.%I FROM ', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ANY(@schemas) AND c.relkind = 'S' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            UNION ALL
            SELECT format('REVOKE ALL ON FUNCTION %s FROM ', p.oid::regprocedure) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = ANY(@schemas) AND p.prokind IN ('f', 'p') AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            """, connection);
        command.Parameters.AddWithValue("schemas", userSchemas.ToArray());
        var statements = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                statements.Add(reader.GetString(0) + roles);
            }
        }

        foreach (var statement in statements)
        {
            await using var revoke = new NpgsqlCommand(statement, connection);
            await revoke.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        log.Verbose($"Took back what the project's default privileges gave {roles} on {statements.Count} restored objects; the dump's grants follow.");
    }

    private static async Task<List<TableEvidence>> MeasureAsync(NpgsqlConnectionStringBuilder target, HashSet<string> restored, DatabaseContents contents,
        DatabaseRestoreRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var tables = (await TableMeasurement.ListTablesAsync(connection, contents.ExcludedSchemas, cancellationToken).ConfigureAwait(false))
            .Where(t => restored.Contains(t.QualifiedName)).ToList();
        var fingerprinted = contents.Tables.Where(t => t.Fingerprint is not null).Select(t => t.QualifiedName).ToHashSet(StringComparer.Ordinal);
        var critical = request.Fingerprint ? tables.Where(t => fingerprinted.Contains(t.QualifiedName)).ToList() : [];
        return await TableMeasurement.MeasureAllAsync(tables, critical, Math.Max(1, request.Jobs),
            token => DatabaseSession.OpenAsync(target, token), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a connection can start with <c>session_replication_role = replica</c> (PostgreSQL 15 takes a startup option of
    /// a parameter the role was granted SET on, as a project's postgres is). A project that refuses it (an older server, a
    /// pooler that drops options) is loaded table by table instead.
    /// </summary>
    internal static async Task<bool> ReplicaAtConnectionAsync(NpgsqlConnectionStringBuilder target, IOperationLog log, CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Options = ReplicaOptions(target), Pooling = false };
        try
        {
            await using var connection = await DatabaseSession.OpenAsync(probe, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT current_setting('session_replication_role')", connection);
            if ((string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) == "replica")
            {
                return true;
            }

            log.Verbose("The project ignores session_replication_role given when connecting: loading the rows table by table, each after a SET.");
        }
        catch (HotmessException ex)
        {
            log.Verbose($"The project refuses session_replication_role given when connecting ({ex.Message}): loading the rows table by table, each after a SET.");
        }

        return false;
    }

    /// <summary>The connection's own options with <c>session_replication_role = replica</c> added.</summary>
    private static string ReplicaOptions(NpgsqlConnectionStringBuilder target) =>
        string.IsNullOrWhiteSpace(target.Options) ? "-c session_replication_role=replica" : target.Options + " -c session_replication_role=replica";

    /// <summary>
    /// Loads each table's rows in a session with <c>session_replication_role = replica</c>, so neither the project's
    /// triggers nor foreign keys fire on rows that were consistent in the source. pg_restore writes one table's COPY
    /// into a private temporary file and psql runs it after the SET: a non-superuser may SET the parameter once granted,
    /// but not pass it as a connection option. Tables load <see cref="DatabaseRestoreRequest.Jobs"/> at a time.
    /// </summary>
    private static async Task LoadDataAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, string dumpFolder, List<DumpTocEntry> tables,
        Dictionary<string, string> environment, DatabaseRestoreRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var psql = Path.Combine(tools.BinDirectory, OperatingSystem.IsWindows() ? "psql.exe" : "psql");
        var folder = Directory.CreateTempSubdirectory("hotmess-restore-").FullName;
        try
        {
            var loaded = 0;
            await Parallel.ForEachAsync(tables, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Jobs), CancellationToken = cancellationToken },
                async (entry, token) =>
                {
                    var script = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".sql");
                    var list = script + ".list";
                    try
                    {
                        await File.WriteAllLinesAsync(list, [entry.Line], token).ConfigureAwait(false);
                        await RunAsync(tools, ["--file=" + script, "--use-list=" + list, dumpFolder], environment, request.Set.Id,
                            $"extract the rows of {entry.Namespace}.{entry.Name} from", log, token).ConfigureAwait(false);
                        var result = await ExternalProcess.RunAsync(psql,
                            ["-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "-d", ConnectionStrings.ToConninfo(target),
                             "-c", "SET session_replication_role = replica", "-f", script],
                            environment, line => log.Verbose("psql: " + line), token).ConfigureAwait(false);
                        if (result.ExitCode != 0)
                        {
                            throw new HotmessException("PgRestoreFailed", FailureKind.ExternalToolFailed,
                                $"Loading the rows of {entry.Namespace}.{entry.Name} from '{request.Set.Id}' into the Supabase database '{target.Database}' failed: {result.FailureReason}",
                                request.Set.Id);
                        }

                        log.Verbose($"Loaded the rows of {entry.Namespace}.{entry.Name} ({Interlocked.Increment(ref loaded)}/{tables.Count}).");
                    }
                    finally
                    {
                        File.Delete(script);
                        File.Delete(list);
                    }
                }).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>pg_restore of the entries given, by a use-list; a <paramref name="what"/> names a run whose failure ends the restore.</summary>
    private static async Task<ExternalProcess.Result> RunListAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, string dumpFolder,
        IReadOnlyCollection<DumpTocEntry> entries, Dictionary<string, string> environment, int jobs, string setId, string? what, IOperationLog log,
        CancellationToken cancellationToken, string? section = null)
    {
        if (entries.Count == 0)
        {
            return new ExternalProcess.Result(0, "", []);
        }

        var listFile = Path.Combine(Path.GetTempPath(), $"hotmess-restore-{Guid.NewGuid():N}.list");
        await File.WriteAllLinesAsync(listFile, entries.Select(e => e.Line), cancellationToken).ConfigureAwait(false);
        try
        {
            var arguments = new List<string>
            {
                "--dbname=" + ConnectionStrings.ToConninfo(target), "--no-owner", "--no-password", "--verbose", $"--use-list={listFile}",
                $"--jobs={Math.Max(1, jobs)}",
            };
            if (what is not null)
            {
                arguments.Add("--exit-on-error");
            }

            if (section is not null)
            {
                arguments.Add("--section=" + section);
            }

            arguments.Add(dumpFolder);
            var result = await ExternalProcess.RunAsync(tools.PgRestore, arguments, environment, line => log.Verbose("pg_restore: " + line), cancellationToken)
                .ConfigureAwait(false);
            if (what is not null && result.ExitCode != 0)
            {
                throw new HotmessException("PgRestoreFailed", FailureKind.ExternalToolFailed,
                    $"pg_restore of '{setId}' ({what}) into the Supabase database '{target.Database}' failed with exit code {result.ExitCode}: {result.FailureReason}",
                    setId);
            }

            return result;
        }
        finally
        {
            File.Delete(listFile);
        }
    }

    private static async Task<ExternalProcess.Result> RunAsync(PostgresTools tools, IReadOnlyList<string> arguments, Dictionary<string, string> environment,
        string setId, string what, IOperationLog log, CancellationToken cancellationToken)
    {
        var result = await ExternalProcess.RunAsync(tools.PgRestore, arguments, environment, line => log.Verbose("pg_restore: " + line), cancellationToken)
            .ConfigureAwait(false);
        return result.ExitCode == 0 ? result
            : throw new HotmessException("PgRestoreFailed", FailureKind.ExternalToolFailed,
                $"pg_restore could not {what} '{setId}' (exit code {result.ExitCode}): {result.FailureReason}", setId);
    }

    private static async Task<HashSet<string>> ReadNamesAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
