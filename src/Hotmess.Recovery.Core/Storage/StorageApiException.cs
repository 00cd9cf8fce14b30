using System.Globalization;
using System.Net;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Storage;

/// <summary>
/// A failure answered by Supabase Storage or its gateway. Storage answers HTTP 400 for most errors and puts
/// the real code in the body's <c>statusCode</c> string, so both are kept: <see cref="HttpStatus"/> as sent
/// and <see cref="StatusCode"/> from the body.
/// </summary>
public sealed class StorageApiException : HotmessException, IRetryableFailure
{
    private StorageApiException(string errorId, FailureKind kind, string message, object? target, int httpStatus, int? statusCode, string? code, bool transient, TimeSpan? retryAfter)
        : base(errorId, kind, message, target)
    {
        HttpStatus = httpStatus;
        StatusCode = statusCode;
        Code = code;
        IsTransient = transient;
        RetryAfter = retryAfter;
    }

    public int HttpStatus { get; }

    /// <summary>The body's <c>statusCode</c> as a number; null when the body had none (the gateway's own errors).</summary>
    public int? StatusCode { get; }

    /// <summary>Storage's error code, such as <c>NoSuchKey</c> or <c>KeyAlreadyExists</c>.</summary>
    public string? Code { get; }

    /// <summary>Worth retrying: rate limiting, a server fault, a database under pressure.</summary>
    public bool IsTransient { get; }

    public TimeSpan? RetryAfter { get; }

    public bool IsRateLimit => HttpStatus == 429 || StatusCode == 429;

    /// <summary>The status that says what happened: the body's when present, else the HTTP one.</summary>
    public int EffectiveStatus => StatusCode ?? HttpStatus;

    /// <summary>Set when this answer came to a retried request whose earlier attempt may have taken effect.</summary>
    public bool AfterUncertainAttempt { get; private init; }

    internal StorageApiException AsAfterUncertainAttempt() =>
        new(ErrorId, Kind, Message, Target, HttpStatus, StatusCode, Code, IsTransient, RetryAfter) { AfterUncertainAttempt = true };

    internal StorageApiException WithAttempts(int attempts) =>
        new(ErrorId, Kind, $"{Message.TrimEnd('.')} (after {attempts} attempts).", Target, HttpStatus, StatusCode, Code, IsTransient, RetryAfter);

    /// <summary>Reads an error response: Storage's <c>{statusCode, code, error, message}</c>, the gateway's <c>{message}</c>, or plain text.</summary>
    internal static StorageApiException FromResponse(HttpStatusCode httpStatus, string body, TimeSpan? retryAfter, string operation, object? target, Uri endpoint)
    {
        int? statusCode = null;
        string? code = null, error = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = document.RootElement;
                statusCode = root.TryGetProperty("statusCode", out var s) ? s.ValueKind switch
                {
                    JsonValueKind.String when int.TryParse(s.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
                    JsonValueKind.Number when s.TryGetInt32(out var n) => n,
                    _ => null,
                } : null;
                code = Text(root, "code");
                error = Text(root, "error");
                message = Text(root, "message");
            }
        }
        catch (JsonException)
        {
            message = body.Length > 200 ? body[..200] : body;
        }

        var http = (int)httpStatus;
        var effective = statusCode ?? http;
        var said = string.IsNullOrWhiteSpace(message) ? error ?? httpStatus.ToString() : message;
        var detail = code is null ? $"status {effective}" : $"{code}, status {effective}";
        var text = $"Supabase Storage could not {operation}: {said} ({detail}).";
        var (errorId, kind) = Classify(http, effective, code, error, said);
        if (errorId == "StorageApiKeyMissing" || errorId == "StorageApiKeyInvalid")
        {
            text = $"The Supabase API gateway at '{endpoint}' refused the request to {operation}: {said}. Check SUPABASE_SERVICE_ROLE_KEY (or -ServiceRoleKey).";
        }
        else if (errorId == "StorageEndpointNotFound")
        {
            text = $"'{endpoint}' has no Storage route to {operation} ({said}); check the Supabase URL.";
        }

        var transient = http is 408 or 429 or >= 500 || effective is 429 or >= 500
                        || code is "SlowDown" or "DatabaseTimeout" or "DatabaseConnectionLimit" or "LockTimeout";
        return new StorageApiException(errorId, kind, text, target, http, statusCode, code, transient, retryAfter);
    }

    private static (string, FailureKind) Classify(int http, int status, string? code, string? error, string message)
    {
        if (http == 401 && code is null)
        {
            return message.Contains("No API key", StringComparison.OrdinalIgnoreCase)
                ? ("StorageApiKeyMissing", FailureKind.AuthenticationFailed)
                : ("StorageApiKeyInvalid", FailureKind.AuthenticationFailed);
        }

        return code switch
        {
            "NoSuchBucket" => ("StorageBucketNotFound", FailureKind.NotFound),
            "NoSuchKey" => ("StorageObjectNotFound", FailureKind.NotFound),
            "KeyAlreadyExists" => ("StorageObjectExists", FailureKind.AlreadyExists),
            "BucketAlreadyExists" => ("StorageBucketExists", FailureKind.AlreadyExists),
            "ResourceNotEmpty" => ("StorageBucketNotEmpty", FailureKind.InvalidOperation),
            "InvalidKey" => ("StorageKeyInvalid", FailureKind.InvalidArgument),
            "InvalidBucketName" => ("StorageBucketNameInvalid", FailureKind.InvalidArgument),
            "EntityTooLarge" => ("StorageObjectTooLarge", FailureKind.InvalidArgument),
            "InvalidMimeType" => ("StorageMimeTypeNotAllowed", FailureKind.InvalidArgument),
            "InvalidRange" => ("StorageRangeInvalid", FailureKind.InvalidArgument),
            "InvalidJWT" or "ExpiredToken" or "InvalidSignature" => ("StorageTokenInvalid", FailureKind.AuthenticationFailed),
            _ when http == 404 => ("StorageEndpointNotFound", FailureKind.NotFound),
            _ when status == 404 => (message.Contains("bucket", StringComparison.OrdinalIgnoreCase) ? "StorageBucketNotFound" : "StorageObjectNotFound", FailureKind.NotFound),
            _ when status == 409 => ("StorageConflict", FailureKind.AlreadyExists),
            _ when (status is 401 or 403) && LooksLikeToken(message, error) => ("StorageTokenInvalid", FailureKind.AuthenticationFailed),
            _ when status is 401 or 403 => ("StorageAccessDenied", FailureKind.PermissionDenied),
            _ when status == 413 => ("StorageObjectTooLarge", FailureKind.InvalidArgument),
            _ when status == 415 => ("StorageMimeTypeNotAllowed", FailureKind.InvalidArgument),
            _ when status == 429 || code == "SlowDown" => ("StorageRateLimited", FailureKind.RateLimited),
            _ when status >= 500 || http >= 500 => ("StorageServiceFailed", FailureKind.RemoteServiceFailed),
            _ => ("StorageRequestInvalid", FailureKind.InvalidArgument),
        };
    }

    private static bool LooksLikeToken(string message, string? error) =>
        new[] { "jwt", "token", "signature", "malformed", "authorization" }.Any(w =>
            message.Contains(w, StringComparison.OrdinalIgnoreCase) || (error?.Contains(w, StringComparison.OrdinalIgnoreCase) ?? false));

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
