using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML.Sampling;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore sample</c>: names from a saved model, one per line.</summary>
internal static class SampleCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var count = new Option<int>("--count", "-n") { Description = "How many names", DefaultValueFactory = _ => 10 }.Within(0);
        var seed = CommonOptions.SampleSeed();
        var rng = new Option<string>("--rng") { Description = "lecture (2022 torch.multinomial, inverse CDF) or torch (current PyTorch/TorchSharp)", DefaultValueFactory = _ => "lecture" };
        var temperature = new Option<double>("--temperature")
        {
            Description = "Below 1 sharper, above 1 flatter; any finite number > 0 (near 0: the most likely name)", DefaultValueFactory = _ => 1.0,
        }.Positive();
        var topK = new Option<int>("--top-k") { Description = "Keep only the k most likely characters at each step (0: all)", DefaultValueFactory = _ => 0 }.Within(0);
        var prefix = new Option<string>("--prefix") { Description = "Every name starts with this", DefaultValueFactory = _ => "" };
        var command = new Command("sample", "Sample names from a saved model, one per line.\n" +
            "Example: makemore sample -m names-model.zip -n 5 --seed 2147483647 --rng lecture")
        {
            model, count, seed, rng, temperature, topK, prefix,
        };
        command.SetAction(parse =>
        {
            var options = new SamplingOptions
            {
                Seed = parse.GetValue(seed),
                Rng = parse.GetValue(rng) switch
                {
                    "lecture" => SamplerRng.Lecture,
                    "torch" => SamplerRng.Torch,
                    var other => throw new UsageException($"unknown rng '{other}': use lecture or torch"),
                },
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                Prefix = parse.GetValue(prefix)!,
            };
            var generator = NameGenerator.From(Models.Load(new MLContext(), parse.GetValue(model)!));
            Prefixes.Check(options.Prefix, generator.Model.Vocabulary, "--prefix");
            // Each name is written as it is drawn: -n 100000000 starts printing at once and keeps no names in memory.
            foreach (string name in generator.Enumerate(parse.GetValue(count), options))
                output.WriteLine(name);
            return 0;
        });
        return command;
    }
}
