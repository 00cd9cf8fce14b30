using System.Text.Json;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// A data retention policy: <c>{ "rules": [ { "name", "table", "action", "due", "set", "hold", "after" } ] }</c>.
/// <see cref="Default"/> is the plan's policy for the HOTMESS schema, shipped inside the module.
/// </summary>
public sealed class DataRetentionPolicy
{
    public const string DefaultSource = "(the default HOTMESS policy)";

    private static readonly JsonSerializerOptions FileOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public List<DataRetentionRule> Rules { get; init; } = [];

    /// <summary>The file it was read from, or <see cref="DefaultSource"/>.</summary>
    [JsonIgnore]
    public string Source { get; private set; } = string.Empty;

    /// <summary>The plan's policy for the HOTMESS schema.</summary>
    public static DataRetentionPolicy Default => Parse(DefaultJson, DefaultSource);

    /// <summary>The text of the default policy, a starting point for an owner's own.</summary>
    public static string DefaultJson
    {
        get
        {
            using var stream = typeof(DataRetentionPolicy).Assembly.GetManifestResourceStream("Hotmess.Recovery.DataRetention.hotmess-default-policy.json")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    public static DataRetentionPolicy Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HotmessException(ex is FileNotFoundException or DirectoryNotFoundException ? "RetentionPolicyNotFound" : "RetentionPolicyUnreadable",
                ex is FileNotFoundException or DirectoryNotFoundException ? FailureKind.NotFound : FailureKind.InvalidData,
                $"The data retention policy '{path}' cannot be read: {ex.Message}", path, ex);
        }

        return Parse(text, path);
    }

    public static DataRetentionPolicy Parse(string json, string source)
    {
        DataRetentionPolicy policy;
        try
        {
            policy = JsonSerializer.Deserialize<DataRetentionPolicy>(json, FileOptions) ?? throw new JsonException("The document is empty.");
        }
        catch (JsonException ex)
        {
            throw new HotmessException("RetentionPolicyInvalid", FailureKind.InvalidData,
                $"The data retention policy {source} is not valid: {ex.Message}", source, ex);
        }

        policy.Source = source;
        policy.Check();
        return policy;
    }

    public string ToJson() => JsonSerializer.Serialize(this, FileOptions);

    /// <summary>
    /// The rules in the order they run: every rule after the rules its <c>after</c> names, otherwise in file order.
    /// </summary>
    public IReadOnlyList<DataRetentionRule> Ordered()
    {
        var byName = Rules.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<DataRetentionRule>();

        void Visit(DataRetentionRule rule)
        {
            if (done.Contains(rule.Name))
            {
                return;
            }

            if (!visiting.Add(rule.Name))
            {
                throw Invalid(rule, $"its 'after' list leads back to itself ({string.Join(" -> ", visiting)} -> {rule.Name}).");
            }

            foreach (var before in rule.After ?? [])
            {
                Visit(byName[before]);
            }

            visiting.Remove(rule.Name);
            done.Add(rule.Name);
            order.Add(rule);
        }

        foreach (var rule in Rules)
        {
            Visit(rule);
        }

        return order;
    }

    /// <summary>What can be checked without the database: required fields, names, the action's own fields, single SQL expressions.</summary>
    private void Check()
    {
        if (Rules.Count == 0)
        {
            throw new HotmessException("RetentionPolicyInvalid", FailureKind.InvalidData, $"The data retention policy {Source} has no rules.", Source);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in Rules)
        {
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                throw new HotmessException("RetentionPolicyInvalid", FailureKind.InvalidData,
                    $"A rule of the data retention policy {Source} has no name.", Source);
            }

            if (!names.Add(rule.Name))
            {
                throw Invalid(rule, "another rule has the same name.");
            }

            Require(rule, rule.Table, "table");
            Require(rule, rule.Due, "due");
            switch (rule.Action)
            {
                case DataRetentionAction.Anonymize when rule.Set is not { Count: > 0 }:
                    throw Invalid(rule, "an anonymize rule needs 'set': the columns to overwrite and their SQL values.");
                case DataRetentionAction.Aggregate when string.IsNullOrWhiteSpace(rule.Into) || rule.Set is not { Count: > 0 }:
                    throw Invalid(rule, "an aggregate rule needs 'into' (the table the aggregates go to) and 'set' (its columns and their aggregate expressions).");
                case DataRetentionAction.Delete when rule.Set is { Count: > 0 } || rule.GroupBy is { Count: > 0 } || rule.Into is not null:
                    throw Invalid(rule, "a delete rule takes no 'set', 'groupBy' or 'into'.");
            }

            foreach (var (field, expression) in Expressions(rule))
            {
                if (SqlExpressionText.Problem(expression) is { } problem)
                {
                    throw Invalid(rule, $"its {field} is not a single SQL expression: {problem}");
                }
            }
        }

        foreach (var rule in Rules)
        {
            foreach (var before in rule.After ?? [])
            {
                if (!names.Contains(before))
                {
                    throw Invalid(rule, $"its 'after' names the rule '{before}', which the policy does not have.");
                }
            }
        }

        Ordered();
    }

    private static IEnumerable<(string Field, string Expression)> Expressions(DataRetentionRule rule)
    {
        yield return ("due", rule.Due);
        if (rule.Hold is not null)
        {
            yield return ("hold", rule.Hold);
        }

        if (rule.Time is not null)
        {
            yield return ("time", rule.Time);
        }

        foreach (var (column, value) in (rule.Set ?? []).Concat(rule.GroupBy ?? []))
        {
            yield return ($"value for '{column}'", value);
        }
    }

    private void Require(DataRetentionRule rule, string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(rule, $"it has no '{field}'.");
        }
    }

    private HotmessException Invalid(DataRetentionRule rule, string why) =>
        new("RetentionRuleInvalid", FailureKind.InvalidData, $"The rule '{rule.Name}' of the data retention policy {Source} is not valid: {why}", rule.Name);
}
