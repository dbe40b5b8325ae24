using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 6: normalise every row of the counts at once, <c>P = N.float(); P /= P.sum(1, keepdims=True)</c>, with
/// real tensors (TorchSharp), and the lecture's broadcasting bug: without <c>keepdims</c> the sums line up with the
/// columns, not the rows.
/// </summary>
public static class C06_Broadcasting
{
    /// <summary>Shows the shapes of <c>sum(0)</c> and <c>sum(1)</c>, the correct normalisation and the bug, with numbers.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        int[,] counts = C03_CountsInAMatrix.Count(words, vocabulary);
        int v = vocabulary.Size;

        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var N = tensor(counts.Cast<int>().ToArray(), [v, v]); // (27, 27) int32
        var F = (N + 1).to(float32); // (27, 27): the smoothed counts, N + 1

        // sum(0) adds down the columns, sum(1) across the rows; keepdim keeps the summed dimension as a 1.
        output.WriteLine($"F.sum(0, keepdim=True).shape = {Shape(F.sum(0, keepdim: true))}  column sums");
        output.WriteLine($"F.sum(1, keepdim=True).shape = {Shape(F.sum(1, keepdim: true))}  row sums");
        output.WriteLine($"F.sum(1).shape               = {Shape(F.sum(1))}      row sums, the dimension dropped");

        // Broadcasting lines shapes up from the right: (27, 27) / (27, 1) stretches the column of row sums across,
        // so every row is divided by its own sum.
        var P = F / F.sum(1, keepdim: true); // (27, 27)
        var rowSums = P.sum(1);
        output.WriteLine($"P = F / F.sum(1, keepdim=True): row sums from {rowSums.min().item<float>():F4} to {rowSums.max().item<float>():F4}; P[0].sum() = {P[0].sum().item<float>():F4}");

        // The bug: (27, 27) / (27) is read as (27, 27) / (1, 27), so COLUMN j is divided by the sum of ROW j.
        var wrong = F / F.sum(1); // (27, 27)
        var wrongRows = wrong.sum(1);
        var wrongColumns = wrong.sum(dim: 0); // not sum(0): a literal 0 converts to ScalarType, sum(type: Byte)
        output.WriteLine($"P = F / F.sum(1) (the bug):     P[0].sum() = {wrong[0].sum().item<float>():F4}; row sums from {wrongRows.min().item<float>():F4} to {wrongRows.max().item<float>():F4}");
        output.WriteLine($"                                but column sums from {wrongColumns.min().item<float>():F4} to {wrongColumns.max().item<float>():F4}: it normalised the columns");

        // Why exactly 1: every character that is followed by something (row) is also preceded by something (column),
        // and each name has one start and one end, so row i and column i of N have the same sum.
        long rowA = N.sum(1)[1].item<long>(), columnA = N.sum(dim: 0)[1].item<long>();
        long rowDot = N.sum(1)[0].item<long>(), columnDot = N.sum(dim: 0)[0].item<long>();
        output.WriteLine($"N.sum(1)['a'] = {rowA}, N.sum(0)['a'] = {columnA}; N.sum(1)['.'] = {rowDot} (names started), N.sum(0)['.'] = {columnDot} (names ended)");
        output.WriteLine($"so the bug's P[i, j] = F[i, j] / F[j].sum() turns each column into a distribution: P(previous | next), not P(next | previous)");
    }

    private static string Shape(Tensor t) => $"({string.Join(", ", t.shape)})";
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c06 --data ../shared/data/names.txt`):
// F.sum(0, keepdim=True).shape = (1, 27)  column sums
// F.sum(1, keepdim=True).shape = (27, 1)  row sums
// F.sum(1).shape               = (27)      row sums, the dimension dropped
// P = F / F.sum(1, keepdim=True): row sums from 1.0000 to 1.0000; P[0].sum() = 1.0000
// P = F / F.sum(1) (the bug):     P[0].sum() = 6.9246; row sums from 0.0785 to 6.9246
//                                 but column sums from 1.0000 to 1.0000: it normalised the columns
// N.sum(1)['a'] = 33885, N.sum(0)['a'] = 33885; N.sum(1)['.'] = 32033 (names started), N.sum(0)['.'] = 32033 (names ended)
// so the bug's P[i, j] = F[i, j] / F[j].sum() turns each column into a distribution: P(previous | next), not P(next | previous)
