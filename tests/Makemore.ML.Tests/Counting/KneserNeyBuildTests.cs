using Makemore.ML.Counting;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// The Kneser–Ney levels (built in blocks of the order below, over every core) equal, bit for bit, a plain reference:
/// each n-gram's suffix looked up in a dictionary of the order below, p = below·λ then + share, row by row.
/// </summary>
[TestClass]
public sealed class KneserNeyBuildTests
{
    [TestMethod]
    public void LevelsEqualAPlainPerNGramComputation()
    {
        // The bundled names and each one reversed: about 140,000 7-grams.
        var names = TestData.BundledNames().SelectMany(n => new[] { n, new string(n.Reverse().ToArray()) }).ToArray();
        var vocabulary = CharacterVocabulary.Learn(names);
        var model = NGramModel.Fit(vocabulary, 7, Smoothing.KneserNey(), names.Select(n => vocabulary.Encode(n)).ToArray());
        var counts = model.ContinuationCounts(model.TopCounts);
        // Big enough for the blocks and the tasks: an order below of several blocks, a level of two row ranges or more.
        Assert.IsTrue(counts[^2].Distinct > 3 * NGramLevel.LowerBlock, $"{counts[^2].Distinct} keys at order {model.Order - 1}");
        Assert.IsTrue(model.Levels[^1].ContextCount > NGramLevel.RowsPerTask, $"{model.Levels[^1].ContextCount} contexts at order {model.Order}");
        Assert.IsTrue(model.Levels[^1].Keys.Length > NGramLevel.RowsPerTask, $"{model.Levels[^1].Keys.Length} keys at order {model.Order}");

        int v = vocabulary.Size;
        Dictionary<ulong, double>? below = null;
        ulong lowerSpace = 1;
        for (int n = 1; n <= model.Order; n++)
        {
            var (keys, c) = (counts[n - 1].Keys, counts[n - 1].Counts);
            double[] d = [.. model.Discounts[n - 1]];
            var probabilities = new double[keys.Length];
            var lambdas = new List<double>();
            var contexts = new List<ulong>();
            for (int start = 0; start < keys.Length;)
            {
                ulong context = keys[start] / (ulong)v;
                int end = start;
                while (end < keys.Length && keys[end] / (ulong)v == context)
                    end++;
                double total = 0, backoff = 0;
                for (int i = start; i < end; i++)
                {
                    total += c[i];
                    backoff += Math.Min(c[i], c[i] >= 3 ? d[2] : d[c[i] - 1]);
                }
                double lambda = backoff / total;
                contexts.Add(context);
                lambdas.Add(lambda);
                for (int i = start; i < end; i++)
                {
                    double share = Math.Max(c[i] - (c[i] >= 3 ? d[2] : d[c[i] - 1]), 0) / total;
                    double p = (below is null ? 1.0 / v : below[keys[i] % lowerSpace]) * lambda;
                    p += share;
                    probabilities[i] = p;
                }
                start = end;
            }
            var level = model.Levels[n - 1];
            CollectionAssert.AreEqual(keys, level.Keys.Array, $"keys of order {n}");
            CollectionAssert.AreEqual(contexts, level.ContextKeys(), $"contexts of order {n}");
            CollectionAssert.AreEqual(lambdas, level.Weights, $"λ of order {n}");
            CollectionAssert.AreEqual(probabilities, level.Probabilities, $"probabilities of order {n}");
            below = keys.Zip(probabilities).ToDictionary(p => p.First, p => p.Second);
            lowerSpace *= (ulong)v;
        }
    }

    [TestMethod]
    public void AStateWhoseSuffixIsMissingBelowIsDamaged()
    {
        // Kneser–Ney, order 2 over "ab": the bigram (a, b) = 1·V + 2 is saved, but its suffix b (2) is not a unigram.
        var vocabulary = CharacterVocabulary.FromCharacters("ab");
        string state = ModelState.Encode("ngram", 2, writer =>
        {
            vocabulary.Write(writer);
            writer.Write(2);
            writer.Write((byte)2);
            writer.Write(false);
            writer.Write(2);
            StateIO.WriteAscending(writer, [1UL]);
            StateIO.WriteCounts(writer, [1]);
            StateIO.WriteAscending(writer, [1UL * 3 + 2]);
            StateIO.WriteCounts(writer, [1]);
        });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelState.GetModel(state.AsMemory()));
        StringAssert.Contains(e.Message, "no suffix at the order below");
    }
}
