using System.Text;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Npgsql;

namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// Applies the migration files a database has not recorded, as <c>supabase db push</c> does: in version order, each
/// file's statements and its row in <c>supabase_migrations.schema_migrations</c> in one transaction, so a failing
/// file leaves nothing behind and stops the run. A second run finds everything recorded and does nothing.
/// </summary>
public static partial class MigrationEngine
{
    /// <summary>Reads the folder and the database's history, changing nothing.</summary>
    public static async Task<MigrationPlan> PlanAsync(MigrationRequest request, IOperationLog log, CancellationToken ct)
    {
        var files = MigrationFolder.List(request.Folder, log);
        var builder = ConnectionStrings.Parse(request.ConnectionString);
        IReadOnlyList<RecordedMigration> recorded;
        await using (var connection = await DatabaseSession.OpenAsync(builder, ct).ConfigureAwait(false))
        {
            try
            {
                recorded = await MigrationHistory.ReadAsync(connection, null, ct).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw DatabaseSession.Translate(ex, builder);
            }
        }

        log.Verbose($"{files.Count} migration file(s) in '{request.Folder}'; the database ({ConnectionStrings.Redact(builder)}) records {recorded.Count}.");
        var byVersion = recorded.ToDictionary(r => r.Version, StringComparer.Ordinal);
        var plan = new MigrationPlan(
            request.Folder,
            files.Select(f => (f, byVersion.GetValueOrDefault(f.Version))).ToList(),
            recorded.Where(r => files.All(f => f.Version != r.Version)).OrderBy(r => r.Version, StringComparer.Ordinal).ToList());
        Report(plan, log);
        return plan;
    }

    /// <summary>
    /// Runs one file and records it in one transaction. A version another run recorded meanwhile comes back
    /// AlreadyApplied; a failing statement rolls everything back and throws <see cref="MigrationFailedException"/>
    /// naming the file, the statement and the line and column of the error.
    /// </summary>
    public static async Task<MigrationResult> ApplyAsync(MigrationRequest request, MigrationFile file, IOperationLog log, CancellationToken ct)
    {
        var started = request.Clock.GetTimestamp();
        var (text, statements) = file.Read();
        var builder = ConnectionStrings.Parse(request.ConnectionString);
        await using var connection = await DatabaseSession.OpenAsync(builder, ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        var run = new List<SqlStatement>();
        foreach (var statement in statements)
        {
            if (!statement.HasCode)
            {
                continue;
            }

            if (TransactionControl().IsMatch(WithoutComments(statement.Text)))
            {
                // The file's own BEGIN/COMMIT: the transaction that holds the file and its record takes their place.
                log.Verbose($"{file.FileName}: '{statement.Text}' left out; the file runs in one transaction with its record.");
                continue;
            }

            if (Rollback().IsMatch(WithoutComments(statement.Text)))
            {
                throw new MigrationFailedException(
                    $"Migration '{file.FileName}' ends its transaction with '{statement.Text}' (line {Location(text, statement.Offset).Line}); a migration and its record commit together. Nothing of it was applied.",
                    MigrationResult.For(file, MigrationStatus.Failed) with { Statements = statements.Count, Duration = request.Clock.GetElapsedTime(started) });
            }

            batch.BatchCommands.Add(Raw(statement.Text));
            run.Add(statement);
        }

        batch.BatchCommands.Add(MigrationHistory.Insert(file, statements));
        try
        {
            // Settings an earlier statement on this connection may have changed, such as search_path: as the CLI does.
            await using (var reset = new NpgsqlCommand("RESET ALL", connection))
            {
                await reset.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('supabase_migrations.schema_migrations'))", connection, transaction))
            {
                // Two runs at once: the second waits, then finds the version recorded.
                await lockCommand.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await MigrationHistory.EnsureAsync(connection, transaction, ct).ConfigureAwait(false);

            var recorded = (await MigrationHistory.ReadAsync(connection, transaction, ct).ConfigureAwait(false))
                .FirstOrDefault(r => r.Version == file.Version);
            if (recorded is not null)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                log.Verbose($"{file.FileName}: version {file.Version} was recorded by another run meanwhile; not applied again.");
                return MigrationResult.For(file, MigrationStatus.AlreadyApplied, Differs(file, recorded)) with { Duration = request.Clock.GetElapsedTime(started) };
            }

            batch.Transaction = transaction;
            try
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                var failed = MigrationResult.For(file, MigrationStatus.Failed) with { Statements = statements.Count, Duration = request.Clock.GetElapsedTime(started) };
                throw new MigrationFailedException(FailureMessage(file, text, statements, run, batch, ex), failed, ex);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            // Creating or reading the history, or the connection itself: the file was not run.
            throw DatabaseSession.Translate(ex, builder);
        }

        var duration = request.Clock.GetElapsedTime(started);
        log.Verbose($"{file.FileName}: {run.Count} statement(s) run and recorded in {duration.TotalSeconds:0.###} s.");
        return MigrationResult.For(file, MigrationStatus.Applied) with { Statements = run.Count, Duration = duration };
    }

    /// <summary>
    /// Plans, then applies every pending file in order (or, with <paramref name="whatIf"/>, lists them as Pending);
    /// stops at the first failure with <see cref="MigrationFailedException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<MigrationResult>> RunAsync(MigrationRequest request, bool whatIf, IOperationLog log, CancellationToken ct)
    {
        var plan = await PlanAsync(request, log, ct).ConfigureAwait(false);
        var results = new List<MigrationResult>();
        foreach (var (file, recorded) in plan.Files)
        {
            results.Add(recorded is not null ? MigrationResult.For(file, MigrationStatus.AlreadyApplied, Differs(file, recorded))
                : whatIf ? MigrationResult.For(file, MigrationStatus.Pending)
                : await ApplyAsync(request, file, log, ct).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>
    /// A statement sent to the server exactly as written, as the CLI sends it. Npgsql splits a command's text at
    /// semicolons unless it has positional parameters, and its splitter does not know <c>BEGIN ATOMIC</c> bodies; one
    /// typed parameter the statement never uses turns that off and changes nothing on the server.
    /// </summary>
    private static NpgsqlBatchCommand Raw(string sql) =>
        new(sql) { Parameters = { new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } } };

    /// <summary>The name the database recorded for the file's version, when it is another one.</summary>
    public static string? Differs(MigrationFile file, RecordedMigration recorded) =>
        recorded.Name.Length > 0 && !string.Equals(recorded.Name, file.Name, StringComparison.Ordinal) ? recorded.Name : null;

    /// <summary>What <c>supabase db push</c> would stop at, said as warnings: these are reported and never applied or removed.</summary>
    private static void Report(MigrationPlan plan, IOperationLog log)
    {
        foreach (var (file, recorded) in plan.Files)
        {
            if (recorded is not null && Differs(file, recorded) is { } name)
            {
                log.Warning($"Version {file.Version} is recorded as '{name}' but the file is '{file.FileName}'; it is not applied again. Check the file was not renamed or replaced.");
            }
        }

        if (plan.RecordedWithoutFile.Count > 0)
        {
            log.Warning($"The database records {plan.RecordedWithoutFile.Count} migration(s) with no file in '{plan.Folder}': "
                + string.Join(", ", plan.RecordedWithoutFile.Select(r => r.Name.Length > 0 ? $"{r.Version}_{r.Name}" : r.Version))
                + ". They are left as recorded; is the folder from the right commit?");
        }

        var newest = plan.Files.Where(f => f.Recorded is not null).Select(f => f.File.Version)
            .Concat(plan.RecordedWithoutFile.Where(r => r.Version.All(char.IsAsciiDigit) && r.Version.Length > 0).Select(r => r.Version))
            .DefaultIfEmpty().Max(Comparer<string?>.Create((a, b) => a is null ? -1 : b is null ? 1 : MigrationFolder.Compare(a, b)));
        if (newest is not null)
        {
            foreach (var file in plan.Pending.Where(f => MigrationFolder.Compare(f.Version, newest) < 0))
            {
                log.Warning($"'{file.FileName}' is older than the newest recorded migration ({newest}); it is applied in version order, as 'supabase db push --include-all' would.");
            }
        }
    }

    private static string FailureMessage(MigrationFile file, string text, IReadOnlyList<SqlStatement> statements, List<SqlStatement> run, NpgsqlBatch batch, PostgresException ex)
    {
        var index = ex.BatchCommand is { } failed ? batch.BatchCommands.IndexOf(failed) : -1;
        var message = new StringBuilder($"Migration '{file.FileName}' failed and was rolled back: nothing of it was applied or recorded, and the migrations after it were not run. ");
        if (index >= 0 && index < run.Count)
        {
            var statement = run[index];
            var at = statement.Offset + Math.Max(0, ex.Position - 1);
            var (line, column) = Location(text, at);
            message.Append($"Statement {IndexOf(statements, statement) + 1} of {statements.Count}, line {line}")
                .Append(ex.Position > 0 ? $" column {column}" : string.Empty)
                .Append($": {ex.MessageText} (SQLSTATE {ex.SqlState}).");
            var lineText = text.Split('\n')[line - 1].TrimEnd('\r');
            message.Append('\n').Append(lineText);
            if (ex.Position > 0)
            {
                message.Append('\n').Append(new string(' ', Math.Max(0, column - 1))).Append('^');
            }
        }
        else
        {
            message.Append($"Recording version {file.Version} failed: {ex.MessageText} (SQLSTATE {ex.SqlState}).");
        }

        if (!string.IsNullOrEmpty(ex.Detail))
        {
            message.Append("\nDetail: ").Append(ex.Detail);
        }

        if (!string.IsNullOrEmpty(ex.Hint))
        {
            message.Append("\nHint: ").Append(ex.Hint);
        }

        return message.ToString();
    }

    private static int IndexOf(IReadOnlyList<SqlStatement> statements, SqlStatement statement)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            if (ReferenceEquals(statements[i], statement))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>1-based line and column of a character of the file.</summary>
    private static (int Line, int Column) Location(string text, int index)
    {
        index = Math.Clamp(index, 0, text.Length);
        var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        if (index == 0)
        {
            lineStart = 0;
        }

        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return (line, index - lineStart + 1);
    }

    private static string WithoutComments(string statement) => Comments().Replace(statement, " ").Trim();

    [GeneratedRegex(@"^(BEGIN|START\s+TRANSACTION|COMMIT|END)(\s+(WORK|TRANSACTION))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TransactionControl();

    [GeneratedRegex(@"^(ROLLBACK|ABORT)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Rollback();

    [GeneratedRegex(@"--[^\n]*|/\*.*?\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Comments();
}
