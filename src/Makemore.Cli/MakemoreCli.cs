using System.CommandLine;
using System.CommandLine.Parsing;
using Makemore.Cli.Commands;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Text;

namespace Makemore.Cli;

/// <summary>The <c>makemore</c> command line, runnable in process (tests call <see cref="Run"/>).</summary>
internal static class MakemoreCli
{
    /// <summary>Exit code for a mistake in how the command was called.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when standard output was closed by its reader (128 + SIGPIPE, as a shell reports a process SIGPIPE ended).</summary>
    public const int OutputClosed = 141;

    /// <summary>Parses and runs a command line; errors are one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("makemore: character-level language models of names (Karpathy's makemore) on ML.NET.")
        {
            TrainCommand.Create(output, error),
            EvalCommand.Create(output),
            SampleCommand.Create(output, error),
            ScoreCommand.Create(output, error),
            CompleteCommand.Create(output),
            SplitCommand.Create(output),
            SweepCommand.Create(output, error),
            PlotCommand.Create(output, error),
            InfoCommand.Create(output),
            InterpolateCommand.Create(output),
            ExportCommand.Create(output),
            ServeCommand.Create(output, error),
            ImportCommand.Create(output),
        };
        // No @response-files: a name such as @types/node is a name, not a file to read arguments from.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
            return ReportParseError(parsed, error);
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
        catch (Exception e) when (Unwrap(e) is OutputClosedException)
        {
            return OutputClosed; // e.g. `makemore sample -n 100000000 | head`: the reader has all it wanted
        }
        catch (Exception e)
        {
            // Not the caller's mistake (e.g. libtorch cannot load, a model without smoothing cannot sample): still one line.
            error.WriteLine($"makemore: error: {OneLine(Unwrap(e))}");
            return 1;
        }
    }

    // A mistyped command or option is named with the nearest known one; a mistyped command is followed by the help that lists them.
    // Without this, 'makemore trian' said only "Required command was not provided".
    private static int ReportParseError(ParseResult parsed, TextWriter error)
    {
        var command = parsed.CommandResult.Command;
        var commands = new List<Command>(); // root first
        for (SymbolResult? result = parsed.CommandResult; result is not null; result = result.Parent)
            if (result is CommandResult { Command: var c })
                commands.Insert(0, c);
        string[] subcommands = commands.Skip(1).Select(c => c.Name).ToArray();
        string path = string.Join(' ', subcommands.Prepend("makemore"));
        string? unknown = parsed.UnmatchedTokens.FirstOrDefault();
        if (unknown is not null && !unknown.StartsWith('-') && command.Subcommands.Count > 0)
        {
            string? nearest = Suggestions.Nearest(unknown, command.Subcommands.Select(c => c.Name));
            error.WriteLine($"makemore: unknown command '{unknown}'{(nearest is null ? "" : $"; did you mean '{nearest}'?")}");
            error.WriteLine();
            parsed.RootCommandResult.Command.Parse([.. subcommands, "--help"]).Invoke(new InvocationConfiguration { Output = error, Error = error });
            return UsageError;
        }
        if (unknown is not null && unknown.StartsWith('-'))
        {
            string typed = unknown.Split('=', ':')[0];
            var known = command.Options.Concat(commands.SelectMany(c => c.Options).Where(o => o.Recursive))
                .SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            string? nearest = Suggestions.Nearest(typed, known);
            error.WriteLine($"makemore: unknown option '{typed}' for '{path}'" +
                (nearest is null ? $" (see '{path} --help')" : $"; did you mean '{nearest}'?"));
            return UsageError;
        }
        error.WriteLine($"makemore: {parsed.Errors[0].Message}");
        return UsageError;
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
