using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Text;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 7: how good is the model? The likelihood of the data is the product of the probabilities the model gives
/// to every bigram; its log is a sum; its negative mean, the average negative log-likelihood (NLL), is the loss:
/// 0 for a perfect model, ln 27 ≈ 3.30 for a uniform guess.
/// </summary>
public static class C07_TheLoss
{
    /// <summary>Scores "andrej" bigram by bigram, then the whole file by hand and through ML.NET.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        int[,] n = C03_CountsInAMatrix.Count(words, vocabulary);
        int v = vocabulary.Size;
        // P = (N + fake) / row sums, in double precision (the lecture's float32 gives 2.4544 instead of 2.4546 on the full file)
        double[] rowSums = Enumerable.Range(0, v).Select(i => (double)Enumerable.Range(0, v).Sum(j => n[i, j])).ToArray();
        double P(int i, int j, int fake) => (n[i, j] + fake) / (rowSums[i] + fake * v);

        // for ch1, ch2 in zip(chs, chs[1:]): prob = P[ix1, ix2]; logprob = torch.log(prob); log_likelihood += logprob
        double logLikelihood = 0;
        int count = 0;
        foreach (var (ch1, ch2) in Bigrams("andrej"))
        {
            double prob = P(Stoi(vocabulary, ch1), Stoi(vocabulary, ch2), fake: 1);
            logLikelihood += Math.Log(prob);
            count++;
            output.WriteLine($"{ch1}{ch2}: {prob:F4} {Math.Log(prob):F4}");
        }
        output.WriteLine($"andrej: log_likelihood = {logLikelihood:F4}, nll = {-logLikelihood:F4}, nll/n = {-logLikelihood / count:F4}");

        foreach (int fake in new[] { 0, 1 })
        {
            logLikelihood = 0;
            count = 0;
            foreach (string w in words)
                foreach (var (ch1, ch2) in Bigrams(w))
                {
                    logLikelihood += Math.Log(P(Stoi(vocabulary, ch1), Stoi(vocabulary, ch2), fake));
                    count++;
                }
            output.WriteLine($"all names, P from N{(fake == 0 ? "    " : " + 1")}: log_likelihood = {logLikelihood:F2}, n = {count}, nll/n = {-logLikelihood / count:F4}");
        }

        // The same number from the library: score every name, then average over predicted characters.
        var ml = new MLContext(seed: 0);
        IDataView names = ml.Data.LoadNames(words);
        var model = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: 2, smoothing: Smoothing.AddK(1)))
            .Fit(names);
        output.WriteLine($"ml.Makemore().Evaluate: {ml.Makemore().Evaluate(model.Transform(names))}");

        // A bigram never seen gets probability 0 from the raw counts, and the loss becomes infinite.
        if (vocabulary.Contains('q'))
        {
            double jq = P(vocabulary.IdOf('j'), vocabulary.IdOf('q'), fake: 0);
            output.WriteLine($"andrejq with P from N: P['j', 'q'] = {jq}, log = {Math.Log(jq)}: the loss is infinite");
        }
    }

    // stoi: the lecture's '.' is the boundary, id 0 (names.txt has no '.' character).
    private static int Stoi(CharacterVocabulary vocabulary, char c) => c == CharacterVocabulary.Boundary ? 0 : vocabulary.IdOf(c);

    private static IEnumerable<(char, char)> Bigrams(string w)
    {
        string chs = "." + w + ".";
        return chs.Zip(chs.Skip(1));
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c07 --data ../shared/data/names.txt`):
// .a: 0.1376 -1.9835
// an: 0.1604 -1.8302
// nd: 0.0384 -3.2594
// dr: 0.0770 -2.5646
// re: 0.1334 -2.0143
// ej: 0.0027 -5.9004
// j.: 0.0246 -3.7051
// andrej: log_likelihood = -21.2574, nll = 21.2574, nll/n = 3.0368
// all names, P from N    : log_likelihood = -559873.59, n = 228146, nll/n = 2.4540
// all names, P from N + 1: log_likelihood = -560001.88, n = 228146, nll/n = 2.4546
// ml.Makemore().Evaluate: NLL 2.45458 nats/char (3.5412 bits/char, perplexity 11.642) over 228,146 characters of 32,033 items
// andrejq with P from N: P['j', 'q'] = 0, log = -Infinity: the loss is infinite
