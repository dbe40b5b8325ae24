using System.Diagnostics;
using Makemore.ML.Tests;

namespace Makemore.Cli.Tests;

/// <summary>Runs the makemore command for tests: in process, or as its own process (signals, pipes, a fresh runtime).</summary>
internal static class Cli
{
    /// <summary>Runs a command line in process and returns its exit code, standard output and standard error.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args) => Run(new StringWriter(), args);

    /// <summary>Runs a command line in process with the given standard output.</summary>
    public static (int Code, string Output, string Error) Run(TextWriter output, params string[] args)
    {
        var error = new StringWriter();
        int code = MakemoreCli.Run(args, output, error);
        return (code, output.ToString()!, error.ToString());
    }

    /// <summary>Starts the built command as its own process, in the repository root (so the bundled names are found), output redirected.</summary>
    public static Process Start(params string[] args) =>
        Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "makemore.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestData.RepositoryRoot,
        })!;
}
