using Hotmess.Recovery.Common;
using Hotmess.Recovery.Reports;

namespace Hotmess.Recovery.Tests.Reports;

public sealed class ReportFilesTests : IDisposable
{
    private static readonly DateTimeOffset Generated = new(2026, 11, 24, 19, 3, 12, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("hotmess-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(ReportFormat.Markdown, "backup-verification-20261124T190312Z.md")]
    [InlineData(ReportFormat.Json, "backup-verification-20261124T190312Z.json")]
    public void A_folder_gets_a_dated_file_named_for_the_format(ReportFormat format, string expected)
    {
        Assert.Equal(Path.Combine(_folder, expected), ReportFiles.Resolve(_folder, format, Generated, overwrite: false));
    }

    [Fact]
    public void A_path_ending_in_a_separator_is_a_folder_even_before_it_exists()
    {
        var folder = Path.Combine(_folder, "reports") + Path.DirectorySeparatorChar;

        var path = ReportFiles.Resolve(folder, ReportFormat.Markdown, Generated, overwrite: false);
        ReportFiles.Write(path, "# Backup Verification Checklist");

        Assert.Equal(Path.Combine(_folder, "reports", "backup-verification-20261124T190312Z.md"), path);
        Assert.Equal("# Backup Verification Checklist", File.ReadAllText(path));
    }

    [Fact]
    public void An_existing_report_file_is_refused_without_overwrite_and_left_as_it_was()
    {
        var path = Path.Combine(_folder, "existing.md");
        File.WriteAllText(path, "keep");

        var error = Assert.Throws<HotmessException>(() => ReportFiles.Resolve(path, ReportFormat.Markdown, Generated, overwrite: false));

        Assert.Equal(("ReportFileExists", FailureKind.AlreadyExists, path), (error.ErrorId, error.Kind, (string)error.Target!));
        Assert.Equal("keep", File.ReadAllText(path));
        Assert.Equal(path, ReportFiles.Resolve(path, ReportFormat.Markdown, Generated, overwrite: true));
    }

    [Fact]
    public void A_report_file_in_a_missing_folder_is_written_with_its_folder()
    {
        var path = Path.Combine(_folder, "2026", "11", "report.json");

        ReportFiles.Write(ReportFiles.Resolve(path, ReportFormat.Json, Generated, overwrite: false), "{}");

        Assert.Equal("{}", File.ReadAllText(path));
    }

    [Fact]
    public void The_report_says_who_performed_it_and_with_which_module_version()
    {
        var performedBy = ReportFiles.PerformedBy();

        Assert.StartsWith($"{System.Environment.UserName}@{System.Environment.MachineName} (HotmessRecovery ", performedBy);
        Assert.DoesNotContain("+", performedBy);
    }
}
