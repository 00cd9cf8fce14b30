using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Npgsql;

namespace Hotmess.Recovery.Integrations;

/// <summary>
/// The users a notice goes to, read from a Supabase database's <c>auth.users</c>: those with an email address that
/// they confirmed, not deleted, and (when given) created before a moment. Confirmed only: an address nobody confirmed
/// may be a typo or someone else's, Supabase itself emails it nothing but the confirmation link, and bounces from it
/// would count against the sending domain's reputation the night it matters most. The order is fixed (by address), so
/// the same users always fall into the same batches.
/// </summary>
public static partial class UserNoticeRecipients
{
    internal const string Sql = """
        SELECT DISTINCT ON (lower(btrim(email))) btrim(email)
          FROM auth.users
         WHERE email IS NOT NULL AND btrim(email) <> ''
           AND email_confirmed_at IS NOT NULL
           AND deleted_at IS NULL
           AND ($1::timestamptz IS NULL OR created_at < $1)
         ORDER BY lower(btrim(email)), id
        """;

    /// <param name="createdBefore">Leave out users created at or after this moment (e.g. after the incident opened), so a rerun meets the same users.</param>
    public static async Task<IReadOnlyList<string>> ReadAsync(string connectionString, DateTimeOffset? createdBefore, CancellationToken cancellationToken)
    {
        var builder = ConnectionStrings.Parse(connectionString);
        await using var connection = await DatabaseSession.OpenAsync(builder, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = createdBefore.HasValue ? createdBefore.Value.UtcDateTime : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        var addresses = new List<string>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                addresses.Add(reader.GetString(0));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is "42P01" or "3F000" or "42703")
        {
            throw new HotmessException("UserNoticeNoUsers", FailureKind.NotFound,
                $"The database {ConnectionStrings.Redact(builder)} has no Supabase auth.users table to read the users from ({ex.MessageText}); pass -To instead.",
                ConnectionStrings.Redact(builder), ex);
        }
        catch (PostgresException ex)
        {
            throw DatabaseSession.Translate(ex, builder);
        }

        return addresses;
    }

    /// <summary>
    /// Addresses given by hand, trimmed and each once (case aside), in the order given; a value that is not an address
    /// is named by its position, never echoed (it is personal data either way).
    /// </summary>
    public static IReadOnlyList<string> FromAddresses(IEnumerable<string?> values)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var addresses = new List<string>();
        var position = 0;
        foreach (var value in values)
        {
            position++;
            var address = value?.Trim() ?? "";
            if (!AddressPattern().IsMatch(address))
            {
                throw new HotmessException("UserNoticeRecipientInvalid", FailureKind.InvalidArgument,
                    $"-To value {position} is not an email address (name@domain).", "To");
            }

            if (seen.Add(address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    [GeneratedRegex(@"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")]
    private static partial Regex AddressPattern();
}
