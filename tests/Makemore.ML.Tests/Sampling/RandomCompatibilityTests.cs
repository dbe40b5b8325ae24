using Makemore.ML.Data;
using Makemore.ML.Sampling;

namespace Makemore.ML.Tests.Sampling;

/// <summary>
/// Checks the pure C# generators against the reference MT19937, CPython 3.11's <c>random</c> module and
/// PyTorch's CPU generator (TorchSharp 0.107 / libtorch 2.10; PyTorch 1.x for the lecture sampler).
/// </summary>
[TestClass]
public sealed class RandomCompatibilityTests
{
    [TestMethod]
    public void TorchRandperm_MatchesPyTorch()
    {
        // PyTorch 1.13 (Debian's python3-torch): torch.manual_seed(3407); torch.randperm(20).tolist()
        CollectionAssert.AreEqual(new[] { 19, 5, 9, 16, 11, 1, 6, 10, 12, 14, 13, 4, 18, 3, 7, 2, 15, 17, 8, 0 },
            new TorchGenerator(3407).Permutation(20));
        CollectionAssert.AreEqual(Array.Empty<int>(), new TorchGenerator(1).Permutation(0));
        CollectionAssert.AreEqual(new[] { 0 }, new TorchGenerator(1).Permutation(1));
    }

    [TestMethod]
    public void MakemorePySplitOfFewerThanTenWordsIsAllTest()
    {
        // makemore.py: test_set_size = min(1000, int(n * 0.1)) is 0, and rp[-0:] is all of rp, rp[:-0] nothing
        var split = NameSplitter.Split(["a", "b", "c"], SplitProtocol.MakemorePy, NameSplitter.MakemorePySeed);
        Assert.IsEmpty(split.Train);
        Assert.HasCount(3, split.Test);
        Assert.IsEmpty(split.Dev);
    }

    [TestMethod]
    public void Mt19937_DefaultSeed_MatchesReferenceOutputs()
    {
        // mt19937ar.c with init_genrand(5489); the 10,000th output is the value C++11 requires of std::mt19937.
        var engine = new Mt19937(5489u);
        uint[] first = [engine.NextUInt32(), engine.NextUInt32(), engine.NextUInt32(), engine.NextUInt32(), engine.NextUInt32()];
        for (int i = 5; i < 9999; i++)
        {
            engine.NextUInt32();
        }

        CollectionAssert.AreEqual(new uint[] { 3499211612, 581869302, 3890346734, 3586334585, 545404204 }, first);
        Assert.AreEqual(4123659995u, engine.NextUInt32());
    }

    [TestMethod]
    public void Mt19937_InitByArray_MatchesMt19937arOut()
    {
        // mt19937ar.out: init_by_array({0x123, 0x234, 0x345, 0x456}), first outputs of genrand_int32().
        var engine = new Mt19937();
        engine.InitByArray([0x123u, 0x234u, 0x345u, 0x456u]);
        uint[] first = [engine.NextUInt32(), engine.NextUInt32(), engine.NextUInt32(), engine.NextUInt32(), engine.NextUInt32()];

        CollectionAssert.AreEqual(new uint[] { 1067595299, 955945823, 477289528, 4107218783, 4228976476 }, first);
    }

    [TestMethod]
    public void PythonRandom_Random_MatchesCPython()
    {
        // python3 -c "import random; random.seed(42); print([repr(random.random()) for _ in range(3)])"
        var random = new PythonRandom(42);

        Assert.AreEqual(0.6394267984578837, random.Random());
        Assert.AreEqual(0.025010755222666936, random.Random());
        Assert.AreEqual(0.27502931836911926, random.Random());
    }

    [TestMethod]
    public void PythonRandom_GetRandBits_MatchesCPython()
    {
        // python3 -c "import random; random.seed(42); print([random.getrandbits(32) for _ in range(3)])"
        var random = new PythonRandom(42);
        ulong[] words = [random.GetRandBits(32), random.GetRandBits(32), random.GetRandBits(32)];
        CollectionAssert.AreEqual(new ulong[] { 2746317213, 478163327, 107420369 }, words);

        // python3 -c "import random; random.seed(42); print(random.getrandbits(64), random.getrandbits(33))"
        random = new PythonRandom(42);
        Assert.AreEqual(2053695854357871005UL, random.GetRandBits(64));
        Assert.AreEqual(4402387665UL, random.GetRandBits(33));

        // python3 -c "import random; r = random.Random(0); print(r.getrandbits(8), repr(r.random()))"
        random = new PythonRandom(0);
        Assert.AreEqual(216UL, random.GetRandBits(8));
        Assert.AreEqual(0.3852453064766108, random.Random());
    }

    [TestMethod]
    public void PythonRandom_ShuffleAndRandBelow_MatchCPython()
    {
        // python3 -c "import random; r = random.Random(42); l = list(range(10)); r.shuffle(l); print(l)"
        var random = new PythonRandom(42);
        var items = Enumerable.Range(0, 10).ToList();
        random.Shuffle(items);
        CollectionAssert.AreEqual(new[] { 7, 3, 2, 8, 5, 6, 9, 4, 0, 1 }, items);

        // A seed wider than 32 bits is split into two key words:
        // python3 -c "import random; r = random.Random(2**40 + 5); print(r.getrandbits(40), r._randbelow(1000))"
        random = new PythonRandom((1L << 40) + 5);
        Assert.AreEqual(569101979940UL, random.GetRandBits(40));
        Assert.AreEqual(275, random.RandBelow(1000));
    }

    [TestMethod]
    public void PythonRandom_LectureSplit_MatchesFigures()
    {
        // docs/reference-figures.md, "Dataset": random.seed(42); random.shuffle(words); n1 = int(0.8n), n2 = int(0.9n).
        var words = ReadNames();
        new PythonRandom(42).Shuffle(words);
        int n1 = (int)(0.8 * words.Count);
        int n2 = (int)(0.9 * words.Count);

        Assert.AreEqual(25626, n1);
        Assert.AreEqual(3203, n2 - n1);
        Assert.AreEqual(3204, words.Count - n2);
        CollectionAssert.AreEqual(new[] { "yuheng", "diondre", "xavien" }, words.Take(3).ToList());
        CollectionAssert.AreEqual(new[] { "amay", "aytana", "jenevi" }, words.Skip(n1).Take(3).ToList());
        CollectionAssert.AreEqual(new[] { "mustafa", "reuben", "kahlel" }, words.Skip(n2).Take(3).ToList());
    }

    [TestMethod]
    public void TorchGenerator_Rand_MatchesTorch()
    {
        var generator = new TorchGenerator(SamplingOptions.LectureSeed);
        float[] p = [generator.NextFloat(), generator.NextFloat(), generator.NextFloat()];

        // Exact float32 values of torch.rand(3, generator=g), captured from TorchSharp 0.107.
        CollectionAssert.AreEqual(new[] { 0.70812887f, 0.3542391f, 0.10543233f }, p);

        // docs/reference-figures.md, "Random numbers": torch.rand(3) normalised = 0.6064, 0.3033, 0.0903.
        float sum = p.Sum();
        Assert.AreEqual(0.6064, p[0] / sum, 5e-5);
        Assert.AreEqual(0.3033, p[1] / sum, 5e-5);
        Assert.AreEqual(0.0903, p[2] / sum, 5e-5);
    }

    [TestMethod]
    public void TorchGenerator_ExponentialRandAndMultinomial_MatchTorchSharp()
    {
        // Captured from TorchSharp 0.107 (libtorch 2.10, CPU, 1 thread), one generator throughout:
        //   g = torch.Generator().manual_seed(2147483647)
        //   torch.empty(3, dtype=torch.float64).exponential_(1, generator=g)
        //   torch.rand(2, dtype=torch.float64, generator=g)
        //   [torch.multinomial(w, 1, generator=g).item() for _ in range(20)], w = [0.1, 0, 0.5, 0.25, 0.15] (float32)
        // The exponentials use glibc's log1p, whose last bit can depend on the CPU (FMA build or not); hence the delta.
        var generator = new TorchGenerator(SamplingOptions.LectureSeed);
        Assert.AreEqual(1.0937184279964054, generator.NextExponential(), 1e-15);
        Assert.AreEqual(1.8544370492274913, generator.NextExponential(), 1e-15);
        Assert.AreEqual(1.2857380184347666, generator.NextExponential(), 1e-15);
        Assert.AreEqual(0.05797620674357962, generator.NextDouble());
        Assert.AreEqual(0.06423152664830567, generator.NextDouble());

        float[] weights = [0.1f, 0f, 0.5f, 0.25f, 0.15f];
        var draws = Enumerable.Range(0, 20).Select(_ => generator.SampleTorch(weights)).ToList();
        CollectionAssert.AreEqual(new[] { 2, 3, 2, 0, 2, 2, 2, 4, 2, 3, 4, 2, 4, 2, 3, 3, 2, 0, 3, 2 }, draws);
    }

    [TestMethod]
    public void SampleLecture_FiveBigramNames_MatchLecture()
    {
        // docs/reference-figures.md, "Random numbers": 2022 lecture (inverse-CDF multinomial, PyTorch 1.x).
        var generator = new TorchGenerator(SamplingOptions.LectureSeed);
        string names = SampleNames(BigramProbabilities(ReadNames()), generator.SampleLecture);

        Assert.AreEqual("mor. axx. minaymoryles. kondlaisah. anchshizarie.", names);
    }

    [TestMethod]
    public void SampleTorch_FiveBigramNames_MatchCurrentTorch()
    {
        // docs/reference-figures.md, "Random numbers": current PyTorch / TorchSharp 0.107 multinomial (exponential race).
        var generator = new TorchGenerator(SamplingOptions.LectureSeed);
        string names = SampleNames(BigramProbabilities(ReadNames()), generator.SampleTorch);

        Assert.AreEqual("cexze. momasurailezitynn. konimittain. llayn. ka.", names);
    }

    [TestMethod]
    public void Samplers_InvalidWeights_Throw()
    {
        var generator = new TorchGenerator(SamplingOptions.LectureSeed);

        Assert.ThrowsExactly<ArgumentException>(() => generator.SampleTorch([0f, 0f]));
        Assert.ThrowsExactly<ArgumentException>(() => generator.SampleTorch([1f, -1f]));
        Assert.ThrowsExactly<ArgumentException>(() => generator.SampleTorch([1f, float.NaN]));
        Assert.ThrowsExactly<ArgumentException>(() => generator.SampleLecture([0f, 0f]));
        Assert.ThrowsExactly<ArgumentException>(() => generator.SampleLecture([1f, float.PositiveInfinity]));
        Assert.ThrowsExactly<ArgumentException>(() => generator.SampleLecture([]));
    }

    private delegate int Sampler(ReadOnlySpan<float> weights);

    // Five names from the bigram table, each starting at '.' (0) and ending when '.' is drawn.
    private static string SampleNames(float[] probabilities, Sampler sample)
    {
        var names = new List<string>();
        for (int n = 0; n < 5; n++)
        {
            var name = new System.Text.StringBuilder();
            int index = 0;
            do
            {
                index = sample(probabilities.AsSpan(index * 27, 27));
                name.Append(index == 0 ? '.' : (char)('a' + index - 1));
            }
            while (index != 0);
            names.Add(name.ToString());
        }

        return string.Join(' ', names);
    }

    // P = (N + 1).float(); P /= P.sum(1, keepdim=True), row-major 27 x 27, '.' = 0 and a..z = 1..26.
    private static float[] BigramProbabilities(IEnumerable<string> words)
    {
        var counts = new int[27 * 27];
        foreach (string word in words)
        {
            string padded = "." + word + ".";
            for (int i = 0; i + 1 < padded.Length; i++)
            {
                counts[(Index(padded[i]) * 27) + Index(padded[i + 1])]++;
            }
        }

        var probabilities = new float[27 * 27];
        for (int row = 0; row < 27; row++)
        {
            float sum = 0f;
            for (int column = 0; column < 27; column++)
            {
                sum += counts[(row * 27) + column] + 1;
            }

            for (int column = 0; column < 27; column++)
            {
                probabilities[(row * 27) + column] = (counts[(row * 27) + column] + 1) / sum;
            }
        }

        return probabilities;

        static int Index(char c) => c == '.' ? 0 : c - 'a' + 1;
    }

    private static List<string> ReadNames() =>
        File.ReadAllLines(TestData.OriginalNamesPathOrInconclusive()).Where(line => line.Length > 0).ToList();
}
