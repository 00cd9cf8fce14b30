namespace Hotmess.Recovery.Repository.Stores;

public enum RepositoryLocationKind
{
    /// <summary>A folder on this machine.</summary>
    Local,

    /// <summary><c>az://container[/prefix]</c>: Azure Blob Storage.</summary>
    AzureBlob,

    /// <summary><c>s3://bucket[/prefix]</c>: AWS S3 or any S3-compatible store.</summary>
    S3,
}
