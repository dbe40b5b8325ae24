using Makemore.ML.Inference;
using Makemore.ML.Persistence;

namespace Makemore.ML.Tests;

/// <summary>
/// The checks every model kind must pass (reused by the neural models' tests): whole-item scoring agrees with decoding
/// one character at a time, distributions are normalised, the saved state reads back to the same numbers, and the model
/// describes itself.
/// </summary>
internal static class LanguageModelContract
{
    /// <summary>Runs every check of the contract on <paramref name="model"/> with <paramref name="names"/> (all over its vocabulary).</summary>
    /// <param name="model">The model under test.</param>
    /// <param name="names">Items to score, e.g. a few training names, an empty one and one longer than any window.</param>
    /// <param name="tolerance">Allowed difference between the whole-item and step-by-step log-probabilities.</param>
    public static void Verify(ILanguageModel model, IEnumerable<string> names, double tolerance = 1e-12)
    {
        int v = model.Vocabulary.Size;
        var reloaded = ModelState.GetModel(ModelState.EncodeModel(model).AsMemory());
        Assert.AreEqual(model.GetType(), reloaded.GetType(), "the codec reads back the same kind");
        Assert.IsNotEmpty(model.Describe(), "describes itself for 'makemore info'");
        foreach (string name in names)
        {
            int[] ids = model.Vocabulary.Encode(name);
            var whole = new double[ids.Length + 1];
            model.LogProbabilities(ids, whole);
            var again = new double[ids.Length + 1];
            reloaded.LogProbabilities(ids, again);
            CollectionAssert.AreEqual(whole, again, $"'{name}': the saved state scores identically");
            double inOrder = 0;
            foreach (double lp in whole)
                inOrder += lp;
            Assert.AreEqual(inOrder, model.LogLikelihood(ids), $"'{name}': LogLikelihood is the log-probabilities summed in order, bit for bit");

            var decoder = model.StartDecoding();
            var p = new double[v];
            for (int i = 0; i <= ids.Length; i++)
            {
                Assert.AreEqual(i, decoder.Length);
                decoder.NextProbabilities(p);
                Assert.AreEqual(1.0, p.Sum(), 1e-9, $"'{name}' position {i}: the distribution sums to 1");
                Assert.IsTrue(p.All(x => x >= 0), $"'{name}' position {i}: no negative probability");
                int target = i < ids.Length ? ids[i] : 0;
                Assert.AreEqual(Math.Log(p[target]), whole[i], tolerance, $"'{name}' position {i}: whole-item scoring = decoding");
                if (i < ids.Length)
                    decoder.Append(ids[i]);
            }
            // one pass for the scoring columns: the same log-probabilities, and the decoder's last distribution
            var single = new double[ids.Length + 1];
            var next = new double[v];
            model.LogProbabilitiesAndNext(ids, single, next);
            CollectionAssert.AreEqual(whole, single, $"'{name}': LogProbabilitiesAndNext scores as LogProbabilities");
            for (int c = 0; c < v; c++)
                Assert.AreEqual(p[c], next[c], tolerance, $"'{name}' symbol {c}: the distribution after the item = the decoder's");
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => decoder.Append(0), "the boundary is not a character to append");
        }
    }
}
