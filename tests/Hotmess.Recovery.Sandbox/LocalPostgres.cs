using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Hotmess.Recovery.Sandbox;

/// <summary>
/// A throw-away PostgreSQL server in a temporary folder, listening on a free loopback port with
/// password (SCRAM) authentication over TCP. Dispose stops it and deletes the folder.
/// </summary>
public sealed class LocalPostgres : IDisposable, IAsyncDisposable
{
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private const int PortAttempts = 3;

    private static readonly SemaphoreSlim TemplateLock = new(1, 1);

    // When the process runs as root, initdb and pg_ctl run as this account (PostgreSQL refuses root).
    private readonly string? _serviceAccount;
    private readonly string? _runuserPath;
    private readonly EventHandler _processExitHandler;

    private int _disposed;

    private LocalPostgres(string binDirectory, string rootDirectory, string? serviceAccount, string? runuserPath)
    {
        BinDirectory = binDirectory;
        RootDirectory = rootDirectory;
        DataDirectory = Path.Combine(rootDirectory, "data");
        SocketDirectory = Path.Combine(rootDirectory, "socket");
        LogPath = Path.Combine(rootDirectory, "server.log");
        Password = RandomNumberGenerator.GetString(PasswordAlphabet, 24);
        _serviceAccount = serviceAccount;
        _runuserPath = runuserPath;
        // Stops the server if its owner never disposed it, so no postgres outlives the process.
        _processExitHandler = (_, _) => Dispose();
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string SuperUser => "postgres";

    public string Password { get; }

    public string BinDirectory { get; }

    /// <summary>The temporary folder holding the data folder, socket folder and log.</summary>
    public string RootDirectory { get; }

    public string DataDirectory { get; }

    public string SocketDirectory { get; }

    public string LogPath { get; }

    /// <summary>True until <see cref="Dispose"/> has stopped the server.</summary>
    public bool IsRunning => Volatile.Read(ref _disposed) == 0;

    /// <summary>Starts a server and blocks until it accepts connections (for PowerShell).</summary>
    public static LocalPostgres Start(LocalPostgresOptions? options = null) =>
        StartAsync(options).GetAwaiter().GetResult();

    /// <summary>
    /// Creates a cluster in a new temporary folder (a copy of a once-per-machine initdb), starts it on a free
    /// loopback port with a new random superuser password and waits until it accepts connections.
    /// </summary>
    public static async Task<LocalPostgres> StartAsync(LocalPostgresOptions? options = null, CancellationToken ct = default)
    {
        options ??= new LocalPostgresOptions();
        var binDirectory = ResolveBinDirectory(options.BinDirectory);
        string? account = null;
        string? runuser = null;
        if (IsRoot())
        {
            account = options.ServiceAccount;
            runuser = new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" }.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException(
                    $"PostgreSQL refuses to run as root and 'runuser' was not found to run it as '{account}'.");
        }

        var parent = string.IsNullOrEmpty(options.ParentDirectory) ? Path.GetTempPath() : options.ParentDirectory;
        Directory.CreateDirectory(parent);
        var root = Path.Combine(parent, "hotmess-pg-" + RandomNumberGenerator.GetHexString(10, lowercase: true));
        Directory.CreateDirectory(root);

        var server = new LocalPostgres(binDirectory, root, account, runuser);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.StartTimeout);
        try
        {
            await server.InitializeAsync(options, timeout.Token).ConfigureAwait(false);
            await server.StartServerAsync(options, timeout.Token).ConfigureAwait(false);
            AppDomain.CurrentDomain.ProcessExit += server._processExitHandler;
            return server;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var log = server.ReadLogTail();
            await server.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException(
                $"PostgreSQL did not start within {options.StartTimeout.TotalSeconds:0} s. Server log:{Environment.NewLine}{log}");
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Full path of a PostgreSQL program in <see cref="BinDirectory"/>, e.g. <c>pg_dump</c>.</summary>
    public string ToolPath(string program)
    {
        var path = Path.Combine(BinDirectory, OperatingSystem.IsWindows() ? program + ".exe" : program);
        return File.Exists(path) ? path : throw new FileNotFoundException($"PostgreSQL program '{program}' is not in {BinDirectory}.", path);
    }

    /// <summary>Npgsql keyword connection string, e.g. <c>Host=127.0.0.1;Port=…;Username=postgres;Password=…;Database=postgres</c>.</summary>
    public string ConnectionString(string database = "postgres") => ConnectionString(database, SuperUser, Password);

    /// <summary>Npgsql keyword connection string for another login role.</summary>
    public string ConnectionString(string database, string user, string password)
    {
        var text = new StringBuilder();
        DbConnectionStringBuilder.AppendKeyValuePair(text, "Host", Host);
        text.Append(';');
        DbConnectionStringBuilder.AppendKeyValuePair(text, "Port", Port.ToString(CultureInfo.InvariantCulture));
        text.Append(';');
        DbConnectionStringBuilder.AppendKeyValuePair(text, "Username", user);
        text.Append(';');
        DbConnectionStringBuilder.AppendKeyValuePair(text, "Password", password);
        text.Append(';');
        DbConnectionStringBuilder.AppendKeyValuePair(text, "Database", database);
        return text.ToString();
    }

    /// <summary>The same connection as a <c>postgresql://user:password@host:port/database</c> URI, as Supabase shows it.</summary>
    public string ConnectionUri(string database = "postgres") =>
        $"postgresql://{Uri.EscapeDataString(SuperUser)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(database)}";

    /// <summary>Runs SQL as the superuser through psql and returns its unaligned, tuples-only output (last line break removed).</summary>
    public string ExecuteSql(string database, string sql) => ExecuteSqlAsync(database, sql).GetAwaiter().GetResult();

    public Task<string> ExecuteSqlAsync(string database, string sql, CancellationToken ct = default) =>
        RunPsqlAsync(SuperUser, Password, database, sql, scriptPath: null, variables: null, singleTransaction: false, ct);

    /// <summary>Runs SQL as another login role; a wrong password makes it throw <see cref="PostgresCommandException"/>.</summary>
    public string ExecuteSqlAs(string user, string password, string database, string sql) =>
        ExecuteSqlAsAsync(user, password, database, sql).GetAwaiter().GetResult();

    public Task<string> ExecuteSqlAsAsync(string user, string password, string database, string sql, CancellationToken ct = default) =>
        RunPsqlAsync(user, password, database, sql, scriptPath: null, variables: null, singleTransaction: false, ct);

    /// <summary>Runs a SQL script file as the superuser.</summary>
    public string ExecuteSqlFile(string database, string path) => ExecuteSqlFileAsync(database, path).GetAwaiter().GetResult();

    public Task<string> ExecuteSqlFileAsync(string database, string path, CancellationToken ct = default)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"SQL script '{fullPath}' does not exist.", fullPath);
        }

        return RunPsqlAsync(SuperUser, Password, database, sql: null, fullPath, variables: null, singleTransaction: false, ct);
    }

    public void CreateDatabase(string name) => CreateDatabaseAsync(name).GetAwaiter().GetResult();

    public Task CreateDatabaseAsync(string name, CancellationToken ct = default) =>
        ExecuteSqlAsync("postgres", $"CREATE DATABASE {SqlText.Identifier(name)};", ct);

    /// <summary>Drops a database if it exists, disconnecting its sessions.</summary>
    public void DropDatabase(string name) => DropDatabaseAsync(name).GetAwaiter().GetResult();

    public Task DropDatabaseAsync(string name, CancellationToken ct = default) =>
        ExecuteSqlAsync("postgres", $"DROP DATABASE IF EXISTS {SqlText.Identifier(name)} WITH (FORCE);", ct);

    /// <summary>Creates a login role that is not a superuser.</summary>
    public void CreateRole(string name, string password) => CreateRoleAsync(name, password).GetAwaiter().GetResult();

    public Task CreateRoleAsync(string name, string password, CancellationToken ct = default) =>
        ExecuteSqlAsync(
            "postgres",
            $"CREATE ROLE {SqlText.Identifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {SqlText.Literal(password)};",
            ct);

    /// <summary>Stops the server at once (<c>pg_ctl stop -m immediate</c>) and deletes its folder. Safe to call twice.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _processExitHandler;
        await TearDownAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"PostgreSQL on {Host}:{Port} ({DataDirectory})";

    internal async Task<string> RunPsqlAsync(
        string user,
        string password,
        string database,
        string? sql,
        string? scriptPath,
        IReadOnlyDictionary<string, string>? variables,
        bool singleTransaction,
        CancellationToken ct,
        string? host = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ObjectDisposedException.ThrowIf(!IsRunning, this);
        var arguments = new List<string>
        {
            "-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", host ?? Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", database,
        };
        if (singleTransaction)
        {
            arguments.Add("-1");
        }

        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            arguments.Add("-v");
            arguments.Add($"{name}={value}");
        }

        arguments.Add("-f");
        arguments.Add(scriptPath ?? "-");

        // The password travels in the environment only, never on a command line.
        var environment = new Dictionary<string, string?>
        {
            ["PGPASSWORD"] = password,
            ["PGCLIENTENCODING"] = "UTF8",
            ["PGCONNECT_TIMEOUT"] = "10",
            ["PGSSLMODE"] = "disable",
            ["PGPASSFILE"] = null,
            ["PGSERVICE"] = null,
            ["PGOPTIONS"] = null,
            ["PGHOSTADDR"] = null,
        };
        var result = await ProcessRunner.RunAsync(ToolPath("psql"), arguments, environment, sql ?? string.Empty, ct)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var error = result.StandardError.Trim();
            throw new PostgresCommandException(
                "psql",
                result.ExitCode,
                error,
                $"psql failed as '{user}' on database '{database}' (exit code {result.ExitCode}): {error}");
        }

        return result.StandardOutput.TrimEnd('\n', '\r');
    }

    private async Task InitializeAsync(LocalPostgresOptions options, CancellationToken ct)
    {
        Directory.CreateDirectory(SocketDirectory);
        if (_serviceAccount is not null)
        {
            await RunCheckedAsync("chown", ["-R", _serviceAccount, RootDirectory], ct).ConfigureAwait(false);
        }

        var template = await GetTemplateAsync(ct).ConfigureAwait(false);
        // -a keeps the owner and the 0700 mode PostgreSQL insists on.
        await RunCheckedAsync("cp", ["-a", template, DataDirectory], ct).ConfigureAwait(false);

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["listen_addresses"] = Host,
            ["unix_socket_directories"] = SocketDirectory,
            // Local connections are trusted, so only the server's own account may use the socket.
            ["unix_socket_permissions"] = "0700",
            ["max_connections"] = options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ["shared_buffers"] = options.SharedBuffers,
            // A throw-away server: durability only costs time.
            ["fsync"] = "off",
            ["synchronous_commit"] = "off",
            ["full_page_writes"] = "off",
            ["max_wal_size"] = "1GB",
        };
        foreach (var (name, value) in options.Settings)
        {
            settings[name] = value;
        }

        var configuration = new StringBuilder(Environment.NewLine + "# Hotmess.Recovery.Sandbox" + Environment.NewLine);
        foreach (var (name, value) in settings)
        {
            configuration.Append(name).Append(" = ").Append(SqlText.Literal(value)).Append('\n');
        }

        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), configuration.ToString(), ct)
            .ConfigureAwait(false);
    }

    // initdb takes seconds, copying a cluster a fraction of that: every process on the machine shares one
    // initdb result per PostgreSQL build and account, published by an atomic rename. Its superuser password
    // was random and is forgotten; each server sets its own through the owner-only Unix socket.
    private async Task<string> GetTemplateAsync(CancellationToken ct)
    {
        var initdb = ToolPath("initdb");
        var identity = string.Join("|", initdb, File.GetLastWriteTimeUtc(initdb).Ticks, Environment.UserName, _serviceAccount, ChooseLocale());
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16].ToLowerInvariant();
        var template = Path.Combine(Path.GetTempPath(), "hotmess-pg-template-" + key);
        var templateData = Path.Combine(template, "data");
        await TemplateLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (File.Exists(Path.Combine(templateData, "PG_VERSION")))
            {
                return templateData;
            }

            var staging = template + "." + RandomNumberGenerator.GetHexString(8, lowercase: true);
            Directory.CreateDirectory(staging);
            try
            {
                var passwordFile = Path.Combine(staging, "pwfile");
                await File.WriteAllTextAsync(passwordFile, RandomNumberGenerator.GetString(PasswordAlphabet, 24) + "\n", ct)
                    .ConfigureAwait(false);
                if (_serviceAccount is not null)
                {
                    await RunCheckedAsync("chown", ["-R", _serviceAccount, staging], ct).ConfigureAwait(false);
                }

                await RunServerProgramAsync(
                    "initdb",
                    [
                        "-D", Path.Combine(staging, "data"), "-U", SuperUser, "--pwfile=" + passwordFile,
                        "--auth-host=scram-sha-256", "--auth-local=trust",
                        "--encoding=UTF8", "--locale=" + ChooseLocale(), "--no-sync", "--no-instructions",
                    ],
                    ct).ConfigureAwait(false);
                File.Delete(passwordFile);
                if (Directory.Exists(template) && !File.Exists(Path.Combine(templateData, "PG_VERSION")))
                {
                    DeleteDirectory(template);
                }

                Directory.Move(staging, template);
            }
            catch (IOException) when (File.Exists(Path.Combine(templateData, "PG_VERSION")))
            {
                // Another process published the template first.
            }
            finally
            {
                DeleteDirectory(staging);
            }

            return templateData;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private async Task StartServerAsync(LocalPostgresOptions options, CancellationToken ct)
    {
        var waitSeconds = Math.Max(5, (int)options.StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            var result = await RunAsServiceAsync(
                ToolPath("pg_ctl"),
                ["-D", DataDirectory, "-l", LogPath, "-w", "-t", waitSeconds, "-o", "-p " + Port, "start"],
                ct).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                break;
            }

            var log = ReadLogTail();
            // Another process may take the port between choosing it and the server binding it.
            if (attempt < PortAttempts && log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            throw new PostgresCommandException(
                "pg_ctl",
                result.ExitCode,
                result.StandardError,
                $"PostgreSQL did not start on port {Port} (pg_ctl exit code {result.ExitCode}): {result.StandardError.Trim()}{Environment.NewLine}Server log:{Environment.NewLine}{log}");
        }

        try
        {
            await RunPsqlAsync(SuperUser, string.Empty, "postgres",
                $"ALTER ROLE {SqlText.Identifier(SuperUser)} PASSWORD {SqlText.Literal(Password)};",
                scriptPath: null, variables: null, singleTransaction: false, ct, SocketDirectory).ConfigureAwait(false);
            await ExecuteSqlAsync("postgres", "select 1", ct).ConfigureAwait(false);
        }
        catch (PostgresCommandException ex)
        {
            throw new PostgresCommandException(
                ex.Program,
                ex.ExitCode,
                ex.StandardError,
                $"PostgreSQL started but does not answer: {ex.StandardError}{Environment.NewLine}Server log:{Environment.NewLine}{ReadLogTail()}");
        }
    }

    private async Task TearDownAsync()
    {
        try
        {
            var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
            if (File.Exists(pidFile))
            {
                var postmasterPid = ReadPostmasterPid(pidFile);
                var stop = await RunAsServiceAsync(
                    ToolPath("pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], CancellationToken.None)
                    .ConfigureAwait(false);
                if (stop.ExitCode != 0 && postmasterPid is int pid)
                {
                    KillProcess(pid);
                }
            }
        }
        finally
        {
            DeleteDirectory(RootDirectory);
        }
    }

    private Task<ProcessResult> RunAsServiceAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        if (_serviceAccount is null)
        {
            return ProcessRunner.RunAsync(program, arguments, environment: null, standardInput: null, ct);
        }

        var wrapped = new List<string> { "-u", _serviceAccount, "--", program };
        wrapped.AddRange(arguments);
        return ProcessRunner.RunAsync(_runuserPath!, wrapped, environment: null, standardInput: null, ct);
    }

    private async Task RunServerProgramAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var result = await RunAsServiceAsync(ToolPath(program), arguments, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var output = (result.StandardError + Environment.NewLine + result.StandardOutput).Trim();
            throw new PostgresCommandException(
                program, result.ExitCode, result.StandardError, $"{program} failed (exit code {result.ExitCode}): {output}");
        }
    }

    private static async Task RunCheckedAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var result = await ProcessRunner.RunAsync(program, arguments, environment: null, standardInput: null, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new PostgresCommandException(
                program, result.ExitCode, result.StandardError, $"{program} failed (exit code {result.ExitCode}): {result.StandardError.Trim()}");
        }
    }

    private string ReadLogTail()
    {
        try
        {
            var text = File.ReadAllText(LogPath);
            return text.Length <= 8000 ? text : text[^8000..];
        }
        catch (IOException)
        {
            return "(no server log)";
        }
        catch (UnauthorizedAccessException)
        {
            return "(server log not readable)";
        }
    }

    internal static string ResolveBinDirectory(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return HasServerPrograms(configured)
                ? Path.GetFullPath(configured)
                : throw new DirectoryNotFoundException($"PostgreSQL programs (initdb, pg_ctl, psql) are not in BinDirectory '{configured}'.");
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("HOTMESS_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return HasServerPrograms(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DirectoryNotFoundException($"PostgreSQL programs (initdb, pg_ctl, psql) are not in HOTMESS_PG_BIN '{fromEnvironment}'.");
        }

        const string preferred = "/usr/lib/postgresql/15/bin";
        if (HasServerPrograms(preferred))
        {
            return preferred;
        }

        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(folder => (Folder: Path.Combine(folder, "bin"), Version: int.TryParse(Path.GetFileName(folder), out var v) ? v : -1))
                .Where(candidate => candidate.Version > 0 && HasServerPrograms(candidate.Folder))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Folder)
                .FirstOrDefault()
            : null;
        return newest ?? throw new DirectoryNotFoundException(
            "PostgreSQL server programs (initdb, pg_ctl, psql) were not found in /usr/lib/postgresql/15/bin or /usr/lib/postgresql/*/bin. " +
            "Install PostgreSQL 15 (Debian: postgresql-15) or set HOTMESS_PG_BIN to its bin folder.");
    }

    private static bool HasServerPrograms(string folder)
    {
        var suffix = OperatingSystem.IsWindows() ? ".exe" : string.Empty;
        return new[] { "initdb", "pg_ctl", "psql" }.All(program => File.Exists(Path.Combine(folder, program + suffix)));
    }

    private static string ChooseLocale() =>
        Directory.Exists("/usr/lib/locale/C.utf8") || Directory.Exists("/usr/lib/locale/C.UTF-8") ? "C.UTF-8" : "C";

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static int? ReadPostmasterPid(string pidFile)
    {
        try
        {
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void KillProcess(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            // The pid file may be stale and its number reused by an unrelated program.
            if (!string.Equals(process.ProcessName, "postgres", StringComparison.Ordinal))
            {
                return;
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static void DeleteDirectory(string path)
    {
        for (var attempt = 1; Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException) when (attempt < 5)
            {
                // A backend may still be removing its files right after an immediate stop.
                Thread.Sleep(200);
            }
        }
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && geteuid() == 0;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint geteuid();
}
