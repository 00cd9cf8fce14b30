using Hotmess.Recovery.Common;
using Hotmess.Recovery.DataRetention;

namespace Hotmess.Recovery.Tests.DataRetention;

public sealed class DataRetentionPolicyTests
{
    [Fact]
    public void DefaultPolicyHasThePlansRulesWithChildrenBeforeParents()
    {
        var policy = DataRetentionPolicy.Default;

        var order = policy.Ordered().Select(r => r.Name).ToList();
        Assert.Equal(10, order.Count);
        var profiles = policy.Rules.Single(r => r.Name == "deleted-account-profiles");
        Assert.Equal("auth.users", profiles.Table);
        Assert.All(profiles.After!, before => Assert.True(order.IndexOf(before) < order.IndexOf(profiles.Name), before));
        Assert.Contains("interval '7 years'", policy.Rules.Single(r => r.Name == "transactions-7-years").Due, StringComparison.Ordinal);
        Assert.Contains("interval '30 days'", profiles.Due, StringComparison.Ordinal);
        Assert.Equal(DataRetentionAction.Aggregate, policy.Rules.Single(r => r.Name == "analytics-2-years").Action);
        Assert.Contains("deleted_user", policy.Rules.Single(r => r.Name == "deleted-account-events").Set!["owner_id"], StringComparison.Ordinal);
    }

    [Fact]
    public void AfterListOrdersRulesWhateverTheirPlaceInTheFile()
    {
        var policy = DataRetentionPolicy.Parse("""
            { "rules": [
              { "name": "parents", "table": "a", "action": "delete", "due": "true", "after": ["children"] },
              { "name": "children", "table": "b", "action": "delete", "due": "true" } ] }
            """, "test");

        Assert.Equal(["children", "parents"], policy.Ordered().Select(r => r.Name));
    }

    [Theory]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "purge", "due": "true" } ] }""", "RetentionPolicyInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "delete", "due": "true", "hodl": "true" } ] }""", "RetentionPolicyInvalid")]
    [InlineData("""{ "rules": [] }""", "RetentionPolicyInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "delete" } ] }""", "RetentionRuleInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "anonymize", "due": "true" } ] }""", "RetentionRuleInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "aggregate", "due": "true", "set": { "n": "count(*)" } } ] }""", "RetentionRuleInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "delete", "due": "true", "after": ["y"] } ] }""", "RetentionRuleInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "delete", "due": "true", "after": ["y"] }, { "name": "y", "table": "t", "action": "delete", "due": "true", "after": ["x"] } ] }""", "RetentionRuleInvalid")]
    [InlineData("""{ "rules": [ { "name": "x", "table": "t", "action": "delete", "due": "true" }, { "name": "x", "table": "u", "action": "delete", "due": "true" } ] }""", "RetentionRuleInvalid")]
    public void MalformedPolicyIsRefusedWithItsReason(string json, string errorId)
    {
        var failure = Assert.Throws<HotmessException>(() => DataRetentionPolicy.Parse(json, "policy.json"));

        Assert.Equal(errorId, failure.ErrorId);
        Assert.Contains("policy.json", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true; DROP TABLE public.\\\"User\\\"")]
    [InlineData("true) OR (true")]
    [InlineData("id = 1 -- and the rest")]
    [InlineData("id = 1 /* hidden */")]
    [InlineData("(id = 1")]
    public void DueThatIsNotOneSqlExpressionIsRefusedBeforeItReachesTheDatabase(string due)
    {
        var json = "{ \"rules\": [ { \"name\": \"x\", \"table\": \"t\", \"action\": \"delete\", \"due\": \"" + due + "\" } ] }";

        var failure = Assert.Throws<HotmessException>(() => DataRetentionPolicy.Parse(json, "policy.json"));

        Assert.Equal("RetentionRuleInvalid", failure.ErrorId);
        Assert.Contains("not a single SQL expression", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyFileThatIsMissingIsNamed()
    {
        var failure = Assert.Throws<HotmessException>(() => DataRetentionPolicy.Load("/nonexistent/policy.json"));

        Assert.Equal("RetentionPolicyNotFound", failure.ErrorId);
        Assert.Contains("/nonexistent/policy.json", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultPolicyWrittenOutReadsBackTheSame()
    {
        var json = DataRetentionPolicy.Default.ToJson();

        var again = DataRetentionPolicy.Parse(json, "copy");

        Assert.Equal(json, again.ToJson());
        Assert.Contains("\"action\": \"anonymize\"", json, StringComparison.Ordinal);
    }
}
