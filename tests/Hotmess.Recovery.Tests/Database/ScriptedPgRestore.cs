namespace Hotmess.Recovery.Tests.Database;

/// <summary>A bin folder with the real pg_dump and a pg_restore script, which can run the real one as <c>$REAL/pg_restore</c>.</summary>
internal static class ScriptedPgRestore
{
    public static string Create(SampleDatabaseFixture fixture, string script)
    {
        var real = Path.GetDirectoryName(fixture.Server.ToolPath("pg_restore"))!;
        var bin = Directory.CreateDirectory(fixture.NewFolder("fake-bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "pg_dump"), Path.Combine(real, "pg_dump"));
        var path = Path.Combine(bin, "pg_restore");
        File.WriteAllText(path, $"#!/bin/sh\nREAL='{real}'\n{script}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }

    /// <summary>pg_restore does all its work, then reports a failure.</summary>
    public const string RestoresThenFails = "\"$REAL/pg_restore\" \"$@\"; exit 1";
}
