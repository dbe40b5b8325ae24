using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Sampling;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore sample</c>: names from a saved model, one per line, with constraints, beam search and a novelty report.</summary>
internal static class SampleCommand
{
    /// <summary>Which flag sets each constraint, to name it in errors the library reports by property.</summary>
    private static readonly ImmutableDictionary<string, string> FlagOf = new Dictionary<string, string>
    {
        [nameof(NameConstraints.StartsWith)] = "--starts-with",
        [nameof(NameConstraints.EndsWith)] = "--ends-with",
        [nameof(NameConstraints.Contains)] = "--contains",
        [nameof(NameConstraints.ExcludedCharacters)] = "--exclude",
        [nameof(NameConstraints.MinLength)] = "--min-length",
        [nameof(NameConstraints.MaxLength)] = "--max-length",
        [nameof(NameConstraints.Pattern)] = "--regex",
    }.ToImmutableDictionary();

    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = CommonOptions.Model();
        var count = new Option<int>("--count", "-n") { Description = "How many names", DefaultValueFactory = _ => 10 }.Within(0);
        var seed = CommonOptions.SampleSeed();
        var rng = new Option<string>("--rng") { Description = "lecture (2022 torch.multinomial, inverse CDF) or torch (current PyTorch/TorchSharp)", DefaultValueFactory = _ => "lecture" };
        var temperature = new Option<double>("--temperature")
        {
            Description = "Below 1 sharper, above 1 flatter; any finite number > 0 (near 0: the most likely name; see --greedy)", DefaultValueFactory = _ => 1.0,
        }.Positive();
        var greedy = new Option<bool>("--greedy") { Description = "Take the most likely allowed character at every step (no random draw)" };
        var topK = new Option<int>("--top-k") { Description = "Keep only the k most likely characters at each step (0: all)", DefaultValueFactory = _ => 0 }.Within(0);
        var topP = new Option<double>("--top-p") { Description = "Nucleus: keep the fewest most likely characters whose probability adds up to p, in (0, 1] (1: all)", DefaultValueFactory = _ => 1.0 }.Fraction();
        var prefix = new Option<string>("--prefix") { Description = "Every name starts with this (same as --starts-with)", DefaultValueFactory = _ => "" };
        var startsWith = new Option<string>("--starts-with") { Description = "Every name starts with this", DefaultValueFactory = _ => "" };
        var endsWith = new Option<string>("--ends-with") { Description = "Every name ends with this (enforced while decoding)", DefaultValueFactory = _ => "" };
        var contains = new Option<string>("--contains") { Description = "Every name contains this (enforced while decoding)", DefaultValueFactory = _ => "" };
        var exclude = new Option<string>("--exclude") { Description = "Characters no name contains, e.g. xqz", DefaultValueFactory = _ => "" };
        var minLength = new Option<int>("--min-length") { Description = "Fewest characters of a name", DefaultValueFactory = _ => NameConstraints.Defaults.MinLength }.Within(0, NameConstraints.Defaults.LongestMaxLength);
        var maxLength = new Option<int>("--max-length") { Description = "Most characters of a name (the end is forced there)", DefaultValueFactory = _ => NameConstraints.Defaults.MaxLength }.Within(1, NameConstraints.Defaults.LongestMaxLength);
        var regex = new Option<string?>("--regex") { Description = "A .NET regular expression every name matches (anchor with ^...$); checked on finished names, which are drawn again" };
        var onlyNew = new Option<bool>("--only-new") { Description = "Only names in no part of the data, without repeats (needs the training data: see --input)" };
        var maxAttempts = new Option<int>("--max-attempts") { Description = "Rejected draws in a row (--regex, --only-new) before giving up", DefaultValueFactory = _ => SamplingOptions.Defaults.MaxAttempts }.Within(1);
        var beam = new Option<int>("--beam") { Description = "Instead of sampling, list the -n most likely names (best-first search keeping at most N unfinished names), with log-likelihoods" }.Within(1);
        var input = new Option<string?>("--input", "-i") { Description = "Names file of the novelty report (default: the data the model was trained on, from its metadata)" };
        var split = new Option<string?>("--split") { Description = "Split of the novelty report: lecture, random or none (default: the model's, from its metadata)" };
        var splitSeed = CommonOptions.SplitSeed(seedAlias: false);
        var json = CommonOptions.Json();
        var command = new Command("sample", "Sample names from a saved model, one per line; a novelty report (in train / in dev-test / new) follows on standard error.\n" +
            "Example: makemore sample -m names-model.zip -n 5 --seed 2147483647 --rng lecture\n" +
            "         makemore sample -m names-model.zip -n 20 --starts-with a --ends-with na --exclude xqz --max-length 8 --only-new")
        {
            model, count, seed, rng, temperature, greedy, topK, topP, prefix, startsWith, endsWith, contains, exclude, minLength, maxLength, regex,
            onlyNew, maxAttempts, beam, input, split, splitSeed, json,
        };
        command.SetAction(parse =>
        {
            string start = parse.GetValue(startsWith)!;
            if (parse.GetValue(prefix)!.Length > 0)
                start = start.Length == 0 ? parse.GetValue(prefix)! : throw new UsageException("give --prefix or --starts-with, not both");
            var constraints = new NameConstraints
            {
                StartsWith = start,
                EndsWith = parse.GetValue(endsWith)!,
                Contains = parse.GetValue(contains)!,
                ExcludedCharacters = parse.GetValue(exclude)!,
                MinLength = parse.GetValue(minLength),
                MaxLength = parse.GetValue(maxLength),
                Pattern = parse.GetValue(regex),
            };
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
                Greedy = parse.GetValue(greedy),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                Constraints = constraints,
                MaxAttempts = parse.GetValue(maxAttempts),
            };
            var loaded = Models.Load(new MLContext(), parse.GetValue(model)!);
            var generator = NameGenerator.From(loaded);
            var flags = parse.GetValue(prefix)!.Length > 0 ? FlagOf.SetItem(nameof(NameConstraints.StartsWith), "--prefix") : FlagOf;
            var novelty = NoveltyData.Load(parse.GetValue(input), parse.GetValue(split), parse.GetResult(splitSeed) is { Implicit: false } ? parse.GetValue(splitSeed) : null, MakemoreModel.GetMetadata(loaded), out string noveltyNote);
            bool asJson = parse.GetValue(json);
            int n = parse.GetValue(count);
            if (parse.GetValue(beam) is int width && width > 0)
                return Search(generator, n, width, constraints, flags, novelty, noveltyNote, asJson, output, error, parse.GetValue(onlyNew));
            if (parse.GetValue(onlyNew) && novelty is null)
                throw new UsageException($"--only-new needs the training data: {noveltyNote}");
            var drawn = new NoveltyReport();
            var names = WithFlagNames(flags, () => parse.GetValue(onlyNew)
                ? generator.EnumerateNew(n, novelty!, options, drawn)
                : generator.Enumerate(n, options));
            var report = new NoveltyReport();
            var kept = asJson ? new List<string>() : null;
            // Each name is written as it is drawn: -n 100000000 starts printing at once and keeps no names in memory.
            foreach (string name in names)
            {
                if (novelty is not null)
                    report.Add(novelty.Classify(name));
                if (kept is not null)
                    kept.Add(name);
                else
                    output.WriteLine(name);
            }
            if (asJson)
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["names"] = kept,
                    ["novelty"] = novelty is null ? null : Json(report),
                    ["draws"] = parse.GetValue(onlyNew) ? Json(drawn) : null,
                    ["novelty_note"] = noveltyNote,
                }));
                return 0;
            }
            error.WriteLine(novelty is null ? $"novelty: not reported ({noveltyNote})" : $"novelty ({noveltyNote}): {report}");
            if (parse.GetValue(onlyNew))
                error.WriteLine($"draws: {drawn}");
            return 0;
        });
        return command;
    }

    private static int Search(NameGenerator generator, int count, int width, NameConstraints constraints, ImmutableDictionary<string, string> flags,
        NoveltyClassifier? novelty, string noveltyNote,
        bool asJson, TextWriter output, TextWriter error, bool onlyNew)
    {
        if (onlyNew)
            throw new UsageException("--only-new does not apply to --beam: the search lists the most likely names, in the data or not");
        var result = WithFlagNames(flags, () => new NameSearch(generator.Model).MostLikely(count, new NameSearchOptions { BeamWidth = width, Constraints = constraints }));
        var report = novelty?.Report(result.Names.Select(s => s.Name));
        if (asJson)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["names"] = result.Names.Select(s => new Dictionary<string, object?>
                {
                    ["name"] = s.Name,
                    ["log_likelihood"] = s.LogLikelihood,
                    ["nll_per_char"] = s.NllPerCharacter,
                    ["novelty"] = novelty is null ? null : NoveltyReport.Label(novelty.Classify(s.Name)),
                }),
                ["exact"] = result.IsExact,
                ["expanded"] = result.Expanded,
                ["novelty"] = report is null ? null : Json(report),
                ["novelty_note"] = noveltyNote,
            }));
            return 0;
        }
        var table = new Table("name", "log-likelihood", "NLL/char", "novelty");
        foreach (var s in result.Names)
            table.Add(s.Name, s.LogLikelihood, s.NllPerCharacter, novelty is null ? "-" : NoveltyReport.Label(novelty.Classify(s.Name)));
        table.Write(output);
        error.WriteLine(result.IsExact
            ? $"search: exact ({result.Expanded:N0} prefixes expanded; nothing dropped by the beam of {width:N0} could beat these)"
            : $"search: beam of {width:N0} (unfinished names that might beat these were dropped, so these may not be the exact top {count:N0}; try a larger --beam)");
        error.WriteLine(report is null ? $"novelty: not reported ({noveltyNote})" : $"novelty ({noveltyNote}): {report}");
        return 0;
    }


    private static Dictionary<string, object> Json(NoveltyReport report) => new()
    {
        ["in_train"] = report.InTrain,
        ["in_dev_test"] = report.InDevTest,
        ["new"] = report.New,
        ["total"] = report.Total,
        ["in_train_fraction"] = report.InTrainFraction,
        ["in_dev_test_fraction"] = report.InDevTestFraction,
        ["new_fraction"] = report.NewFraction,
    };

    /// <summary>
    /// Runs the library's validation, naming the flags instead of the properties in its errors (the library decides what
    /// is contradictory; this only translates its names), and the flag of the parameter when the message names none.
    /// </summary>
    private static T WithFlagNames<T>(IReadOnlyDictionary<string, string> flags, Func<T> run)
    {
        try
        {
            return run();
        }
        catch (ArgumentException e) when (e.ParamName is { } name && flags.TryGetValue(name, out string? flag))
        {
            string message = e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal) ? e.Message[..^$" (Parameter '{name}')".Length] : e.Message;
            message = NameConstraints.Rename(message, flags);
            throw new UsageException(message.Contains(flag, StringComparison.Ordinal) ? message : string.Create(CultureInfo.InvariantCulture, $"{flag}: {message}"));
        }
    }
}
