using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// Where a repository is, as a user writes it: a local path, <c>az://container[/prefix]</c> or
/// <c>s3://bucket[/prefix]</c>. Credentials never belong here (they come from the environment), so a location is safe
/// to print; one that carries something secret-looking (user info, a query such as a SAS token) is refused without
/// repeating it.
/// </summary>
public sealed partial record RepositoryLocation
{
    private RepositoryLocation(RepositoryLocationKind kind, string path, string container, string prefix)
    {
        Kind = kind;
        Path = path;
        Container = container;
        Prefix = prefix;
    }

    public RepositoryLocationKind Kind { get; }

    /// <summary>The full path of a local repository; "" for a remote one.</summary>
    public string Path { get; }

    /// <summary>The Azure container or the S3 bucket; "" for a local repository.</summary>
    public string Container { get; }

    /// <summary>The '/'-separated prefix below the container or bucket (no leading or trailing '/'), or "".</summary>
    public string Prefix { get; }

    public bool IsRemote => Kind != RepositoryLocationKind.Local;

    public static RepositoryLocation Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid("(empty)", "a repository location is a local path, az://<container>[/<prefix>] or s3://<bucket>[/<prefix>]");
        }

        var scheme = SchemePattern().Match(text);
        if (!scheme.Success)
        {
            return new RepositoryLocation(RepositoryLocationKind.Local, System.IO.Path.GetFullPath(ExpandHome(text)), "", "");
        }

        var kind = scheme.Groups[1].Value.ToLowerInvariant() switch
        {
            "az" => RepositoryLocationKind.AzureBlob,
            "s3" => RepositoryLocationKind.S3,
            _ => throw Invalid($"{scheme.Groups[1].Value}://…", "the remote forms are az://<container>[/<prefix>] and s3://<bucket>[/<prefix>]"),
        };
        var scheme_ = kind == RepositoryLocationKind.AzureBlob ? "az" : "s3";
        var rest = text[scheme.Length..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        if (authority.Contains('@') || rest.IndexOfAny(['?', '#']) >= 0)
        {
            // Never echo it: what follows '@' or '?' is likely a key or a SAS token.
            throw Invalid($"{scheme_}://…", kind == RepositoryLocationKind.AzureBlob
                ? "credentials do not belong in the location; set AZURE_STORAGE_CONNECTION_STRING (a SAS connection string works) or AZURE_STORAGE_ACCOUNT"
                : "credentials do not belong in the location; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }

        var prefix = end < 0 ? "" : rest[(end + 1)..].TrimEnd('/');
        var display = $"{scheme_}://{authority}" + (prefix.Length > 0 ? "/" + prefix : "");
        if (kind == RepositoryLocationKind.AzureBlob && !ContainerPattern().IsMatch(authority))
        {
            throw Invalid(display, $"'{authority}' is not an Azure container name (3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)");
        }

        if (kind == RepositoryLocationKind.S3 && (!BucketPattern().IsMatch(authority) || authority.Contains("..")))
        {
            throw Invalid(display, $"'{authority}' is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)");
        }

        if (prefix.Length > 0)
        {
            try
            {
                ObjectNames.Validate(prefix);
            }
            catch (HotmessException ex)
            {
                throw Invalid(display, $"the prefix '{prefix}' has an empty, '.' or '..' segment, a backslash or a reserved name", ex);
            }
        }

        return new RepositoryLocation(kind, "", authority, prefix);
    }

    /// <summary>True when <paramref name="text"/> names a remote repository (az:// or s3://).</summary>
    public static bool IsRemoteText(string? text) =>
        text is not null && (text.StartsWith("az://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("s3://", StringComparison.OrdinalIgnoreCase));

    /// <summary>The display form: the full local path, or the az:// / s3:// address (never a secret).</summary>
    public override string ToString() => Kind switch
    {
        RepositoryLocationKind.Local => Path,
        RepositoryLocationKind.AzureBlob => "az://" + Container + (Prefix.Length > 0 ? "/" + Prefix : ""),
        _ => "s3://" + Container + (Prefix.Length > 0 ? "/" + Prefix : ""),
    };

    private static string ExpandHome(string text) =>
        text == "~" || text.StartsWith("~/", StringComparison.Ordinal)
            ? System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), text.Length > 2 ? text[2..] : "")
            : text;

    private static HotmessException Invalid(string shown, string reason, Exception? inner = null) =>
        new("RepositoryLocationInvalid", FailureKind.InvalidArgument, $"The repository location '{shown}' is not valid: {reason}.", shown, inner);

    // A scheme is letters then "://"; a Windows drive ("C:\") has no "//" after the colon.
    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")]
    private static partial Regex ContainerPattern();

    [GeneratedRegex(@"^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]$")]
    private static partial Regex BucketPattern();
}
