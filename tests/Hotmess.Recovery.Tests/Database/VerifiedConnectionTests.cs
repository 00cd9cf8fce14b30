using System.Diagnostics;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Database;

/// <summary>A server with a certificate from a CA of its own: what verify-full means for the module and for pg_dump.</summary>
public sealed class VerifiedConnectionTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hotmess-tls-").FullName;
    private LocalPostgres _server = null!;

    private string TrustedCa => Path.Combine(_folder, "ca.crt");

    private string OtherCa => Path.Combine(_folder, "other-ca.crt");

    public async Task InitializeAsync()
    {
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Hotmess test CA",
            "-keyout", Path.Combine(_folder, "ca.key"), "-out", TrustedCa);
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Another CA",
            "-keyout", Path.Combine(_folder, "other-ca.key"), "-out", OtherCa);
        OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", Path.Combine(_folder, "server.key"), "-out", Path.Combine(_folder, "server.csr"));
        File.WriteAllText(Path.Combine(_folder, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        OpenSsl("x509", "-req", "-in", Path.Combine(_folder, "server.csr"), "-CA", TrustedCa, "-CAkey", Path.Combine(_folder, "ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", Path.Combine(_folder, "san.ext"), "-out", Path.Combine(_folder, "server.crt"));
        File.SetUnixFileMode(Path.Combine(_folder, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (System.Environment.UserName == "root")
        {
            Run("chown", "-R", "postgres", _folder);
        }

        var options = new LocalPostgresOptions();
        options.Settings["ssl"] = "on";
        options.Settings["ssl_cert_file"] = Path.Combine(_folder, "server.crt");
        options.Settings["ssl_key_file"] = Path.Combine(_folder, "server.key");
        _server = await LocalPostgres.StartAsync(options);
        await _server.ExecuteSqlAsync("postgres", "CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2)");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string ConnectionString(string rootCertificate) =>
        $"Host=localhost;Port={_server.Port};Username=postgres;Password={_server.Password};Database=postgres;SSL Mode=VerifyFull;Root Certificate={rootCertificate}";

    [Fact]
    public async Task Verify_full_with_the_root_certificate_reaches_pg_dump_and_the_backup_works()
    {
        var set = await DatabaseBackupEngine.BackupAsync(
            new DatabaseBackupRequest { ConnectionString = ConnectionString(TrustedCa), Repository = Path.Combine(_folder, "repository") },
            NullOperationLog.Instance, default);

        Assert.Equal(2, Assert.Single(set.Manifest.Database!.Tables, t => t.Name == "kept").RowCount);
    }

    [Fact]
    public async Task A_server_whose_certificate_does_not_chain_to_the_root_certificate_is_refused_with_the_fix()
    {
        var error = await Assert.ThrowsAsync<HotmessException>(() => DatabaseBackupEngine.BackupAsync(
            new DatabaseBackupRequest { ConnectionString = ConnectionString(OtherCa), Repository = Path.Combine(_folder, "refused") },
            NullOperationLog.Instance, default));

        Assert.Equal("DatabaseCertificateUntrusted", error.ErrorId);
        Assert.Contains("rootCertificate", error.Message);
        Assert.DoesNotContain(_server.Password, error.Message);
    }

    private void OpenSsl(params string[] arguments) => Run("openssl", arguments);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }
}
