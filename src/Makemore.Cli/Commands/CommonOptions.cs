using System.CommandLine;
using Makemore.Cli.Internal;
using Makemore.ML.Sampling;

namespace Makemore.Cli.Commands;

/// <summary>Options several commands share, named once.</summary>
internal static class CommonOptions
{
    public static Option<string?> Input() => new("--input", "-i")
    {
        Description = "Names file, one per line (default: the bundled data/names.txt)",
    };

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "Model zip written by 'makemore train'",
        Required = true,
    };

    public static Option<string> Split(string defaultValue) => new("--split")
    {
        Description = "lecture (Python's random.seed(42) shuffle, 80/10/10), random (with --seed), none (the whole file) or makemore-py (makemore.py's torch.randperm split with --split-seed: train and test, no dev)",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The seed of a random split: <c>--split-seed</c> on every command (<c>--seed</c> too where it has no other seed).</summary>
    public static Option<int> SplitSeed(bool seedAlias = true) => new Option<int>("--split-seed", seedAlias ? ["--seed"] : [])
    {
        Description = "Seed of --split random (as given to 'makemore train --split-seed'; default: the model's own where there is one)",
        DefaultValueFactory = _ => 42,
    }.Within(0);

    public static Option<long> SampleSeed() => new Option<long>("--seed")
    {
        Description = "Sampling seed (torch.Generator().manual_seed)",
        DefaultValueFactory = _ => SamplingOptions.LectureSeed,
    }.AtLeast(0);

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };
}
