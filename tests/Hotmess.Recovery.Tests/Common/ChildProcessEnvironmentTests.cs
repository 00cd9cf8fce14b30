using System.Collections;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Tests.Common;

public sealed class ChildProcessEnvironmentTests
{
    [Fact]
    public void A_child_gets_only_the_basics_of_the_callers_environment_and_what_the_module_sets()
    {
        var parent = new Hashtable
        {
            ["PATH"] = "/usr/bin:/bin",
            ["HOME"] = "/home/operator",
            ["LANG"] = "en_GB.UTF-8",
            ["LC_ALL"] = "en_GB.UTF-8",
            ["TZ"] = "Europe/London",
            ["STRIPE_SECRET_KEY"] = "sk_live_never",
            ["SUPABASE_SERVICE_ROLE_KEY"] = "never",
            ["PGOPTIONS"] = "-c statement_timeout=1",
            ["PGSERVICE"] = "elsewhere",
            ["PGHOST"] = "evil.example",
            ["PGPASSWORD"] = "the-callers-own",
            ["PGSSLROOTCERT"] = "/tmp/the-callers-own.crt",
            ["LD_PRELOAD"] = "/tmp/evil.so",
        };
        var own = new Dictionary<string, string> { ["PGPASSWORD"] = "set-by-the-module", ["PGAPPNAME"] = "HotmessRecovery" };

        var environment = ChildProcessEnvironment.Build(parent, own);

        Assert.Equal(
            ["HOME", "LANG", "LC_ALL", "PATH", "PGAPPNAME", "PGPASSWORD", "TZ"],
            environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("set-by-the-module", environment["PGPASSWORD"]);
        Assert.Equal("/usr/bin:/bin", environment["PATH"]);
    }

    [Fact]
    public async Task A_started_program_sees_none_of_the_callers_other_variables()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const string name = "HOTMESS_TEST_STRAY_SECRET";
        System.Environment.SetEnvironmentVariable(name, "stray-value");
        try
        {
            var result = await ExternalProcess.RunAsync("/usr/bin/env", [], new Dictionary<string, string> { ["PGAPPNAME"] = "HotmessRecovery" }, null, default);

            Assert.Equal(0, result.ExitCode);
            Assert.DoesNotContain(name, result.StandardOutput);
            Assert.Contains("PGAPPNAME=HotmessRecovery", result.StandardOutput);
            Assert.Contains("PATH=", result.StandardOutput);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(name, null);
        }
    }
}
