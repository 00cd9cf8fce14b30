using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Environments;

/// <summary>A Vercel project's environment variables through <see cref="VercelClient"/>.</summary>
public sealed class VercelEnvironmentStore(VercelClient client) : IEnvironmentVariableStore
{
    public string Kind => "vercel";

    public string Project => client.Settings.ProjectId;

    public async Task<IReadOnlyList<StoredVariable>> ReadAllAsync(IOperationLog log, CancellationToken cancellationToken)
    {
        var listed = await client.GetEnvironmentVariablesAsync(decrypt: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var variables = new List<StoredVariable>();
        foreach (var variable in listed.Where(v => v.Type != EnvironmentVariableTypes.System))
        {
            var current = variable;
            if (!current.Decrypted && current.Type != EnvironmentVariableTypes.Sensitive && current.Value is not null)
            {
                // The listing gave ciphertext (decrypt is deprecated there); one by one Vercel still decrypts.
                current = await client.GetEnvironmentVariableAsync(variable.Id, cancellationToken).ConfigureAwait(false);
            }

            var value = current.Decrypted ? current.Value : null;
            if (value is null)
            {
                log.Verbose($"Vercel does not give back the value of {variable} (type {variable.Type}).");
            }

            variables.Add(new StoredVariable(variable.Key, value, variable.Type, variable.Targets)
            {
                GitBranch = variable.GitBranch,
                Comment = variable.Comment,
            });
        }

        return variables;
    }

    public async Task WriteAsync(IReadOnlyList<StoredVariable> variables, CancellationToken cancellationToken)
    {
        var inputs = variables.Select(v => new EnvironmentVariableInput(v.Name,
            v.Value ?? throw new ArgumentException($"{v.Name} has no value to write.", nameof(variables)), v.Targets, v.Type)
        {
            GitBranch = v.GitBranch,
            Comment = v.Comment,
        }).ToList();
        await client.UpsertEnvironmentVariablesAsync(inputs, cancellationToken).ConfigureAwait(false);
    }
}
