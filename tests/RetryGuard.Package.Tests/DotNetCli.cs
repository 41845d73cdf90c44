using System.Diagnostics;
using System.Text;

namespace RetryGuard.Package.Tests;

/// <summary>The outcome of one <c>dotnet</c> command, with everything it printed.</summary>
internal sealed record CommandResult(string CommandLine, string WorkingDirectory, int ExitCode, string Output, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>One line for the test log: the command and how long it took.</summary>
    public string Summary() => $"{Elapsed.TotalSeconds,5:0.0} s  exit {ExitCode}  {CommandLine}";

    /// <summary>A report for an assertion message: the command, where it ran, how it ended and its whole output.</summary>
    public string Describe() =>
        $"`{CommandLine}` in {WorkingDirectory} exited with {ExitCode} after {Elapsed.TotalSeconds:0.0} s. Output:{Environment.NewLine}{Output}";
}

/// <summary>
/// Runs the .NET SDK's <c>dotnet</c> command as a child process, with a timeout, isolated from the environment that
/// the test host inherited from <c>dotnet test</c>.
/// </summary>
internal static class DotNetCli
{
    /// <summary>How long a finished process may keep its output pipes open (a grandchild holding them) before we stop reading.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);

    public static async Task<CommandResult> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // `dotnet test` hands MSBuild's own locations to the test host; a child SDK command must find its own.
        foreach (var name in startInfo.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(name);
            }
        }

        // No build nodes left behind holding our output pipes; no banners in the output we parse.
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        startInfo.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";

        var commandLine = "dotnet " + string.Join(' ', arguments);
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        process.StandardInput.Close();

        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).WaitAsync(timeout + OutputGrace);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputGrace));
            throw new TimeoutException(
                $"`{commandLine}` in {workingDirectory} did not finish within {timeout.TotalSeconds:0} s and was killed. Output so far:{Environment.NewLine}{Snapshot(output)}");
        }

        await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(OutputGrace));
        return new CommandResult(commandLine, workingDirectory, process.ExitCode, Snapshot(output), stopwatch.Elapsed);
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (sink)
            {
                sink.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
