using System.Diagnostics;
using System.Text;

namespace Hotmess.Recovery.Common;

/// <summary>
/// Runs a program with an environment built from scratch (<see cref="ChildProcessEnvironment"/>), streams its stderr
/// lines to a callback, kills it on cancellation, and starts it so that it dies with this process.
/// </summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, IReadOnlyList<string> ErrorLines)
    {
        /// <summary>The stderr line that best explains a failure: the last one naming an error, else the last one.</summary>
        public string FailureReason =>
            ErrorLines.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? ErrorLines.LastOrDefault() ?? "no message";
    }

    /// <summary>Runs the program; <c>environment</c> is what the module sets for it, the caller's own passes on only its basics.</summary>
    public static async Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment,
        Action<string>? onErrorLine,
        CancellationToken cancellationToken)
    {
        if (Path.IsPathRooted(fileName) && !File.Exists(fileName))
        {
            throw new HotmessException("ToolNotFound", FailureKind.NotInstalled, $"'{fileName}' does not exist.", fileName);
        }

        var (program, prefix) = ProcessLauncher.Wrap(fileName);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in ChildProcessEnvironment.Build(System.Environment.GetEnvironmentVariables(), environment))
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        var errors = new List<string>();
        var output = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (errors)
            {
                errors.Add(e.Data);
            }

            onErrorLine?.Invoke(e.Data);
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };

        try
        {
            await ProcessLauncher.StartAsync(process).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new HotmessException("ToolNotFound", FailureKind.NotInstalled,
                $"'{fileName}' cannot be started: {ex.Message}", fileName, ex);
        }

        // No one answers a prompt: a tool that asks for a password fails instead of hanging.
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            throw;
        }

        // WaitForExitAsync returns once the streams are drained too.
        lock (errors)
        {
            return new Result(process.ExitCode, output.ToString(), errors.ToList());
        }
    }
}
