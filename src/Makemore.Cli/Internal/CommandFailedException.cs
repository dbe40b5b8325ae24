namespace Makemore.Cli.Internal;

/// <summary>The command was called correctly but could not do its work (e.g. training diverged): one line, exit 1.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);
