using System.Collections;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Drills;

/// <summary>What a platform recovery drill runs, where, and against which targets.</summary>
public sealed class PlatformRecoveryDrillOptions
{
    /// <summary>Where the surviving sets are, and what the runbook restores from.</summary>
    public required BackupRepository Repository { get; init; }

    /// <summary>The configuration in force; the drill's copy points it at the drill targets.</summary>
    public required HotmessConfiguration Configuration { get; init; }

    /// <summary>Procedure 4's runbook.</summary>
    public required string RunbookPath { get; init; }

    /// <summary>The module's manifest, imported by the pwsh that runs the runbook.</summary>
    public required string ModuleManifestPath { get; init; }

    /// <summary>The pwsh to run the runbook in, and the arguments before its own (pwsh.dll when the host is dotnet).</summary>
    public required string PwshPath { get; init; }

    public IReadOnlyList<string> PwshArguments { get; init; } = [];

    /// <summary>The caller's environment: credentials pass on to the runbook, and STRIPE_SECRET_KEY must be a test key.</summary>
    public required IDictionary Environment { get; init; }

    /// <summary>The drill Vercel project: never the production one.</summary>
    public required string VercelProjectId { get; init; }

    public string? ProductionVercelProjectId { get; init; }

    /// <summary>The drill project's site.</summary>
    public required Uri SiteUrl { get; init; }

    public Uri? ProductionSiteUrl { get; init; }

    /// <summary>The new Supabase project's name; hotmess-drill-&lt;time&gt; when not given.</summary>
    public string? ProjectName { get; init; }

    public string? GitRef { get; init; }

    public string? MigrationsPath { get; init; }

    public string? RepositoryKeyFile { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
