using System.CommandLine;
using Makemore.Cli.Internal;
using Makemore.ML.Data;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore split</c>: write train.txt, dev.txt and test.txt.</summary>
internal static class SplitCommand
{
    public static Command Create(TextWriter output)
    {
        var input = CommonOptions.Input();
        var protocol = new Option<string>("--protocol") { Description = "lecture (Python's random.seed(42) shuffle) or random (with --seed)", DefaultValueFactory = _ => "lecture" };
        var seed = CommonOptions.SplitSeed();
        var directory = new Option<string>("--output", "-o") { Description = "Folder for train.txt, dev.txt, test.txt", DefaultValueFactory = _ => "." };
        var command = new Command("split", "Split names 80/10/10 as the lecture does and write train.txt, dev.txt, test.txt.\n" +
            "Example: makemore split --protocol lecture -i names.txt -o splits/")
        {
            input, protocol, seed, directory,
        };
        command.SetAction(parse =>
        {
            var kind = DataFiles.ParseSplit(parse.GetValue(protocol)!);
            if (kind == SplitProtocol.None)
                throw new UsageException("--protocol must be lecture or random");
            string path = DataFiles.Resolve(parse.GetValue(input));
            string folder = parse.GetValue(directory)!;
            // `split -i sp/train.txt -o sp/` replaced its own input with its 80 % part.
            foreach (string part in Parts)
                OutputPaths.Check("--output", Path.Combine(folder, $"{part}.txt"), ("-i", path));
            var parts = DataFiles.Parts(DataFiles.Read(path), kind, parse.GetValue(seed));
            FileSet.Write(folder, parts.Select(p => ($"{p.Part}.txt", string.Concat(p.Names.Select(n => n + "\n")))).ToList());
            foreach (var (part, names) in parts)
                output.WriteLine($"{Path.Combine(folder, $"{part}.txt")}: {names.Count:N0} names");
            return 0;
        });
        return command;
    }

    // The parts DataFiles.Parts returns for a lecture or random split, checked before the names are read.
    private static readonly string[] Parts = ["train", "dev", "test"];
}
