using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Supabase;

/// <summary>Creating a project (api-contracts §10, op <c>v1-create-a-project</c>).</summary>
public sealed partial class SupabaseManagementClient
{
    /// <summary>
    /// <c>POST /v1/projects</c> → 201 with the project, <c>COMING_UP</c>. Sent again only when Supabase cannot have
    /// received it (a 429, or a connection that never opened): a create sent twice could make two projects. The
    /// password goes in the body and nowhere else.
    /// </summary>
    public async Task<SupabaseProject> CreateProjectAsync(SupabaseProjectCreation creation, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>
        {
            ["name"] = creation.Name,
            ["organization_slug"] = creation.OrganizationSlug,
            ["db_pass"] = creation.DatabasePassword.Reveal(),
        };
        if (creation.Region is { } region)
        {
            body["region_selection"] = new Dictionary<string, string> { ["type"] = "specific", ["code"] = region };
        }

        var uri = new Uri(_baseUrl, "v1/projects");
        var response = await PostOnceAsync(uri, body,
            $"created project '{creation.Name}' (look for it in organization {creation.OrganizationSlug} before creating another)", cancellationToken)
            .ConfigureAwait(false);
        using (response)
        {
            _log.Verbose($"Supabase Management POST {uri.AbsolutePath} -> {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Created)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<SupabaseProject>(WireJson, cancellationToken).ConfigureAwait(false)
                        ?? throw new JsonException("The body is empty.");
                }
                catch (JsonException ex)
                {
                    throw new HotmessException("SupabaseManagementResponseInvalid", FailureKind.RemoteServiceFailed,
                        $"The Supabase Management API created project '{creation.Name}' but answered with a body it does not document: {ex.Message}",
                        creation.Name, ex);
                }
            }

            var message = Redact(await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false), creation.DatabasePassword);
            var what = $"The Supabase Management API refused to create project '{creation.Name}' in organization {creation.OrganizationSlug} "
                       + $"({(int)response.StatusCode}): {message}";
            throw (int)response.StatusCode switch
            {
                400 or 422 => new HotmessException("SupabaseProjectRefused", FailureKind.InvalidArgument, what, creation.Name),
                401 => new HotmessException("SupabaseManagementTokenInvalid", FailureKind.AuthenticationFailed,
                    $"{what}. Check SUPABASE_ACCESS_TOKEN ({_accessToken.Masked}).", _accessToken.Masked),
                403 => new HotmessException("SupabaseOrganizationForbidden", FailureKind.PermissionDenied,
                    $"{what}. The access token may not create projects in organization {creation.OrganizationSlug}: check the organization "
                    + "(its slug, as in the dashboard's URL) and the token owner's role there.", creation.OrganizationSlug),
                409 => new HotmessException("SupabaseProjectNameTaken", FailureKind.AlreadyExists,
                    $"{what}. Choose another name (-Name).", creation.Name),
                429 => new HotmessException("SupabaseManagementRateLimited", FailureKind.RateLimited, what, creation.Name),
                _ => new HotmessException("SupabaseManagementFailed", FailureKind.RemoteServiceFailed,
                    what + $". Supabase may or may not have created it: look for it in organization {creation.OrganizationSlug} before creating another.",
                    creation.Name),
            };
        }
    }

    /// <summary>An error message never repeats the password sent, whatever the server echoes.</summary>
    private static string Redact(string message, Secret password) => message.Replace(password.Reveal(), "****", StringComparison.Ordinal);
}

/// <summary>What <c>POST /v1/projects</c> is sent. <see cref="Region"/> null lets Supabase choose.</summary>
public sealed record SupabaseProjectCreation(string Name, string OrganizationSlug, string? Region, Secret DatabasePassword);
