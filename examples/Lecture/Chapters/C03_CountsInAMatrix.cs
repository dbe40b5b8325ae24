using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Text;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 3: the same counts in a 2-D array, <c>N[ix1, ix2] += 1</c>, indexed by <c>stoi</c>: the sorted characters
/// with <c>.</c> at 0, a 27 × 27 table of ints. The library's <see cref="NGramModel"/> holds exactly these counts.
/// </summary>
public static class C03_CountsInAMatrix
{
    /// <summary>The lecture's <c>N</c>: <c>N[i, j]</c> counts how often id <c>j</c> follows id <c>i</c>, with <c>.</c> (id 0) around each name.</summary>
    public static int[,] Count(IReadOnlyList<string> words, CharacterVocabulary vocabulary)
    {
        var n = new int[vocabulary.Size, vocabulary.Size]; // N = torch.zeros((27, 27), dtype=torch.int32)
        foreach (string w in words)
        {
            int[] ixs = [0, .. vocabulary.Encode(w), 0]; // chs = ['.'] + list(w) + ['.'], as ids: the boundary 0 around the name
            for (int i = 0; i + 1 < ixs.Length; i++)
                n[ixs[i], ixs[i + 1]] += 1;
        }
        return n;
    }

    /// <summary>Counts in plain C#, prints a few rows, and checks the counts against the n-gram model an ML.NET pipeline learns.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        // chars = sorted(list(set(''.join(words)))); stoi = {s: i+1 for i, s in enumerate(chars)}; stoi['.'] = 0
        var vocabulary = CharacterVocabulary.Learn(words);
        int[,] n = Count(words, vocabulary);
        int v = vocabulary.Size;
        output.WriteLine($"itos: {vocabulary} ({v} symbols), N is {v} x {v}");

        // The lecture draws N as a heat map; here a few rows: what follows '.', 'a' and 'q'.
        foreach (char row in ".aq")
        {
            int i = row == CharacterVocabulary.Boundary ? 0 : vocabulary.IdOf(row); // stoi['.'] = 0
            if (i < 0)
                continue;
            var cells = Enumerable.Range(0, v).Select(j => $"{vocabulary.SymbolOf(j)}{n[i, j]}");
            output.WriteLine($"N['{row}'] = {string.Join(" ", cells)}");
        }
        int zeros = Enumerable.Range(0, v * v).Count(k => n[k / v, k % v] == 0);
        output.WriteLine($"{zeros} of {v * v} cells are 0: bigrams never seen (e.g. 'q' is almost always followed by 'u')");

        // The library's count model, trained through an ML.NET pipeline, holds the same table.
        var ml = new MLContext(seed: 0);
        var model = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(ml.Makemore().Trainers.NGram(order: 2, smoothing: Smoothing.None))
            .Fit(ml.Data.LoadNames(words));
        var counts = (NGramModel)MakemoreModel.GetLanguageModel(model);
        int differences = 0;
        for (int i = 0; i < v; i++)
            for (int j = 0; j < v; j++)
                differences += counts.Count([i], j) == n[i, j] ? 0 : 1;
        output.WriteLine($"NGramModel: {counts}; {counts.EventCount} events; cells that differ from N: {differences}");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c03 --data ../shared/data/names.txt`):
// itos: .abcdefghijklmnopqrstuvwxyz (27 symbols), N is 27 x 27
// N['.'] = .0 a4410 b1306 c1542 d1690 e1531 f417 g669 h874 i591 j2422 k2963 l1572 m2538 n1146 o394 p515 q92 r1639 s2055 t1308 u78 v376 w307 x134 y535 z929
// N['a'] = .6640 a556 b541 c470 d1042 e692 f134 g168 h2332 i1650 j175 k568 l2528 m1634 n5438 o63 p82 q60 r3264 s1118 t687 u381 v834 w161 x182 y2050 z435
// N['q'] = .28 a13 b0 c0 d0 e1 f0 g0 h0 i13 j0 k0 l1 m2 n0 o2 p0 q0 r1 s2 t0 u206 v0 w3 x0 y0 z0
// 102 of 729 cells are 0: bigrams never seen (e.g. 'q' is almost always followed by 'u')
// NGramModel: 2-gram model, add-k:0, 27 symbols, 627 distinct n-grams; 228146 events; cells that differ from N: 0
