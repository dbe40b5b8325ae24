using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore train</c>: fit on the train part, report every part, save the zip, show samples.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var input = CommonOptions.Input();
        var model = new Option<string>("--output", "-o") { Description = "Where to save the model zip", DefaultValueFactory = _ => "names-model.zip" };
        var type = new Option<string>("--type") { Description = "ngram (counts) or softmax (the lecture's neural n-gram, TorchSharp)", DefaultValueFactory = _ => "ngram" };
        var split = CommonOptions.Split("lecture");
        var seed = new Option<int>("--seed")
        {
            Description = $"Seed of --split random, and of the samples shown (when not given, samples use {SamplingOptions.LectureSeed})",
            DefaultValueFactory = _ => 42,
        };
        var order = new Option<int>("--order") { Description = "ngram: n, 1–8 (2 = bigram)", DefaultValueFactory = _ => 2 };
        var smoothing = new Option<string>("--smoothing") { Description = "ngram: none, add-k:K, kneser-ney or kneser-ney:D", DefaultValueFactory = _ => "add-k:1" };
        var blockSize = new Option<int>("--block-size") { Description = "softmax: previous characters seen (1 = bigram)", DefaultValueFactory = _ => 1 };
        var context = new Option<string>("--context") { Description = "softmax: joint (V^block rows of W) or per-position", DefaultValueFactory = _ => "joint" };
        var encoding = new Option<string>("--encoding") { Description = "softmax: one-hot (the lecture) or embedding (row lookup, E04)", DefaultValueFactory = _ => "embedding" };
        var l2 = new Option<double>("--l2") { Description = "softmax: L2 strength on W", DefaultValueFactory = _ => 0.01 };
        var lr = new Option<double>("--lr") { Description = "softmax: learning rate", DefaultValueFactory = _ => 50 };
        var steps = new Option<int>("--steps") { Description = "softmax: gradient steps", DefaultValueFactory = _ => 300 };
        var batchSize = new Option<int?>("--batch-size") { Description = "softmax: examples per step (default: full batch)" };
        var threads = new Option<int>("--threads") { Description = "softmax: libtorch threads", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "Samples to show after training", DefaultValueFactory = _ => 10 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var json = CommonOptions.Json();
        var topK = new Option<int>("--top-k") { Description = "Samples: keep only the k most likely characters at each step (0: all)", DefaultValueFactory = _ => 0 };
        var sampleOnly = new Option<bool>("--sample-only") { Description = "Do not train: load the model at -o and print samples (makemore.py's flag)" };
        var command = new Command("train", "Train a model on the train part, print train/dev/test NLL and samples, save a zip.\n" +
            "Example: makemore train --order 3 --smoothing kneser-ney -o trigram.zip")
        {
            input, model, type, split, seed, order, smoothing, blockSize, context, encoding, l2, lr, steps, batchSize, threads, samples, quiet, json, topK, sampleOnly,
        };
        command.SetAction(parse =>
        {
            // One --seed for the run, as in makemore.py; without it the samples are the lecture's.
            var sampling = new SamplingOptions
            {
                Seed = parse.GetResult(seed) is { Implicit: false } ? parse.GetValue(seed) : SamplingOptions.LectureSeed,
                TopK = parse.GetValue(topK),
            };
            if (parse.GetValue(sampleOnly))
            {
                var saved = MakemoreModel.GetLanguageModel(Models.Load(new MLContext(), parse.GetValue(model)!));
                foreach (string name in new NameGenerator(saved).Generate(parse.GetValue(samples), sampling))
                    output.WriteLine(name);
                return 0;
            }
            string path = DataFiles.Resolve(parse.GetValue(input));
            var names = DataFiles.Read(path);
            var protocol = DataFiles.ParseSplit(parse.GetValue(split)!);
            var parts = DataFiles.Parts(names, protocol, parse.GetValue(seed));
            if (parts[0].Names.Count == 0)
                throw new UsageException($"the train part of {path} is empty: the file is too small for --split {parse.GetValue(split)}");
            string zip = parse.GetValue(model)!;
            // Fail on an unusable output path now, not after training.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(zip))!);
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadNames(parts[0].Names);
            var progress = parse.GetValue(quiet) ? null : new Progress(error, parse.GetValue(steps));
            // Ctrl+C during training stops after the current step; the model so far is evaluated and saved as usual.
            using var interrupt = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                error.WriteLine();
                error.WriteLine("makemore: interrupted; stopping after this step and saving the model trained so far");
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            IEstimator<ITransformer> trainer = parse.GetValue(type) switch
            {
                "ngram" => ml.Makemore().Trainers.NGram(new NGramOptions
                {
                    Order = parse.GetValue(order),
                    Smoothing = Parse(() => Smoothing.Parse(parse.GetValue(smoothing)!)),
                }),
                "softmax" => ml.Makemore().Trainers.SoftmaxRegression(new SoftmaxRegressionOptions
                {
                    BlockSize = parse.GetValue(blockSize),
                    Context = parse.GetValue(context) switch
                    {
                        "joint" => ContextEncoding.Joint,
                        "per-position" => ContextEncoding.PerPosition,
                        var other => throw new UsageException($"unknown context '{other}': use joint or per-position"),
                    },
                    Encoding = parse.GetValue(encoding) switch
                    {
                        "one-hot" => InputEncoding.OneHot,
                        "embedding" => InputEncoding.Embedding,
                        var other => throw new UsageException($"unknown encoding '{other}': use one-hot or embedding"),
                    },
                    L2 = parse.GetValue(l2),
                    LearningRate = parse.GetValue(lr),
                    Steps = parse.GetValue(steps),
                    BatchSize = parse.GetValue(batchSize),
                    Threads = parse.GetValue(threads),
                    Progress = progress,
                    CancellationToken = interrupt.Token,
                }),
                var other => throw new UsageException($"unknown model type '{other}': use ngram or softmax"),
            };
            var pipeline = ml.Transforms.Text.MapCharactersToIds().Append(trainer);
            var stopwatch = Stopwatch.StartNew();
            ITransformer fitted;
            try
            {
                fitted = pipeline.Fit(train);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            stopwatch.Stop();
            progress?.Done();
            var languageModel = MakemoreModel.GetLanguageModel(fitted);

            bool asJson = parse.GetValue(json);
            var report = asJson ? TextWriter.Null : output;
            report.WriteLine($"data: {path} ({names.Count:N0} names), split: {parse.GetValue(split)}");
            report.WriteLine($"model: {languageModel}");
            string counting = trainer is NGramEstimator ngram
                ? string.Create(CultureInfo.InvariantCulture, $" (counting and smoothing: {ngram.LastFitDuration.TotalMilliseconds:F1} ms; the rest is reading the data through the ML.NET pipeline, learning the vocabulary and first-call JIT)")
                : "";
            report.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fit: {stopwatch.Elapsed.TotalMilliseconds:F1} ms{counting}"));
            report.WriteLine();
            var metadata = new Dictionary<string, string>
            {
                ["command"] = "makemore " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
                ["data"] = path,
                ["data_names"] = names.Count.ToString(CultureInfo.InvariantCulture),
                ["split"] = parse.GetValue(split)!,
                ["fit_ms"] = stopwatch.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture),
            };
            var table = new Table("split", "names", "predicted chars", "NLL (nats/char)", "bits/char", "perplexity");
            foreach (var (part, partNames) in parts)
            {
                if (partNames.Count == 0)
                {
                    table.Add(part, 0, "-", "-", "-", "-"); // a tiny file leaves dev or test empty under an 80/10/10 split
                    continue;
                }
                var metrics = ml.Makemore().Evaluate(fitted.Transform(ml.Data.LoadNames(partNames)));
                table.Add(part, metrics.ItemCount, metrics.PredictedCharacterCount, metrics.NllPerCharacter, metrics.BitsPerCharacter, metrics.Perplexity);
                metadata[$"{part}_nll"] = metrics.NllPerCharacter.ToString("R", CultureInfo.InvariantCulture);
                metadata[$"{part}_characters"] = metrics.PredictedCharacterCount.ToString(CultureInfo.InvariantCulture);
            }
            table.Write(report);
            // Save the model together with how it was trained and what it scored (shown by 'makemore info').
            var ids = ((IEnumerable<ITransformer>)fitted).First();
            fitted = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(languageModel, "Ids", ids.Transform(train), metadata));
            ml.Model.Save(fitted, train.Schema, zip);
            report.WriteLine();
            report.WriteLine($"saved: {zip}");
            var drawn = new NameGenerator(languageModel).Generate(parse.GetValue(samples), sampling);
            if (asJson)
            {
                output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["model"] = languageModel.ToString()!,
                    ["output"] = zip,
                    ["metadata"] = metadata,
                    ["samples"] = drawn,
                }));
            }
            else if (drawn.Count > 0)
            {
                report.WriteLine($"samples (seed {sampling.Seed}, {sampling.Rng.ToString().ToLowerInvariant()} rng):");
                foreach (string name in drawn)
                    report.WriteLine($"  {name}");
            }
            return 0;
        });
        return command;
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Training progress on stderr: one line rewritten in place on a terminal, every 10 % otherwise.</summary>
    private sealed class Progress(TextWriter error, int steps) : IProgress<TrainingProgress>
    {
        private readonly bool _inPlace = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        private readonly int _every = Math.Max(1, steps / 10);

        public void Report(TrainingProgress value)
        {
            if (!_inPlace && value.Step % _every != 0 && value.Step != 1)
                return;
            double eta = value.Step == 0 ? 0 : value.Elapsed.TotalSeconds / value.Step * (value.Steps - value.Step);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"step {value.Step,6}/{value.Steps}  loss {value.Loss:F4}  data NLL {value.DataLoss:F4}  {value.Elapsed.TotalSeconds:F1}s, ETA {eta:F1}s");
            if (_inPlace)
                error.Write("\r" + line);
            else
                error.WriteLine(line);
        }

        public void Done()
        {
            if (_inPlace)
                error.WriteLine();
        }
    }
}
