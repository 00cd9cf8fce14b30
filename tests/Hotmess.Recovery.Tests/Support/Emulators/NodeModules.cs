namespace Hotmess.Recovery.Tests.Support.Emulators;

/// <summary>The repository's node_modules folder (package.json at the repository root), found upwards from the tests.</summary>
public static class NodeModules
{
    private static readonly Lazy<string> Found = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "package.json")) && File.Exists(Path.Combine(folder.FullName, "HotmessRecovery.slnx")))
            {
                return Path.Combine(folder.FullName, "node_modules");
            }
        }

        throw new InvalidOperationException($"No package.json found above '{AppContext.BaseDirectory}'.");
    });

    public static string Folder => Found.Value;
}
