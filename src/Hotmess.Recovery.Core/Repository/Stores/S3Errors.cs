using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>Turns the AWS SDK's failures into the repository's errors; none of them carries a credential.</summary>
internal static class S3Errors
{
    public static bool IsTranslatable(Exception ex) => ex is AmazonServiceException or AmazonClientException or HttpRequestException or SocketException;

    public static HotmessException Translate(Exception ex, string location, string what)
    {
        if (IsTransport(ex) || IsTransport(ex.InnerException))
        {
            return StoreErrors.Unreachable(location, what, IsTransport(ex) ? ex : ex.InnerException!);
        }

        // AmazonClientException without a transport cause: typically no credentials were found anywhere.
        if (ex is AmazonServiceException { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } or AmazonClientException)
        {
            return StoreErrors.AccessDenied(location, what, ex);
        }

        if (ex is AmazonServiceException { ErrorCode: "BadDigest" or "InvalidDigest" })
        {
            return StoreErrors.CorruptedInTransit(location, what, ex);
        }

        return StoreErrors.Failed(location, what, ex);
    }

    private static bool IsTransport(Exception? ex) => ex is HttpRequestException or SocketException;
}
