using Hotmess.Recovery.Common;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Tests.Database;

namespace Hotmess.Recovery.Tests.Integrations;

[Collection(SampleDatabaseCollection.Name)]
public sealed class UserNoticeRecipientsTests(SampleDatabaseFixture fixture)
{
    private string NewUsersDatabase(string rows)
    {
        var database = "notice_" + Guid.NewGuid().ToString("N")[..8];
        fixture.Server.CreateDatabase(database);
        fixture.Server.ExecuteSql(database, $"""
            CREATE SCHEMA auth;
            CREATE TABLE auth.users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email varchar(255) UNIQUE,
                email_confirmed_at timestamptz, deleted_at timestamptz, created_at timestamptz DEFAULT now());
            {rows}
            """);
        return fixture.Server.ConnectionString(database);
    }

    [Fact]
    public async Task The_sample_s_users_with_a_confirmed_address_are_the_recipients()
    {
        var recipients = await UserNoticeRecipients.ReadAsync(fixture.SourceConnectionString, null, CancellationToken.None);

        // Every seventh sample user never confirmed the address.
        Assert.Equal(50 - 7, recipients.Count);
        Assert.DoesNotContain("user7@hotmess.example", recipients);
        Assert.Contains("user8@hotmess.example", recipients);
    }

    [Fact]
    public async Task Deleted_unconfirmed_and_addressless_users_are_left_out_and_an_address_counts_once()
    {
        var connection = NewUsersDatabase("""
            INSERT INTO auth.users (email, email_confirmed_at, deleted_at) VALUES
              ('b@hotmess.example', now(), NULL),
              ('a@hotmess.example', now(), NULL),
              (' A@hotmess.example ', now(), NULL),
              ('deleted@hotmess.example', now(), now()),
              ('unconfirmed@hotmess.example', NULL, NULL),
              (NULL, now(), NULL),
              ('', now(), NULL);
            """);

        var recipients = await UserNoticeRecipients.ReadAsync(connection, null, CancellationToken.None);

        Assert.Equal(2, recipients.Count);
        Assert.Equal("b@hotmess.example", recipients[1]);
        Assert.Equal("a@hotmess.example", recipients[0].ToLowerInvariant());
    }

    [Fact]
    public async Task Users_created_after_the_cut_off_are_left_out_so_a_rerun_meets_the_same_users()
    {
        var connection = NewUsersDatabase("""
            INSERT INTO auth.users (email, email_confirmed_at, created_at) VALUES
              ('early@hotmess.example', now(), now() - interval '2 days'),
              ('late@hotmess.example', now(), now());
            """);

        var recipients = await UserNoticeRecipients.ReadAsync(connection, DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None);

        Assert.Equal(["early@hotmess.example"], recipients);
    }

    [Fact]
    public async Task A_database_without_auth_users_says_to_name_the_recipients()
    {
        var database = "notice_plain_" + Guid.NewGuid().ToString("N")[..8];
        fixture.Server.CreateDatabase(database);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => UserNoticeRecipients.ReadAsync(fixture.Server.ConnectionString(database), null, CancellationToken.None));

        Assert.Equal("UserNoticeNoUsers", ex.ErrorId);
        Assert.Contains("-To", ex.Message);
    }
}
