using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Drills;

namespace Hotmess.Recovery.Tests.Drills;

public sealed class DrillSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hotmess-drill-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private HotmessConfiguration Load(string json, List<string>? verbose = null)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return ConfigurationLoader.Load(path, new Hashtable { ["HOME"] = _folder }, verbose is null ? null : verbose.Add);
    }

    [Fact]
    public void The_drills_section_names_the_scratch_targets_and_replaces_the_objectives_of_a_scenario()
    {
        var configuration = Load("""
            { "drills": { "scratchConnectionString": "Host=drill.internal;Database=drill_scratch;Username=postgres",
                          "scratchBucketPrefix": "drill-", "vercelProjectId": "prj_staging", "siteUrl": "https://staging.example",
                          "secretNames": ["RESEND_API_KEY"],
                          "objectives": { "storageRestore": { "rtoHours": 1, "rpoHours": 168 } } } }
            """);

        Assert.Equal("drill-", configuration.Drills.ScratchBucketPrefix);
        Assert.Equal(["RESEND_API_KEY"], configuration.Drills.SecretNames);
        var storage = DrillObjectives.For(DrillScenario.StorageRestore, configuration);
        Assert.Equal((TimeSpan.FromHours(1), (TimeSpan?)TimeSpan.FromDays(7)), (storage.Rto, storage.Rpo));
        Assert.Equal(TimeSpan.FromHours(4), DrillObjectives.For(DrillScenario.DatabaseRestore, configuration).Rto);
        Assert.Null(DrillObjectives.For(DrillScenario.CredentialRecovery, configuration).Rpo);
    }

    [Fact]
    public void A_scratch_connection_string_holding_a_password_is_refused()
    {
        var error = Assert.Throws<HotmessException>(() => Load("""{ "drills": { "scratchConnectionString": "Host=drill.internal;Database=s;Password=hunter2" } }"""));

        Assert.Equal("ConfigurationHoldsSecret", error.ErrorId);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_drill_targets_that_receive_secrets_are_named_in_verbose_output()
    {
        var verbose = new List<string>();
        Load("""{ "drills": { "scratchConnectionString": "Host=drill.internal;Database=s", "supabaseUrl": "https://drillref.supabase.co" } }""", verbose);

        Assert.Contains(verbose, line => line.Contains("drills.scratchConnectionString", StringComparison.Ordinal) && line.Contains("drill.internal", StringComparison.Ordinal));
        Assert.Contains(verbose, line => line.Contains("drills.supabaseUrl", StringComparison.Ordinal) && line.Contains("drillref.supabase.co", StringComparison.Ordinal));
    }
}
