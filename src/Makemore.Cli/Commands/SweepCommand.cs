using System.CommandLine;
using System.Globalization;
using Makemore.Cli.Internal;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore sweep</c>: tune add-k (counts) or L2 (neural) on dev, then report test once (E03).</summary>
internal static class SweepCommand
{
    /// <param name="output">Standard output.</param>
    /// <param name="error">Progress and errors.</param>
    /// <param name="asPlot">True for <c>makemore plot sweep</c>: the PNG (-o) is required.</param>
    public static Command Create(TextWriter output, TextWriter error, bool asPlot = false)
    {
        var input = CommonOptions.Input();
        var type = new Option<string>("--type")
        {
            Description = $"The kind whose smoothing is swept: {string.Join(", ", ModelKinds.All.Where(k => k.Smoothing is not null).Select(k => $"{k.Name} ({k.Smoothing!.Strength})"))}",
            DefaultValueFactory = _ => "ngram",
        };
        var order = new Option<int>("--order") { Description = $"ngram: n, 1–{NGramModel.MaxOrder}", DefaultValueFactory = _ => 3 }.Within(1, NGramModel.MaxOrder);
        var blockSize = new Option<int>("--block-size") { Description = "softmax: previous characters seen", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.BlockSize }.Within(1);
        var steps = new Option<int>("--steps") { Description = "softmax: gradient steps per point", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.Steps }.Within(1);
        var grid = new Option<string?>("--grid") { Description = "Comma-separated strengths (default: 0.001…5 for add-k, 0…1 for L2)" };
        var plot = asPlot
            ? new Option<string?>("--output", "-o") { Description = "The PNG to write", Required = true }
            : new Option<string?>("--plot") { Description = "Also draw train and dev NLL against strength to this PNG" };
        var command = new Command("sweep", asPlot
            ? "Draw train and dev NLL against the smoothing strength (log x-axis), as 'makemore sweep' computes them.\nExample: makemore plot sweep --order 3 -o sweep.png"
            : "Tune the smoothing strength on the lecture split's dev part, mark the best, then evaluate test once.\n" +
              "Example: makemore sweep --type ngram --order 3 --plot sweep.png")
        {
            input, type, order, blockSize, steps, grid, plot,
        };
        command.SetAction(parse =>
        {
            string path = DataFiles.Resolve(parse.GetValue(input));
            if (parse.GetValue(plot) is { } target)
                OutputPaths.Check(asPlot ? "--output" : "--plot", target, ("-i", path)); // before the sweep, not after
            var split = NameSplitter.Split(DataFiles.Read(path), SplitProtocol.Lecture);
            var vocabulary = CharacterVocabulary.Learn(split.Train.Concat(split.Dev).Concat(split.Test)); // the whole file's, as train's
            var encode = (IReadOnlyList<string> names) => names.Select(n => vocabulary.Encode(n)).ToList();
            var (train, dev, test) = (encode(split.Train), encode(split.Dev), encode(split.Test));
            var kind = ModelKinds.Find(parse.GetValue(type)!) is { Smoothing: not null } found ? found
                : throw new UsageException($"unknown model type '{parse.GetValue(type)}': use {string.Join(" or ", ModelKinds.All.Where(k => k.Smoothing is not null).Select(k => k.Name))}");
            var sweep = kind.Smoothing!;
            // The sweep's flags reach the kind through its own settings: a flag it lacks is a mistake only when given.
            object options = kind.CreateOptions();
            foreach (var (option, flag) in new (Option<int> Option, string Flag)[] { (order, "--order"), (blockSize, "--block-size"), (steps, "--steps") })
            {
                var setting = kind.Settings.FirstOrDefault(s => s.Flag == flag);
                if (setting is not null)
                    setting.Set(options, parse.GetValue(option).ToString(CultureInfo.InvariantCulture));
                else if (parse.GetResult(option) is { Implicit: false })
                    throw new UsageException($"{flag} does not apply to --type {kind.Name}");
            }
            var rows = sweep.Fit(options, vocabulary, train, Sweeps.ParseGrid(parse.GetValue(grid), [.. sweep.Grid]), error.WriteLine)
                .Select(m => new SweepRow(m.Strength, Sweeps.Nll(m.Model, train), Sweeps.Nll(m.Model, dev), m.Model)).ToList();
            string strength = sweep.Strength;
            var best = rows.MinBy(r => r.Dev)!;
            output.WriteLine($"{path}, lecture split ({split.Train.Count:N0} / {split.Dev.Count:N0} / {split.Test.Count:N0} names); NLL in nats per character");
            var table = new Table(strength, "train NLL", "dev NLL", "");
            foreach (var row in rows)
                table.Add(row.Strength.ToString("G4", CultureInfo.InvariantCulture), row.Train, row.Dev, ReferenceEquals(row, best) ? "← best on dev" : "");
            table.Write(output);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best {strength} = {best.Strength:G4}: dev {best.Dev:F5}, test {Sweeps.Nll(best.Model, test):F5} (test evaluated once, for the best only)"));
            if (parse.GetValue(plot) is { } png)
            {
                bool logX = rows.All(r => r.Strength > 0);
                Plotting.Plots.Curves(png, $"{kind.Name} {strength} sweep on the lecture split",
                    strength + (logX ? " (log scale)" : ""), "NLL (nats/char)",
                    [("train", rows.Select(r => r.Strength).ToArray(), rows.Select(r => r.Train).ToArray()),
                     ("dev", rows.Select(r => r.Strength).ToArray(), rows.Select(r => r.Dev).ToArray())], logX);
                output.WriteLine($"plot: {png}");
            }
            return 0;
        });
        return command;
    }
}
