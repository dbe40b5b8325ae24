using System.CommandLine;
using Makemore.Cli.Commands;
using Makemore.Cli.Internal;
using Makemore.ML;

namespace Makemore.Cli;

/// <summary>The <c>makemore</c> command line, runnable in process (tests call <see cref="Run"/>).</summary>
internal static class MakemoreCli
{
    /// <summary>Exit code for a mistake in how the command was called.</summary>
    public const int UsageError = 2;

    /// <summary>Parses and runs a command line; errors are one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("makemore: character-level language models of names (Karpathy's makemore) on ML.NET.")
        {
            TrainCommand.Create(output, error),
            EvalCommand.Create(output),
            SampleCommand.Create(output),
            ScoreCommand.Create(output),
            CompleteCommand.Create(output),
            SplitCommand.Create(output),
            SweepCommand.Create(output, error),
            PlotCommand.Create(output, error),
            InfoCommand.Create(output),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"makemore: {parsed.Errors[0].Message}");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is UsageException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                                      or FormatException or InvalidDataException or ArgumentException or ModelFileDamagedException)
        {
            error.WriteLine($"makemore: {OneLine(Unwrap(e))}");
            return UsageError;
        }
        catch (Exception e)
        {
            // Not the caller's mistake (e.g. libtorch cannot load, a model without smoothing cannot sample): still one line.
            error.WriteLine($"makemore: error: {OneLine(Unwrap(e))}");
            return 1;
        }
    }

    // The first line of the message, without the " (Parameter 'x')" that ArgumentException appends: the user never saw that parameter.
    private static string OneLine(Exception e)
    {
        string line = e.Message.Split('\n')[0].TrimEnd('\r');
        return e is ArgumentException { ParamName: { } name } && line.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? line[..^$" (Parameter '{name}')".Length]
            : line;
    }

    // ML.NET wraps exceptions thrown inside mappings; the user wants the innermost message.
    private static Exception Unwrap(Exception e)
    {
        while (e is InvalidOperationException or System.Reflection.TargetInvocationException or AggregateException && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }
}
