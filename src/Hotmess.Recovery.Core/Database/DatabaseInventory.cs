using System.Globalization;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// What a database holds outside the system catalogs and the extensions a new database starts with: relations,
/// routines, types, large objects, extensions, schemas and the rarer objects a dump can carry. A database is
/// empty only when every count is zero; a function or a large object alone is data someone may need.
/// </summary>
public sealed class DatabaseInventory
{
    private const string Query = """
        WITH user_namespaces AS (
          SELECT oid FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'),
        extension_members AS (
          SELECT objid FROM pg_depend WHERE deptype = 'e')
        SELECT
          (SELECT count(*) FROM pg_class c
            WHERE c.relnamespace IN (SELECT oid FROM user_namespaces) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND c.oid NOT IN (SELECT objid FROM extension_members)),
          (SELECT count(*) FROM pg_proc p
            WHERE p.pronamespace IN (SELECT oid FROM user_namespaces) AND p.oid NOT IN (SELECT objid FROM extension_members)),
          (SELECT count(*) FROM pg_type t
            WHERE t.typnamespace IN (SELECT oid FROM user_namespaces) AND t.oid NOT IN (SELECT objid FROM extension_members)
              -- a table's row type and the array type made beside every type come and go with their owner
              AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
              AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
              AND NOT EXISTS (SELECT 1 FROM pg_range r WHERE r.rngmultitypid = t.oid)),
          (SELECT count(*) FROM pg_largeobject_metadata),
          (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'),
          (SELECT count(*) FROM pg_namespace n
            WHERE n.oid IN (SELECT oid FROM user_namespaces) AND n.nspname <> 'public' AND n.oid NOT IN (SELECT objid FROM extension_members)),
          (SELECT count(*) FROM pg_operator o
            WHERE o.oprnamespace IN (SELECT oid FROM user_namespaces) AND o.oid NOT IN (SELECT objid FROM extension_members))
          + (SELECT count(*) FROM pg_collation l
            WHERE l.collnamespace IN (SELECT oid FROM user_namespaces) AND l.oid NOT IN (SELECT objid FROM extension_members))
          + (SELECT count(*) FROM pg_ts_config g
            WHERE g.cfgnamespace IN (SELECT oid FROM user_namespaces) AND g.oid NOT IN (SELECT objid FROM extension_members))
          + (SELECT count(*) FROM pg_event_trigger)
          + (SELECT count(*) FROM pg_publication)
          + (SELECT count(*) FROM pg_foreign_server WHERE oid NOT IN (SELECT objid FROM extension_members))
        """;

    private DatabaseInventory(long relations, long routines, long types, long largeObjects, long extensions, long schemas, long others)
    {
        Relations = relations;
        Routines = routines;
        Types = types;
        LargeObjects = largeObjects;
        Extensions = extensions;
        Schemas = schemas;
        Others = others;
    }

    /// <summary>Tables, partitioned tables, views, materialized views, sequences and foreign tables.</summary>
    public long Relations { get; }

    /// <summary>Functions, procedures and aggregates.</summary>
    public long Routines { get; }

    /// <summary>Enums, domains, ranges, composite and base types made by hand.</summary>
    public long Types { get; }

    public long LargeObjects { get; }

    /// <summary>Extensions other than plpgsql, which every new database has.</summary>
    public long Extensions { get; }

    /// <summary>Schemas other than public.</summary>
    public long Schemas { get; }

    /// <summary>Operators, collations, text search configurations, event triggers, publications, foreign servers.</summary>
    public long Others { get; }

    public bool IsEmpty => Relations + Routines + Types + LargeObjects + Extensions + Schemas + Others == 0;

    public static async Task<DatabaseInventory> TakeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Query, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new DatabaseInventory(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
    }

    /// <summary>What the database holds, in words: "3 tables, views or sequences, 1 large object".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        Add(Relations, "table, view or sequence", "tables, views or sequences");
        Add(Routines, "function or procedure", "functions or procedures");
        Add(Types, "type", "types");
        Add(LargeObjects, "large object", "large objects");
        Add(Extensions, "extension", "extensions");
        Add(Schemas, "schema besides public", "schemas besides public");
        Add(Others, "other object (operator, collation, text search configuration, event trigger, publication or foreign server)",
            "other objects (operators, collations, text search configurations, event triggers, publications or foreign servers)");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);

        void Add(long count, string one, string many)
        {
            if (count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}"));
            }
        }
    }
}
