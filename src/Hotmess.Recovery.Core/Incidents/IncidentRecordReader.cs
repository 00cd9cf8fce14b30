using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Incidents;

/// <summary>Reads back the JSON <see cref="IncidentRecordRenderer"/> writes, so an incident can be continued later or by another session.</summary>
public static class IncidentRecordReader
{
    public static IncidentRecord Read(string json, string source, TimeProvider? clock = null)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var record = new IncidentRecord(
                Required(root, "id"), Required(root, "procedure"), Text(root, "reason"), Text(root, "performedBy"), Time(root, "startedUtc")!.Value, clock);
            record.RestoreClosed(Time(root, "completedUtc"), Text(root, "outcome"), Text(root, "errorId"), Text(root, "error"));
            record.Severity = Text(root, "severity");
            record.Scenario = Text(root, "scenario");
            record.ImpactStartedUtc = Time(root, "impactStartedUtc");
            record.RecoveredToUtc = Time(root, "recoveredToUtc");
            record.StatusPageIncidentId = Text(root, "statusPageIncidentId");
            foreach (var fact in Object(root, "facts"))
            {
                record.SetFact(fact.Name, fact.Value.ValueKind == JsonValueKind.String ? fact.Value.GetString() : null);
            }

            foreach (var step in Array(root, "steps"))
            {
                var seconds = step.TryGetProperty("durationSeconds", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : (double?)null;
                record.RestoreStep(new IncidentStep(
                    Required(step, "name"), Enum.Parse<IncidentStepStatus>(Required(step, "status"), ignoreCase: true), Time(step, "startedUtc")!.Value,
                    seconds is { } s ? TimeSpan.FromSeconds(s) : null, Text(step, "detail"), Text(step, "errorId"), clock));
            }

            foreach (var note in Array(root, "notes"))
            {
                record.RestoreNote(new IncidentNote(Time(note, "timeUtc")!.Value, Required(note, "text")));
            }

            foreach (var next in Array(root, "nextSteps"))
            {
                record.AddNextStep(next.GetString()!);
            }

            foreach (var improvement in Array(root, "improvements"))
            {
                record.AddImprovement(improvement.GetString()!);
            }

            return record;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new HotmessException("IncidentRecordInvalid", FailureKind.InvalidData, $"The incident record '{source}' cannot be read: {ex.Message}", source, ex);
        }
    }

    private static string Required(JsonElement element, string name) =>
        Text(element, name) ?? throw new KeyNotFoundException($"'{name}' is missing.");

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static IEnumerable<JsonProperty> Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.EnumerateObject() : [];

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];
}
