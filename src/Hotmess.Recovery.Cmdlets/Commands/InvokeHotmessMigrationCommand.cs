using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Database.Migrations;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Applies the migration files a database has not recorded, in version order, recording each in supabase_migrations.schema_migrations as supabase db push does.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HotmessMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MigrationResult))]
public sealed class InvokeHotmessMigrationCommand : HotmessCmdlet
{
    private const int ProgressId = 0x4D49;

    /// <summary>The folder of &lt;version&gt;_&lt;name&gt;.sql files, such as supabase/migrations of the application's repository.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("MigrationsPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SecureStringAsText]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var connectionString = "";
        Terminating(() => connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, Credential, configuration, WriteWarning));
        var request = new MigrationRequest { ConnectionString = connectionString, Folder = GetUnresolvedProviderPathFromPSPath(Path) };
        var database = ConnectionStrings.Redact(ConnectionStrings.Parse(connectionString));

        MigrationPlan plan = null!;
        Terminating(() => plan = RunEngine((log, token) => MigrationEngine.PlanAsync(request, log, token)));
        var pending = plan.Pending.Count();
        WriteVerbose($"{plan.Files.Count} migration file(s), {pending} pending, for {database}.");
        var done = 0;
        try
        {
            foreach (var (file, recorded) in plan.Files)
            {
                if (recorded is not null)
                {
                    WriteObject(MigrationResult.For(file, MigrationStatus.AlreadyApplied, MigrationEngine.Differs(file, recorded)));
                    continue;
                }

                if (!ShouldProcess($"{file.FileName} on {database}", "Apply migration"))
                {
                    WriteObject(MigrationResult.For(file, MigrationStatus.Pending));
                    continue;
                }

                WriteProgress(new ProgressRecord(ProgressId, "Applying migrations", $"{done} of {pending} applied")
                {
                    CurrentOperation = file.FileName,
                    PercentComplete = pending == 0 ? 0 : done * 100 / pending,
                });
                Apply(request, file);
                done++;
            }
        }
        finally
        {
            WriteProgress(new ProgressRecord(ProgressId, "Applying migrations", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>Writes the file's result; a failed file is written as Failed, then stops the run with its error.</summary>
    private void Apply(MigrationRequest request, MigrationFile file)
    {
        MigrationResult result;
        try
        {
            result = RunEngine((log, token) => MigrationEngine.ApplyAsync(request, file, log, token));
        }
        catch (MigrationFailedException ex)
        {
            WriteObject(ex.Result);
            ThrowTerminatingError(ErrorRecordFor(ex));
            return;
        }
        catch (HotmessException ex)
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
            return;
        }

        WriteObject(result);
    }
}
