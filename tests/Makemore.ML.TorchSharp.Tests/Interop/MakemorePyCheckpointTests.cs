using System.Collections;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Interop;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Makemore.ML.TorchSharp.Tests.Interop;

/// <summary>
/// makemore.py's checkpoints both ways, against numbers makemore.py computed itself: the fixtures in
/// Interop/Fixtures/MakemorePy were made by benchmarks/peers/makemore_py_fixtures.py (its README says how), with
/// makemore.py at commit 988aa59 on Debian's python3-torch 1.13.
/// </summary>
[TestClass]
[DoNotParallelize] // libtorch's global state (the state dicts are read and written through TorchSharp)
public sealed class MakemorePyCheckpointTests
{
    // makemore.py's per-word loss is a float32 mean; ours is computed in float32 and summed in double.
    private const double Tolerance = 1e-5;

    private static string Fixtures => Path.Combine(TestData.RepositoryRoot, "tests", "Makemore.ML.TorchSharp.Tests", "Interop", "Fixtures", "MakemorePy");

    private static IReadOnlyList<string> Words => NameList.Read(Path.Combine(Fixtures, "words.txt"));

    [TestMethod]
    public void SplitIsMakemorePysTorchRandpermSplit()
    {
        // split-names.txt: the test indices makemore.py's create_datasets draws for data/names.txt with --seed 3407
        var names = NameList.Read(Path.Combine(TestData.RepositoryRoot, "data", "names.txt"));
        var expected = File.ReadAllLines(Path.Combine(Fixtures, "split-names.txt")).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.HasCount(1000, expected);
        CollectionAssert.AreEqual(expected, NameSplitter.MakemorePyTestIndices(names.Count, NameSplitter.MakemorePySeed).ToArray());
        var split = NameSplitter.Split(names, SplitProtocol.MakemorePy, NameSplitter.MakemorePySeed);
        CollectionAssert.AreEqual(expected.Select(i => names[i]).ToArray(), split.Test.ToArray());
        Assert.HasCount(names.Count - 1000, split.Train);
        Assert.IsEmpty(split.Dev);
        Assert.AreEqual(names.Count, split.Train.Count + split.Test.Count);
        // libtorch 2.x (TorchSharp) draws the same permutation as PyTorch 1.13 did
        using var generator = new torch.Generator(NameSplitter.MakemorePySeed);
        using var permutation = torch.randperm(names.Count, generator: generator);
        CollectionAssert.AreEqual(expected, permutation.data<long>().ToArray()[^1000..].Select(i => (int)i).ToArray());
    }

    [TestMethod]
    [DataRow("transformer")]
    [DataRow("bigram")]
    [DataRow("mlp")]
    [DataRow("rnn")]
    [DataRow("gru")]
    [DataRow("bow")]
    public void ImportedModelScoresEveryTestWordAsMakemorePy(string type)
    {
        var flags = Flags($"py-{type}.pt");
        var words = Words;
        ILanguageModel model;
        using (var stream = File.OpenRead(Path.Combine(Fixtures, $"py-{type}.pt")))
            model = MakemorePyCheckpoint.Read(stream, MakemorePyCheckpoint.ParseType(type)!.Value, CharacterVocabulary.Learn(words),
                MakemorePyCheckpoint.BlockSizeOf(words), flags.GetValueOrDefault("--n-head", MakemorePyCheckpoint.DefaultHeadCount));
        var expected = Expected($"py-{type}.nll.tsv");
        // the fixture's words are makemore.py's test words, in its order: our split reproduces them
        CollectionAssert.AreEqual(expected.Select(e => e.Word).ToArray(),
            NameSplitter.Split(words, SplitProtocol.MakemorePy, NameSplitter.MakemorePySeed).Test.ToArray());
        AssertScores(model, expected);
    }

    [TestMethod]
    [DataRow("transformer")]
    [DataRow("bigram")]
    [DataRow("mlp")]
    [DataRow("rnn")]
    [DataRow("gru")]
    [DataRow("bow")]
    public void ExportedModelScoresInMakemorePyAsHere(string type)
    {
        // ours-TYPE.zip was trained here; makemore.py loaded its export (ours-TYPE.pt) and scored it (ours-TYPE.nll.tsv)
        var ml = new MLContext(seed: 0);
        var model = MakemoreModel.GetLanguageModel(ml.Makemore().Load(Path.Combine(Fixtures, $"ours-{type}.zip"), out _));
        AssertScores(model, Expected($"ours-{type}.nll.tsv"));
        // and today's export writes those very tensors, with the flags makemore.py was given
        using var written = new MemoryStream();
        var export = MakemorePyCheckpoint.Write(model, written, Words);
        Assert.AreEqual(string.Join(' ', Flags($"ours-{type}.pt", raw: true)), string.Join(' ', export.Flags));
        written.Position = 0;
        using var verified = File.OpenRead(Path.Combine(Fixtures, $"ours-{type}.pt"));
        AssertSameStateDict(PyTorchUnpickler.UnpickleStateDict(verified, leaveOpen: true), PyTorchUnpickler.UnpickleStateDict(written, leaveOpen: true));
    }

    [TestMethod]
    public void ImportedModelRoundTripsThroughExport()
    {
        // makemore.py's own checkpoint, imported and exported again, is the same state dict (the MLP's <BLANK> row included)
        foreach (string type in new[] { "transformer", "bigram", "mlp", "rnn", "gru", "bow" })
        {
            var words = Words;
            var flags = Flags($"py-{type}.pt");
            using var original = File.OpenRead(Path.Combine(Fixtures, $"py-{type}.pt"));
            var model = MakemorePyCheckpoint.Read(original, MakemorePyCheckpoint.ParseType(type)!.Value, CharacterVocabulary.Learn(words),
                MakemorePyCheckpoint.BlockSizeOf(words), flags.GetValueOrDefault("--n-head", MakemorePyCheckpoint.DefaultHeadCount));
            using var written = new MemoryStream();
            var export = MakemorePyCheckpoint.Write(model, written, words);
            Assert.AreEqual(string.Join(' ', Flags($"py-{type}.pt", raw: true)), string.Join(' ', export.Flags), type);
            original.Position = 0;
            written.Position = 0;
            AssertSameStateDict(PyTorchUnpickler.UnpickleStateDict(original, leaveOpen: true), PyTorchUnpickler.UnpickleStateDict(written, leaveOpen: true));
        }
    }

    [TestMethod]
    public void CountBigramAndBatchNormMlpExportAsTheirMakemorePyCounterparts()
    {
        // Written as makemore.py's bigram (logits = ln p) and mlp (batch norm folded, <BLANK> = the boundary's row, zero
        // weights beyond the block), then read back as makemore.py's: the same number for every test word.
        var words = Words;
        var vocabulary = CharacterVocabulary.Learn(words);
        var test = NameSplitter.Split(words, SplitProtocol.MakemorePy, NameSplitter.MakemorePySeed).Test;
        var bigram = Counting.NGramModel.Fit(vocabulary, 2, Counting.Smoothing.AddK(1), words.Select(w => vocabulary.Encode(w)));
        AssertSameScores(bigram, RoundTrip(bigram, MakemorePyType.Bigram, words), test);
        var random = new Random(7);
        float[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];
        int v = vocabulary.Size, e = 3, h = 5, block = 4;
        var layer = new MlpLayer(block, e, h, Values(block * e * h, 1), null,
            new BatchNormStatistics(Values(h, 2), Values(h, 1), Values(h, 1), [.. Values(h, 1).Select(x => x * x + 0.5f)], 1e-5f));
        var mlp = new MlpModel(vocabulary, block, e, Values(v * e, 2), [layer], Values(h * v, 2), Values(v, 1));
        AssertSameScores(mlp, RoundTrip(mlp, MakemorePyType.Mlp, words), test);
    }

    private static ILanguageModel RoundTrip(ILanguageModel model, MakemorePyType type, IReadOnlyList<string> words)
    {
        using var stream = new MemoryStream();
        Assert.AreEqual(type, MakemorePyCheckpoint.Write(model, stream, words).Type);
        stream.Position = 0;
        return MakemorePyCheckpoint.Read(stream, type, CharacterVocabulary.Learn(words), MakemorePyCheckpoint.BlockSizeOf(words));
    }

    private static void AssertSameScores(ILanguageModel expected, ILanguageModel actual, IReadOnlyList<string> words)
    {
        var (a, b) = (new NameScorer(expected), new NameScorer(actual));
        foreach (string word in words)
            Assert.AreEqual(a.ScoreLikelihood(word).NllPerCharacter, b.ScoreLikelihood(word).NllPerCharacter, Tolerance, word);
    }

    [TestMethod]
    public void WrongHeadCountIsOneErrorNamingTensorShapeAndFlag()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Import("transformer", Words, headCount: 3));
        StringAssert.Contains(e.Message, "transformer.wte.weight is [27, 8]");
        StringAssert.Contains(e.Message, "--n-head 3");
    }

    [TestMethod]
    public void OtherWordsFileIsOneErrorNamingTensorShapeAndFlag()
    {
        // a words file with a longer word: makemore.py's block size would be 13, the checkpoint learned 12 positions
        var words = Words.Append("abcdefghijklm").ToList();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Import("transformer", words, headCount: 2));
        StringAssert.Contains(e.Message, "transformer.wpe.weight is [12, 8]");
        StringAssert.Contains(e.Message, "(-i)");
        // and one with a character more: V 28 where the checkpoint has 27
        e = Assert.ThrowsExactly<InvalidDataException>(() => Import("rnn", Words.Append("é").ToList()));
        StringAssert.Contains(e.Message, "wte.weight is [27, 8]");
        StringAssert.Contains(e.Message, "V = 28");
    }

    [TestMethod]
    public void AFileThatIsNotAStateDictIsOneErrorNamingIt()
    {
        var words = Words;
        using var text = new MemoryStream("not a checkpoint"u8.ToArray());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => MakemorePyCheckpoint.Read(text, MakemorePyType.Rnn, CharacterVocabulary.Learn(words),
            MakemorePyCheckpoint.BlockSizeOf(words), source: "words.txt"));
        StringAssert.Contains(e.Message, "words.txt is not a PyTorch state_dict saved by torch.save");
    }

    [TestMethod]
    public void WrongTypeIsOneErrorNamingTheMissingTensor()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Import("rnn", Words, asType: MakemorePyType.Gru));
        StringAssert.Contains(e.Message, "no tensor cell.xh_to_z.weight");
        StringAssert.Contains(e.Message, "--type");
    }

    [TestMethod]
    public void ModelWithoutCounterpartIsRefusedNamingWhy()
    {
        var words = Words;
        var vocabulary = CharacterVocabulary.Learn(words);
        int v = vocabulary.Size, e = 2, h = 3;
        var lstm = new RecurrentModel(vocabulary, RecurrentCell.Lstm, e, h, new float[2 * h], new float[v * e], new float[4 * h * (e + h)], new float[4 * h],
            new float[v * h], new float[v]);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => MakemorePyCheckpoint.Write(lstm, new MemoryStream(), words));
        StringAssert.Contains(error.Message, "no LSTM");
    }

    [TestMethod]
    public void ExportForAnotherWordsFileIsRefusedNamingTheFlag()
    {
        var model = Import("transformer", Words, headCount: 2);
        // a longer word: makemore.py would build 13 positions where the model learned 12
        var e = Assert.ThrowsExactly<ArgumentException>(() => MakemorePyCheckpoint.Write(model, new MemoryStream(), [.. Words, "abcdefghijklm"]));
        StringAssert.Contains(e.Message, "learned 12 positions");
        StringAssert.Contains(e.Message, "-i");
        // another character: makemore.py's vocabulary would not be the model's
        e = Assert.ThrowsExactly<ArgumentException>(() => MakemorePyCheckpoint.Write(model, new MemoryStream(), [.. Words, "é"]));
        StringAssert.Contains(e.Message, "vocabulary");
        StringAssert.Contains(e.Message, "-i");
    }

    /// <summary>
    /// The live check: export every fixture model trained here, run makemore.py's forward pass on it in /usr/bin/python3
    /// (benchmarks/peers/makemore_py_nll.py), and compare word by word. Inconclusive, with the reason, where Python with
    /// torch or makemore.py is not on the machine (CI installs python3-torch; makemore.py is in ../shared/reference).
    /// </summary>
    [TestMethod]
    public void LiveExportScoresTheSameInMakemorePy()
    {
        const string python = "/usr/bin/python3";
        string makemorePy = Environment.GetEnvironmentVariable("MAKEMORE_PY")
            ?? Path.GetFullPath(Path.Combine(TestData.RepositoryRoot, "..", "shared", "reference", "makemore-988aa59", "makemore.py"));
        if (!File.Exists(python))
            Assert.Inconclusive($"{python} is not installed: the live makemore.py check needs it with python3-torch");
        if (Run(python, ["-c", "import torch"], out string why) != 0)
            Assert.Inconclusive($"{python} cannot import torch (apt-get install python3-torch): {why.Trim().Split('\n')[^1]}");
        if (!File.Exists(makemorePy))
            Assert.Inconclusive($"makemore.py is not at {makemorePy} (set MAKEMORE_PY to its path)");
        string folder = Path.Combine(Path.GetTempPath(), "makemore-py-live-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string words = Path.Combine(Fixtures, "words.txt");
            var ml = new MLContext(seed: 0);
            var models = new Dictionary<string, ILanguageModel>();
            var manifest = new List<string>();
            foreach (string type in new[] { "transformer", "bigram", "mlp", "rnn", "gru", "bow" })
            {
                var model = MakemoreModel.GetLanguageModel(ml.Makemore().Load(Path.Combine(Fixtures, $"ours-{type}.zip"), out _));
                string pt = Path.Combine(folder, $"{type}.pt");
                using (var stream = File.Create(pt))
                    manifest.Add(pt + " " + string.Join(' ', MakemorePyCheckpoint.Write(model, stream, Words).Flags));
                models[pt] = model;
            }
            string list = Path.Combine(folder, "manifest.txt");
            File.WriteAllLines(list, manifest);
            // one Python process for all six: importing torch is most of its time
            string script = Path.Combine(TestData.RepositoryRoot, "benchmarks", "peers", "makemore_py_nll.py");
            int status = Run(python, [script, makemorePy, "-i", words, "--manifest", list], out string printed);
            Assert.AreEqual(0, status, $"makemore.py could not load or score an export: {printed}");
            var rows = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 2)).ToList();
            foreach (var (pt, model) in models)
                AssertScores(model, Parse(string.Join('\n', rows.Where(r => r[0] == pt).Select(r => r[1]))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ILanguageModel Import(string type, IReadOnlyList<string> words, int headCount = 4, MakemorePyType? asType = null)
    {
        using var stream = File.OpenRead(Path.Combine(Fixtures, $"py-{type}.pt"));
        return MakemorePyCheckpoint.Read(stream, asType ?? MakemorePyCheckpoint.ParseType(type)!.Value, CharacterVocabulary.Learn(words),
            MakemorePyCheckpoint.BlockSizeOf(words), headCount, $"py-{type}.pt");
    }

    private static void AssertScores(ILanguageModel model, IReadOnlyList<(string Word, double Nll)> expected)
    {
        Assert.HasCount(200, expected); // makemore.py's test part of 2,000 words
        var scorer = new NameScorer(model);
        double worst = 0;
        foreach (var (word, nll) in expected)
        {
            double ours = scorer.ScoreLikelihood(word).NllPerCharacter;
            worst = Math.Max(worst, Math.Abs(ours - nll));
            Assert.AreEqual(nll, ours, Tolerance, $"{word}: makemore.py {nll}, ours {ours}");
        }
        Assert.IsLessThan(Tolerance, worst);
    }

    private static void AssertSameStateDict(Hashtable expected, Hashtable actual)
    {
        try
        {
            CollectionAssert.AreEquivalent(expected.Keys.Cast<string>().ToArray(), actual.Keys.Cast<string>().ToArray());
            foreach (string name in expected.Keys)
            {
                var e = (torch.Tensor)expected[name]!;
                var a = (torch.Tensor)actual[name]!;
                CollectionAssert.AreEqual(e.shape, a.shape, name);
                Assert.AreEqual(e.dtype, a.dtype, name);
                CollectionAssert.AreEqual(e.data<float>().ToArray(), a.data<float>().ToArray(), name);
            }
        }
        finally
        {
            foreach (var t in expected.Values.Cast<torch.Tensor>().Concat(actual.Values.Cast<torch.Tensor>()))
                t.Dispose();
        }
    }

    // flags.tsv: FILE<TAB>makemore.py flags; the numbers by flag, or the flags after --type as written
    private static Dictionary<string, int> Flags(string file)
    {
        var flags = Flags(file, raw: true);
        var numbers = new Dictionary<string, int>();
        for (int i = 2; i + 1 < flags.Length; i += 2)
            numbers[flags[i]] = int.Parse(flags[i + 1], CultureInfo.InvariantCulture);
        return numbers;
    }

    private static string[] Flags(string file, bool raw) =>
        File.ReadAllLines(Path.Combine(Fixtures, "flags.tsv")).Select(l => l.Split('\t')).Single(p => p[0] == file)[1].Split(' ');

    private static IReadOnlyList<(string Word, double Nll)> Expected(string file) => Parse(File.ReadAllText(Path.Combine(Fixtures, file)));

    private static IReadOnlyList<(string Word, double Nll)> Parse(string tsv) =>
        tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Select(p => (p[0], double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    private static int Run(string file, IEnumerable<string> arguments, out string output)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            output += error.Result;
        return process.ExitCode;
    }
}
