using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Tests.Support.Emulators;

/// <summary>
/// A storage emulator from the repository's node_modules (installed by <c>build.ps1</c> with <c>npm ci</c>), started
/// with node on a port the operating system picks (port 0, read back from what it prints) over a temporary folder of
/// its own; disposing it kills it and removes the folder.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private EmulatorProcess(Process process, StringBuilder output, string dataDirectory, int port)
    {
        _process = process;
        _output = output;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary>What the emulator printed so far, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="script"/> (a path below node_modules) and waits for the line that gives its port.</summary>
    public static async Task<EmulatorProcess> StartAsync(string script, Func<string, IEnumerable<string>> arguments, Regex listening)
    {
        var scriptPath = Path.Combine(NodeModules.Folder, script);
        if (!File.Exists(scriptPath))
        {
            throw new InvalidOperationException($"'{scriptPath}' is missing: run 'dotnet pwsh ./build.ps1 test' or 'npm ci' in the repository first.");
        }

        var dataDirectory = Directory.CreateTempSubdirectory("hotmess-emulator-").FullName;
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(scriptPath);
        foreach (var argument in arguments(dataDirectory))
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (listening.Match(e.Data) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups["port"].Value));
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => port.TrySetException(new InvalidOperationException($"{script} exited before it listened."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var chosen = await port.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new EmulatorProcess(process, output, dataDirectory, chosen);
        }
        catch (Exception ex)
        {
            Stop(process);
            Directory.Delete(dataDirectory, recursive: true);
            throw new InvalidOperationException($"{script} did not start: {ex.Message}\n{output}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file the killed process had open; the temp folder is reclaimed later.
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
