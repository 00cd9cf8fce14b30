namespace Hotmess.Recovery.Fakes.Storage;

/// <summary>
/// Storage's two-layer errors (api-contracts §1.1): HTTP 400 for almost every 4xx with the real code in the
/// body's <c>statusCode</c> string, the real status only for unknown routes (404), the role check (403),
/// bad ranges (416), database pressure (429) and internal errors (500); and the gateway's own 401s.
/// </summary>
public static class StorageErrors
{
    public static IResult Body(int httpStatus, string statusCode, string code, string error, string message) =>
        Results.Json(new Dictionary<string, string> { ["statusCode"] = statusCode, ["code"] = code, ["error"] = error, ["message"] = message },
            statusCode: httpStatus);

    public static IResult ObjectNotFound() => Body(400, "404", "NoSuchKey", "not_found", "Object not found");

    /// <summary>The renderer's wording, on downloads.</summary>
    public static IResult DownloadNotFound(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Body(400, "404", "NoSuchKey", "Not found", "The resource was not found");
    }

    public static IResult BucketNotFound() => Body(400, "404", "NoSuchBucket", "Bucket not found", "Bucket not found");

    public static IResult KeyAlreadyExists() => Body(400, "409", "KeyAlreadyExists", "Duplicate", "The resource already exists");

    public static IResult BucketAlreadyExists() => Body(400, "409", "BucketAlreadyExists", "Duplicate", "The resource already exists");

    public static IResult BucketNotEmpty() => Body(400, "409", "ResourceNotEmpty", "ResourceNotEmpty", "The bucket you tried to delete is not empty");

    public static IResult InvalidJwt(string message) => Body(400, "403", "AccessDenied", "Unauthorized", message);

    public static IResult RoleDenied() => Body(403, "403", "AccessDenied", "Unauthorized", "Access denied: Invalid role");

    public static IResult TooLarge(string limit) => Body(400, "413", "EntityTooLarge", "Payload too large", $"The object exceeded {limit}");

    public static IResult InvalidMimeType(string mimeType) => Body(400, "415", "InvalidMimeType", "invalid_mime_type", $"mime type {mimeType} is not supported");

    public static IResult InvalidRange() => Body(416, "416", "InvalidRange", "invalid_range", "invalid range provided");

    public static IResult InvalidRequest(string message) => Body(400, "400", "InvalidRequest", "Bad Request", message);

    public static IResult InvalidKey(string key) => Body(400, "400", "InvalidKey", "InvalidKey", $"Invalid key: {key}");

    public static IResult InvalidBucketName() => Body(400, "400", "InvalidBucketName", "Invalid Input", "Bucket name invalid");

    public static IResult UnknownRoute(string method, string path) => Body(404, "404", "InvalidRequest", "Not Found", $"Route {method}:{path} not found");

    public static IResult MissingAuthorization() => Body(400, "400", "InvalidRequest", "Error", "headers must have required property 'authorization'");

    public static IResult NoApiKey() => Results.Json(new { message = "No API key found in request" }, statusCode: 401);

    public static IResult InvalidApiKey() =>
        Results.Json(new { message = "Invalid API key", hint = "Double check your Supabase `anon` or `service_role` API key." }, statusCode: 401);

    /// <summary>What the fault injector answers under <c>/storage/v1</c>.</summary>
    public static object Fault(int status) => status == 429
        ? new Dictionary<string, string> { ["statusCode"] = "429", ["code"] = "SlowDown", ["error"] = "too_many_connections", ["message"] = "Too many connections issued to the database" }
        : new Dictionary<string, string> { ["statusCode"] = "500", ["code"] = "InternalError", ["error"] = "Internal Server Error", ["message"] = "Internal server error" };
}
