namespace Hotmess.Recovery.Sandbox;

/// <summary>A PostgreSQL program (psql, initdb, pg_ctl) failed; carries its exit code and error output.</summary>
public sealed class PostgresCommandException : Exception
{
    public PostgresCommandException(string program, int exitCode, string standardError, string message)
        : base(message)
    {
        Program = program;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>File name of the program that failed, such as <c>psql</c>.</summary>
    public string Program { get; }

    public int ExitCode { get; }

    public string StandardError { get; }
}
