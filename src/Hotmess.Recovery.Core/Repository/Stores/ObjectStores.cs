using System.Collections;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Blobs;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// Opens the store a <see cref="RepositoryLocation"/> names, with credentials from the environment (the process's, or
/// the one given): Azure from AZURE_STORAGE_CONNECTION_STRING, else AZURE_STORAGE_ACCOUNT with DefaultAzureCredential
/// (a managed identity, workload identity, the Azure CLI login...); S3 from the AWS SDK's own variables
/// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL),
/// else the SDK's default chain (profiles, instance roles).
/// </summary>
public static class ObjectStores
{
    public const string AzureConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";
    public const string AzureAccountVariable = "AZURE_STORAGE_ACCOUNT";

    public static IObjectStore Open(string location, IDictionary? environment = null) => Open(RepositoryLocation.Parse(location), environment);

    public static IObjectStore Open(RepositoryLocation location, IDictionary? environment = null) => Open(location, environment, transport: null);

    /// <summary>Opens the store with its HTTP requests sent through <paramref name="transport"/> (tests change bytes on the way).</summary>
    internal static IObjectStore Open(RepositoryLocation location, IDictionary? environment, HttpMessageHandler? transport)
    {
        environment ??= System.Environment.GetEnvironmentVariables();
        return location.Kind switch
        {
            RepositoryLocationKind.Local => new LocalDirectoryStore(location.Path),
            RepositoryLocationKind.AzureBlob => OpenAzure(location, environment, transport),
            _ => OpenS3(location, environment, transport),
        };
    }

    private static AzureBlobStore OpenAzure(RepositoryLocation location, IDictionary environment, HttpMessageHandler? transport)
    {
        var options = new BlobClientOptions();
        if (transport is not null)
        {
            options.Transport = new HttpClientTransport(transport);
        }

        // A few quick retries: an unreachable account fails within seconds, not minutes.
        options.Retry.MaxRetries = 3;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = TimeSpan.FromMinutes(2);
        BlobServiceClient service;
        if (Value(environment, AzureConnectionStringVariable) is { } connectionString)
        {
            try
            {
                service = new BlobServiceClient(connectionString, options);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The SDK's message may quote the string; only the variable's name is given.
                throw new HotmessException("RepositoryCredentialsInvalid", FailureKind.InvalidArgument,
                    $"{AzureConnectionStringVariable} is not a valid Azure Storage connection string (for {location}).", location.ToString());
            }
        }
        else if (Value(environment, AzureAccountVariable) is { } account)
        {
            if (!Uri.TryCreate($"https://{account}.blob.core.windows.net", UriKind.Absolute, out var endpoint))
            {
                throw new HotmessException("RepositoryCredentialsInvalid", FailureKind.InvalidArgument,
                    $"{AzureAccountVariable} '{account}' is not a storage account name (for {location}).", location.ToString());
            }

            service = new BlobServiceClient(endpoint, new DefaultAzureCredential(), options);
        }
        else
        {
            throw new HotmessException("RepositoryCredentialsMissing", FailureKind.InvalidArgument,
                $"The repository {location} is in Azure Blob Storage, but neither {AzureConnectionStringVariable} nor {AzureAccountVariable} is set.", location.ToString());
        }

        return new AzureBlobStore(service.GetBlobContainerClient(location.Container), location.Prefix, location.ToString());
    }

    private static S3ObjectStore OpenS3(RepositoryLocation location, IDictionary environment, HttpMessageHandler? transport)
    {
        var region = Value(environment, "AWS_REGION") ?? Value(environment, "AWS_DEFAULT_REGION") ?? "us-east-1";
        var endpoint = Value(environment, "AWS_ENDPOINT_URL_S3") ?? Value(environment, "AWS_ENDPOINT_URL");
        var config = new AmazonS3Config
        {
            // The environment given here decides, not the process's (they differ in tests and in Automation jobs).
            IgnoreConfiguredEndpointUrls = true,
            MaxErrorRetry = 3,
        };
        if (transport is not null)
        {
            config.HttpClientFactory = new TransportHttpClientFactory(transport);
        }

        if (endpoint is not null)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new HotmessException("RepositoryCredentialsInvalid", FailureKind.InvalidArgument,
                    $"AWS_ENDPOINT_URL_S3/AWS_ENDPOINT_URL is not an http(s) URL (for {location}).", location.ToString());
            }

            // S3-compatible stores (R2, B2, MinIO, Supabase, s3rver) address buckets by path and many reject the
            // SDK's newer default checksums; the repository checks every byte by its own hash anyway.
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
            config.ForcePathStyle = true;
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var keyId = Value(environment, "AWS_ACCESS_KEY_ID");
        var secret = Value(environment, "AWS_SECRET_ACCESS_KEY");
        var token = Value(environment, "AWS_SESSION_TOKEN");
        var client = keyId is not null && secret is not null
            ? new AmazonS3Client(token is null ? new BasicAWSCredentials(keyId, secret) : new SessionAWSCredentials(keyId, secret, token), config)
            : new AmazonS3Client(config);
        return new S3ObjectStore(client, location.Container, location.Prefix, location.ToString());
    }

    private sealed class TransportHttpClientFactory(HttpMessageHandler transport) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(transport, disposeHandler: false);
    }

    private static string? Value(IDictionary environment, string name) =>
        environment[name] is string { Length: > 0 } value ? value : null;
}
