using System.Text.Json;

namespace Hotmess.Recovery.Fakes;

/// <summary>Reading the JSON bodies of control requests, and running a handler under a service's lock.</summary>
internal static class FakeJson
{
    public static IResult Locked(object gate, Func<IResult> handler)
    {
        lock (gate)
        {
            return handler();
        }
    }

    /// <summary>Parses a JSON object body; a missing or malformed one is a 400 naming the problem.</summary>
    public static async Task<IResult> WithBody(HttpRequest request, Func<JsonElement, IResult> handler)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? handler(document.RootElement)
                : Results.BadRequest("Expected a JSON object.");
        }
        catch (JsonException ex)
        {
            return Results.BadRequest($"Malformed JSON: {ex.Message}");
        }
    }

    /// <summary>Like <see cref="WithBody"/>, but an empty body counts as <c>{}</c>.</summary>
    public static async Task<IResult> WithOptionalBody(HttpRequest request, Func<JsonElement, IResult> handler)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? handler(document.RootElement)
                : Results.BadRequest("Expected a JSON object.");
        }
        catch (JsonException ex)
        {
            return Results.BadRequest($"Malformed JSON: {ex.Message}");
        }
    }

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i : null;

    public static bool? Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    /// <summary>True when the property is present, even as null (to tell "set to null" from "leave alone").</summary>
    public static bool Has(JsonElement element, string name) => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out _);
}
