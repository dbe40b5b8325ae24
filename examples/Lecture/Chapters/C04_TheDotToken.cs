using Makemore.ML.Text;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 4: the lecture first counted with two extra tokens, <c>&lt;S&gt;</c> and <c>&lt;E&gt;</c> (a 28 × 28 table).
/// <c>&lt;E&gt;</c> is never followed by anything and <c>&lt;S&gt;</c> never follows anything, so a whole row and a whole
/// column are zeros. One token, <c>.</c>, does both jobs: row <c>.</c> counts first letters, column <c>.</c> last letters.
/// </summary>
public static class C04_TheDotToken
{
    /// <summary>Compares the 28 × 28 table with the 27 × 27 one and prints row '.' as probabilities.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        int v = vocabulary.Size;

        // The first version: letters at 0..25, <S> = 26, <E> = 27.
        int letters = v - 1, start = letters, end = letters + 1;
        var n28 = new int[letters + 2, letters + 2];
        foreach (string w in words)
        {
            int previous = start;
            foreach (char c in w)
            {
                int id = vocabulary.IdOf(c) - 1;
                n28[previous, id]++;
                previous = id;
            }
            n28[previous, end]++;
        }
        int endRow = Enumerable.Range(0, letters + 2).Sum(j => n28[end, j]);
        int startColumn = Enumerable.Range(0, letters + 2).Sum(i => n28[i, start]);
        output.WriteLine($"<S>/<E> table: {letters + 2} x {letters + 2}; row <E> sums to {endRow}, column <S> sums to {startColumn}: {2 * (letters + 2) - 1} cells that can never be non-zero");

        int[,] n = C03_CountsInAMatrix.Count(words, vocabulary);
        output.WriteLine($"'.' table:     {v} x {v}; only N['.', '.'] = {n[0, 0]} must be zero (that would be an empty name)");

        // Row '.' is the distribution of first letters; column '.' that of last letters.
        var first = Enumerable.Range(1, v - 1).OrderByDescending(j => n[0, j]).Take(3).Select(j => $"{vocabulary.SymbolOf(j)} {n[0, j]}");
        var last = Enumerable.Range(1, v - 1).OrderByDescending(i => n[i, 0]).Take(3).Select(i => $"{vocabulary.SymbolOf(i)} {n[i, 0]}");
        output.WriteLine($"most common first letters (row '.'):    {string.Join(", ", first)}");
        output.WriteLine($"most common last letters (column '.'): {string.Join(", ", last)}");

        // p = N[0].float(); p = p / p.sum()
        int total = Enumerable.Range(0, v).Sum(j => n[0, j]);
        var p = Enumerable.Range(0, v).Select(j => (float)n[0, j] / total).ToArray();
        output.WriteLine($"p = N[0] / N[0].sum(): {string.Join(" ", p.Take(6).Select(x => x.ToString("F4")))} ... (sums to {p.Sum():F4})");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c04 --data ../shared/data/names.txt`):
// <S>/<E> table: 28 x 28; row <E> sums to 0, column <S> sums to 0: 55 cells that can never be non-zero
// '.' table:     27 x 27; only N['.', '.'] = 0 must be zero (that would be an empty name)
// most common first letters (row '.'):    a 4410, k 2963, m 2538
// most common last letters (column '.'): n 6763, a 6640, e 3983
// p = N[0] / N[0].sum(): 0.0000 0.1377 0.0408 0.0481 0.0528 0.0478 ... (sums to 1.0000)
