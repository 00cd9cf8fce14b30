using System.Numerics;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Database.Migrations;

/// <summary>The migration files of a folder (not its subfolders), in version order.</summary>
public static class MigrationFolder
{
    public static IReadOnlyList<MigrationFile> List(string folder, IOperationLog log)
    {
        if (!Directory.Exists(folder))
        {
            throw new HotmessException("MigrationFolderNotFound", FailureKind.NotFound,
                $"The migrations folder '{folder}' does not exist; give the folder of <version>_<name>.sql files, such as <repository>/supabase/migrations.", folder);
        }

        var files = new List<MigrationFile>();
        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            if (MigrationFile.FromPath(path) is { } file)
            {
                files.Add(file);
            }
            else if (path.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                log.Warning($"Skipping '{Path.GetFileName(path)}': a migration file's name must be <version>_<name>.sql, the version all digits.");
            }
            else
            {
                log.Verbose($"Skipping '{Path.GetFileName(path)}': not a .sql file.");
            }
        }

        if (files.GroupBy(f => f.Version, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new HotmessException("MigrationVersionDuplicate", FailureKind.InvalidData,
                $"Two migration files have the version {duplicate.Key} ({string.Join(", ", duplicate.Select(f => f.FileName))}); each version is recorded once. Rename one. Nothing was applied.",
                duplicate.First().Path);
        }

        // Numeric order, so 9_… comes before 10_…; versions of one length (timestamps) sort as the CLI sorts them.
        return files.OrderBy(f => BigInteger.Parse(f.Version, System.Globalization.CultureInfo.InvariantCulture))
            .ThenBy(f => f.Version, StringComparer.Ordinal)
            .ToList();
    }

    public static int Compare(string left, string right)
    {
        var byValue = BigInteger.Parse(left, System.Globalization.CultureInfo.InvariantCulture)
            .CompareTo(BigInteger.Parse(right, System.Globalization.CultureInfo.InvariantCulture));
        return byValue != 0 ? byValue : string.CompareOrdinal(left, right);
    }
}
