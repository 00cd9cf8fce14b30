using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Supabase;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets a Supabase project's status, region, Postgres version, and the recovery it offers.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessSupabaseProject")]
[OutputType(typeof(SupabaseProjectInfo))]
public sealed class GetHotmessSupabaseProjectCommand : SupabaseManagementCmdlet
{
    protected override void ProcessRecord() =>
        WriteObject(RunSupabase((engine, token) => engine.GetProjectAsync(token)));
}
