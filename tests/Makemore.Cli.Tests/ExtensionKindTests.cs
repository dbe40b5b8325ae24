using System.Globalization;
using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Sampling;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Training;
using Makemore.Service;
using static Makemore.Cli.Tests.Cli;
using static TorchSharp.torch;

namespace Makemore.Cli.Tests;

/// <summary>
/// A model kind defined outside the library (here, in a test assembly) trains through the one estimator, saves, loads in a
/// fresh <c>MLContext</c>, scores, samples and serves, and is a <c>makemore train</c> subcommand, without any change to
/// library code: it registers its kind and its codec, as docs/architecture.md ("Adding a model kind") describes.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ExtensionKindTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-extension-").FullName;
        File.WriteAllLines(Path.Combine(_folder, "names.txt"), TestData.BundledNames().Take(600));
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    // Registered for each test and removed after it, so that other tests see the library's kinds only.
    [TestInitialize]
    public void Register()
    {
        ModelKinds.Register(LinearContextKind.Instance);
        ModelCodecs.Register(new LinearContextCodec());
    }

    [TestCleanup]
    public void Unregister() => Assert.IsTrue(ModelKinds.Unregister(LinearContextKind.Instance));

    [TestMethod]
    public void AKindDefinedOutsideTheLibraryTrainsSavesLoadsScoresSamplesAndServes()
    {
        var ml = new MLContext(seed: 0);
        var names = TestData.BundledNames().Take(600).ToArray();
        var data = ml.Data.LoadNames(names);
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(data);
        var options = LinearContextKind.Instance.NewOptions();
        options.Training.Steps = 300;
        var fitted = ml.Makemore().Trainers.Train(LinearContextKind.Instance, options).Fit(ids.Transform(data));
        var model = (LinearContextModel)fitted.Model;
        double uniform = Math.Log(model.Vocabulary.Size);
        Assert.IsLessThan(uniform - 0.3, fitted.Training.History[^1].DataLoss, "300 steps learn something below the uniform guess");

        string zip = Path.Combine(_folder, "linear.zip");
        var chain = ids.Append(fitted);
        ml.Makemore().Save(chain, data.Schema, zip);
        var fresh = new MLContext(seed: 1);
        var loaded = fresh.Model.Load(zip, out _);
        var trainedNll = ml.Makemore().Evaluate(chain.Transform(data)).NllPerCharacter;
        var loadedNll = fresh.Makemore().Evaluate(loaded.Transform(fresh.Data.LoadNames(names))).NllPerCharacter;
        Assert.AreEqual(trainedNll, loadedNll, 1e-12, "the loaded model scores as the trained one");
        Assert.IsInstanceOfType<LinearContextModel>(MakemoreModel.GetLanguageModel(loaded));

        var sampled = NameGenerator.From(loaded).Generate(20, new SamplingOptions { Seed = 7 });
        Assert.HasCount(20, sampled);
        Assert.IsTrue(sampled.All(n => n.All(c => model.Vocabulary.Symbols.Contains(c))), string.Join(", ", sampled));

        var service = new NameService(MakemoreModel.GetLanguageModel(loaded));
        var scored = service.Score("emma");
        Assert.AreEqual(model.LogLikelihood(model.Vocabulary.Encode("emma")), scored.LogLikelihood, 1e-9);
        Assert.HasCount(3, service.Generate(new GenerateRequest(3, new SamplingOptions { Seed = 1, Constraints = new NameConstraints { MaxLength = 20 } })).Names);
    }

    [TestMethod]
    public void ARegisteredKindIsATrainSubcommandWithItsOwnHelpAndWorksWithEveryCommand()
    {
        var help = Run("train", "linear-context", "--help");
        Assert.AreEqual(0, help.Code, help.Error);
        StringAssert.Contains(help.Output, "--block-size");
        StringAssert.Contains(help.Output, "[default: 2]");
        StringAssert.Contains(help.Output, "Learning rate [default: 0.5]");

        string zip = Path.Combine(_folder, "cli.zip");
        var train = Run("train", "linear-context", "-i", Path.Combine(_folder, "names.txt"), "-o", zip, "--steps", "200", "--block-size", "3", "--samples", "3", "-q");
        Assert.AreEqual(0, train.Code, train.Error);
        StringAssert.Contains(train.Output, "linear context, block 3");
        var eval = Run("eval", "-m", zip, "--json");
        Assert.AreEqual(0, eval.Code, eval.Error);
        var info = Run("info", "-m", zip);
        StringAssert.Contains(info.Output, "kind:       linear-context: ");
        var sample = Run("sample", "-m", zip, "-n", "4");
        Assert.AreEqual(0, sample.Code, sample.Error);
        Assert.HasCount(4, sample.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var legacy = Run("train", "--type", "linear-context", "-i", Path.Combine(_folder, "names.txt"), "-o", zip, "--steps", "5", "--samples", "0", "-q");
        Assert.AreEqual(0, legacy.Code, legacy.Error);
    }
}

/// <summary>The kind's options: its one setting, and the training loop's.</summary>
internal sealed class LinearContextOptions
{
    public int BlockSize { get; set; } = 2;

    public TrainingOptions Training { get; set; } = new() { Steps = 1000, LearningRate = 0.5, Optimizer = new SgdOptions(), BatchSize = 64, EvaluationInterval = 100 };
}

/// <summary>
/// A "linear context" model: the logits of the next character are a bias plus one row of W per position of the window and
/// the character there (a per-position softmax regression), written as a user of the library would write a new kind.
/// </summary>
internal sealed class LinearContextKind : ModelKind<LinearContextOptions>
{
    public static LinearContextKind Instance { get; } = new();

    public override string Name => "linear-context";

    public override string Description => "A test kind: bias + Σ over the window's positions of W[position, character], softmax.";

    public override IReadOnlyList<KindSetting> Settings { get; } =
    [
        KindSetting.Whole<LinearContextOptions>("--block-size", "previous characters seen", o => o.BlockSize, (o, v) => o.BlockSize = v, 1, 16),
    ];

    public override LinearContextOptions NewOptions() => new();

    public override bool Made(ILanguageModel model) => model is LinearContextModel;

    protected override TrainingOptions TrainingOf(LinearContextOptions options) => options.Training;

    protected override TrainedModel<ILanguageModel> Train(LinearContextOptions options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1);
        int block = options.BlockSize, v = vocabulary.Size;
        using var scope = NewDisposeScope();
        using var generator = new Generator(42);
        var weights = nn.Parameter(randn([block * v, v], generator: generator) * 0.01f); // (block·V, V)
        var bias = nn.Parameter(zeros(v)); // (V)
        var module = new Linear(weights, bias, block, v);
        var trainable = new TrainableModel(module, (x, y, w) => LossTerms.Of(Loss.Nll(module.call(x), y, w)));
        var result = TrainingLoop.Run(trainable, Examples(sequences, block), options.Training, dev is { Count: > 0 } ? Examples(dev, block) : null);
        return new(new LinearContextModel(vocabulary, block, weights.data<float>().ToArray(), bias.data<float>().ToArray()), result);
    }

    // (n, block) windows left-padded with the boundary 0, and (n) next ids, as the lectures build them.
    private static ExampleSet Examples(IReadOnlyList<int[]> sequences, int block)
    {
        var contexts = new List<long>();
        var targets = new List<long>();
        foreach (int[] item in sequences)
        {
            var window = new long[block];
            for (int i = 0; i <= item.Length; i++)
            {
                int next = i < item.Length ? item[i] : 0;
                contexts.AddRange(window);
                targets.Add(next);
                Array.Copy(window, 1, window, 0, block - 1);
                window[^1] = next;
            }
        }
        return new(tensor(contexts.ToArray(), [targets.Count, block]), tensor(targets.ToArray()));
    }

    private sealed class Linear : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter _weights;
        private readonly TorchSharp.Modules.Parameter _bias;
        private readonly Tensor _offsets;

        public Linear(TorchSharp.Modules.Parameter weights, TorchSharp.Modules.Parameter bias, int block, int v) : base(nameof(Linear))
        {
            _weights = weights;
            _bias = bias;
            _offsets = arange(block, dtype: int64) * v; // (block)
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => _weights.index_select(0, (x + _offsets).flatten()) // (b·block, V)
            .view(x.shape[0], x.shape[1], -1).sum(1) + _bias; // (b, V)
    }
}

/// <summary>The inference side of the kind: plain C#, no libtorch.</summary>
internal sealed class LinearContextModel(CharacterVocabulary vocabulary, int blockSize, float[] weights, float[] bias) : WindowLanguageModel
{
    public override CharacterVocabulary Vocabulary { get; } = vocabulary;

    public override int BlockSize { get; } = blockSize;

    public float[] Weights { get; } = weights;

    public float[] Bias { get; } = bias;

    public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities)
    {
        int v = Vocabulary.Size;
        for (int c = 0; c < v; c++)
            probabilities[c] = Bias[c];
        for (int p = 0; p < BlockSize; p++)
            for (int c = 0; c < v; c++)
                probabilities[c] += Weights[(p * v + context[p]) * v + c];
        double max = double.NegativeInfinity, sum = 0;
        foreach (double logit in probabilities)
            max = Math.Max(max, logit);
        for (int c = 0; c < v; c++)
            sum += probabilities[c] = Math.Exp(probabilities[c] - max);
        for (int c = 0; c < v; c++)
            probabilities[c] /= sum;
    }

    public override IReadOnlyList<KeyValuePair<string, string>> Describe() => [new("block size", BlockSize.ToString(CultureInfo.InvariantCulture))];

    public override string ToString() => $"linear context, block {BlockSize}, {Vocabulary.Size} symbols";
}

/// <summary>How the kind's models are saved: vocabulary, block size, W, bias.</summary>
internal sealed class LinearContextCodec : ModelCodec<LinearContextModel>
{
    public override string Kind => "test-linear-context";

    public override int Version => 1;

    protected override void Write(LinearContextModel model, BinaryWriter writer)
    {
        WriteVocabulary(writer, model.Vocabulary);
        writer.Write(model.BlockSize);
        WriteSingles(writer, model.Weights);
        WriteSingles(writer, model.Bias);
    }

    protected override LinearContextModel ReadModel(BinaryReader reader)
    {
        var vocabulary = ReadVocabulary(reader);
        int block = reader.ReadInt32();
        int v = vocabulary.Size;
        return new(vocabulary, block, ReadSingles(reader, (long)block * v * v), ReadSingles(reader, v));
    }
}
