using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Reports;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Incidents;

public sealed class IncidentRecordTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 19, 3, 12, TimeSpan.Zero);

    private static JsonElement Json(IncidentRecord record) => JsonDocument.Parse(IncidentRecordRenderer.RenderJson(record)).RootElement;

    private static string[] PropertyNames(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void A_step_records_its_measured_duration_and_how_it_ended()
    {
        var clock = new FakeTimeProvider(Start);
        var record = new IncidentRecord("application-rollback", "Procedure 2: Application Rollback", "Checkout broken", "ops", clock);

        var step = record.StartStep("Roll back production");
        clock.Advance(TimeSpan.FromSeconds(42));
        step.Succeed("from dpl_broken to dpl_good");
        var failed = record.StartStep("Check site health");
        clock.Advance(TimeSpan.FromSeconds(3));
        failed.Fail("503 Service Unavailable", "SiteUnhealthy");

        Assert.Equal("20261124T190312Z-application-rollback", record.Id);
        Assert.Equal(TimeSpan.FromSeconds(42), step.Duration);
        Assert.Equal(IncidentStepStatus.Succeeded, step.Status);
        Assert.Equal(Start.AddSeconds(42), failed.StartedUtc);
        Assert.Equal(TimeSpan.FromSeconds(3), failed.Duration);
        Assert.Equal("SiteUnhealthy", failed.ErrorId);
        Assert.Throws<InvalidOperationException>(() => step.Fail("twice"));
    }

    [Fact]
    public void An_open_step_stays_running_on_the_record_when_the_procedure_stops()
    {
        var record = new IncidentRecord("credential-recovery", "Procedure 3", null, null, new FakeTimeProvider(Start));
        record.StartStep("Redeploy production");

        record.Complete("Failed", "VercelDeploymentFailed", "BUILD_FAILED");

        var step = Json(record).GetProperty("steps")[0];
        Assert.Equal("Running", step.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, step.GetProperty("durationSeconds").ValueKind);
        Assert.Contains("| Redeploy production | Running |", IncidentRecordRenderer.RenderMarkdown(record));
    }

    [Fact]
    public void Records_of_different_procedures_render_to_the_same_json_properties()
    {
        var bare = new IncidentRecord("application-rollback", "Procedure 2: Application Rollback", null, null, new FakeTimeProvider(Start));
        var full = new IncidentRecord("credential-recovery", "Procedure 3: Environment Variable Recovery", "Key leaked", "ops", new FakeTimeProvider(Start));
        full.SetFact("ProjectId", "prj_hotmess");
        full.StartStep("Set STRIPE_SECRET_KEY in Vercel").Succeed();
        full.AddStep("After the redeploy: Stripe SecretKey", IncidentStepStatus.Failed, Start, TimeSpan.FromMilliseconds(120), "refused", "StripeKeyInvalid");
        full.AddNote("Told the team in Slack.");
        full.AddNextStep("Revoke the old STRIPE_SECRET_KEY.");
        full.Complete("IntegrationsFailing", "CredentialRecoveryIntegrationFailed", "Stripe SecretKey");

        Assert.Equal(PropertyNames(Json(bare)), PropertyNames(Json(full)));
        Assert.Equal(PropertyNames(Json(full).GetProperty("steps")[0]), PropertyNames(Json(full).GetProperty("steps")[1]));
        Assert.Equal("prj_hotmess", Json(full).GetProperty("facts").GetProperty("ProjectId").GetString());
        Assert.Equal(0.12, Json(full).GetProperty("steps")[1].GetProperty("durationSeconds").GetDouble());
    }

    [Fact]
    public void Markdown_shows_the_outcome_facts_timeline_and_next_steps_as_a_checklist()
    {
        var clock = new FakeTimeProvider(Start);
        var record = new IncidentRecord("credential-recovery", "Procedure 3: Environment Variable Recovery", "Leaked | in a log", "ops", clock);
        record.SetFact("Targets", "production, preview");
        record.StartStep("Test the new keys").Fail("Stripe SecretKey: refused\nby Stripe", "StripeKeyInvalid");
        clock.Advance(TimeSpan.FromMinutes(2));
        record.AddNote("Rolled the key again.");
        record.AddNextStep("Revoke the old value of STRIPE_SECRET_KEY.");
        record.Complete("Failed", "CredentialRecoveryNewKeyRefused", "New keys refused");

        var markdown = IncidentRecordRenderer.RenderMarkdown(record);

        Assert.StartsWith("# Incident record: Procedure 3: Environment Variable Recovery", markdown);
        Assert.Contains("| Outcome | Failed |", markdown);
        Assert.Contains("| Reason | Leaked \\| in a log |", markdown);
        Assert.Contains("| Duration | 120 s |", markdown);
        Assert.Contains("| Targets | production, preview |", markdown);
        Assert.Contains("| Error | CredentialRecoveryNewKeyRefused: New keys refused |", markdown);
        Assert.Contains("| Test the new keys | Failed | 19:03:12 | 0.0 s | StripeKeyInvalid: Stripe SecretKey: refused by Stripe |", markdown);
        Assert.Contains("- 19:05:12 UTC: Rolled the key again.", markdown);
        Assert.Contains("- [ ] Revoke the old value of STRIPE_SECRET_KEY.", markdown);
    }

    [Fact]
    public void Facts_keep_the_order_they_were_first_set_and_an_empty_value_removes_one()
    {
        var record = new IncidentRecord("application-rollback", "Procedure 2", null, null);
        record.SetFact("ProjectId", "prj");
        record.SetFact("FromDeploymentId", "dpl_a");
        record.SetFact("ToDeploymentId", "dpl_b");
        record.SetFact("FromDeploymentId", "dpl_c");
        record.SetFact("ToDeploymentId", null);

        Assert.Equal(["ProjectId", "FromDeploymentId"], PropertyNames(Json(record).GetProperty("facts")));
        Assert.Equal("dpl_c", record.Facts["FromDeploymentId"]);
        Assert.Throws<NotSupportedException>(() => record.Facts["ProjectId"] = "changed behind the record's back");
    }

    [Fact]
    public void A_closed_record_is_not_closed_again()
    {
        var record = new IncidentRecord("application-rollback", "Procedure 2", null, null);
        record.Complete("RolledBack");

        var error = Assert.Throws<HotmessException>(() => record.Complete("Failed"));

        Assert.Equal("IncidentAlreadyClosed", error.ErrorId);
        Assert.Equal("RolledBack", record.Outcome);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Credential Recovery")]
    [InlineData("../escape")]
    [InlineData("double--dash")]
    public void A_record_name_that_is_not_a_plain_file_name_is_refused(string name)
    {
        var error = Assert.Throws<HotmessException>(() => new IncidentRecord(name, "Procedure 3", null, null));

        Assert.Equal("IncidentNameInvalid", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Writing_a_record_again_replaces_its_own_files()
    {
        var folder = Directory.CreateTempSubdirectory("hotmess-incident-").FullName;
        try
        {
            var record = new IncidentRecord("credential-recovery", "Procedure 3", null, null, new FakeTimeProvider(Start));
            var first = IncidentRecordFiles.Write(record, Path.Combine(folder, "new"), [ReportFormat.Markdown, ReportFormat.Json]);
            record.Complete("Recovered");

            var second = IncidentRecordFiles.Write(record, Path.Combine(folder, "new"), [ReportFormat.Markdown, ReportFormat.Json]);

            Assert.Equal(first, second);
            Assert.Equal(["20261124T190312Z-credential-recovery.json", "20261124T190312Z-credential-recovery.md"],
                Directory.GetFiles(Path.Combine(folder, "new")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
            Assert.Equal("Recovered", JsonDocument.Parse(File.ReadAllText(second[1])).RootElement.GetProperty("outcome").GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
