using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

// Project environment variables (api-contracts §3.6).
public sealed partial class VercelClient
{
    /// <summary>
    /// Lists the project's environment variables, optionally only those of one <paramref name="target"/>.
    /// With <paramref name="decrypt"/> Vercel returns clear values of encrypted variables (sensitive ones stay
    /// unreadable); without it an encrypted variable's <see cref="VercelEnvironmentVariable.Value"/> is ciphertext.
    /// </summary>
    public async Task<IReadOnlyList<VercelEnvironmentVariable>> GetEnvironmentVariablesAsync(
        string? target = null,
        bool decrypt = false,
        CancellationToken cancellationToken = default)
    {
        var wire = await GetJsonAsync<EnvironmentListWire>($"/v10/projects/{ProjectPath}/env",
            [Q("target", target), Q("decrypt", decrypt ? "true" : null)],
            ProjectCall("listing environment variables"), cancellationToken).ConfigureAwait(false);
        return wire.Envs.Select(e => e.ToModel()).ToList();
    }

    /// <summary>One variable with its clear value (unless it is sensitive); <c>VercelEnvironmentVariableNotFound</c> when missing.</summary>
    public async Task<VercelEnvironmentVariable> GetEnvironmentVariableAsync(string id, CancellationToken cancellationToken = default)
    {
        var wire = await GetJsonAsync<EnvironmentVariableWire>($"/v1/projects/{ProjectPath}/env/{Uri.EscapeDataString(id)}", NoQuery,
            VariableCall("reading the environment variable", id), cancellationToken).ConfigureAwait(false);
        return wire.ToModel();
    }

    /// <summary>
    /// Creates the variables, replacing those with the same key and target (<c>upsert=true</c>), in one request.
    /// Vercel answers 201 even when some entries fail; then this throws <c>VercelEnvironmentUpsertFailed</c>
    /// naming the failed keys (the others were saved). Returns the saved variables as Vercel describes them.
    /// </summary>
    public async Task<IReadOnlyList<VercelEnvironmentVariable>> UpsertEnvironmentVariablesAsync(
        IReadOnlyList<EnvironmentVariableInput> variables,
        CancellationToken cancellationToken = default)
    {
        if (variables.Count == 0)
        {
            return [];
        }

        var body = variables.Select(v => new Dictionary<string, object?>
        {
            ["key"] = v.Key,
            ["value"] = v.Value.Reveal(),
            ["type"] = v.Type,
            ["target"] = v.Targets,
            ["gitBranch"] = v.GitBranch,
            ["comment"] = v.Comment,
        }.Where(p => p.Value is not null).ToDictionary()).ToList();

        var keys = string.Join(", ", variables.Select(v => v.Key));
        var call = new Call($"saving environment variables {keys}", $"Vercel project '{_settings.ProjectId}'", "VercelProjectNotFound", _settings.ProjectId);
        using var response = await SendAsync(HttpMethod.Post, $"/v10/projects/{ProjectPath}/env", [Q("upsert", "true")], body, call, cancellationToken)
            .ConfigureAwait(false);
        var result = await ReadJsonAsync<UpsertResponseWire>(response, call, cancellationToken).ConfigureAwait(false);

        var failures = result.Failed.Select(f => f.Error ?? f.Err).OfType<ErrorWire>().ToList();
        if (failures.Count > 0)
        {
            var failedKeys = failures.Select(f => f.Key ?? "(unnamed)").ToArray();
            var reasons = string.Join("; ", failures.Select(f => $"{f.Key ?? "(unnamed)"}: {f.Code ?? "error"} {f.Message}".TrimEnd()));
            var allExist = failures.All(f => f.Code?.Contains("ALREADY_EXISTS", StringComparison.OrdinalIgnoreCase) == true);
            throw new HotmessException("VercelEnvironmentUpsertFailed", allExist ? FailureKind.AlreadyExists : FailureKind.InvalidOperation,
                $"Vercel did not save {failures.Count} of {variables.Count} environment variables ({reasons}); the others were saved.",
                failedKeys.Length == 1 ? failedKeys[0] : failedKeys);
        }

        return result.Created.ValueKind switch
        {
            JsonValueKind.Array => result.Created.Deserialize<List<EnvironmentVariableWire>>(Json.Options)!.Select(e => e.ToModel()).ToList(),
            JsonValueKind.Object => [result.Created.Deserialize<EnvironmentVariableWire>(Json.Options)!.ToModel()],
            _ => [],
        };
    }

    /// <summary>Changes a variable in place (<c>PATCH</c>); fields left null stay as they are.</summary>
    public async Task<VercelEnvironmentVariable> UpdateEnvironmentVariableAsync(
        string id,
        EnvironmentVariableUpdate update,
        CancellationToken cancellationToken = default)
    {
        if (update.Type is { } type)
        {
            EnvironmentVariableTypes.ValidateWritable(type);
        }

        if (update.Targets is { } targets)
        {
            EnvironmentTargets.Validate(targets);
        }

        var body = new Dictionary<string, object?>
        {
            ["value"] = update.Value?.Reveal(),
            ["type"] = update.Type,
            ["target"] = update.Targets,
            ["comment"] = update.Comment,
        }.Where(p => p.Value is not null).ToDictionary();

        var call = VariableCall("updating the environment variable", id);
        using var response = await SendAsync(HttpMethod.Patch, $"/v9/projects/{ProjectPath}/env/{Uri.EscapeDataString(id)}", NoQuery, body, call,
            cancellationToken).ConfigureAwait(false);
        var wire = await ReadJsonAsync<EnvironmentVariableWire>(response, call, cancellationToken).ConfigureAwait(false);
        return wire.ToModel();
    }

    /// <summary>Deletes a variable by id.</summary>
    public async Task DeleteEnvironmentVariableAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"/v9/projects/{ProjectPath}/env/{Uri.EscapeDataString(id)}", NoQuery, null,
            VariableCall("deleting the environment variable", id), cancellationToken).ConfigureAwait(false);
    }

    private static Call VariableCall(string operation, string id) =>
        new(operation, $"Environment variable '{id}'", "VercelEnvironmentVariableNotFound", id);
}
