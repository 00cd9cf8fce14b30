using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// Procedure 3 rehearsed on a Vercel project that is not production, with the engines its runbook's cmdlets use:
/// the named credentials are declared compromised, their replacement values (the ones the environment holds: a drill
/// does not roll keys at the providers) are tested, set in the drill project for every target, the project is
/// redeployed and every integration is tested again, which verifies the service. Cleanup removes the variables
/// the drill created. No data is at stake, so the RPO is zero and the plan sets no RPO objective.
/// </summary>
public sealed class CredentialRecoveryDrill : IDrillScenario
{
    // Which integration check proves each key, as in the runbook; the webhook signing secret cannot be checked from outside.
    private static readonly Dictionary<string, (Integration Integration, string Check)?> CheckOf = new(StringComparer.Ordinal)
    {
        ["VITE_SUPABASE_ANON_KEY"] = (Integration.Supabase, "AnonKey"),
        ["SUPABASE_SERVICE_ROLE_KEY"] = (Integration.Supabase, "ServiceRoleKey"),
        ["STRIPE_SECRET_KEY"] = (Integration.Stripe, "SecretKey"),
        ["STRIPE_WEBHOOK_SECRET"] = null,
        ["RESEND_API_KEY"] = (Integration.Resend, "ApiKey"),
    };

    private readonly VercelSettings _drillProject;
    private readonly string? _productionProjectId;
    private readonly IntegrationSettings _integrations;
    private readonly IReadOnlyList<string> _secretNames;
    private readonly System.Collections.IDictionary _environment;
    private readonly TimeSpan _redeployTimeout;
    private readonly List<string> _created = [];

    /// <param name="secretNames">The credentials declared compromised, among the plan's five.</param>
    /// <param name="environment">Where their replacement values are read, under the same names.</param>
    public CredentialRecoveryDrill(VercelSettings drillProject, string? productionProjectId, IntegrationSettings integrations,
        IReadOnlyList<string> secretNames, System.Collections.IDictionary environment, TimeSpan redeployTimeout)
    {
        _drillProject = drillProject;
        _productionProjectId = productionProjectId;
        _integrations = integrations;
        _secretNames = secretNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        _environment = environment;
        _redeployTimeout = redeployTimeout;
    }

    public DrillScenario Scenario => DrillScenario.CredentialRecovery;

    public string Target => $"Vercel project '{_drillProject.ProjectId}'";

    public IReadOnlyList<string> Plan =>
    [
        $"Simulate compromised credentials: declare {string.Join(", ", _secretNames)} compromised and read their replacement values",
        "Test the replacement keys against their services before anything changes",
        $"Set them in Vercel project '{_drillProject.ProjectId}' for production, preview and development",
        "Redeploy the drill project and wait until it is READY",
        "Test every integration: the service is back",
        "Clean up: remove the variables the drill created",
    ];

    public void Validate()
    {
        if (_secretNames.Count == 0)
        {
            throw new HotmessException("DrillSecretNameMissing", FailureKind.InvalidArgument,
                $"A credential drill needs the credentials to declare compromised: pass -SecretName with some of {string.Join(", ", CheckOf.Keys)}.", "SecretName");
        }

        if (_secretNames.FirstOrDefault(n => !CheckOf.ContainsKey(n)) is { } unknown)
        {
            throw new HotmessException("DrillSecretNameUnknown", FailureKind.InvalidArgument,
                $"'{unknown}' is not one of the plan's credentials: {string.Join(", ", CheckOf.Keys)}.", unknown);
        }

        if (_productionProjectId is not null && string.Equals(_drillProject.ProjectId, _productionProjectId, StringComparison.OrdinalIgnoreCase))
        {
            throw new HotmessException("DrillTargetIsProduction", FailureKind.InvalidArgument,
                $"A drill never runs against production: the Vercel project '{_drillProject.ProjectId}' is the production project. Name the drill project (-VercelProjectId or drills.vercelProjectId).",
                _drillProject.ProjectId);
        }
    }

    public async Task RecoverAsync(DrillRun run, CancellationToken cancellationToken)
    {
        var values = await run.StepAsync("Simulate the failure: the credentials are compromised", _ =>
        {
            var missing = _secretNames.Where(n => ConfigurationLoader.GetSecret(_environment, n) is null).ToList();
            if (missing.Count > 0)
            {
                throw new HotmessException("DrillSecretMissing", FailureKind.InvalidArgument,
                    $"No replacement value for {string.Join(", ", missing)}: set the environment variable (or Automation variable) of the same name.", missing[0]);
            }

            var found = _secretNames.ToDictionary(n => n, n => ConfigurationLoader.GetSecret(_environment, n)!, StringComparer.Ordinal);
            return Task.FromResult((found, $"{string.Join(", ", _secretNames)} declared compromised; replacement values found."));
        }, cancellationToken).ConfigureAwait(false);

        var checks = _secretNames.Select(n => CheckOf[n]).OfType<(Integration Integration, string Check)>().ToList();
        if (checks.Count > 0)
        {
            await run.StepAsync("Test the replacement keys", async token =>
            {
                var results = await TestAsync(checks.Select(c => c.Integration).Distinct().ToList(), run, token).ConfigureAwait(false);
                var wanted = results.Where(r => checks.Any(c => c.Integration == r.Integration && c.Check == r.Check)).ToList();
                var refused = wanted.Where(r => !r.Passed).ToList();
                if (refused.Count > 0)
                {
                    throw new HotmessException("DrillKeyRefused", FailureKind.AuthenticationFailed,
                        $"Replacement keys refused, nothing was changed: {string.Join("; ", refused.Select(r => $"{r.Integration} {r.Check}: {r.Reason}"))}", refused[0].Check);
                }

                return $"{string.Join(", ", wanted.Select(r => $"{r.Integration} {r.Check}"))} passed.";
            }, cancellationToken).ConfigureAwait(false);
        }

        using var vercel = new VercelClient(_drillProject, run.Log);
        await run.StepAsync("Set the keys in the drill project", async token =>
        {
            var before = (await vercel.GetEnvironmentVariablesAsync(cancellationToken: token).ConfigureAwait(false)).Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
            var inputs = values.Select(v => new EnvironmentVariableInput(v.Key, v.Value, EnvironmentTargets.All)).ToList();
            await vercel.UpsertEnvironmentVariablesAsync(inputs, token).ConfigureAwait(false);
            _created.AddRange(values.Keys.Where(k => !before.Contains(k)));
            return $"{string.Join(", ", values.Keys)} set for production, preview and development{(_created.Count == 0 ? "" : $" ({string.Join(", ", _created)} new)")}.";
        }, cancellationToken).ConfigureAwait(false);

        await run.StepAsync("Redeploy the drill project", async token =>
        {
            var redeploy = new ApplicationRedeploy(vercel, run.Log);
            var source = await redeploy.ResolveSourceAsync(null, token).ConfigureAwait(false);
            var deployment = await redeploy.RedeployAsync(source, EnvironmentTargets.Production, _redeployTimeout, token).ConfigureAwait(false);
            // Vercel has no way to undo a deployment: the new one stays the drill project's, built with the same keys.
            return $"{deployment.DeploymentId} ({deployment.State}) built from {source.DeploymentId}; it stays the drill project's deployment.";
        }, cancellationToken).ConfigureAwait(false);

        await run.StepAsync("Test every integration", async token =>
        {
            var results = await TestAsync(Enum.GetValues<Integration>(), run, token).ConfigureAwait(false);
            var failing = results.Where(r => !r.Passed).ToList();
            if (failing.Count > 0)
            {
                throw new HotmessException("DrillIntegrationFailed", FailureKind.RemoteServiceFailed,
                    $"Integrations failing after the redeploy: {string.Join("; ", failing.Select(r => $"{r.Integration} {r.Check}: {r.Reason}"))}", failing[0].Check);
            }

            run.ServiceVerified();
            // No data was at stake: the newest data is what was there at the incident.
            run.NewestDataRecoveredUtc = run.SimulatedIncidentUtc;
            return $"All {results.Count} checks passed.";
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task CleanupAsync(DrillRun run, CancellationToken cancellationToken)
    {
        if (_created.Count == 0)
        {
            return;
        }

        await run.CleanupStepAsync("Remove the variables the drill created", async token =>
        {
            using var vercel = new VercelClient(_drillProject, run.Log);
            var mine = (await vercel.GetEnvironmentVariablesAsync(cancellationToken: token).ConfigureAwait(false)).Where(v => _created.Contains(v.Key)).ToList();
            foreach (var variable in mine)
            {
                await vercel.DeleteEnvironmentVariableAsync(variable.Id, token).ConfigureAwait(false);
            }

            return $"Removed {string.Join(", ", mine.Select(v => v.Key).Distinct())}.";
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<IntegrationCheckResult>> TestAsync(IReadOnlyCollection<Integration> integrations, DrillRun run, CancellationToken cancellationToken)
    {
        // Each client's pipeline times its attempts; a whole-client timer would cut its retries short.
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        return await new IntegrationTester(http, _integrations, run.Log).TestAsync(integrations, cancellationToken).ConfigureAwait(false);
    }
}
