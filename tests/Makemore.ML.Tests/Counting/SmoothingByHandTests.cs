using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// Every probability of small smoothed models, computed by hand in the comments and literals below (nothing here asks
/// the library for a count). Interpolated modified Kneser–Ney follows Chen &amp; Goodman (1998), "An Empirical Study of
/// Smoothing Techniques for Language Modeling", §3.5 / eq. 17–26:
/// <code>
/// P_n(c | h) = max(N_n(h c) − D(N_n(h c)), 0) / Σ_c' N_n(h c')  +  γ(h) · P_{n−1}(c | h minus its oldest symbol)
/// γ(h)       = (D1·N1(h •) + D2·N2(h •) + D3+·N3+(h •)) / Σ_c' N_n(h c')
/// P_0(c)     = 1 / V (uniform)
/// </code>
/// N_n is the raw count at the model's order and the continuation count N1+(• h c) (distinct symbols seen before h c)
/// below it; each order's discounts come from its own count-of-counts n_r: Y = n1 / (n1 + 2 n2), D1 = 1 − 2Y n2/n1,
/// D2 = 2 − 3Y n3/n2, D3+ = 3 − 4Y n4/n3. A context never seen at order n uses P_{n−1} alone.
/// </summary>
[TestClass]
public sealed class SmoothingByHandTests
{
    // The corpus: four names over two letters. Padded for a bigram model: .aaa. .aaa. .aab. .aba.
    private static readonly string[] Names = ["aaa", "aaa", "aab", "aba"];

    // Symbols by id: '.' = 0, 'a' = 1, 'b' = 2; V = 3.
    private static NGramModel Fit(int order, Smoothing smoothing)
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        Assert.AreEqual(".ab", vocabulary.ToString());
        return NGramModel.Fit(vocabulary, order, smoothing, Names.Select(n => vocabulary.Encode(n)));
    }

    /// <summary>Asserts P(· | context) for a context written as text (e.g. ".a"), one expected value per symbol '.', 'a', 'b'.</summary>
    private static void AssertNext(NGramModel model, string context, params double[] expected)
    {
        Assert.AreEqual(1.0, expected.Sum(), 1e-12, $"the hand-computed row after '{context}' must sum to 1");
        var ids = context.Select(c => c == '.' ? 0 : model.Vocabulary.IdOf(c)).ToArray(); // '.' = the boundary, 0
        var p = new double[3];
        model.GetNextProbabilities(ids, p);
        for (int c = 0; c < 3; c++)
            Assert.AreEqual(expected[c], p[c], 1e-12, $"P('{model.Vocabulary.SymbolOf(c)}' | '{context}')");
    }

    /// <summary>Asserts the discounts D1, D2, D3+ of one order (0 = order 1).</summary>
    private static void AssertDiscounts(NGramModel model, int level, double d1, double d2, double d3)
    {
        double[] expected = [d1, d2, d3];
        for (int i = 0; i < 3; i++)
            Assert.AreEqual(expected[i], model.Discounts[level][i], 1e-12, $"order {level + 1}, D{i + 1}{(i == 2 ? "+" : "")}");
    }

    // Order 1 of both Kneser–Ney models below, from the continuation counts of the bigram types
    // .a aa ab a. b. ba:  N1+(• .) = |{a, b}| = 2,  N1+(• a) = |{., a, b}| = 3,  N1+(• b) = |{a}| = 1;  total 6.
    // (At order 3 the bigram counts are the trigram counts summed over their oldest symbol: the same types, so the same.)

    [TestMethod]
    public void ModifiedKneserNeyBigramEveryProbability()
    {
        var model = Fit(2, Smoothing.KneserNey());

        // Order 1 discounts: continuation counts {2, 3, 1} → n1 = 1, n2 = 1, n3 = 1, n4 = 0.
        // Y = 1 / (1 + 2) = 1/3; D1 = 1 − 2·(1/3)·1/1 = 1/3; D2 = 2 − 3·(1/3)·1/1 = 1; D3+ = 3 − 4·(1/3)·0/1 = 3.
        // γ = (D2 + D3+ + D1) / 6 = (1 + 3 + 1/3) / 6 = 13/18.
        double p1Dot = (2 - 1.0) / 6 + 13.0 / 18 / 3;     // 1/6 + 13/54 = 22/54 = 11/27
        double p1A = Math.Max(3 - 3.0, 0) / 6 + 13.0 / 54; // 0 + 13/54 (D3+ = 3 takes all of 'a''s count)
        double p1B = (1 - 1.0 / 3) / 6 + 13.0 / 54;       // 1/9 + 13/54 = 19/54
        Assert.AreEqual(11.0 / 27, p1Dot, 1e-15);
        Assert.AreEqual(19.0 / 54, p1B, 1e-15);

        // Order 2, raw bigram counts:  after '.': a 4;  after 'a': a 5, b 2, . 3 (total 10);  after 'b': . 1, a 1 (total 2).
        // Count-of-counts {4, 5, 2, 3, 1, 1}: n1 = 2, n2 = 1, n3 = 1, n4 = 1.
        // Y = 2 / (2 + 2·1) = 1/2; D1 = 1 − 2·(1/2)·1/2 = 1/2; D2 = 2 − 3·(1/2)·1/1 = 1/2; D3+ = 3 − 4·(1/2)·1/1 = 1.
        AssertDiscounts(model, 0, 1.0 / 3, 1.0, 3.0);
        AssertDiscounts(model, 1, 0.5, 0.5, 1.0);

        // After '.': a 4 (D3+ = 1); γ = 1/4.
        AssertNext(model, ".", 1.0 / 4 * p1Dot, (4 - 1.0) / 4 + 1.0 / 4 * p1A, 1.0 / 4 * p1B); // 11/108, 175/216, 19/216
        // After 'a': . 3 (D3+ = 1), a 5 (D3+ = 1), b 2 (D2 = 1/2); total 10; γ = (1 + 1 + 1/2) / 10 = 1/4.
        AssertNext(model, "a", (3 - 1.0) / 10 + 1.0 / 4 * p1Dot, (5 - 1.0) / 10 + 1.0 / 4 * p1A, (2 - 0.5) / 10 + 1.0 / 4 * p1B); // 163/540, 497/1080, 257/1080
        // After 'b': . 1, a 1 (D1 = 1/2 each); total 2; γ = (1/2 + 1/2) / 2 = 1/2.
        AssertNext(model, "b", (1 - 0.5) / 2 + 1.0 / 2 * p1Dot, (1 - 0.5) / 2 + 1.0 / 2 * p1A, 1.0 / 2 * p1B); // 49/108, 10/27, 19/108
        AssertNext(model, "b", 49.0 / 108, 10.0 / 27, 19.0 / 108);
    }

    [TestMethod]
    public void ModifiedKneserNeyTrigramEveryProbability()
    {
        var model = Fit(3, Smoothing.KneserNey());

        // Order 1: as for the bigram (continuation counts {2, 3, 1}, D = 1/3, 1, 3, γ = 13/18).
        double p1Dot = 11.0 / 27, p1A = 13.0 / 54, p1B = 19.0 / 54;

        // Padded for a trigram model: ..aaa. ..aaa. ..aab. ..aba.  Raw trigram counts:
        //   ..a 4;  .aa 3, .ab 1;  aaa 2, aab 1, aa. 2;  ab. 1, aba 1;  ba. 1.
        // Order 2 uses continuation counts N1+(• x c), the distinct symbols before each bigram among those trigrams:
        //   .a ← {.} 1;  aa ← {., a} 2;  ab ← {., a} 2;  a. ← {a, b} 2;  b. ← {a} 1;  ba ← {a} 1.
        // Count-of-counts {1, 2, 2, 2, 1, 1}: n1 = 3, n2 = 3, n3 = 0.
        // Y = 3 / (3 + 6) = 1/3; D1 = 1 − 2·(1/3)·3/3 = 1/3; D2 = 2 − 3·(1/3)·0/3 = 2; D3+: n3 = 0, so the code's 2.5 (no count ≥ 3 uses it).
        AssertDiscounts(model, 1, 1.0 / 3, 2.0, 2.5);
        //   After '.': a 1 (D1); γ = (1/3) / 1.
        double[] p2Dot = [1.0 / 3 * p1Dot, (1 - 1.0 / 3) + 1.0 / 3 * p1A, 1.0 / 3 * p1B]; // 11/81, 121/162, 19/162
        //   After 'a': . 2, a 2, b 2 (D2 = 2 removes each); total 6; γ = 6/6 = 1: order 1 unchanged.
        double[] p2A = [0 + 1.0 * p1Dot, 0 + 1.0 * p1A, 0 + 1.0 * p1B];
        //   After 'b': . 1, a 1 (D1 = 1/3); total 2; γ = (2/3) / 2 = 1/3.
        double[] p2B = [(1 - 1.0 / 3) / 2 + 1.0 / 3 * p1Dot, (1 - 1.0 / 3) / 2 + 1.0 / 3 * p1A, 1.0 / 3 * p1B]; // 38/81, 67/162, 19/162

        // Order 3, raw counts above: count-of-counts {4, 3, 1, 2, 1, 2, 1, 1, 1}: n1 = 5, n2 = 2, n3 = 1, n4 = 1.
        // Y = 5 / (5 + 4) = 5/9; D1 = 1 − 2·(5/9)·2/5 = 5/9; D2 = 2 − 3·(5/9)·1/2 = 7/6; D3+ = 3 − 4·(5/9)·1/1 = 7/9.
        AssertDiscounts(model, 2, 5.0 / 9, 7.0 / 6, 7.0 / 9);
        const double d1 = 5.0 / 9, d2 = 7.0 / 6, d3 = 7.0 / 9;

        // After '..': a 4 (D3+); γ = d3 / 4 = 7/36; backs off to order 2 after '.'.
        AssertNext(model, "..", d3 / 4 * p2Dot[0], (4 - d3) / 4 + d3 / 4 * p2Dot[1], d3 / 4 * p2Dot[2]); // 77/2916, 5545/5832, 133/5832
        // After '.a': a 3 (D3+), b 1 (D1); total 4; γ = (7/9 + 5/9) / 4 = 1/3; backs off to order 2 after 'a'.
        AssertNext(model, ".a", 1.0 / 3 * p2A[0], (3 - d3) / 4 + 1.0 / 3 * p2A[1], (1 - d1) / 4 + 1.0 / 3 * p2A[2]); // 11/81, 103/162, 37/162
        // After 'aa': . 2 (D2), a 2 (D2), b 1 (D1); total 5; γ = (7/6 + 7/6 + 5/9) / 5 = 26/45.
        const double gammaAA = (d2 + d2 + d1) / 5; // 26/45
        AssertNext(model, "aa", (2 - d2) / 5 + gammaAA * p2A[0], (2 - d2) / 5 + gammaAA * p2A[1], (1 - d1) / 5 + gammaAA * p2A[2]);
        // After 'ab': . 1, a 1 (D1); total 2; γ = (10/9) / 2 = 5/9; backs off to order 2 after 'b'.
        AssertNext(model, "ab", (1 - d1) / 2 + 5.0 / 9 * p2B[0], (1 - d1) / 2 + 5.0 / 9 * p2B[1], 5.0 / 9 * p2B[2]); // 352/729, 659/1458, 95/1458
        // After 'ba': . 1 (D1); total 1; γ = 5/9.
        AssertNext(model, "ba", (1 - d1) + 5.0 / 9 * p2A[0], 5.0 / 9 * p2A[1], 5.0 / 9 * p2A[2]); // 163/243, 65/486, 95/486
        // Contexts never seen at order 3 use order 2 alone: '.b' and 'bb' → after 'b'; 'a.' and 'b.' → after '.'.
        AssertNext(model, ".b", p2B);
        AssertNext(model, "bb", p2B);
        AssertNext(model, "a.", p2Dot);
        AssertNext(model, "b.", p2Dot);
        // Spot checks of the fractions written above.
        AssertNext(model, "..", 77.0 / 2916, 5545.0 / 5832, 133.0 / 5832);
        AssertNext(model, "ab", 352.0 / 729, 659.0 / 1458, 95.0 / 1458);
    }

    [TestMethod]
    public void FixedDiscountKneserNeyBigramEveryProbability()
    {
        // Smoothing.KneserNey(0.75): D1 = D2 = D3+ = 3/4 at every order.
        var model = Fit(2, Smoothing.KneserNey(0.75));
        AssertDiscounts(model, 0, 0.75, 0.75, 0.75);
        AssertDiscounts(model, 1, 0.75, 0.75, 0.75);

        // Order 1: continuation counts . 2, a 3, b 1; total 6; γ = 3·(3/4) / 6 = 3/8.
        double p1Dot = (2 - 0.75) / 6 + 3.0 / 8 / 3; // 5/24 + 1/8 = 1/3
        double p1A = (3 - 0.75) / 6 + 3.0 / 8 / 3;   // 3/8 + 1/8 = 1/2
        double p1B = (1 - 0.75) / 6 + 3.0 / 8 / 3;   // 1/24 + 1/8 = 1/6
        // After '.': a 4; γ = (3/4) / 4 = 3/16.
        AssertNext(model, ".", 3.0 / 16 * p1Dot, (4 - 0.75) / 4 + 3.0 / 16 * p1A, 3.0 / 16 * p1B);
        AssertNext(model, ".", 1.0 / 16, 29.0 / 32, 1.0 / 32);
        // After 'a': . 3, a 5, b 2; total 10; γ = 3·(3/4) / 10 = 9/40.
        AssertNext(model, "a", (3 - 0.75) / 10 + 9.0 / 40 * p1Dot, (5 - 0.75) / 10 + 9.0 / 40 * p1A, (2 - 0.75) / 10 + 9.0 / 40 * p1B);
        AssertNext(model, "a", 3.0 / 10, 43.0 / 80, 13.0 / 80);
        // After 'b': . 1, a 1; total 2; γ = 2·(3/4) / 2 = 3/4.
        AssertNext(model, "b", (1 - 0.75) / 2 + 3.0 / 4 * p1Dot, (1 - 0.75) / 2 + 3.0 / 4 * p1A, 3.0 / 4 * p1B);
        AssertNext(model, "b", 3.0 / 8, 1.0 / 2, 1.0 / 8);
    }

    [TestMethod]
    public void AddKTrigramEveryProbability()
    {
        // P(c | h) = (N(h c) + k) / (N(h) + k·V) with k = 1/2, V = 3: the denominator is N(h) + 3/2.
        var model = Fit(3, Smoothing.AddK(0.5));
        // Trigram counts as above: ..a 4;  .aa 3, .ab 1;  aa. 2, aaa 2, aab 1;  ab. 1, aba 1;  ba. 1.
        AssertNext(model, "..", 0.5 / 5.5, 4.5 / 5.5, 0.5 / 5.5); // 1/11, 9/11, 1/11
        AssertNext(model, ".a", 0.5 / 5.5, 3.5 / 5.5, 1.5 / 5.5); // 1/11, 7/11, 3/11
        AssertNext(model, "aa", 2.5 / 6.5, 2.5 / 6.5, 1.5 / 6.5); // 5/13, 5/13, 3/13
        AssertNext(model, "ab", 1.5 / 3.5, 1.5 / 3.5, 0.5 / 3.5); // 3/7, 3/7, 1/7
        AssertNext(model, "ba", 1.5 / 2.5, 0.5 / 2.5, 0.5 / 2.5); // 3/5, 1/5, 1/5
        // Contexts never seen: add-k's uniform distribution.
        foreach (string unseen in new[] { ".b", "a.", "b.", "bb" })
            AssertNext(model, unseen, 1.0 / 3, 1.0 / 3, 1.0 / 3);
        Assert.AreEqual(4, model.Count([0, 0], 1), "N(..a)");
        Assert.AreEqual(16L, model.EventCount, "4 names, 12 letters + 4 end tokens");
    }
}
