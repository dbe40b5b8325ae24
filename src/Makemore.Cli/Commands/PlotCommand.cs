using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.Cli.Plotting;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore plot</c>: the lecture's figures as PNG files.</summary>
internal static class PlotCommand
{
    public static Command Create(TextWriter output, TextWriter error) => new("plot", "Draw the lecture's figures as PNG files.\n" +
        "Example: makemore plot bigram -o bigram.png")
    {
        Bigram(output),
        Probabilities(output),
        Loss(output, error),
        SweepCommand.Create(output, error, asPlot: true),
        Surprisal(output),
        Embeddings(output),
    };

    private static Option<string> Png() => new("--output", "-o") { Description = "The PNG to write", Required = true };

    private static Command Bigram(TextWriter output)
    {
        var input = CommonOptions.Input();
        var png = Png();
        var command = new Command("bigram", "The 27×27 bigram count matrix, each cell labelled with the bigram and its count.\n" +
            "Example: makemore plot bigram -o bigram.png") { input, png };
        command.SetAction(parse =>
        {
            string path = DataFiles.Resolve(parse.GetValue(input));
            OutputPaths.Check("--output", parse.GetValue(png)!, ("-i", path));
            var names = DataFiles.Read(path);
            var vocabulary = CharacterVocabulary.Learn(names);
            var model = NGramModel.Fit(vocabulary, 2, Smoothing.None, names.Select(n => vocabulary.Encode(n)));
            int v = vocabulary.Size;
            var counts = new double[v, v];
            for (int i = 0; i < v; i++)
                for (int j = 0; j < v; j++)
                    counts[i, j] = model.Count([i], j);
            Plots.Matrix(parse.GetValue(png)!, vocabulary.Symbols, counts, c => c.ToString("0", CultureInfo.InvariantCulture), $"bigram counts N of {Path.GetFileName(path)}");
            output.WriteLine($"plot: {parse.GetValue(png)}");
            return 0;
        });
        return command;
    }

    private static Command Probabilities(TextWriter output)
    {
        var model = CommonOptions.Model();
        var png = Png();
        var command = new Command("probabilities", "The next-character probability matrix P of a saved bigram model (count or neural, block size 1).\n" +
            "Example: makemore plot probabilities -m bigram.zip -o p.png") { model, png };
        command.SetAction(parse =>
        {
            OutputPaths.Check("--output", parse.GetValue(png)!, ("-m", parse.GetValue(model)));
            var languageModel = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(model)!));
            if (languageModel is not WindowLanguageModel { BlockSize: 1 } bigram)
                throw new UsageException($"the model is a {languageModel}; the matrix needs a bigram (a window of 1 previous character)");
            int v = languageModel.Vocabulary.Size;
            var p = new double[v, v];
            var row = new double[v];
            for (int i = 0; i < v; i++)
            {
                bigram.GetNextProbabilities([i], row);
                for (int j = 0; j < v; j++)
                    p[i, j] = row[j];
            }
            Plots.Matrix(parse.GetValue(png)!, languageModel.Vocabulary.Symbols, p, x => x.ToString("0.00", CultureInfo.InvariantCulture), $"P(next | previous): {languageModel}");
            output.WriteLine($"plot: {parse.GetValue(png)}");
            return 0;
        });
        return command;
    }

    private static Command Loss(TextWriter output, TextWriter error)
    {
        var input = CommonOptions.Input();
        var png = Png();
        var blockSize = new Option<int>("--block-size") { Description = "Previous characters seen", DefaultValueFactory = _ => 1 }.Within(1);
        var steps = new Option<int>("--steps") { Description = "Gradient steps", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.Steps }.Within(1);
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.LearningRate }.Positive(fitsFloat: true);
        var l2 = new Option<double>("--l2") { Description = "L2 strength", DefaultValueFactory = _ => SoftmaxRegressionEstimator.Defaults.L2 }.NonNegative(fitsFloat: true);
        var type = new Option<string>("--type")
        {
            Description = $"A kind that trains by steps ({string.Join(", ", StepKinds().Select(k => k.Name))}): softmax with --block-size --lr --l2, the others in their default setting (--steps shortens it)",
            DefaultValueFactory = _ => "softmax",
        };
        var command = new Command("loss", "Train a neural model on the lecture split and draw its train and dev loss against the step.\n" +
            "Example: makemore plot loss --block-size 2 --steps 500 -o loss.png\n" +
            "Example: makemore plot loss --type bn-mlp --steps 20000 -o bn-mlp-loss.png") { input, png, blockSize, steps, lr, l2, type };
        command.SetAction(parse =>
        {
            // Before the training, not after; the default input (the bundled names) is resolved for the check only.
            OutputPaths.Check("--output", parse.GetValue(png)!, ("-i", DataFiles.Resolve(parse.GetValue(input))));
            // The softmax regression has no dev evaluation in its loop: its curve is drawn from warm-started chunks below.
            var kind = ModelKinds.Find(parse.GetValue(type)!);
            if (kind is not null && kind != SoftmaxKind.Instance && kind.TrainingOf(kind.CreateOptions()) is not null)
                return LoopLoss(parse, kind, parse.GetResult(steps) is { Implicit: false } ? parse.GetValue(steps) : null, parse.GetValue(input), parse.GetValue(png)!, output, error);
            if (kind != SoftmaxKind.Instance)
                throw new UsageException($"unknown --type '{parse.GetValue(type)}': use {string.Join(", ", StepKinds().Select(k => k.Name))}");
            var split = NameSplitter.Split(DataFiles.Read(DataFiles.Resolve(parse.GetValue(input))), SplitProtocol.Lecture);
            var vocabulary = CharacterVocabulary.Learn(split.Train.Concat(split.Dev).Concat(split.Test)); // the whole file's, as train's
            var train = split.Train.Select(n => vocabulary.Encode(n)).ToList();
            var dev = split.Dev.Select(n => vocabulary.Encode(n)).ToList();
            int total = parse.GetValue(steps);
            int chunk = Math.Max(1, total / 20);
            var trainCurve = new List<(double Step, double Loss)>();
            var devCurve = new List<(double Step, double Loss)>();
            SoftmaxRegressionModel? model = null;
            for (int done = 0; done < total; done += chunk)
            {
                // Training resumes exactly where it stopped (warm start), so the dev loss can be measured between chunks.
                var estimator = new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options
                {
                    BlockSize = parse.GetValue(blockSize),
                    L2 = parse.GetValue(l2),
                    InitialModel = model,
                    Training = { LearningRate = parse.GetValue(lr), Steps = Math.Min(chunk, total - done) },
                });
                (model, var training) = estimator.Train(vocabulary, train);
                trainCurve.AddRange(training.History.Select(h => ((double)(done + h.Step), h.DataLoss)));
                devCurve.Add((done + training.History.Count, Sweeps.Nll(model, dev)));
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {devCurve[^1].Step}/{total}: train {trainCurve[^1].Loss:F4}, dev {devCurve[^1].Loss:F4}"));
            }
            Plots.Curves(parse.GetValue(png)!, $"neural n-gram (block {parse.GetValue(blockSize)}), lecture split", "step", "NLL (nats/char)",
                [("train (batch, before the step)", trainCurve.Select(p => p.Step).ToArray(), trainCurve.Select(p => p.Loss).ToArray()),
                 ("dev", devCurve.Select(p => p.Step).ToArray(), devCurve.Select(p => p.Loss).ToArray())]);
            output.WriteLine($"plot: {parse.GetValue(png)}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The longest name <c>plot surprisal</c> draws: one 70-pixel bar per character, so 100 is a 7,070-pixel-wide PNG, about the
    /// most that stays readable (and the sampler's default maximum length); far longer names exceed what SkiaSharp can allocate.
    /// </summary>
    internal const int MaxSurprisalNameLength = 100;

    private static Command Surprisal(TextWriter output)
    {
        var model = CommonOptions.Model();
        var png = Png();
        var name = new Argument<string>("name") { Description = "The name to explain" };
        var command = new Command("surprisal", "Bar chart of −ln p for each character of a name and its end token.\n" +
            "Example: makemore plot surprisal -m names-model.zip andrej -o andrej.png") { model, png, name };
        command.SetAction(parse =>
        {
            string text = parse.GetValue(name)!;
            if (text.Length > MaxSurprisalNameLength)
                throw new UsageException($"the name is {text.Length} characters long; a surprisal plot draws at most {MaxSurprisalNameLength} (one bar per character)");
            OutputPaths.Check("--output", parse.GetValue(png)!, ("-m", parse.GetValue(model)));
            var languageModel = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(model)!));
            double[] surprisals = SequenceScorer.Surprisals(languageModel, languageModel.Vocabulary.Encode(text));
            var bars = surprisals.Select((s, i) => (i < text.Length ? text[i].ToString() : ".", s)).ToList();
            Plots.Bars(parse.GetValue(png)!, string.Create(CultureInfo.InvariantCulture, $"{text}: {surprisals.Average():F3} nats/char"), "surprisal −ln p (nats)", bars);
            output.WriteLine($"plot: {parse.GetValue(png)}");
            return 0;
        });
        return command;
    }

    // The kinds that train by steps with the one training loop (and so evaluate on dev while they train).
    private static IEnumerable<ModelKind> StepKinds() => ModelKinds.All.Where(k => k.TrainingOf(k.CreateOptions()) is not null);

    // The lecture's view of a minibatch run: the train loss averaged over buckets of steps (lossi.view(-1, 1000).mean(1)),
    // and the whole dev set at every evaluation.
    private static int LoopLoss(ParseResult parse, ModelKind kind, int? steps, string? input, string png, TextWriter output, TextWriter error)
    {
        var split = NameSplitter.Split(DataFiles.Read(DataFiles.Resolve(input)), SplitProtocol.Lecture);
        var vocabulary = CharacterVocabulary.Learn(split.Train.Concat(split.Dev).Concat(split.Test));
        var options = kind.CreateOptions();
        kind.FitToData(options, split.Train.Concat(split.Dev).Concat(split.Test).Select(n => n.Length).DefaultIfEmpty(0).Max());
        var training = kind.TrainingOf(options)!;
        if (steps is int n)
            training.Steps = n;
        int total = training.Steps;
        training.EvaluationInterval = Math.Max(1, total / 20);
        training.Progress = new Progress<TrainingProgress>(p =>
        {
            if (p.DevLoss is double dev)
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.Steps}: dev {dev:F4}, lr {p.LearningRate:G3}"));
        });
        var history = kind.Train(options, vocabulary, split.Train.Select(n => vocabulary.Encode(n)).ToList(), split.Dev.Select(n => vocabulary.Encode(n)).ToList())
            .Training.History;
        int bucket = Math.Max(1, history.Count / 200);
        var buckets = history.Chunk(bucket).Select(c => (Step: (double)c[^1].Step, Loss: c.Average(h => h.DataLoss))).ToArray();
        var devCurve = history.Where(h => h.DevLoss is not null).Select(h => (Step: (double)h.Step, Loss: h.DevLoss!.Value)).ToArray();
        Plots.Curves(png, $"{kind.Name} (default setting, {total:N0} steps), lecture split", "step", "NLL (nats/char)",
            [($"train (mean of {bucket} batches)", buckets.Select(p => p.Step).ToArray(), buckets.Select(p => p.Loss).ToArray()),
             ("dev (whole set)", devCurve.Select(p => p.Step).ToArray(), devCurve.Select(p => p.Loss).ToArray())]);
        output.WriteLine($"plot: {png}");
        return 0;
    }

    private static Command Embeddings(TextWriter output)
    {
        var model = CommonOptions.Model();
        var png = Png();
        var command = new Command("embeddings", "Scatter of the character embeddings of an MLP-family model, each point labelled with its character " +
            "(lecture part 2; with more than 2 dimensions, the 2 principal components).\n" +
            "Example: makemore plot embeddings -m mlp.zip -o embeddings.png") { model, png };
        command.SetAction(parse =>
        {
            OutputPaths.Check("--output", parse.GetValue(png)!, ("-m", parse.GetValue(model)));
            var languageModel = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(model)!));
            if (languageModel is not MlpModel mlp)
                throw new UsageException($"the model is a {languageModel}; only MLP-family models (--type mlp, bn-mlp, wavenet) learn character embeddings");
            var (points, axes) = EmbeddingProjection.TwoDimensions(mlp.Embedding, mlp.Vocabulary.Size, mlp.EmbeddingSize);
            Plots.Labelled(parse.GetValue(png)!, $"character embeddings ({mlp.EmbeddingSize}-D{(mlp.EmbeddingSize > 2 ? ", 2 principal components" : "")})",
                axes, mlp.Vocabulary.Symbols.Select((c, i) => (c.ToString(), points[i].X, points[i].Y)).ToList());
            output.WriteLine($"plot: {parse.GetValue(png)}");
            return 0;
        });
        return command;
    }
}
