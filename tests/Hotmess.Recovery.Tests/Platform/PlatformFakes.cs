using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes.Resend;
using Hotmess.Recovery.Fakes.Slack;
using Hotmess.Recovery.Fakes.Stripe;
using Hotmess.Recovery.Fakes.SupabaseManagement;
using Hotmess.Recovery.Tests.Fakes;

namespace Hotmess.Recovery.Tests.Platform;

/// <summary>
/// The credentials the Stripe, Resend, Supabase Management, Slack and status page fakes accept, and the reset
/// their tests share.
/// </summary>
public static class PlatformFakes
{
    public const string ServiceRoleKey = FakeServer.ServiceKey;

    public const string ProjectRef = SupabaseManagementFake.DefaultRef;

    public static Secret StripeKey => new(StripeFake.DefaultKey);

    public static Secret ResendKey => new(ResendFake.DefaultKey);

    public static Secret ManagementToken => new(SupabaseManagementFake.DefaultToken);

    public static Secret AnonKey => new(SupabaseManagementFake.DefaultAnonKey(ProjectRef));

    public static Uri SlackWebhook(this FakeServer fake) => fake.Url("slack" + SlackFake.DefaultWebhookPath);

    /// <summary>Resets every service these tests steer, and turns injected faults off.</summary>
    public static async Task ResetAsync(this FakeServer fake)
    {
        foreach (var service in new[] { "stripe", "resend", "supabase-management", "slack", "statuspage" })
        {
            await fake.PostAsync($"__fake/{service}/reset", new { });
        }

        await fake.ClearFaultsAsync();
    }
}
