using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Supabase;

/// <summary>The project's managed backups (api-contracts §2.1–2.2): the listing, and the two restores.</summary>
public sealed partial class SupabaseManagementClient
{
    /// <summary><c>GET /v1/projects/{ref}/database/backups</c>: the daily backups, and whether PITR is on with its window.</summary>
    public Task<SupabaseBackupList> ListBackupsAsync(CancellationToken cancellationToken) =>
        GetJsonAsync<SupabaseBackupList>($"v1/projects/{ProjectRef}/database/backups", cancellationToken);

    /// <summary><c>POST /v1/projects/{ref}/database/backups/restore</c> <c>{id}</c>: restores a daily (physical) backup.</summary>
    public Task RestoreBackupAsync(long backupId, CancellationToken cancellationToken) =>
        PostCreatedAsync($"v1/projects/{ProjectRef}/database/backups/restore", new { id = backupId }, cancellationToken);

    /// <summary>
    /// <c>POST /v1/projects/{ref}/database/backups/restore-pitr</c> <c>{recovery_time_target_unix}</c>: restores the
    /// database as it was at <paramref name="target"/> (whole seconds).
    /// </summary>
    public Task RestorePointInTimeAsync(DateTimeOffset target, CancellationToken cancellationToken) =>
        PostCreatedAsync($"v1/projects/{ProjectRef}/database/backups/restore-pitr",
            new { recovery_time_target_unix = target.ToUnixTimeSeconds() }, cancellationToken);

    /// <summary>
    /// A POST whose only success is 201, as the CLI reads these endpoints. Sent again only when Supabase cannot have
    /// started it (a 429, or a connection that never opened): a restore asked twice could restore twice.
    /// </summary>
    private async Task PostCreatedAsync(string relative, object body, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUrl, relative);
        var response = await PostOnceAsync(uri, body, "started it", cancellationToken).ConfigureAwait(false);
        using (response)
        {
            _log.Verbose($"Supabase Management POST {uri.AbsolutePath} -> {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return;
            }

            var message = await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                throw new HotmessException("SupabaseRestoreRefused", FailureKind.InvalidOperation,
                    $"The Supabase Management API refused POST {uri.AbsolutePath} for project {ProjectRef}: {message}", ProjectRef);
            }

            if (response.IsSuccessStatusCode)
            {
                throw new HotmessException("SupabaseManagementResponseInvalid", FailureKind.RemoteServiceFailed,
                    $"The Supabase Management API answered POST {uri.AbsolutePath} with {(int)response.StatusCode}, not the 201 it documents.", ProjectRef);
            }

            throw ToException(response.StatusCode, message, HttpResilience.RetryAfter(response, _resilience.Time));
        }
    }

    /// <summary>
    /// Sends a POST again only when Supabase cannot have received it (a 429, or a connection that never opened): sent twice,
    /// a create or a restore could happen twice. <paramref name="effect"/> says what it may have done when no answer came.
    /// </summary>
    private async Task<HttpResponseMessage> PostOnceAsync(Uri uri, object body, string effect, CancellationToken cancellationToken)
    {
        try
        {
            return await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _accessToken.Reveal());
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.OnlyWhenNotAccepted, $"accept POST {uri.AbsolutePath}", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("SupabaseManagementUnreachable", FailureKind.ConnectionFailed,
                $"The Supabase Management API at '{_baseUrl}' cannot be reached, and may or may not have {effect}: {ex.Message}", _baseUrl.ToString(), ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("SupabaseManagementTimeout", FailureKind.Timeout,
                $"The Supabase Management API at '{_baseUrl}' did not answer POST {uri.AbsolutePath}, and may or may not have {effect}: {ex.Message}.",
                _baseUrl.ToString(), ex);
        }
    }
}

/// <summary>
/// The answer of <c>GET …/database/backups</c>. PITR projects list no daily backups; their window is in
/// <see cref="PhysicalBackupData"/>.
/// </summary>
public sealed record SupabaseBackupList(
    string? Region,
    bool WalgEnabled,
    bool PitrEnabled,
    IReadOnlyList<SupabaseBackupEntry>? Backups,
    SupabasePhysicalBackupData? PhysicalBackupData);

/// <summary>One daily backup; <see cref="Status"/> is COMPLETED, FAILED, PENDING, REMOVED, ARCHIVED or CANCELLED.</summary>
public sealed record SupabaseBackupEntry(long Id, bool IsPhysicalBackup, string Status, DateTimeOffset InsertedAt);

/// <summary>The PITR window in unix seconds; both absent when the project has none.</summary>
public sealed record SupabasePhysicalBackupData(long? EarliestPhysicalBackupDateUnix, long? LatestPhysicalBackupDateUnix);
