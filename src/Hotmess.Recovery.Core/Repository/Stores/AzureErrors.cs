using System.Net.Http;
using Azure;
using Azure.Identity;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>Turns the Azure SDK's failures into the repository's errors; none of them carries a credential.</summary>
internal static class AzureErrors
{
    public static bool IsTranslatable(Exception ex) =>
        ex is RequestFailedException or HttpRequestException or AggregateException or AuthenticationFailedException;

    public static HotmessException Translate(Exception ex, string location, string what)
    {
        if (IsTransport(ex))
        {
            return StoreErrors.Unreachable(location, what, Innermost(ex));
        }

        // AuthenticationFailedException: DefaultAzureCredential found no identity (or was refused one).
        if (ex is RequestFailedException { Status: 401 or 403 } or AuthenticationFailedException)
        {
            return StoreErrors.AccessDenied(location, what, ex);
        }

        if (ex is RequestFailedException { ErrorCode: "Md5Mismatch" or "Crc64Mismatch" })
        {
            return StoreErrors.CorruptedInTransit(location, what, ex);
        }

        return StoreErrors.Failed(location, what, ex);
    }

    private static bool IsTransport(Exception ex) => ex switch
    {
        RequestFailedException { Status: 0 } => true,
        HttpRequestException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransport),
        _ => false,
    };

    private static Exception Innermost(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            ex = aggregate.InnerExceptions[^1];
        }

        return ex.InnerException is HttpRequestException http ? http : ex;
    }
}
