using Microsoft.ML;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 5: sample names from the counts. Start at <c>.</c>, draw the next character from that row's
/// distribution with <c>torch.multinomial</c>, move to its row, stop at <c>.</c>. <see cref="TorchGenerator"/> is
/// PyTorch's generator bit for bit, so the seed 2147483647 gives the lecture's names.
/// </summary>
public static class C05_SamplingFromTheCounts
{
    /// <summary>The lecture's <c>P</c>: each row of <c>N + fake</c> divided by its sum, in float32.</summary>
    public static float[][] Probabilities(int[,] n, int fake)
    {
        int v = n.GetLength(0);
        var p = new float[v][];
        for (int i = 0; i < v; i++)
        {
            p[i] = new float[v];
            float sum = 0;
            for (int j = 0; j < v; j++)
                sum += n[i, j] + fake;
            for (int j = 0; j < v; j++)
                p[i][j] = (n[i, j] + fake) / sum;
        }
        return p;
    }

    /// <summary>The lecture's loop: from '.', draw a row's next character until '.' comes out.</summary>
    public static string SampleName(Func<int, float[]> row, TorchGenerator g, CharacterVocabulary vocabulary)
    {
        var output = new List<char>();
        int ix = 0;
        while (true)
        {
            float[] p = row(ix);
            ix = g.SampleLecture(p); // torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            output.Add(vocabulary.SymbolOf(ix));
            if (ix == 0)
                break;
        }
        return new string(output.ToArray());
    }

    /// <summary>Prints how multinomial draws, then five names from uniform, raw and smoothed counts, then the library's sampler.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        int[,] n = C03_CountsInAMatrix.Count(words, vocabulary);
        const long seed = 2147483647;

        // g = torch.Generator().manual_seed(2147483647); p = torch.rand(3, generator=g); p = p / p.sum()
        var g = new TorchGenerator(seed);
        float[] r = [g.NextFloat(), g.NextFloat(), g.NextFloat()];
        float[] p3 = r.Select(x => x / r.Sum()).ToArray();
        var draws = Enumerable.Range(0, 20).Select(_ => g.SampleLecture(p3)).ToArray();
        output.WriteLine($"torch.rand(3) normalised: {string.Join(" ", p3.Select(x => x.ToString("F4")))}");
        output.WriteLine($"torch.multinomial(p, 20, replacement=True): {string.Join(" ", draws)}  ({draws.Count(d => d == 0)} zeros, {draws.Count(d => d == 1)} ones, {draws.Count(d => d == 2)} twos)");

        // An untrained model: every character equally likely.
        var uniform = Enumerable.Repeat(1f / vocabulary.Size, vocabulary.Size).ToArray();
        g = new TorchGenerator(seed);
        output.WriteLine($"uniform:        {string.Join(" ", Enumerable.Range(0, 5).Select(_ => SampleName(_ => uniform, g, vocabulary)))}");

        // The bigram model. The lecture's notebook prints these names in its first sampling loop, from N, but it was
        // re-run after P = (N+1) had been defined. On that file both give the same five names: one fake count barely
        // moves a row. (On a small file they differ.)
        float[][] raw = Probabilities(n, fake: 0);
        g = new TorchGenerator(seed);
        output.WriteLine($"P from N:       {string.Join(" ", Enumerable.Range(0, 5).Select(_ => SampleName(ix => raw[ix], g, vocabulary)))}");
        float[][] smoothed = Probabilities(n, fake: 1);
        g = new TorchGenerator(seed);
        output.WriteLine($"P from N + 1:   {string.Join(" ", Enumerable.Range(0, 5).Select(_ => SampleName(ix => smoothed[ix], g, vocabulary)))}");

        // The library does the same from any model; SamplerRng.Torch is today's PyTorch / TorchSharp multinomial.
        var ml = new MLContext(seed: 0);
        var model = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: 2)) // add-one: P from N + 1
            .Fit(ml.Data.LoadNames(words));
        var generator = NameGenerator.From(model);
        output.WriteLine($"NameGenerator:  {string.Join(" ", generator.Generate(5))}   (SamplerRng.Lecture, seed 2147483647)");
        output.WriteLine($"NameGenerator:  {string.Join(" ", generator.Generate(5, new SamplingOptions { Rng = SamplerRng.Torch }))}   (SamplerRng.Torch: current PyTorch and TorchSharp)");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c05 --data ../shared/data/names.txt`):
// torch.rand(3) normalised: 0.6064 0.3033 0.0903
// torch.multinomial(p, 20, replacement=True): 1 1 2 0 0 2 1 1 0 0 0 1 1 0 0 1 1 0 0 1  (9 zeros, 9 ones, 2 twos)
// uniform:        qvsaayxbqrqmyqwuznivanukotdjvdhd. qnoymtzduqkatdetkpfjdgigvlejfkrsqlwnirghhzwlu. idcx. cekmzucjnjoeovjvrggqrjr. cfbhabkslpokc.
// P from N:       mor. axx. minaymoryles. kondlaisah. anchshizarie.
// P from N + 1:   mor. axx. minaymoryles. kondlaisah. anchshizarie.
// NameGenerator:  mor axx minaymoryles kondlaisah anchshizarie   (SamplerRng.Lecture, seed 2147483647)
// NameGenerator:  cexze momasurailezitynn konimittain llayn ka   (SamplerRng.Torch: current PyTorch and TorchSharp)
